"""Oversight questions: ids per scope, due and overdue (derived at read time), filtered pages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.appropriations import find_measure
from db.changes import Change, Writer, created_diff, plain_values, validate
from db.counters import QUESTION_SERIES, draw
from db.dates import DateRangeError, add_months
from db.errors import Duplicate, InvalidInput
from db.keys import question_id, question_number
from db.links import Related, related
from db.models import (
    OPEN_STATUSES,
    Confidence,
    Measure,
    OversightQuestion,
    QuestionFields,
    QuestionStatus,
    Response,
    SourceRef,
)
from db.scope import Scope, visible
from db.text import printable

# Shared questions are OQ-n; a guild's own are GQ-n, so a new office question can never take
# (and hide) the id of a shared one.
SHARED_PREFIX = "OQ"
GUILD_PREFIX = "GQ"


def past_due(question: OversightQuestion, today: dt.date) -> bool:
    """Open and past its due date, whether or not the deadline's basis is disputed."""
    return (
        question.status in OPEN_STATUSES
        and question.due_date is not None
        and question.due_date < today
    )


def basis_disputed(question: OversightQuestion, measure: Measure | None) -> bool:
    """Whether the deadline's legal basis is disputed: the question's own confidence, or that of
    the bill its due rule follows."""
    disputed = Confidence.disputed.value
    return str(question.confidence) == disputed or (
        measure is not None
        and measure.key == question.due_rule_measure_key
        and str(measure.confidence) == disputed
    )


def is_overdue(question: OversightQuestion, today: dt.date, *, disputed: bool = False) -> bool:
    """Past due on an undisputed basis (a disputed one is 'deadline uncertain', not overdue)."""
    return past_due(question, today) and not disputed


def disputed_clause(guild_id: Any, confidence: Any, measure_key: Any) -> Any:
    """SQL twin of basis_disputed over a question's columns (a table's or a subquery's): its own
    confidence, or an EXISTS on the visible measure its rule follows. Set-based: one query."""
    measure: Any = Measure
    rule_disputed = exists().where(
        measure.key == measure_key,
        measure.guild_id.is_(None) | (measure.guild_id == guild_id),
        measure.confidence == Confidence.disputed.value,
    )
    return (confidence == Confidence.disputed.value) | rule_disputed


def _question_disputed() -> Any:
    q: Any = OversightQuestion
    return disputed_clause(q.guild_id, q.confidence, q.due_rule_measure_key)


async def disputed_ids(session: AsyncSession, questions: list[OversightQuestion]) -> frozenset[int]:
    """Which of these questions' deadlines rest on a disputed basis (one query)."""
    ids = [q.id for q in questions if q.id is not None]
    if not ids:
        return frozenset()
    query = select(col(OversightQuestion.id)).where(
        col(OversightQuestion.id).in_(ids), _question_disputed()
    )
    return frozenset(i for i in (await session.execute(query)).scalars() if i is not None)


def series_dates(question: QuestionFields, *, after: dt.date, count: int) -> list[dt.date]:
    """A recurring duty's next `count` due dates after `after` that follow its current one
    (empty for a single deadline, or one whose first date is not known yet)."""
    first, months = question.first_due_date, question.repeat_months
    if first is None or months is None or question.due_date is None:
        return []
    dates: list[dt.date] = []
    index = len(question.responses) + 1
    while len(dates) < count:
        try:
            due = add_months(first, months * index)
        except DateRangeError:
            break
        if due > after:
            dates.append(due)
        index += 1
    return dates


def reports_past_due(question: QuestionFields, today: dt.date) -> list[dt.date]:
    """A recurring duty's reports due before `today` and not received, oldest first: its
    current due date and every later one already past."""
    if question.due_date is None or question.due_date >= today:
        return []
    first, months = question.first_due_date, question.repeat_months
    if first is None or months is None:
        return [question.due_date]
    dates, index = [question.due_date], len(question.responses) + 1
    while (due := add_months(first, months * index)) < today:  # today is inside the calendar
        dates.append(due)
        index += 1
    return dates


