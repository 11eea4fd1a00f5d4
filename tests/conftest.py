"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, and a fixed clock."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from db.clock import FixedClock
from db.engine import Database, make_engine
from db.migrations import upgrade
from db.scope import Actor

PG_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test")
NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)
EDITOR = Actor("editor#1", 1001)


async def _postgres_reachable() -> str | None:
    engine = create_async_engine(PG_URL)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return None
    except Exception as error:  # any failure to connect means "not here"
        return f"PostgreSQL at {PG_URL} unreachable: {error.__class__.__name__}: {error}"
    finally:
        await engine.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


async def open_database(
    backend: str, tmp_path: object, clock: FixedClock
) -> AsyncIterator[Database]:
    """A migrated, empty database on `backend`; on PostgreSQL in a schema of its own."""
    if backend == "sqlite":
        database = Database(make_engine(f"sqlite+aiosqlite:///{tmp_path}/test.db"), clock=clock)
        await upgrade(database.engine)
        yield database
        await database.close()
        return
    problem = await _postgres_reachable()
    if problem:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(problem)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin = create_async_engine(PG_URL)
    async with admin.begin() as connection:
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = make_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    database = Database(engine, clock=clock)
    try:
        await upgrade(database.engine)
        yield database
    finally:
        await database.close()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(
    request: pytest.FixtureRequest, tmp_path: object, clock: FixedClock
) -> AsyncIterator[Database]:
    """A fresh, migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    async for database in open_database(request.param, tmp_path, clock):
        yield database
