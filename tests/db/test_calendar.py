"""db.calendar: the deadlines a server's calendar holds, each with a stable UID and a SEQUENCE
that rises when its date moves; every report of a recurring duty; funding ends and lapses."""

from __future__ import annotations

import datetime as dt

from db.calendar import Deadline, deadlines
from db.engine import Database
from db.oversight import answer_question, update_question
from db.scope import Scope
from db.seed import load_seed
from tests.db.records import (
    EDITOR,
    GUILD_A,
    SHARED,
    TODAY,
    D,
    add,
    change,
    funded,
    lapse,
    measure,
    question,
)

YEAR_AGO = TODAY - dt.timedelta(days=365)
TWO_YEARS = TODAY + dt.timedelta(days=730)


async def entries(db: Database, scope: Scope = SHARED, **window: dt.date) -> list[Deadline]:
    async with db.session() as session:
        return await deadlines(
            session, scope, start=window.get("start", YEAR_AGO), end=window.get("end", TWO_YEARS)
        )


async def test_the_starter_data_calendar(db: Database) -> None:
    """OQ-4 (May 30) and every report of OQ-7 (quarterly from Jul 29), both on H.R. 7147's
    disputed text: uncertain. OQ-5's trigger is no deadline. FY2026's funding ends, each by its
    bill, with the CR called one; the Feb 14 lapse's first and last days."""
    await load_seed(db)
    found = await entries(db, end=D(2027, 3, 1))
    titles = {(d.day, d.title.split(":")[0]) for d in found}
    assert (D(2026, 5, 30), "OQ-4 due · deadline uncertain") in titles
    oq7 = [d for d in found if d.record_key == "OQ-7"]
    assert [(d.uid, d.day) for d in oq7] == [
        ("question/OQ-7/1", D(2026, 7, 29)),
        ("question/OQ-7/2", D(2026, 10, 29)),
        ("question/OQ-7/3", D(2027, 1, 29)),
    ]
    assert all(d.uncertain and "deadline uncertain (basis disputed)" in d.summary for d in oq7)
    assert "H.R. 7147" in oq7[0].summary and "119-hr7147" not in oq7[0].summary
    assert not any(d.record_key == "OQ-5" for d in found)
    funding = [d for d in found if d.record_kind == "funding_period"]
    assert funding and all(d.location == "U.S. Capitol" for d in funding)
    assert any(d.title.startswith("DHS funding lapse begins") for d in funding)
    for deadline in found:
        assert deadline.sequence == 0 and deadline.summary and deadline.location
        assert "Source" in deadline.summary


async def test_a_moved_date_keeps_its_uid_and_raises_its_sequence(db: Database) -> None:
    await add(db, "question", question(key="OQ-1", due_date=D(2026, 12, 15)))
    [before] = await entries(db)
    await change(db, "question", "OQ-1", {"due_date": D(2026, 12, 22)})
    [after] = await entries(db)
    assert (before.uid, before.sequence, before.day) == ("question/OQ-1", 0, D(2026, 12, 15))
    assert (after.uid, after.sequence, after.day) == ("question/OQ-1", 1, D(2026, 12, 22))
    await change(db, "question", "OQ-1", {"notes": "Staff called ICE"})  # not a move
    [same] = await entries(db)
    assert same.sequence == 1


async def test_a_recurring_duty_gives_each_report_its_own_entry(db: Database) -> None:
    """Monthly from Dec 1: one entry a month within the window; a report received removes the
    first; moving the first date moves all of them (same UIDs, higher sequence)."""
    await add(db, "question", question(key="OQ-9", due_date=D(2026, 12, 1), repeat_months=1))
    window = {"start": TODAY, "end": D(2027, 3, 31)}
    first = await entries(db, **window)
    assert [(d.uid, d.day) for d in first] == [
        ("question/OQ-9/1", D(2026, 12, 1)),
        ("question/OQ-9/2", D(2027, 1, 1)),
        ("question/OQ-9/3", D(2027, 2, 1)),
        ("question/OQ-9/4", D(2027, 3, 1)),
    ]
    async with db.writer(SHARED, EDITOR) as writer:
        await answer_question(writer, "OQ-9", summary="Report 1", received_on=D(2026, 11, 27))
        await update_question(writer, "OQ-9", {"first_due_date": D(2026, 12, 3)})
    later = await entries(db, **window)
    assert [(d.uid, d.day, d.sequence) for d in later] == [
        ("question/OQ-9/2", D(2027, 1, 3), 1),
        ("question/OQ-9/3", D(2027, 2, 3), 1),
        ("question/OQ-9/4", D(2027, 3, 3), 1),
    ]


async def test_a_closed_question_and_an_unresolved_rule_are_not_deadlines(db: Database) -> None:
    await add(db, "measure", measure(stage="introduced"))
    rule = {"due_rule_measure_key": "119-hr4213", "due_rule_days": 30}
    await add(db, "question", question(key="OQ-1", **rule))
    await add(db, "question", question(key="OQ-2", due_date=D(2026, 12, 9), status="answered"))
    assert await entries(db) == []


async def test_a_cr_end_is_called_so_and_a_guild_sees_only_its_own(db: Database) -> None:
    await add(db, "measure", measure(measure_kind="cr", title="Continuing Appropriations, 2027"))
    await add(db, "funding_period", funded(D(2026, 10, 1), D(2026, 12, 19)))
    await add(db, "funding_period", lapse(D(2027, 1, 5)), scope=GUILD_A)
    [shared] = await entries(db)
    assert (shared.title, shared.day) == ("DHS CR expires (H.R. 4213)", D(2026, 12, 19))
    assert "DHS is funded through Dec 19, 2026 by H.R. 4213" in shared.summary
    assert shared.uid == "funding_period/fy2027-funded-2026-10-01/end"
    guild = await entries(db, GUILD_A)
    assert [d.title for d in guild] == [
        "DHS CR expires (H.R. 4213)",
        "DHS funding lapse begins (FY2027)",
    ]
    assert await entries(db, Scope.guild(2)) == [shared]
