"""Shared fixtures: a fresh database per test on SQLite and on PostgreSQL, and a fixed clock.

Migrations run once per session: SQLite tests copy a migrated template file; PostgreSQL tests share
one migrated schema of their own and empty every table before each test. Under `pytest -n 2` (make
test) each worker is a session with its own PostgreSQL database (see PG_URL).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine
from sqlmodel import SQLModel

from bot.client import OversightBot
from bot.config import Settings, load_settings
from db.clock import FixedClock
from db.engine import Database, make_engine
from db.migrations import upgrade
from db.seed import load_seed
from fakediscord import FakeDiscord, FakeGuild, FakeMember, Perm

BASE_PG_URL = os.environ.get(
    "TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
# Under `pytest -n N` each worker process gets a database of its own (test_gw0, test_gw1…):
# advisory locks are database-wide, so two workers' tests in one database would wait on (or skip
# past) each other's record and channel locks.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def _worker_url(url: str, worker: str | None) -> str:
    if worker is None:
        return url
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker}").render_as_string(hide_password=False)


PG_URL = _worker_url(BASE_PG_URL, _WORKER)
T = TypeVar("T")
NOW = dt.datetime(2026, 11, 28, 15, 0, tzinfo=dt.UTC)


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion from sync code, even while a test's event loop is running
    (session fixtures are first requested from inside async fixtures)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


@pytest.fixture(autouse=True)
def root_logging_restored() -> Iterator[None]:
    """A test that sets up logging (the command line run in-process) leaves no handler behind:
    one bound to that test's captured stderr would fail every later line once it is closed."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated, empty SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "template.db"

    async def build() -> None:
        engine = make_engine(f"sqlite+aiosqlite:///{path}")
        await upgrade(engine)
        await engine.dispose()

    run_blocking(build())
    return path


