"""db.charts on SQLite and PostgreSQL: a year's funding lines for the chart (the appropriations
rules kept), and camera status over time rebuilt from revisions, scope by scope, in one query."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event

from db.charts import CameraHistory, camera_history, funding_series
from db.engine import Database
from db.scope import Scope
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    TODAY,
    D,
    add,
    bodycam,
    change,
    funding_line,
    measure,
    remove,
)

KEY = "minneapolis-mn-ice-ero"


async def series_of(db: Database, scope: Scope = SHARED, year: int | None = 2027) -> Any:
    async with db.session() as session:
        return await funding_series(session, scope, year, today=TODAY)


async def history_of(db: Database, scope: Scope = SHARED, **filters: Any) -> CameraHistory:
    async with db.session() as session:
        return await camera_history(session, scope, today=TODAY, **filters)


def told(history: CameraHistory) -> dict[str, list[tuple[dt.date, dt.date | None, str]]]:
    """Each row's spans as (start, end, status), by key."""
    return {row.key: [(s.start, s.end, s.status) for s in row.spans] for row in history.rows}


# ---------------------------------------------------------------- funding


async def test_a_years_lines_come_largest_first_with_the_rules_applied(db: Database) -> None:
    """Largest first, lines without an amount last; 'about' notes hedge, 'Total …' is a total,
    'Withheld …' is money inside its account; the bill named by its label; the per-bill sum
    leaves totals and withheld money out (not extra)."""
    await add(db, "measure", measure())
    bill = {"measure_key": "119-hr4213"}
    await add(db, "funding_line", funding_line(purpose="Cameras", requested=20_000_000, **bill))
    await add(
        db,
        "funding_line",
        funding_line(purpose="Total ICE", account="Total, ICE", requested=9_000_000_000, **bill),
    )
    await add(
        db,
        "funding_line",
        funding_line(
            purpose="Withheld until QFRs are answered",
            account="Office of the Secretary",
            requested=5_000_000,
            **bill,
        ),
    )
    await add(
        db,
        "funding_line",
        funding_line(
            purpose="Detention",
            requested=None,
            enacted=45_000_000_000,
            notes="About $45 billion; amounts vary.",
        ),
    )
    await add(db, "funding_line", funding_line(purpose="Not yet known", requested=None))
    found = await series_of(db)
    assert found.fiscal_year == 2027 and found.requested_year is None
    assert [line.name for line in found.lines] == [
        "Detention",
        "Total ICE",
        "Cameras",
        "Withheld until QFRs are answered",
        "Not yet known",
    ]
    detention, total, cameras, withheld, unknown = found.lines
    assert detention.hedged and detention.amounts == (None, None, None, 45_000_000_000)
    assert detention.bill is None
    assert total.total and not total.part
    assert withheld.part and withheld.account == "Office of the Secretary"
    assert cameras.bill == "H.R. 4213" and not (cameras.total or cameras.part or cameras.hedged)
    assert unknown.largest is None and found.charted == found.lines[:4]
    [hr4213, unnamed] = found.sums
    assert (hr4213.bill, hr4213.summed, hr4213.amounts[0]) == ("H.R. 4213", 1, 20_000_000)
    assert (hr4213.totals_left_out, hr4213.parts_left_out) == (1, 1)
    assert unnamed.bill == "lines naming no bill" and unnamed.hedged


async def test_a_year_without_lines_falls_back_and_none_at_all_says_so(db: Database) -> None:
    assert (await series_of(db)).fiscal_year is None
    await add(db, "funding_line", funding_line(fiscal_year=2026))
    fallen = await series_of(db, year=2030)
    assert (fallen.fiscal_year, fallen.requested_year, fallen.years) == (2026, 2030, (2026,))


async def test_a_guilds_own_line_is_its_own(db: Database) -> None:
    """Guild A's private line is in A's series only; B and the shared dataset never see it."""
    await add(db, "funding_line", funding_line())
    await add(db, "funding_line", funding_line(purpose="Private docking stations"), scope=GUILD_A)
    names = {
        scope: [line.name for line in (await series_of(db, scope)).lines]
        for scope in (GUILD_A, GUILD_B, SHARED)
    }
    assert names[GUILD_A] == ["Body-worn cameras", "Private docking stations"]
    assert names[GUILD_B] == names[SHARED] == ["Body-worn cameras"]
    assert await series_of(db, GUILD_B) == await series_of(db, SHARED)  # equal: drawn once


# ---------------------------------------------------------------- camera status over time


async def test_status_over_time_is_rebuilt_from_revisions(db: Database) -> None:
    """Created 'none known' on Jan 24, made 'full' effective Feb 2, its notes edited in March
    (a new span with the same status: the chart merges wording), then 'suspended' in June."""
    await add(db, "bodycam", bodycam(status="none_known"), effective_on=D(2026, 1, 24))
    await change(
        db,
        "bodycam",
        KEY,
        {"status": "full", "effective_date": D(2026, 2, 2), "notes": "Announced, not counted."},
        effective_on=D(2026, 2, 2),
    )
    await change(db, "bodycam", KEY, {"notes": "Counted."}, effective_on=D(2026, 3, 1))
    await change(db, "bodycam", KEY, {"status": "suspended"}, effective_on=D(2026, 6, 1))
    found = await history_of(db)
    assert told(found) == {
        KEY: [
            (D(2026, 1, 24), D(2026, 2, 2), "none_known"),
            (D(2026, 2, 2), D(2026, 3, 1), "full"),
            (D(2026, 3, 1), D(2026, 6, 1), "full"),
            (D(2026, 6, 1), None, "suspended"),
        ]
    }
    [row] = found.rows
    assert (row.city, row.state, row.component) == ("Minneapolis", "MN", "ICE-ERO")
    assert row.spans[1].notes == "Announced, not counted."
    assert row.spans[1].effective_date == D(2026, 2, 2)
    assert found.today == TODAY and found.as_of == D(2026, 11, 1)


