"""Time-driven alerts (db.alerts): each fires once, at the right office day, never for history.

The clock starts at 2026-11-28 15:00 UTC (10:00 in New York) and only moves when a test says so.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from db.alerts import fire_due_alerts, funding_threshold
from db.clock import FixedClock
from db.engine import Database
from db.models import ChangeEvent, FiredAlert
from db.seed import load_seed
from tests.db.records import (
    GUILD_A,
    D,
    add,
    change,
    count,
    funded,
    measure,
    question,
)

DAY = dt.timedelta(days=1)


async def fire(db: Database) -> list[tuple[str, str | None, str]]:
    """Fire what is due now: (event_type, record_key, summary) of each new alert."""
    events = await fire_due_alerts(db, now=db.clock.now())
    return [(e.event_type, e.record_key, e.summary) for e in events]


async def alert_events(db: Database) -> list[ChangeEvent]:
    async with db.session() as session:
        query = select(ChangeEvent).where(ChangeEvent.revision_id.is_(None))  # type: ignore[union-attr]
        return list((await session.execute(query.order_by(ChangeEvent.id))).scalars())  # type: ignore[arg-type]


# ---------------------------------------------------------------- overdue


async def test_overdue_fires_once_the_day_after_the_due_date(
    db: Database, clock: FixedClock
) -> None:
    await add(db, "question", question(key="OQ-9", due_date=D(2026, 11, 28)))
    assert await fire(db) == []  # due today: not overdue yet
    clock.advance(dt.timedelta(hours=12))  # 03:00 UTC on the 29th is still the 28th in New York
    assert await fire(db) == []
    clock.advance(dt.timedelta(hours=3))  # 01:00 on the 29th in New York
    assert await fire(db) == [
        ("overdue", "OQ-9", "OQ-9 is overdue: it was due Nov 28, 2026 (1 day ago; "
         "ICE Office of Congressional Relations).")
    ]  # fmt: skip
    assert await fire(db) == []  # called again
    for _ in range(3):  # later days, each call like a restarted bot
        clock.advance(DAY)
        assert await fire(db) == []
    assert await count(db, FiredAlert) == 1
    [event] = await alert_events(db)
    assert (event.guild_id, event.record_kind, event.revision_id) == (None, "question", None)


async def test_a_new_due_date_can_be_overdue_again(db: Database, clock: FixedClock) -> None:
    await add(db, "question", question(key="OQ-9", due_date=D(2026, 11, 27)))
    assert [t for t, _, _ in await fire(db)] == ["overdue"]
    await change(db, "question", "OQ-9", {"due_date": D(2026, 12, 1)})  # an extension
    assert await fire(db) == []
    clock.advance(4 * DAY)  # Dec 2
    assert [s for _, _, s in await fire(db)] == [
        "OQ-9 is overdue: it was due Dec 1, 2026 (1 day ago; "
        "ICE Office of Congressional Relations)."
    ]


async def test_answered_and_undated_questions_are_never_overdue(
    db: Database, clock: FixedClock
) -> None:
    await add(db, "question", question(key="OQ-1", due_date=D(2026, 11, 27), status="answered"))
    await add(db, "question", question(key="OQ-2", due_date=D(2026, 11, 27), status="withdrawn"))
    await add(db, "question", question(key="OQ-3"))
    assert await fire(db) == []
    await add(db, "question", question(key="OQ-4", due_date=D(2026, 11, 27), status="acknowledged"))
    assert [k for _, k, _ in await fire(db)] == ["OQ-4"]


async def test_no_overdue_alert_when_the_deadlines_basis_is_disputed(db: Database) -> None:
    """Disputed (the question itself or its rule's bill): deadline uncertain, no alert."""
    disputed = {"confidence": "disputed", "confidence_note": "Sources conflict."}
    await add(db, "measure", measure(stage="enacted", enacted_on=D(2026, 10, 28), **disputed))
    rule = {"due_rule_measure_key": "119-hr4213", "due_rule_days": 30}  # due Nov 27
    await add(db, "question", question(key="OQ-1", **rule))
    await add(db, "question", question(key="OQ-2", due_date=D(2026, 11, 27), **disputed))
    await add(db, "question", question(key="OQ-3", due_date=D(2026, 11, 27)))
    assert [k for _, k, _ in await fire(db)] == ["OQ-3"]
    await change(db, "measure", "119-hr4213", {"confidence": "confirmed"})  # settled: overdue
    assert [k for _, k, _ in await fire(db)] == ["OQ-1"]


async def test_long_overdue_questions_are_not_announced_on_first_start(db: Database) -> None:
    await add(db, "question", question(key="OQ-9", due_date=D(2026, 7, 1)))
    await add(db, "question", question(key="OQ-8", due_date=D(2026, 11, 21)))  # 7 days ago
    assert [k for _, k, _ in await fire(db)] == ["OQ-8"]


async def test_a_guild_question_alert_carries_its_guild(db: Database) -> None:
    await add(db, "question", question(key="OQ-1", due_date=D(2026, 11, 27)), scope=GUILD_A)
    await add(db, "question", question(key="OQ-1", due_date=D(2026, 11, 27)))  # shared, same key
    assert len(await fire(db)) == 2
    events = await alert_events(db)
    assert sorted((e.guild_id or 0, e.record_key) for e in events) == [(0, "OQ-1"), (1, "OQ-1")]
    async with db.session() as session:
        keys = set((await session.execute(select(FiredAlert.key))).scalars())
    assert keys == {"overdue:1:OQ-1:2026-11-27", "overdue:shared:OQ-1:2026-11-27"}


# ---------------------------------------------------------------- funding


def test_funding_windows() -> None:
    windows = {n: funding_threshold(n) for n in range(-2, 10)}
    assert windows == {
        -2: None, -1: None, 0: 1, 1: 1, 2: 3, 3: 3, 4: 7, 5: 7, 6: 7, 7: 7, 8: None, 9: None,
    }  # fmt: skip


async def _day_by_day(db: Database, clock: FixedClock, days: int) -> list[tuple[dt.date, str]]:
    """Advance the clock a day at a time (firing twice each day): (office day, event_type)."""
    seen = []
    for _ in range(days):
        clock.advance(DAY)
        for _ in range(2):
            for event_type, _key, _summary in await fire(db):
                seen.append((db.today(), event_type))
    return seen


async def test_funded_through_alerts_fire_once_each_then_the_lapse(
    db: Database, clock: FixedClock
) -> None:
    await add(db, "measure", measure())
    await add(db, "funding_period", funded(D(2026, 10, 1), D(2026, 12, 10)))
    assert await fire(db) == []  # 12 days left
    assert await _day_by_day(db, clock, 20) == [
        (D(2026, 12, 3), "funding_ending"),
        (D(2026, 12, 7), "funding_ending"),
        (D(2026, 12, 9), "funding_ending"),
        (D(2026, 12, 11), "lapse"),
    ]
    summaries = [e.summary for e in await alert_events(db)]
    assert summaries == [
        "FY2027 funding (119-hr4213) runs out in 7 days: funded through Dec 10, 2026 and no "
        "further funding is recorded.",
        "FY2027 funding (119-hr4213) runs out in 3 days: funded through Dec 10, 2026 and no "
        "further funding is recorded.",
        "FY2027 funding (119-hr4213) runs out tomorrow: funded through Dec 10, 2026 and no "
        "further funding is recorded.",
        "Funding has lapsed: FY2027 funding (119-hr4213) ended Dec 10, 2026 and no funded "
        "period starts by Dec 11, 2026.",
    ]
    async with db.session() as session:
        in_order = select(FiredAlert.key).order_by(FiredAlert.id)  # type: ignore[arg-type]
        keys = list((await session.execute(in_order)).scalars())
    period = "fy2027-funded-2026-10-01"
    assert keys == [
        f"funding:shared:{period}:2026-12-10:7d",
        f"funding:shared:{period}:2026-12-10:3d",
        f"funding:shared:{period}:2026-12-10:1d",
        f"lapse:shared:{period}:2026-12-10",
    ]


async def test_a_late_start_fires_only_the_current_window(db: Database, clock: FixedClock) -> None:
    await add(db, "measure", measure())
    await add(db, "funding_period", funded(D(2026, 10, 1), D(2026, 11, 30)))  # 2 days left
    assert [s for _, _, s in await fire(db)] == [
        "FY2027 funding (119-hr4213) runs out in 2 days: funded through Nov 30, 2026 and no "
        "further funding is recorded."
    ]
    assert await _day_by_day(db, clock, 6) == [
        (D(2026, 11, 29), "funding_ending"),
        (D(2026, 12, 1), "lapse"),
    ]


async def test_a_long_past_lapse_is_not_announced(db: Database, clock: FixedClock) -> None:
    await add(db, "measure", measure())
    await add(db, "funding_period", funded(D(2026, 10, 1), D(2026, 11, 24)))  # lapsed 4 days ago
    assert await fire(db) == []
    await add(db, "funding_period", funded(D(2026, 11, 25), D(2026, 11, 27)))  # 1 day ago
    assert [t for t, _, _ in await fire(db)] == ["lapse"]


async def test_no_ending_or_lapse_when_the_next_period_is_already_funded(
    db: Database, clock: FixedClock
) -> None:
    await add(db, "measure", measure())
    await add(db, "funding_period", funded(D(2026, 10, 1), D(2026, 12, 5)))
    await add(db, "funding_period", funded(D(2026, 12, 6), D(2027, 9, 30)))
    assert await _day_by_day(db, clock, 15) == []


async def test_a_guild_period_alert_carries_its_guild(db: Database) -> None:
    await add(db, "measure", measure())
    await add(db, "funding_period", funded(D(2026, 10, 1), D(2026, 12, 1)), scope=GUILD_A)
    assert [t for t, _, _ in await fire(db)] == ["funding_ending"]
    [event] = await alert_events(db)
    assert (event.guild_id, event.record_kind) == (1, "funding_period")


async def test_the_starter_data_fires_nothing(db: Database, clock: FixedClock) -> None:
    """The seed's 2025-2026 periods (and its long-overdue questions) are history on 2026-11-28."""
    await load_seed(db)
    assert await fire(db) == []
    assert await _day_by_day(db, clock, 3) == []
    assert await count(db, FiredAlert) == 0


# ---------------------------------------------------------------- due rules


async def test_a_resolved_due_rule_fires_once(db: Database, clock: FixedClock) -> None:
    await add(db, "measure", measure())
    await add(
        db,
        "question",
        question(key="OQ-9", due_rule_measure_key="119-hr4213", due_rule_days=30),
    )
    assert await fire(db) == []
    await change(db, "measure", "119-hr4213", {"enacted_on": D(2026, 11, 27)})
    assert await fire(db) == [
        ("due_rule_resolved", "OQ-9", "OQ-9 is now due Dec 27, 2026: 30 days after 119-hr4213 "
         "was enacted.")
    ]  # fmt: skip
    assert await fire(db) == []
    clock.advance(DAY)
    assert await fire(db) == []


# ---------------------------------------------------------------- several callers at once


async def _setup_many(db: Database) -> None:
    await add(db, "measure", measure())
    await add(db, "funding_period", funded(D(2026, 10, 1), D(2026, 12, 1)))
    for n in range(1, 6):
        await add(db, "question", question(key=f"OQ-{n}", due_date=D(2026, 11, 27)))
        await add(db, "question", question(key=f"OQ-{n}", due_date=D(2026, 11, 26)), scope=GUILD_A)


async def test_concurrent_calls_fire_each_alert_once(db: Database) -> None:
    await _setup_many(db)
    results = await asyncio.gather(*(fire(db) for _ in range(4)))
    assert sum(len(r) for r in results) == 11
    assert (await count(db, FiredAlert), len(await alert_events(db))) == (11, 11)


@pytest.fixture
async def other_db(db: Database, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A second Database on the same PostgreSQL schema: another bot process."""
    if db.dialect != "postgresql":
        pytest.skip("several processes share a database on PostgreSQL only")
    from tests.conftest import postgres_engine

    other = Database(postgres_engine(request.getfixturevalue("postgres_schema")), clock=db.clock)
    yield other
    await other.close()


async def test_two_processes_fire_each_alert_once(db: Database, other_db: Database) -> None:
    await _setup_many(db)
    results = await asyncio.gather(fire(db), fire(other_db), fire(db), fire(other_db))
    assert sum(len(r) for r in results) == 11
    assert (await count(db, FiredAlert), len(await alert_events(db))) == (11, 11)
