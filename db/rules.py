"""Derived facts kept consistent inside the writer's transaction.

A statutory due rule ("30 days after enactment of H.R. 7147") resolves to a due date as soon as the
measure's enactment date is known, whichever of the two is written first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, or_, select
from sqlmodel import col

from db.dates import DateRangeError, add_days, add_months, format_date
from db.errors import InUse, InvalidInput
from db.models import (
    RECORD_TABLES,
    FundingLine,
    FundingPeriod,
    LinkFields,
    Measure,
    MeasureAction,
    OversightQuestion,
    QuestionFields,
    RecordFields,
    RecordLink,
)

if TYPE_CHECKING:
    from db.changes import Writer

# Kinds whose writes can change other records (see propagate): a writer writes them one by one.
CHANGES_OTHERS = frozenset({"measure"})


async def enacted_on(writer: Writer, measure_key: str) -> dt.date | None:
    measure = await writer.visible("measure", measure_key)
    return measure.enacted_on if measure is not None else None


def rule_due_date(enacted: dt.date | None, days: int | None) -> dt.date | None:
    """The due date a rule gives; InvalidInput naming `due_rule_days` when it would fall past
    the calendar (an enactment recorded in year 9999)."""
    if enacted is None or days is None:
        return None
    try:
        return add_days(enacted, days)
    except DateRangeError as error:
        raise InvalidInput.one("due_rule_days", str(error)) from None


def references(fields: RecordFields) -> list[tuple[str, str, str]]:
    """(field, kind, key) of every record this one points at."""
    refs: list[tuple[str, str, str]] = []
    if isinstance(fields, LinkFields):
        refs = [("a_key", fields.a_kind, fields.a_key), ("b_key", fields.b_kind, fields.b_key)]
    for name in ("measure_key", "due_rule_measure_key"):
        if getattr(fields, name, None):
            refs.append((name, "measure", getattr(fields, name)))
    return refs


async def check_references(writer: Writer, fields: RecordFields) -> None:
    """Refuse a record that points at a record the writer cannot see."""
    for name, kind, key in references(fields):
        if not await writer.sees(kind, key):
            raise InvalidInput.one(name, f"no {kind} with key '{key}' is visible here")


async def _rule_date(writer: Writer, measure_key: str | None, days: int | None) -> dt.date | None:
    return rule_due_date(await enacted_on(writer, measure_key), days) if measure_key else None


async def _copied_from(writer: Writer, fields: QuestionFields) -> dict[str, Any] | None:
    """The shared question a guild's new question copies (a guild editing a shared record gets
    its own copy, written as a create), in JSON form; None for a genuinely new question."""
    if writer.scope.guild_id is None:
        return None
    shared = await writer.visible("question", fields.key)
    if shared is None or shared.guild_id is not None:
        return None
    from db.changes import plain_values  # changes imports this module: import late

    return plain_values(shared)


async def derive(
    writer: Writer,
    fields: RecordFields,
    old: dict[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Check references, then fill what follows from other records before a write: a question's
    due date from its rule. A date someone set by hand stays until the rule itself changes: a
    new rule always brings its own date (or none, until its bill is enacted), never a stale one."""
    await check_references(writer, fields)
    if isinstance(fields, QuestionFields) and fields.repeat_months is not None:
        await _derive_series(writer, fields, changes)
        return
    if not isinstance(fields, QuestionFields) or not fields.due_rule_measure_key:
        return
    new_date = await _rule_date(writer, fields.due_rule_measure_key, fields.due_rule_days)
    if old is None and (old := await _copied_from(writer, fields)) is not None:
        new = fields.model_dump(mode="json")
        changes = {name: value for name, value in new.items() if old.get(name) != value}
    if old is None:
        fields.due_date = fields.due_date or new_date
        return
    old_due = dt.date.fromisoformat(old["due_date"]) if old["due_date"] else None
    set_by_hand_now = "due_date" in (changes or {}) and fields.due_date != old_due
    if set_by_hand_now:
        return
    old_rule = (old["due_rule_measure_key"], old["due_rule_days"])
    rule_changed = old_rule != (fields.due_rule_measure_key, fields.due_rule_days)
    old_date = await _rule_date(writer, *old_rule)
    if rule_changed or old_due is None or old_due == old_date:
        fields.due_date = new_date


def series_due_date(first: dt.date | None, months: int, received: int) -> dt.date | None:
    """A recurring duty's next due date: the first report's date moved on one period for each
    report received (counted from the first, so a 31st stays the month's last day)."""
    if first is None:
        return None
    try:
        return add_months(first, months * received)
    except DateRangeError as error:
        raise InvalidInput.one("repeat_months", str(error)) from None


async def _derive_series(
    writer: Writer, fields: QuestionFields, changes: Mapping[str, Any] | None
) -> None:
    """A recurring duty's dates: the first from its rule (when it has one), the next due from
    the first and the reports received. They are derived, never typed: a due date given that
    is not the derived one is refused, naming what to change instead."""
    months = fields.repeat_months or 1
    if fields.due_rule_measure_key:
        fields.first_due_date = await _rule_date(
            writer, fields.due_rule_measure_key, fields.due_rule_days
        )
    derived = series_due_date(fields.first_due_date, months, len(fields.responses))
    typed = (changes or {}).get("due_date") if changes is not None else fields.due_date
    if isinstance(typed, str):
        typed = dt.date.fromisoformat(typed)
    if typed is not None and typed != derived:
        follows = "its rule" if fields.due_rule_measure_key else "first_due_date"
        now = format_date(derived) if derived else "none until its bill is enacted"
        raise InvalidInput.one(
            "due_date",
            f"{fields.key} is a recurring duty (every {months} months): its next due date "
            f"follows {follows} and the reports received (now {now}). Change {follows}, or "
            "clear repeat to make it a single deadline",
        )
    fields.due_date = derived


