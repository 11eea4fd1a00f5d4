"""What a question's dates mean: a recurring duty ("90 days after enactment, then quarterly")
whose due date is the next report not received, and a trigger date that is a condition, not a
deadline. Derived on every write path: a rule's enactment, a report, an edit, an import."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from db.appropriations import record_action
from db.engine import Database
from db.errors import InvalidInput
from db.oversight import (
    answer_question,
    due_questions,
    find_question,
    reports_past_due,
    series_dates,
    update_question,
)
from db.scope import Scope
from db.transfer import apply_import, export_records, parse
from tests.db.records import EDITOR, SHARED, TODAY, D, action, add, change, measure, question

BILL = "119-hr4213"


async def duty(db: Database, key: str = "OQ-7", **over: Any) -> None:
    await add(db, "question", question(key=key, **over))


async def get(db: Database, key: str = "OQ-7", scope: Scope = SHARED) -> Any:
    async with db.session() as session:
        found = await find_question(session, scope, key)
    assert found is not None
    return found


async def report(db: Database, received_on: dt.date, key: str = "OQ-7") -> None:
    async with db.writer(SHARED, EDITOR) as writer:
        await answer_question(
            writer, key, summary="Quarterly plan received", received_on=received_on
        )


async def test_a_rule_duty_waits_for_enactment_then_falls_due_every_quarter(db: Database) -> None:
    """90 days after enactment, then quarterly: no date until the bill is signed (Apr 30 → Jul
    29); each report received moves the due date one quarter on, and the duty stays open."""
    await add(db, "measure", measure(stage="introduced"))
    await duty(db, due_rule_measure_key=BILL, due_rule_days=90, repeat_months=3)
    waiting = await get(db)
    assert (waiting.first_due_date, waiting.due_date) == (None, None)
    async with db.writer(SHARED, EDITOR) as writer:
        signed = action(action_date=D(2026, 4, 30), chamber="president", stage_after="enacted")
        await record_action(writer, signed)
    due = await get(db)
    assert (due.first_due_date, due.due_date) == (D(2026, 7, 29), D(2026, 7, 29))
    assert reports_past_due(due, TODAY) == [D(2026, 7, 29), D(2026, 10, 29)]
    assert series_dates(due, after=TODAY, count=3) == [
        D(2027, 1, 29),
        D(2027, 4, 29),
        D(2027, 7, 29),
    ]
    await report(db, D(2026, 8, 2))
    after = await get(db)
    assert after.due_date == D(2026, 10, 29) and after.status == "pending"
    assert reports_past_due(after, TODAY) == [D(2026, 10, 29)]
    await report(db, D(2026, 11, 1))
    assert (await get(db)).due_date == D(2027, 1, 29)
    # The enactment date corrected: every date follows, the two reports still counted.
    await change(db, "measure", BILL, {"enacted_on": D(2026, 5, 1)})
    moved = await get(db)
    assert (moved.first_due_date, moved.due_date) == (D(2026, 7, 30), D(2027, 1, 30))


async def test_a_monthly_duty_counts_from_its_first_date_without_drifting(db: Database) -> None:
    """First due Jan 31, monthly: Feb 28 after one report, Mar 31 after two (counted from Jan
    31, not from Feb 28)."""
    await duty(db, due_date=D(2026, 1, 31), repeat_months=1)
    assert (await get(db)).first_due_date == D(2026, 1, 31)
    await report(db, D(2026, 2, 1))
    assert (await get(db)).due_date == D(2026, 2, 28)
    await report(db, D(2026, 3, 1))
    assert (await get(db)).due_date == D(2026, 3, 31)


async def test_a_recurring_duty_in_the_due_list_is_at_its_next_report(db: Database) -> None:
    """A quarterly duty first due Sep 1 with one report received is due Dec 1: due soon, not
    overdue."""
    await duty(db, due_date=D(2026, 9, 1), repeat_months=3)
    await report(db, D(2026, 9, 1))
    async with db.session() as session:
        due = await due_questions(session, SHARED, today=TODAY, days=14)
    assert due.overdue == [] and [q.key for q in due.due_soon] == ["OQ-7"]
    assert due.due_soon[0].due_date == D(2026, 12, 1)


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"repeat_months": 3}, "repeat_months", "needs its first due date"),
        ({"repeat_months": 13, "due_date": D(2026, 9, 1)}, "repeat_months", "12"),
        ({"first_due_date": D(2026, 9, 1)}, "first_due_date", "only a recurring duty"),
        ({"trigger_note": "hearings before it count"}, "trigger_note", "give that date"),
    ],
)
async def test_a_bad_deadline_is_refused_and_names_the_field(
    db: Database, values: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        await duty(db, **values)
    assert field in str(refused.value) and words in str(refused.value)
    async with db.session() as session:
        assert await find_question(session, SHARED, "OQ-7") is None


async def test_typing_a_due_date_on_a_recurring_duty_is_refused(db: Database) -> None:
    """Its due date follows its first date and the reports; a typed one would be silently
    wrong after the next report. Refused, saying what to change; nothing written."""
    await duty(db, due_date=D(2026, 9, 1), repeat_months=3)
    with pytest.raises(InvalidInput) as refused:
        async with db.writer(SHARED, EDITOR) as writer:
            await update_question(writer, "OQ-7", {"due_date": D(2027, 2, 1)})
    message = str(refused.value)
    assert "due_date" in message and "recurring duty (every 3 months)" in message
    assert "Change first_due_date" in message and "Sep 1, 2026" in message
    assert (await get(db)).due_date == D(2026, 9, 1)
    # Moving the series is the way: the first date moves, the due date with it.
    async with db.writer(SHARED, EDITOR) as writer:
        await update_question(writer, "OQ-7", {"first_due_date": D(2026, 10, 1)})
    assert (await get(db)).due_date == D(2026, 10, 1)


async def test_clearing_the_repeat_leaves_one_deadline(db: Database) -> None:
    """No longer recurring: the current due date stays, as a single deadline."""
    await duty(db, due_date=D(2026, 9, 1), repeat_months=3)
    await report(db, D(2026, 9, 2))
    async with db.writer(SHARED, EDITOR) as writer:
        await update_question(writer, "OQ-7", {}, clear=("repeat_months", "first_due_date"))
    single = await get(db)
    assert (single.repeat_months, single.first_due_date, single.due_date) == (
        None,
        None,
        D(2026, 12, 1),
    )


async def test_a_trigger_date_is_not_a_due_date(db: Database) -> None:
    """OQ-5's July 1 decides which hearings count: stored as a trigger, never listed due."""
    await duty(
        db,
        key="OQ-5",
        trigger_date=D(2026, 7, 1),
        trigger_note="FY2027 budget hearings held before it count",
    )
    row = await get(db, "OQ-5")
    assert (row.due_date, row.trigger_date) == (None, D(2026, 7, 1))
    async with db.session() as session:
        due = await due_questions(session, SHARED, today=TODAY, days=365)
    assert due.overdue == [] and due.due_soon == [] and due.uncertain == []


async def test_export_and_import_keep_a_duty_and_a_trigger(db: Database) -> None:
    """Exported, then imported into an empty server: the same dates, derived again the same."""
    await duty(db, due_date=D(2026, 9, 1), repeat_months=3)
    await report(db, D(2026, 9, 2))
    await duty(db, key="OQ-5", trigger_date=D(2026, 7, 1), trigger_note="hearings before it")
    text = await export_records(db, SHARED, kinds=["question"], fmt="json")
    guild = Scope.guild(77)
    await apply_import(db, guild, EDITOR, parse(text, "json"))
    copy, trigger = await get(db, scope=guild), await get(db, "OQ-5", scope=guild)
    assert (copy.first_due_date, copy.repeat_months, copy.due_date) == (
        D(2026, 9, 1),
        3,
        D(2026, 12, 1),
    )
    assert (trigger.trigger_date, trigger.trigger_note) == (D(2026, 7, 1), "hearings before it")