async def test_a_guild_sees_its_copy_from_the_day_it_was_made(db: Database) -> None:
    """The shared record is announced from Jan 1 and made partial on May 1. Guild A made its own
    copy (full) on Mar 1: A sees announced, then its full, never the shared partial; B sees the
    shared story. When A deletes its copy on Jul 1, the shared record shows again."""
    await add(db, "bodycam", bodycam(), effective_on=D(2026, 1, 1))
    async with db.writer(GUILD_A, EDITOR, effective_on=D(2026, 3, 1)) as writer:
        assert (await writer.change("bodycam", KEY, {"status": "full"})).outcome == "copied"
    await change(db, "bodycam", KEY, {"status": "partial"}, effective_on=D(2026, 5, 1))
    shared = [(D(2026, 1, 1), D(2026, 5, 1), "announced"), (D(2026, 5, 1), None, "partial")]
    assert told(await history_of(db, GUILD_B)) == {KEY: shared}
    assert told(await history_of(db, SHARED)) == {KEY: shared}
    assert told(await history_of(db, GUILD_A)) == {
        KEY: [(D(2026, 1, 1), D(2026, 3, 1), "announced"), (D(2026, 3, 1), None, "full")]
    }
    await remove(db, "bodycam", KEY, scope=GUILD_A, effective_on=D(2026, 7, 1))
    assert told(await history_of(db, GUILD_A))[KEY][-2:] == [
        (D(2026, 3, 1), D(2026, 7, 1), "full"),
        (D(2026, 7, 1), None, "partial"),
    ]


async def test_a_guilds_private_record_never_reaches_another(db: Database) -> None:
    await add(db, "bodycam", bodycam())
    await add(db, "bodycam", bodycam(city="Secretville", state="CO"), scope=GUILD_A)
    assert set(told(await history_of(db, GUILD_A))) == {KEY, "secretville-co-ice-ero"}
    assert set(told(await history_of(db, GUILD_B))) == {KEY}
    assert set(told(await history_of(db, SHARED))) == {KEY}


async def test_a_deleted_record_leaves_a_gap_and_a_new_one_starts_again(db: Database) -> None:
    await add(db, "bodycam", bodycam(status="partial"), effective_on=D(2026, 1, 1))
    await remove(db, "bodycam", KEY, effective_on=D(2026, 4, 1))
    await add(db, "bodycam", bodycam(status="full"), effective_on=D(2026, 8, 1))
    assert told(await history_of(db)) == {
        KEY: [(D(2026, 1, 1), D(2026, 4, 1), "partial"), (D(2026, 8, 1), None, "full")]
    }
    await remove(db, "bodycam", KEY, effective_on=D(2026, 10, 1))
    [row] = (await history_of(db)).rows
    assert row.current is None and row.last_change == D(2026, 10, 1)


async def test_state_and_component_narrow_the_rows(db: Database) -> None:
    await add(db, "bodycam", bodycam())
    await add(db, "bodycam", bodycam(component="CBP-USBP"))
    await add(db, "bodycam", bodycam(city="Austin", state="TX"))
    assert set(told(await history_of(db, state="mn"))) == {KEY, "minneapolis-mn-cbp-usbp"}
    assert set(told(await history_of(db, component="CBP-USBP"))) == {"minneapolis-mn-cbp-usbp"}
    narrowed = await history_of(db, state="TX", component="ICE-ERO")
    assert set(told(narrowed)) == {"austin-tx-ice-ero"} and narrowed.state == "TX"
    assert not (await history_of(db, state="TX", component="CBP-OFO")).rows


@contextmanager
def statements(db: Database) -> Iterator[list[str]]:
    """The SQL statements run on `db` inside the block."""
    seen: list[str] = []

    def count(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", count)


async def test_one_query_however_many_records(db: Database) -> None:
    """Two records or forty with three revisions each: one SELECT of revisions either way."""
    for n in range(2):
        await add(db, "bodycam", bodycam(city=f"Town {n}"))
    with statements(db) as few:
        await history_of(db, GUILD_A)
    for n in range(2, 40):
        await add(db, "bodycam", bodycam(city=f"Town {n}"))
        await change(db, "bodycam", f"town-{n}-mn-ice-ero", {"status": "full"})
        await change(db, "bodycam", f"town-{n}-mn-ice-ero", {"status": "ended"})
    with statements(db) as many:
        found = await history_of(db, GUILD_A)
    assert len(found.rows) == 40
    selects = [sql for sql in many if sql.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1 and len(few) == len(many)
