"""Deadlines as calendar entries: what a server's calendar (an .ics file, Discord's scheduled
events) holds, each with a UID that stays the same while its date moves.

Entries: an open oversight question's due date (every report of a recurring duty, one entry each),
a funding period's last funded day ("DHS CR expires"), a lapse's first and last days. A statutory
deadline appears once its bill's enactment resolves it. Plain text only: no Discord here.

`sequence` counts how often an entry's date has moved (from the record's revisions), so calendar
apps update an entry instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.dates import DateRangeError, add_months, format_date
from db.kinds import CONFIDENCE_LABELS, QUESTION_STATUS_LABELS
from db.models import (
    OPEN_STATUSES,
    Confidence,
    FundingPeriod,
    Measure,
    MeasureKind,
    OversightQuestion,
    PeriodType,
    Revision,
    bill_label,
)
from db.oversight import disputed_ids
from db.scope import Scope, visible

CAPITOL = "U.S. Capitol"
UNCERTAIN = "deadline uncertain (basis disputed)"
LOCATION_LIMIT = 100  # Discord's external event location; calendar apps show it whole
MAX_REPORTS = 120  # entries per recurring duty in one window: ten years of monthly reports
ID_CHUNK = 500  # record ids per revision query


@dataclass(frozen=True)
class Deadline:
    uid: str  # stable per deadline: 'question/OQ-7/2', 'funding_period/fy2027-funded-…/end'
    day: dt.date  # an all-day date
    title: str  # 'OQ-7 report 2 due: ICE execution plan…'
    summary: str  # plain text: the fact, its confidence or uncertainty, its sources
    location: str  # the addressee, or the U.S. Capitol
    url: str | None  # the best source's address
    sequence: int  # how many times this deadline's date has moved
    uncertain: bool  # its legal basis is disputed
    record_kind: str = ""
    record_key: str = ""
    guild_id: int | None = None  # the record's scope: None for the shared dataset
    confidence: str = ""
    sources: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)


async def deadlines(
    session: AsyncSession, scope: Scope, *, start: dt.date, end: dt.date
) -> list[Deadline]:
    """Every deadline the scope sees from `start` to `end` (both included), by date then UID."""
    questions = await _questions(session, scope, start=start, end=end)
    periods = await _periods(session, scope, start=start, end=end)
    moves = await _moves(session, [*questions, *periods])
    disputed = await disputed_ids(session, questions)
    keys = {p.measure_key for p in periods} | {q.due_rule_measure_key for q in questions}
    measures = await _measures(session, scope, {key for key in keys if key})
    found: list[Deadline] = []
    for question in questions:
        rule_bill = measures.get(question.due_rule_measure_key or "")
        found += _question_deadlines(
            question, moves, question.id in disputed, start, end, _bill(rule_bill)
        )
    for period in periods:
        found += _period_deadlines(
            period, moves, measures.get(period.measure_key or ""), start, end
        )
    return sorted(found, key=lambda d: (d.day, d.uid))


# ---------------------------------------------------------------- reads


async def _questions(
    session: AsyncSession, scope: Scope, *, start: dt.date, end: dt.date
) -> list[OversightQuestion]:
    """Open questions with a due date on or before `end` (a duty's later reports may fall in the
    window even when its current one is before it)."""
    query = visible(OversightQuestion, scope).where(
        col(OversightQuestion.status).in_([s.value for s in OPEN_STATUSES]),
        col(OversightQuestion.due_date).is_not(None),
        col(OversightQuestion.due_date) <= end,
        (col(OversightQuestion.due_date) >= start)
        | col(OversightQuestion.repeat_months).is_not(None),
    )
    return list((await session.execute(query)).scalars())


async def _periods(
    session: AsyncSession, scope: Scope, *, start: dt.date, end: dt.date
) -> list[FundingPeriod]:
    """Funding periods with an end or a start (lapses) in the window."""
    ends = col(FundingPeriod.end_date).between(start, end)
    lapse_starts = (col(FundingPeriod.period_type) == PeriodType.lapse.value) & col(
        FundingPeriod.start_date
    ).between(start, end)
    query = visible(FundingPeriod, scope).where(ends | lapse_starts)
    return list((await session.execute(query)).scalars())


async def _measures(session: AsyncSession, scope: Scope, keys: set[str]) -> dict[str, Measure]:
    if not keys:
        return {}
    query = visible(Measure, scope).where(col(Measure.key).in_(sorted(keys)))
    return {m.key: m for m in (await session.execute(query)).scalars()}


async def _moves(session: AsyncSession, rows: Sequence[Any]) -> dict[tuple[str, int], list[dict]]:
    """Each record's revisions' changes, oldest first, keyed by (kind, id): one query a chunk."""
    ids: dict[str, list[int]] = defaultdict(list)
    for row in rows:
        ids[row.kind].append(row.id)
    found: dict[tuple[str, int], list[dict]] = defaultdict(list)
    for kind, record_ids in ids.items():
        for first in range(0, len(record_ids), ID_CHUNK):
            chunk = record_ids[first : first + ID_CHUNK]
            query = (
                select(col(Revision.record_id), col(Revision.changes))
                .where(col(Revision.record_kind) == kind, col(Revision.record_id).in_(chunk))
                .order_by(col(Revision.id))
            )
            for record_id, changes in await session.execute(query):
                found[(kind, record_id)].append(changes or {})
    return found


def moved(revisions: Iterable[Mapping[str, Any]], fields: Sequence[str]) -> int:
    """How many revisions moved one of `fields` from one value to another (a first date, or a
    date cleared, is not a move)."""
    count = 0
    for changes in revisions:
        pairs = [changes.get(name) for name in fields]
        if any(p and p[0] is not None and p[1] is not None and p[0] != p[1] for p in pairs):
            count += 1
    return count


# ---------------------------------------------------------------- questions


def _question_deadlines(
    question: OversightQuestion,
    moves: Mapping[tuple[str, int], list[dict]],
    uncertain: bool,
    start: dt.date,
    end: dt.date,
    rule_bill: str | None,
) -> list[Deadline]:
    revisions = moves.get((question.kind, question.id or 0), [])
    if question.repeat_months is None or question.first_due_date is None:
        assert question.due_date is not None  # the query's condition
        sequence = moved(revisions, ("due_date",))
        return [
            _question_entry(
                question, question.key, question.due_date, None, sequence, uncertain, rule_bill
            )
        ]
    sequence = moved(revisions, ("first_due_date", "repeat_months"))
    entries = []
    for number in range(len(question.responses) + 1, len(question.responses) + 1 + MAX_REPORTS):
        try:
            day = add_months(question.first_due_date, question.repeat_months * (number - 1))
        except DateRangeError:
            break
        if day > end:
            break
        if day >= start:
            uid = f"{question.key}/{number}"
            entries.append(
                _question_entry(question, uid, day, number, sequence, uncertain, rule_bill)
            )
    return entries


def _question_entry(
    question: OversightQuestion,
    uid: str,
    day: dt.date,
    report: int | None,
    sequence: int,
    uncertain: bool,
    rule_bill: str | None,
) -> Deadline:
    what = " ".join(question.question.split())
    due = f"report {report} due" if report is not None else "due"
    status = QUESTION_STATUS_LABELS.get(str(question.status), str(question.status))
    lines = [
        f"{question.key} ({status.lower()}): {what}",
        f"Asked by {question.asked_by}; addressed to {question.addressed_to}.",
    ]
    if report is not None:
        lines.append(
            f"A recurring duty: report {report}, every {question.repeat_months} months from "
            f"{format_date(question.first_due_date or day)}; "
            f"{len(question.responses)} received so far."
        )
    if question.due_rule_measure_key and question.due_rule_days is not None:
        lines.append(
            f"Due {question.due_rule_days} days after enactment of "
            f"{rule_bill or question.due_rule_measure_key}."
        )
    lines.append(_confidence_line(str(question.confidence), uncertain))
    sources = _sources(question)
    lines += _source_lines(sources)
    title = f"{question.key} {due}{' · deadline uncertain' if uncertain else ''}: {what}"
    return Deadline(
        uid=f"question/{uid}",
        day=day,
        title=title,
        summary="\n".join(lines),
        location=_clip(question.addressed_to, LOCATION_LIMIT),
        url=_best_url(sources),
        sequence=sequence,
        uncertain=uncertain,
        record_kind="question",
        record_key=question.key,
        guild_id=question.guild_id,
        confidence=str(question.confidence),
        sources=sources,
    )


# ---------------------------------------------------------------- funding


def _period_deadlines(
    period: FundingPeriod,
    moves: Mapping[tuple[str, int], list[dict]],
    measure: Measure | None,
    start: dt.date,
    end: dt.date,
) -> list[Deadline]:
    revisions = moves.get((period.kind, period.id or 0), [])
    uncertain = str(period.confidence) == Confidence.disputed.value
    bill = _bill(measure)
    entries = []
    if period.period_type == PeriodType.lapse:
        if start <= period.start_date <= end:
            title = f"DHS funding lapse begins (FY{period.fiscal_year})"
            entries.append(_period_entry(period, "start", period.start_date, title, 0, uncertain))
        if period.end_date is not None and start <= period.end_date <= end:
            title = f"DHS funding lapse ends (FY{period.fiscal_year})"
            sequence = moved(revisions, ("end_date",))
            entries.append(
                _period_entry(period, "end", period.end_date, title, sequence, uncertain)
            )
        return entries
    if period.end_date is None or not start <= period.end_date <= end:
        return []
    is_cr = measure is not None and measure.measure_kind == MeasureKind.cr
    by = f" ({bill})" if bill else ""
    title = f"DHS CR expires{by}" if is_cr else f"DHS funding ends{by}"
    sequence = moved(revisions, ("end_date",))
    return [_period_entry(period, "end", period.end_date, title, sequence, uncertain, bill)]


def _period_entry(
    period: FundingPeriod,
    which: str,
    day: dt.date,
    title: str,
    sequence: int,
    uncertain: bool,
    bill: str | None = None,
) -> Deadline:
    if period.period_type == PeriodType.lapse:
        fact = f"A lapse in DHS appropriations (FY{period.fiscal_year}) from "
        fact += format_date(period.start_date)
        fact += f" to {format_date(period.end_date)}." if period.end_date else ", not yet ended."
    else:
        fact = f"DHS is funded through {format_date(day)}" + (f" by {bill}" if bill else "")
        fact += f" (FY{period.fiscal_year}); without new funding, appropriations lapse after it."
    lines = [fact]
    if period.description:
        lines.append(period.description)
    lines.append(_confidence_line(str(period.confidence), uncertain, what="date"))
    sources = _sources(period)
    lines += _source_lines(sources)
    return Deadline(
        uid=f"funding_period/{period.key}/{which}",
        day=day,
        title=title + (" (disputed)" if uncertain else ""),
        summary="\n".join(lines),
        location=CAPITOL,
        url=_best_url(sources),
        sequence=sequence,
        uncertain=uncertain,
        record_kind="funding_period",
        record_key=period.key,
        guild_id=period.guild_id,
        confidence=str(period.confidence),
        sources=sources,
    )


# ---------------------------------------------------------------- text


def _confidence_line(confidence: str, uncertain: bool, *, what: str = "deadline") -> str:
    label = CONFIDENCE_LABELS.get(confidence, confidence)
    if uncertain:
        return f"Confidence: {label}. The {what}'s basis is disputed: {UNCERTAIN}."
    return f"Confidence: {label}."


def _source_lines(sources: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = []
    for source in sources:
        outlet = str(source.get("outlet") or "Source")
        published = f" ({source['published']})" if source.get("published") else ""
        address = f": {source['url']}" if source.get("url") else ""
        lines.append(f"Source: {outlet}{published}{address}")
    return lines or ["Source: none recorded."]


def _bill(measure: Measure | None) -> str | None:
    return bill_label(measure.bill_type, measure.bill_number, measure.title) if measure else None


def _sources(row: Any) -> tuple[Mapping[str, Any], ...]:
    """A loaded row's sources: the JSON dicts it holds (or models, when built in memory)."""
    return tuple(s if isinstance(s, Mapping) else s.model_dump(mode="json") for s in row.sources)


def _best_url(sources: Sequence[Mapping[str, Any]]) -> str | None:
    return next((str(s["url"]) for s in sources if s.get("url")), None)


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
