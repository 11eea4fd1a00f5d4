"""Oversight questions: ids per scope, due and overdue (derived at read time), filtered pages."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.changes import Writer
from db.models import OPEN_STATUSES, OversightQuestion, QuestionStatus
from db.scope import Scope, visible

# Shared questions are OQ-n; a guild's own are GQ-n, so a new office question can never take
# (and hide) the id of a shared one.
SHARED_PREFIX = "OQ"
GUILD_PREFIX = "GQ"


def is_overdue(question: OversightQuestion, today: dt.date) -> bool:
    return (
        question.status in OPEN_STATUSES
        and question.due_date is not None
        and question.due_date < today
    )


def days_outstanding(question: OversightQuestion, today: dt.date) -> int | None:
    """Days since it was sent, for a question still open."""
    if question.sent_date is None or question.status not in OPEN_STATUSES:
        return None
    return (today - question.sent_date).days


async def next_code(writer: Writer) -> str:
    """The next free id in the writer's scope (OQ-8 after OQ-7; GQ-1 for an office's first)."""
    prefix = SHARED_PREFIX if writer.scope.is_shared else GUILD_PREFIX
    in_scope = (
        OversightQuestion.guild_id.is_(None)  # type: ignore[union-attr]
        if writer.scope.is_shared
        else OversightQuestion.guild_id == writer.scope.guild_id
    )
    keys = await writer.session.execute(
        select(OversightQuestion.key).where(in_scope, OversightQuestion.key.startswith(prefix))  # type: ignore[attr-defined]
    )
    numbers = [
        int(m.group(1)) for k in keys.scalars() if (m := re.fullmatch(rf"{prefix}-(\d+)", k))
    ]
    return f"{prefix}-{max(numbers, default=0) + 1}"


async def add_question(writer: Writer, values: dict[str, Any]) -> OversightQuestion:
    """Create a question with the next free id of the writer's scope."""
    return await writer.create("question", {**values, "key": await next_code(writer)})


async def find_question(session: AsyncSession, scope: Scope, key: str) -> OversightQuestion | None:
    query = visible(OversightQuestion, scope).where(
        func.upper(OversightQuestion.key) == key.strip().upper()
    )
    return (await session.execute(query)).scalar_one_or_none()


@dataclass
class QuestionPage:
    questions: list[OversightQuestion]
    total: int
    overdue: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _filtered(
    scope: Scope,
    *,
    status: QuestionStatus | None,
    asked_by: str | None,
    component: str | None,
) -> Any:
    query = visible(OversightQuestion, scope)
    if status is not None:
        query = query.where(OversightQuestion.status == status.value)
    if asked_by:
        query = query.where(func.lower(OversightQuestion.asked_by).contains(asked_by.lower()))
    if component:
        query = query.where(func.upper(OversightQuestion.component) == component.upper())
    return query


def _overdue_clause(today: dt.date) -> Any:
    return (OversightQuestion.status.in_([s.value for s in OPEN_STATUSES])) & (  # type: ignore[attr-defined]
        OversightQuestion.due_date < today  # type: ignore[operator]
    )


async def list_questions(
    session: AsyncSession,
    scope: Scope,
    *,
    today: dt.date,
    status: QuestionStatus | None = None,
    asked_by: str | None = None,
    component: str | None = None,
    page: int = 0,
    per_page: int = 10,
) -> QuestionPage:
    """Overdue first, then by due date (no due date last), then by id."""
    query = _filtered(scope, status=status, asked_by=asked_by, component=component)
    sub = query.subquery()
    overdue_sub = sub.c.status.in_([s.value for s in OPEN_STATUSES]) & (sub.c.due_date < today)
    total, overdue = (
        await session.execute(
            select(
                func.count(), func.coalesce(func.sum(case((overdue_sub, 1), else_=0)), 0)
            ).select_from(sub)
        )
    ).one()
    ordered = query.order_by(
        case((_overdue_clause(today), 0), else_=1),
        OversightQuestion.due_date.is_(None),  # type: ignore[union-attr]
        OversightQuestion.due_date,
        OversightQuestion.id,
    )
    rows = await session.execute(ordered.offset(page * per_page).limit(per_page))
    return QuestionPage(list(rows.scalars()), int(total), int(overdue), page, per_page)


@dataclass
class DueReport:
    overdue: list[OversightQuestion]
    due_soon: list[OversightQuestion]
    days: int


async def due_questions(
    session: AsyncSession, scope: Scope, *, today: dt.date, days: int = 14, limit: int = 200
) -> DueReport:
    """Open questions past due, and those due within `days` (today included)."""
    open_values = [s.value for s in OPEN_STATUSES]
    base = visible(OversightQuestion, scope).where(
        OversightQuestion.status.in_(open_values),  # type: ignore[attr-defined]
        OversightQuestion.due_date.is_not(None),  # type: ignore[union-attr]
    )
    overdue = await session.execute(
        base.where(OversightQuestion.due_date < today)  # type: ignore[operator]
        .order_by(OversightQuestion.due_date, OversightQuestion.id)
        .limit(limit)
    )
    horizon = today + dt.timedelta(days=days)
    soon = await session.execute(
        base.where(OversightQuestion.due_date >= today, OversightQuestion.due_date <= horizon)  # type: ignore[operator]
        .order_by(OversightQuestion.due_date, OversightQuestion.id)
        .limit(limit)
    )
    return DueReport(list(overdue.scalars()), list(soon.scalars()), days)