async def _create_worker_database() -> None:
    """This worker's database, made once from the base one (CREATE DATABASE needs autocommit)."""
    if PG_URL == BASE_PG_URL:
        return
    name = make_url(PG_URL).database
    engine = create_async_engine(BASE_PG_URL, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            # One worker at a time: CREATE DATABASE copies template1, and refuses while another
            # copy of it is being made ("source database is being accessed by other users").
            await connection.execute(text("SELECT pg_advisory_lock(7012)"))
            try:
                exists = await connection.scalar(
                    text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
                )
                if not exists:
                    await connection.execute(text(f'CREATE DATABASE "{name}"'))
            finally:
                await connection.execute(text("SELECT pg_advisory_unlock(7012)"))
    finally:
        await engine.dispose()


async def _postgres_problem() -> str | None:
    try:
        await _create_worker_database()
    except Exception as error:  # unreachable: said below, with the base address
        return f"PostgreSQL at {BASE_PG_URL} unreachable: {error.__class__.__name__}: {error}"
    engine = create_async_engine(PG_URL)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
        return None
    except Exception as error:  # any failure to connect means "not here"
        return f"PostgreSQL at {PG_URL} unreachable: {error.__class__.__name__}: {error}"
    finally:
        await engine.dispose()


async def _run_admin(statement: str) -> None:
    engine = create_async_engine(PG_URL)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A migrated schema of this session's own; skipped (failed if required) when unreachable."""
    problem = run_blocking(_postgres_problem())
    if problem:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(f"REQUIRE_POSTGRES=1 but {problem}")
        pytest.skip(problem)
    schema = f"t_{uuid.uuid4().hex[:16]}"
    run_blocking(_run_admin(f'CREATE SCHEMA "{schema}"'))

    async def migrate() -> None:
        engine = postgres_engine(schema)
        await upgrade(engine)
        await engine.dispose()

    run_blocking(migrate())
    yield schema
    run_blocking(_run_admin(f'DROP SCHEMA "{schema}" CASCADE'))


def postgres_engine(schema: str):  # type: ignore[no-untyped-def]
    return make_engine(PG_URL, connect_args={"server_settings": {"search_path": schema}})


_TABLES = ", ".join(f'"{table.name}"' for table in SQLModel.metadata.sorted_tables)


async def open_database(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[Database]:
    """A migrated, empty database on `backend`."""
    if backend == "sqlite":
        path = tmp_path / "test.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        database = Database(make_engine(f"sqlite+aiosqlite:///{path}"), clock=clock)
    else:
        schema = request.getfixturevalue("postgres_schema")
        database = Database(postgres_engine(schema), clock=clock)
        async with database.engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE {_TABLES} RESTART IDENTITY CASCADE"))
    try:
        yield database
    finally:
        await database.close()


@asynccontextmanager
async def starter_data_twice(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[tuple[Database, Database]]:
    """The starter dataset on `backend`, reached through two Database objects (as two processes
    reach one database)."""
    if backend == "sqlite":
        path = tmp_path / "bot.db"
        shutil.copyfile(request.getfixturevalue("seeded_template"), path)
        url = f"sqlite+aiosqlite:///{path}"
        first = Database(make_engine(url), clock=clock)
        second = Database(make_engine(url), clock=clock)
        try:
            yield first, second
        finally:
            await second.close()
            await first.close()
        return
    async for first in open_database(request, "postgres", tmp_path, clock):
        await load_seed(first)
        second = Database(postgres_engine(request.getfixturevalue("postgres_schema")), clock=clock)
        try:
            yield first, second
        finally:
            await second.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def starter_databases(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[tuple[Database, Database]]:
    """The starter dataset on each backend, through the bot's Database and another process's."""
    async with starter_data_twice(request, request.param, tmp_path, clock) as pair:
        yield pair


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def db(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[Database]:
    """A fresh, migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    async for database in open_database(request, request.param, tmp_path, clock):
        yield database


# ---------------------------------------------------------------- end to end: the real bot


TOKEN = "fake-token-for-tests.0123456789"


@pytest.fixture(scope="session")
def seeded_template(sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the starter dataset loaded, copied by each end-to-end test."""
    path = tmp_path_factory.mktemp("seeded") / "seeded.db"
    shutil.copyfile(sqlite_template, path)

    async def build() -> None:
        database = Database(make_engine(f"sqlite+aiosqlite:///{path}"), clock=FixedClock(NOW))
        await load_seed(database)
        await database.close()

    run_blocking(build())
    return path


@pytest.fixture
async def bot_db(
    seeded_template: Path, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[Database]:
    """The starter dataset on SQLite, fresh for each test, with the fixed clock."""
    path = tmp_path / "bot.db"
    shutil.copyfile(seeded_template, path)
    database = Database(make_engine(f"sqlite+aiosqlite:///{path}"), clock=clock)
    yield database
    await database.close()


@pytest.fixture
def settings() -> Settings:
    """Defaults, but the bot is ready 0.2 s after the fake's last guild instead of discord.py's 2 s
    (the fake sends them all at once; 2 s per bot start was a third of the suite's time)."""
    defaults = load_settings(None, environ={})
    discord_settings = defaults.discord.model_copy(update={"guild_ready_timeout": 0.2})
    return defaults.model_copy(update={"discord": discord_settings})


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        yield server


@pytest.fixture(autouse=True)
def fake_saw_no_violations(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails any test whose `fake` (this file's or tests/fakediscord's) saw a Discord limit
    violation, listing them. Tests that provoke violations on purpose opt out with
    @pytest.mark.allow_violations.

    Requesting `fake` here sets it up before, and tears it down after, everything else the test
    uses, so what the bot sends while shutting down is checked too. The check runs at teardown,
    so pytest reports it as an error of the test."""
    if "fake" not in request.fixturenames or request.node.get_closest_marker("allow_violations"):
        yield
        return
    server: FakeDiscord = request.getfixturevalue("fake")
    yield
    if server.violations:
        found = "\n".join(
            f"  {v.route} {v.rule}{f' at {v.path}' if v.path else ''}: {v.detail}"
            for v in server.violations
        )
        pytest.fail(
            f"the fake Discord saw {len(server.violations)} limit violation(s):\n{found}\n"
            "(mark the test @pytest.mark.allow_violations if it provokes them on purpose)",
            pytrace=False,
        )


@dataclass
class Office:
    """One congressional office's server: a staffer and an admin (Manage Server)."""

    guild: FakeGuild
    staffer: FakeMember
    admin: FakeMember


@pytest.fixture
def office(fake: FakeDiscord) -> Office:
    guild = fake.add_guild("Office of Rep. Example")
    return Office(
        guild,
        guild.add_member("staffer"),
        guild.add_member("admin", permissions=Perm.MANAGE_GUILD),
    )


@asynccontextmanager
async def running(
    fake: FakeDiscord, bot: OversightBot, *, wait_for_sync: bool = True
) -> AsyncIterator[OversightBot]:
    """Log `bot` into the fake and stop it cleanly afterwards."""
    with fake.patched():
        task = asyncio.create_task(bot.start(TOKEN))
        try:
            await fake.wait_until_connected()
            if wait_for_sync:
                await fake.wait_for_sync()
            yield bot
        finally:
            await bot.close()
            await asyncio.wait_for(task, 10)


@pytest.fixture
async def bot(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> AsyncIterator[OversightBot]:
    """The real bot, logged into the fake Discord, on the starter dataset."""
    async with running(fake, OversightBot(settings=settings, database=bot_db)) as client:
        yield client
