"""The async engine, sessions and write transactions (SQLite by default, PostgreSQL optionally)."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from db.changes import Writer
from db.clock import Clock, SystemClock, local_today
from db.errors import Conflict
from db.scope import Actor, Scope

_IMMEDIATE = "oversight_immediate"
_DEFAULT_TZ = ZoneInfo("America/New_York")


def _unicode_lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """Create the engine; for SQLite also the folder, WAL mode, foreign keys and write locking."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(url, connect_args={"timeout": 30}, **kwargs)

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()
        # SQLite's own lower() folds ASCII only: 'Ávila' would not match 'ávila'.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # Writers take the write lock up front: a deferred BEGIN that later upgrades to a write
        # fails at once with "database is locked" instead of waiting for the other writer.
        immediate = connection.get_execution_options().get(_IMMEDIATE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


# PostgreSQL's unique violation, deadlock and serialization failure.
_CONFLICT_CODES = frozenset({"23505", "40P01", "40001"})


def _is_conflict(error: DBAPIError) -> bool:
    """A clash between two transactions, not a fault: a unique key taken by a concurrent commit,
    a deadlock, a serialization failure (PostgreSQL), or SQLite's unique constraint."""
    if isinstance(error, IntegrityError) and "UNIQUE constraint failed" in str(error.orig):
        return True
    code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
    return code in _CONFLICT_CODES


class Database:
    """The engine, its session factory and the clock, passed to everything that needs data."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        clock: Clock | None = None,
        timezone: dt.tzinfo = _DEFAULT_TZ,
    ) -> None:
        self.engine = engine
        self.clock: Clock = clock or SystemClock()
        self.timezone = timezone
        self.sessions = async_sessionmaker(engine, expire_on_commit=False)
        self._write_listeners: list[Callable[[], None]] = []

    @classmethod
    def from_url(cls, url: str, **kwargs: Any) -> Database:
        return cls(make_engine(url), **kwargs)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def today(self) -> dt.date:
        return local_today(self.clock, self.timezone)

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        """A read session."""
        async with self.sessions() as session:
            yield session

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A write transaction that takes SQLite's write lock up front (a deferred BEGIN that later
        writes would fail at once with "database is locked" instead of waiting)."""
        async with self.sessions() as session, session.begin():
            await session.connection(execution_options={_IMMEDIATE: True})
            yield session

    @asynccontextmanager
    async def writer(
        self,
        scope: Scope,
        actor: Actor,
        *,
        reason: str | None = None,
        effective_on: dt.date | None = None,
    ) -> AsyncIterator[Writer]:
        """One transaction: records, revisions and change events commit together or not at all.
        A clash with another transaction that the write path's locks could not prevent (a unique
        key taken at the same moment, a deadlock) is a Conflict: nothing written, say so."""
        try:
            async with self.transaction() as session:
                writer = Writer(
                    session,
                    scope,
                    actor,
                    now=self.clock.now(),
                    effective_on=effective_on or self.today(),
                    reason=reason,
                )
                yield writer
        except (IntegrityError, OperationalError, DBAPIError) as error:
            if not _is_conflict(error):
                raise
            raise Conflict(
                "Another edit wrote the same record at the same moment, so nothing was written. "
                "Run the command again: it will apply to the record as it is now."
            ) from error
        if writer.events_written:
            for listener in self._write_listeners:
                listener()

    def on_write(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every committed transaction that wrote change events."""
        self._write_listeners.append(listener)

    async def close(self) -> None:
        await self.engine.dispose()
