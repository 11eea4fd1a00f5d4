"""Derived facts kept consistent inside the writer's transaction.

A statutory due rule ("30 days after enactment of H.R. 7147") resolves to a due date as soon as the
measure's enactment date is known, whichever of the two is written first.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from db.errors import InvalidInput
from db.models import (
    RECORD_TABLES,
    LinkFields,
    Measure,
    OversightQuestion,
    QuestionFields,
    RecordFields,
)
from db.scope import visible

if TYPE_CHECKING:
    from db.changes import Writer


async def enacted_on(writer: Writer, measure_key: str) -> dt.date | None:
    query = visible(Measure, writer.scope).where(Measure.key == measure_key)
    measure = (await writer.session.execute(query)).scalar_one_or_none()
    return measure.enacted_on if measure is not None else None


def rule_due_date(enacted: dt.date | None, days: int | None) -> dt.date | None:
    return enacted + dt.timedelta(days=days) if enacted is not None and days is not None else None


def _references(fields: RecordFields) -> list[tuple[str, str, str]]:
    """(field, kind, key) of every record this one points at."""
    refs = []
    if isinstance(fields, LinkFields):
        refs = [("a_key", fields.a_kind, fields.a_key), ("b_key", fields.b_kind, fields.b_key)]
    for name in ("measure_key", "due_rule_measure_key"):
        if getattr(fields, name, None):
            refs.append((name, "measure", getattr(fields, name)))
    return refs


async def check_references(writer: Writer, fields: RecordFields) -> None:
    """Refuse a record that points at a record the writer cannot see."""
    for name, kind, key in _references(fields):
        table: Any = RECORD_TABLES[kind]
        query = visible(table, writer.scope).where(table.key == key).limit(1)
        if (await writer.session.execute(query)).first() is None:
            raise InvalidInput.one(name, f"no {kind} with key '{key}' is visible here")


async def derive(writer: Writer, fields: RecordFields) -> None:
    """Check references, then fill what follows from other records (a question's due date from
    its rule) before a write."""
    await check_references(writer, fields)
    if isinstance(fields, QuestionFields) and fields.due_rule_measure_key and not fields.due_date:
        enacted = await enacted_on(writer, fields.due_rule_measure_key)
        fields.due_date = rule_due_date(enacted, fields.due_rule_days)


async def propagate(writer: Writer, row: Any, diff: dict[str, list[Any]]) -> None:
    """After a measure's enactment date changes, re-resolve the writer's questions that follow it
    (unless someone set their due date by hand)."""
    if row.kind != "measure" or "enacted_on" not in diff:
        return
    old_text, _ = diff["enacted_on"]
    old_enacted = dt.date.fromisoformat(old_text) if old_text else None
    query = select(OversightQuestion).where(
        OversightQuestion.due_rule_measure_key == row.key,
        OversightQuestion.guild_id.is_(None)  # type: ignore[union-attr]
        if writer.scope.guild_id is None
        else OversightQuestion.guild_id == writer.scope.guild_id,
    )
    for question in (await writer.session.execute(query)).scalars().all():
        derived_before = rule_due_date(old_enacted, question.due_rule_days)
        if question.due_date is None or question.due_date == derived_before:
            new_due = rule_due_date(row.enacted_on, question.due_rule_days)
            await writer.update(question, {"due_date": new_due}, action="rule")
