"""DataVersion's token on both backends: this process's writes change it at once, another
process's (a second Database on the same data) after the recheck, the date at midnight; a
commit of a lower event id after a higher one was seen (PostgreSQL hands ids out before commit)
still changes it; concurrent callers share one read; between rechecks no SQL is run."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select

from db.clock import FixedClock
from db.engine import Database, make_engine
from db.freshness import RECHECK_SECONDS, DataVersion
from db.models import ChangeEvent
from tests.conftest import postgres_engine
from tests.db.records import add, question
from tests.support.statements import statements


class Ticks:
    """A monotonic clock that moves only when the test says."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def other(
    db: Database, request: pytest.FixtureRequest, clock: FixedClock
) -> AsyncIterator[Database]:
    """A second Database on the same data: another process, as far as `db` can tell."""
    if db.dialect == "sqlite":
        engine = make_engine(db.engine.url.render_as_string(hide_password=False))
    else:
        engine = postgres_engine(request.getfixturevalue("postgres_schema"))
    second = Database(engine, clock=clock)
    yield second
    await second.close()


def reads_events(statement: str) -> bool:
    return "change_event" in statement


async def write(db: Database, n: int) -> None:
    await add(db, "question", question(key=f"GQ-{n}"))


async def newest_event(db: Database) -> int:
    async with db.session() as session:
        return await session.scalar(select(func.max(ChangeEvent.id))) or 0


@asynccontextmanager
async def raw_event(db: Database, event_id: int) -> AsyncIterator[None]:
    """Commit a change event with this id, as a transaction that drew it earlier would."""
    async with db.transaction() as session:
        session.add(
            ChangeEvent(
                id=event_id,
                record_kind="question",
                record_id=1,
                record_key="GQ-1",
                event_type="updated",
                summary="written by a slow transaction",
                created_at=db.clock.now(),
            )
        )
    yield


async def test_a_write_through_the_same_database_changes_the_token_at_once(db: Database) -> None:
    """No recheck needed: the writer tells the version after its commit. Between writes the
    token stays the same and costs no SQL."""
    version = DataVersion(db, monotonic=Ticks())
    before = await version.token()
    with statements(db, keep=reads_events) as seen:
        assert await version.token() == before
        assert seen == []
    await write(db, 1)
    with statements(db, keep=reads_events) as seen:
        after = await version.token()
        assert seen == []
    assert after != before
    assert await version.token() == after


async def test_a_write_by_another_process_is_seen_after_the_recheck(
    db: Database, other: Database
) -> None:
    """Within the recheck the token is the one read; RECHECK_SECONDS later it has moved."""
    ticks = Ticks()
    version = DataVersion(db, monotonic=ticks)
    before = await version.token()
    await write(other, 1)
    ticks.now += RECHECK_SECONDS / 2
    assert await version.token() == before  # not read again yet: the bound, not a bug
    ticks.now += RECHECK_SECONDS / 2
    assert await version.token() != before


async def test_forget_reads_at_once(db: Database, other: Database) -> None:
    version = DataVersion(db, monotonic=Ticks())
    before = await version.token()
    await write(other, 1)
    version.forget()
    assert await version.token() != before


async def test_a_lower_id_committed_after_a_higher_one_is_seen(
    db: Database, other: Database
) -> None:
    """PostgreSQL hands ids out before commit: a transaction holding id N+2 may commit after
    one holding N+5 was seen. The newest id stays N+5; the count of events sees it."""
    await write(db, 1)
    ticks = Ticks()
    version = DataVersion(db, monotonic=ticks)
    newest = await newest_event(db)
    async with raw_event(other, newest + 5):
        pass
    ticks.now += RECHECK_SECONDS
    seen = await version.token()
    async with raw_event(other, newest + 2):
        pass
    ticks.now += RECHECK_SECONDS
    assert await newest_event(db) == newest + 5
    assert await version.token() != seen


async def test_the_next_day_changes_the_token_without_a_read(
    db: Database, clock: FixedClock
) -> None:
    """Overdue counts and "due in N days" move at midnight in the office's time zone."""
    version = DataVersion(db, monotonic=Ticks())
    before = await version.token()
    clock.advance(dt.timedelta(days=1))
    with statements(db, keep=reads_events) as seen:
        assert await version.token() != before
        assert seen == []


async def test_concurrent_token_calls_share_one_read(db: Database) -> None:
    """Twenty callers at once: one read (two statements the first time: the newest id places
    the floor, then the count), and all get the same token."""
    ticks = Ticks()
    version = DataVersion(db, monotonic=ticks)
    with statements(db, keep=reads_events) as seen:
        tokens = await asyncio.gather(*(version.token() for _ in range(20)))
    assert len(set(tokens)) == 1
    assert len(seen) == 2
    ticks.now += RECHECK_SECONDS
    with statements(db, keep=reads_events) as seen:
        tokens = await asyncio.gather(*(version.token() for _ in range(20)))
    assert len(set(tokens)) == 1
    assert len(seen) == 1


async def test_a_failed_read_fails_every_caller_and_the_next_call_reads_again(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    version = DataVersion(db, monotonic=Ticks())
    session = db.session

    @asynccontextmanager
    async def broken() -> AsyncIterator[Any]:
        raise ConnectionError("the database went away")
        yield  # pragma: no cover - makes this a generator

    monkeypatch.setattr(db, "session", broken)
    results = await asyncio.gather(*(version.token() for _ in range(3)), return_exceptions=True)
    assert all(isinstance(result, ConnectionError) for result in results), results
    monkeypatch.setattr(db, "session", session)
    await write(db, 1)
    assert (await version.token())[0] == 1  # read again: one event counted


async def test_the_floor_moves_up_without_changing_the_token(db: Database, other: Database) -> None:
    """Every floor_seconds the floor rises to the newest id seen one period before (so the count
    stays a short range); what it passes stays counted, so the token is the same when no data
    changed (caches keep their entries), and later writes still move it."""
    ticks = Ticks()
    version = DataVersion(db, monotonic=ticks, floor_seconds=10)
    for n in range(3):
        await write(db, n)
    newest = await newest_event(db)
    first = await version.token()
    assert first[:2] == (3, newest)  # (events counted, newest id)
    ticks.now += 10  # first move: to the floor it started with
    assert await version.token() == first
    ticks.now += 10  # second move: past the three events
    assert await version.token() == first
    assert version._floor == newest  # the count is now read above the newest id
    await write(other, 9)
    ticks.now += RECHECK_SECONDS
    assert (await version.token())[:2] == (4, newest + 1)