def days_outstanding(question: OversightQuestion, today: dt.date) -> int | None:
    """Days since it was sent, for a question still open."""
    if question.sent_date is None or question.status not in OPEN_STATUSES:
        return None
    return (today - question.sent_date).days


async def _highest_number(writer: Writer, prefix: str) -> int:
    """The highest 'PREFIX-n' the writer's own scope holds (once per scope: seeds its counter)."""
    in_scope = (
        col(OversightQuestion.guild_id).is_(None)
        if writer.scope.is_shared
        else col(OversightQuestion.guild_id) == writer.scope.guild_id
    )
    keys = await writer.session.execute(select(col(OversightQuestion.key)).where(in_scope))
    numbers = (question_number(question_id(key), prefix) for key in keys.scalars())
    return max((n for n in numbers if n is not None), default=0)


async def next_code(writer: Writer) -> str:
    """Take the next id of the writer's scope (OQ-8 after OQ-7; GQ-1 for an office's first).
    Ids are never given twice, even after the newest question is deleted; an id already taken
    (imported under that name) is skipped."""
    prefix = SHARED_PREFIX if writer.scope.is_shared else GUILD_PREFIX
    while True:
        number = await draw(
            writer.session, writer.scope, QUESTION_SERIES, lambda: _highest_number(writer, prefix)
        )
        code = f"{prefix}-{number}"
        if await writer.find("question", code) is None:
            return code


async def add_question(writer: Writer, values: dict[str, Any]) -> OversightQuestion:
    """Create a question with the next id of the writer's scope."""
    return await writer.create("question", {**values, "key": await next_code(writer)})


async def find_question(session: AsyncSession, scope: Scope, key: str) -> OversightQuestion | None:
    """The visible question with this id, typed in any spelling ('oq 1' finds OQ-1)."""
    wanted = question_id(printable(key))
    query = visible(OversightQuestion, scope).where(
        func.upper(col(OversightQuestion.key)) == wanted.upper()
    )
    # Exact spelling first: an imported 'Q-a' and 'q-A' are two records.
    query = query.order_by((col(OversightQuestion.key) == wanted).desc()).limit(1)
    return (await session.execute(query)).scalars().first()


@dataclass
class QuestionPage:
    questions: list[OversightQuestion]
    total: int
    overdue: int
    page: int
    per_page: int
    uncertain: int = 0  # past due, but the basis is disputed: not counted overdue
    disputed: frozenset[int] = frozenset()  # ids on this page whose basis is disputed

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
        query = query.where(col(OversightQuestion.status) == status.value)
    if asked_by:
        query = query.where(func.lower(col(OversightQuestion.asked_by)).contains(asked_by.lower()))
    if component:
        query = query.where(func.upper(col(OversightQuestion.component)) == component.upper())
    return query