def _followers(writer: Writer, measure_key: str) -> Any:
    """Questions whose due rule follows this measure as the writer sees it: the writer's own and,
    for the shared dataset, every guild's that has no copy of its own of the measure."""
    rule = col(OversightQuestion.due_rule_measure_key) == measure_key
    if writer.scope.guild_id is not None:
        return select(OversightQuestion).where(
            rule, col(OversightQuestion.guild_id) == writer.scope.guild_id
        )
    own_copy = exists().where(
        col(Measure.guild_id) == col(OversightQuestion.guild_id), col(Measure.key) == measure_key
    )
    return select(OversightQuestion).where(rule, ~own_copy)


async def propagate(writer: Writer, row: Any, diff: dict[str, list[Any]]) -> None:
    """After a measure's enactment date changes, re-resolve the due dates that follow it (unless
    someone set them by hand). Guild questions following a shared measure change too: a derived
    fact, written as a 'rule' revision in the question's own scope."""
    if row.kind not in CHANGES_OTHERS or "enacted_on" not in diff:
        return
    old_text, _ = diff["enacted_on"]
    old_enacted = dt.date.fromisoformat(old_text) if old_text else None
    for question in (await writer.session.execute(_followers(writer, row.key))).scalars().all():
        if question.repeat_months is not None:  # its dates are always derived: re-derive them
            await writer.update(question, {}, action="rule", derived=True)
            continue
        derived_before = rule_due_date(old_enacted, question.due_rule_days)
        if question.due_date is None or question.due_date == derived_before:
            new_due = rule_due_date(row.enacted_on, question.due_rule_days)
            await writer.update(question, {"due_date": new_due}, action="rule", derived=True)


# ---------------------------------------------------------------- deleting a record

_NEEDS_MEASURE = (
    (MeasureAction, "action"),
    (FundingPeriod, "funding period"),
    (FundingLine, "funding line"),
)


def _without_own_copy(table: Any, kind: str, key: str) -> Any:
    """Rows of `table` in the shared dataset, or in a guild that has no record `key` of its own:
    the rows that see the shared record `key` of `kind`."""
    other: Any = RECORD_TABLES[kind]
    own_copy = exists().where(other.guild_id == table.guild_id, other.key == key)
    return or_(table.guild_id.is_(None), ~own_copy)


def _seeing(writer: Writer, table: Any, kind: str, key: str) -> Any:
    """Rows of `table` that see the writer's record `key` of `kind`."""
    if writer.scope.guild_id is not None:
        return table.guild_id == writer.scope.guild_id
    return _without_own_copy(table, kind, key)


async def before_delete(writer: Writer, row: Any) -> None:
    """What a record's deletion does to the records that point at it, in the same transaction.
    Nothing, when a shared record with the same key shows again in its place (a guild deleting
    its own copy). Otherwise: a bill still named by actions, funding periods or lines is refused
    (naming them); links to the record are deleted; questions whose due rule follows a deleted
    bill keep their due date and lose the rule; channels following the record alone stop."""
    if writer.scope.guild_id is not None and await _shared_exists(writer, row.kind, row.key):
        return
    if row.kind == "measure":
        await _refuse_if_needed(writer, row.key)
        for question in (await writer.session.execute(_followers(writer, row.key))).scalars().all():
            cleared = {"due_rule_measure_key": None, "due_rule_days": None}
            await writer.update(question, cleared, action="rule", derived=True)
    ends = or_(
        (col(RecordLink.a_kind) == row.kind) & (col(RecordLink.a_key) == row.key),
        (col(RecordLink.b_kind) == row.kind) & (col(RecordLink.b_key) == row.key),
    )
    links = select(RecordLink).where(ends, _seeing(writer, RecordLink, row.kind, row.key))
    for link in (await writer.session.execute(links)).scalars().all():
        await writer.delete(link, derived=True)
    from db.tracking import retire_record_subscriptions  # tracking reads changes: import late

    day = writer.effective_on.isoformat()
    await retire_record_subscriptions(
        writer.session,
        writer.scope.guild_id,
        row.kind,
        row.key,
        f"the record was deleted on {day}",
    )


async def _shared_exists(writer: Writer, kind: str, key: str) -> bool:
    table: Any = RECORD_TABLES[kind]
    query = select(table.id).where(table.guild_id.is_(None), table.key == key).limit(1)
    return (await writer.session.execute(query)).first() is not None


async def _refuse_if_needed(writer: Writer, key: str) -> None:
    named = []
    for table, label in _NEEDS_MEASURE:
        query = select(col(table.key)).where(
            col(table.measure_key) == key, _seeing(writer, table, "measure", key)
        )
        keys = list((await writer.session.execute(query.limit(4))).scalars())
        if keys:
            more = "…" if len(keys) > 3 else ""
            named.append(f"{label}s {', '.join(keys[:3])}{more}")
    if named:
        raise InUse(
            f"{key} is still named by {'; '.join(named)}: delete or change those first. "
            "Nothing was deleted."
        )
