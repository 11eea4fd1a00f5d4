"""Derived facts kept consistent inside the writer's transaction.

A statutory due rule ("30 days after enactment of H.R. 7147") resolves to a due date as soon as the
measure's enactment date is known, whichever of the two is written first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import exists, select

from db.errors import InvalidInput
from db.models import (
    LinkFields,
    Measure,
    OversightQuestion,
    QuestionFields,
    RecordFields,
)

if TYPE_CHECKING:
    from db.changes import Writer

# Kinds whose writes can change other records (see propagate): a writer writes them one by one.
CHANGES_OTHERS = frozenset({"measure"})


async def enacted_on(writer: Writer, measure_key: str) -> dt.date | None:
    measure = await writer.visible("measure", measure_key)
    return measure.enacted_on if measure is not None else None


def rule_due_date(enacted: dt.date | None, days: int | None) -> dt.date | None:
    return enacted + dt.timedelta(days=days) if enacted is not None and days is not None else None


def references(fields: RecordFields) -> list[tuple[str, str, str]]:
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
    for name, kind, key in references(fields):
        if not await writer.sees(kind, key):
            raise InvalidInput.one(name, f"no {kind} with key '{key}' is visible here")


async def _rule_date(writer: Writer, measure_key: str | None, days: int | None) -> dt.date | None:
    return rule_due_date(await enacted_on(writer, measure_key), days) if measure_key else None


async def derive(
    writer: Writer,
    fields: RecordFields,
    old: dict[str, Any] | None = None,
    changes: Mapping[str, Any] | None = None,
) -> None:
    """Check references, then fill what follows from other records before a write: a question's
    due date from its rule, unless someone set the date by hand."""
    await check_references(writer, fields)
    if not isinstance(fields, QuestionFields) or not fields.due_rule_measure_key:
        return
    new_date = await _rule_date(writer, fields.due_rule_measure_key, fields.due_rule_days)
    if old is None:
        fields.due_date = fields.due_date or new_date
        return
    old_due = dt.date.fromisoformat(old["due_date"]) if old["due_date"] else None
    set_by_hand_now = "due_date" in (changes or {}) and fields.due_date != old_due
    old_date = await _rule_date(writer, old["due_rule_measure_key"], old["due_rule_days"])
    if not set_by_hand_now and (old_due is None or old_due == old_date):
        fields.due_date = new_date


def _followers(writer: Writer, measure_key: str) -> Any:
    """Questions whose due rule follows this measure as the writer sees it: the writer's own and,
    for the shared dataset, every guild's that has no copy of its own of the measure."""
    rule = OversightQuestion.due_rule_measure_key == measure_key
    if writer.scope.guild_id is not None:
        return select(OversightQuestion).where(
            rule, OversightQuestion.guild_id == writer.scope.guild_id
        )
    own_copy = exists().where(
        Measure.guild_id == OversightQuestion.guild_id, Measure.key == measure_key
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
        derived_before = rule_due_date(old_enacted, question.due_rule_days)
        if question.due_date is None or question.due_date == derived_before:
            new_due = rule_due_date(row.enacted_on, question.due_rule_days)
            await writer.update(question, {"due_date": new_due}, action="rule", derived=True)