def _past_due_clause(today: dt.date) -> Any:
    return (col(OversightQuestion.status).in_([s.value for s in OPEN_STATUSES])) & (
        col(OversightQuestion.due_date) < today
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
    late = sub.c.status.in_([s.value for s in OPEN_STATUSES]) & (sub.c.due_date < today)
    disputed = disputed_clause(sub.c.guild_id, sub.c.confidence, sub.c.due_rule_measure_key)
    total, overdue, uncertain = (
        await session.execute(
            select(
                func.count(),
                func.coalesce(func.sum(case((late & ~disputed, 1), else_=0)), 0),
                func.coalesce(func.sum(case((late & disputed, 1), else_=0)), 0),
            ).select_from(sub)
        )
    ).one()
    ordered = query.order_by(
        case((_past_due_clause(today), 0), else_=1),
        col(OversightQuestion.due_date).is_(None),
        col(OversightQuestion.due_date),
        col(OversightQuestion.id),
    )
    rows = await session.execute(ordered.offset(page * per_page).limit(per_page))
    questions = list(rows.scalars())
    return QuestionPage(
        questions,
        int(total),
        int(overdue),
        page,
        per_page,
        int(uncertain),
        await disputed_ids(session, questions),
    )


@dataclass
class DueReport:
    overdue: list[OversightQuestion]
    due_soon: list[OversightQuestion]
    days: int
    uncertain: list[OversightQuestion] = field(default_factory=list)  # past due, basis disputed
    disputed: frozenset[int] = frozenset()  # ids of due_soon (and uncertain) on a disputed basis
    uncertain_count: int = 0  # all of them, when `uncertain` is capped


async def due_questions(
    session: AsyncSession, scope: Scope, *, today: dt.date, days: int = 14, limit: int = 200
) -> DueReport:
    """Open questions past due (overdue, or 'deadline uncertain' when the basis is disputed),
    and those due within `days` (today included)."""
    base = _open_with_due_date(scope)
    late = base.where(col(OversightQuestion.due_date) < today).order_by(
        col(OversightQuestion.due_date), col(OversightQuestion.id)
    )
    overdue = await session.execute(late.where(~_question_disputed()).limit(limit))
    uncertain = list(
        (await session.execute(late.where(_question_disputed()).limit(limit))).scalars()
    )
    horizon = today + dt.timedelta(days=days)
    soon = await session.execute(
        base.where(
            col(OversightQuestion.due_date) >= today, col(OversightQuestion.due_date) <= horizon
        )
        .order_by(col(OversightQuestion.due_date), col(OversightQuestion.id))
        .limit(limit)
    )
    due_soon = list(soon.scalars())
    disputed = await disputed_ids(session, due_soon) | {q.id for q in uncertain if q.id}
    uncertain_count = len(uncertain)
    if uncertain_count == limit:  # perhaps more: count them
        uncertain_count = await count_uncertain(session, scope, today=today)
    return DueReport(
        list(overdue.scalars()), due_soon, days, uncertain, frozenset(disputed), uncertain_count
    )


# ---------------------------------------------------------------- detail, counts and facets


@dataclass
class QuestionDetail:
    question: OversightQuestion
    rule_measure: Measure | None  # the bill its due rule follows ("30 days after enactment of")
    related: list[Related]


async def question_detail(
    session: AsyncSession, scope: Scope, question: OversightQuestion
) -> QuestionDetail:
    """What `/oversight show` needs besides the question: its rule's bill and linked records."""
    measure = None
    if question.due_rule_measure_key:
        measure = await find_measure(session, scope, question.due_rule_measure_key)
    linked = await related(session, scope, "question", question.key)
    return QuestionDetail(question, measure, linked)


def _open_with_due_date(scope: Scope) -> Any:
    return visible(OversightQuestion, scope).where(
        col(OversightQuestion.status).in_([s.value for s in OPEN_STATUSES]),
        col(OversightQuestion.due_date).is_not(None),
    )


async def next_due(
    session: AsyncSession, scope: Scope, *, after: dt.date
) -> OversightQuestion | None:
    """The open question with the earliest due date strictly after `after` (None if none)."""
    query = (
        _open_with_due_date(scope)
        .where(col(OversightQuestion.due_date) > after)
        .order_by(col(OversightQuestion.due_date), col(OversightQuestion.id))
        .limit(1)
    )
    return (await session.execute(query)).scalars().first()


async def count_due(
    session: AsyncSession, scope: Scope, *, today: dt.date, days: int
) -> tuple[int, int]:
    """(overdue, due within `days`) counted in full, for when due_questions' lists are capped.
    A past-due question whose basis is disputed is not overdue (count_uncertain counts it)."""
    sub = _open_with_due_date(scope).subquery()
    horizon = today + dt.timedelta(days=days)
    disputed = disputed_clause(sub.c.guild_id, sub.c.confidence, sub.c.due_rule_measure_key)
    overdue, soon = (
        await session.execute(
            select(
                func.coalesce(
                    func.sum(case(((sub.c.due_date < today) & ~disputed, 1), else_=0)), 0
                ),
                func.coalesce(
                    func.sum(
                        case(((sub.c.due_date >= today) & (sub.c.due_date <= horizon), 1), else_=0)
                    ),
                    0,
                ),
            ).select_from(sub)
        )
    ).one()
    return int(overdue), int(soon)


async def count_uncertain(session: AsyncSession, scope: Scope, *, today: dt.date) -> int:
    """Open questions past due whose deadline's basis is disputed ('deadline uncertain')."""
    query = (
        _open_with_due_date(scope)
        .where(col(OversightQuestion.due_date) < today, _question_disputed())
        .subquery()
    )
    return int((await session.execute(select(func.count()).select_from(query))).scalar_one())


@dataclass
class QuestionFacets:
    """What exists, for an empty list to point at: counts by status, components, askers."""

    statuses: dict[str, int]
    components: list[str]
    askers: list[str]  # the most frequent first


async def question_facets(
    session: AsyncSession, scope: Scope, *, limit: int = 10
) -> QuestionFacets:
    sub = visible(OversightQuestion, scope).subquery()
    statuses = await session.execute(
        select(sub.c.status, func.count()).group_by(sub.c.status).order_by(sub.c.status)
    )
    components = await session.execute(
        select(sub.c.component)
        .where(sub.c.component.is_not(None))
        .distinct()
        .order_by(sub.c.component)
        .limit(limit)
    )
    return QuestionFacets(
        {status: int(n) for status, n in statuses.all()},
        list(components.scalars()),
        await suggest_askers(session, scope, "", limit=limit),
    )


async def suggest_askers(
    session: AsyncSession, scope: Scope, text: str, *, limit: int = 25
) -> list[str]:
    """Askers whose name contains `text`: names starting with it first, then the most
    frequent (for autocomplete)."""
    sub = visible(OversightQuestion, scope).subquery()
    typed = printable(text).strip().lower()
    name = func.lower(sub.c.asked_by)
    query = select(sub.c.asked_by).group_by(sub.c.asked_by)
    if typed:
        query = query.where(name.contains(typed, autoescape=True))
    rows = await session.execute(
        query.order_by(
            case((name.startswith(typed, autoescape=True), 0), else_=1),
            func.count().desc(),
            sub.c.asked_by,
        ).limit(limit)
    )
    return list(rows.scalars())


async def suggest_components(
    session: AsyncSession, scope: Scope, text: str, *, limit: int = 25
) -> list[str]:
    """Components questions are filed under that contain `text` (for autocomplete)."""
    sub = visible(OversightQuestion, scope).subquery()
    query = select(sub.c.component).where(sub.c.component.is_not(None)).distinct()
    if typed := printable(text).strip().lower():
        query = query.where(func.lower(sub.c.component).contains(typed, autoescape=True))
    rows = await session.execute(query.order_by(sub.c.component).limit(limit))
    return list(rows.scalars())


# ---------------------------------------------------------------- the question lifecycle
# Each runs inside the caller's writer (one transaction) through Writer.change, so it edits the
# record locked and fresh and writes nothing when nothing changes.

MAX_RESPONSES = 50  # QuestionFields.responses
ANSWER_STATUSES = (QuestionStatus.partially_answered, QuestionStatus.answered)
CLOSING_STATUSES = (QuestionStatus.answered, QuestionStatus.refused, QuestionStatus.withdrawn)
# A question's own fields that `/admin oversight update` may change.
QUESTION_FIELDS = (
    "asked_by",
    "addressed_to",
    "component",
    "vehicle",
    "sent_date",
    "due_date",
    "due_rule_measure_key",
    "due_rule_days",
    "repeat_months",
    "first_due_date",
    "trigger_date",
    "trigger_note",
    "status",
    "notes",
)


def question_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Check a new question's values before its text is typed: the text, asker and addressee may
    still be missing (placeholders stand in). Returns the values without empty entries."""
    given = {name: value for name, value in values.items() if value is not None}
    placeholders = {"question": "?", "asked_by": "?", "addressed_to": "?", "as_of": dt.date.min}
    validate("question", {**placeholders, **given, "key": "OQ-0"})
    return given


async def create_question(writer: Writer, values: Mapping[str, Any]) -> Change:
    """A new question with the next id of the writer's scope (OQ-n shared, GQ-n a guild's), as
    of today unless said otherwise. The same question sent again (a retried command, a form
    submitted twice: same text, asker, addressee and sent date, in the same scope) is refused,
    naming its id."""
    fields = validate("question", {"as_of": writer.effective_on, **values, "key": "OQ-0"})
    assert isinstance(fields, QuestionFields)  # what validate("question") returns
    await writer.lock_key("question", f"text:{fields.question[:80]}")  # one of two at once
    own = col(OversightQuestion.guild_id) == writer.scope.guild_id
    if writer.scope.is_shared:
        own = col(OversightQuestion.guild_id).is_(None)
    same = select(OversightQuestion).where(
        own,
        col(OversightQuestion.question) == fields.question,
        col(OversightQuestion.asked_by) == fields.asked_by,
        col(OversightQuestion.addressed_to) == fields.addressed_to,
        col(OversightQuestion.sent_date) == fields.sent_date,
    )
    if (earlier := (await writer.session.execute(same.limit(1))).scalars().first()) is not None:
        raise Duplicate(
            f"That question is already recorded as {earlier.key} (same text, asker, addressee "
            "and sent date); nothing was written. Change it with /admin oversight update."
        )
    row = await add_question(writer, {"as_of": writer.effective_on, **values})
    return Change("question", row.key, "created", created_diff(row), row)


async def answer_question(
    writer: Writer,
    key: str,
    *,
    summary: str,
    received_on: dt.date,
    source: SourceRef | None = None,
    status: str = QuestionStatus.answered,
    today: dt.date | None = None,
) -> Change:
    """Append a response and set the status (answered or partially answered). For a recurring
    duty the response is one report received: the duty stays open and its next report falls due
    (see rules.series_due_date). Errors name `summary`, `received_on`, `status`."""
    if status not in {s.value for s in ANSWER_STATUSES}:
        raise InvalidInput.one("status", "must be 'answered' or 'partially_answered'")
    if today is not None and received_on > today:
        raise InvalidInput.one("received_on", "must not be after today")
    try:
        response = Response(received_on=received_on, summary=summary, source=source)
    except ValidationError as error:
        raise InvalidInput.from_validation(error) from None
    row = await writer.load("question", key)  # locked: the responses appended to are current
    responses = [*plain_values(row)["responses"], response.model_dump(mode="json")]
    if len(responses) > MAX_RESPONSES:
        raise InvalidInput.one(
            "summary", f"a question keeps at most {MAX_RESPONSES} responses; edit the notes instead"
        )
    changes = {"responses": responses, "status": status, "as_of": max(row.as_of, received_on)}
    if row.repeat_months is not None:
        del changes["status"]  # a duty's report does not close it (close_question does)
    return await writer.change("question", row.key, changes)


async def update_question(
    writer: Writer, key: str, changes: Mapping[str, Any], *, clear: tuple[str, ...] = ()
) -> Change:
    """Change a question's own fields (and empty those in `clear`); the as-of date becomes today
    when anything changes."""
    unknown = sorted((set(changes) | set(clear)) - set(QUESTION_FIELDS))
    if unknown:
        raise InvalidInput.one(unknown[0], "cannot be changed here")
    values = {**dict.fromkeys(clear), **changes}
    return await writer.change("question", key, values, also={"as_of": writer.effective_on})


async def close_question(writer: Writer, key: str, status: str) -> Change:
    """Close a question as answered, refused or withdrawn."""
    if status not in {s.value for s in CLOSING_STATUSES}:
        raise InvalidInput.one("status", "must be 'answered', 'refused' or 'withdrawn'")
    return await update_question(writer, key, {"status": status})
