"""Time-driven alerts: events that happen because the calendar moved, not because someone wrote.

`fire_due_alerts(db, now=…)` looks at the records and the office's calendar day (`now` in
`db.timezone`) and writes one `ChangeEvent` (revision_id None) per alert that is due, through
`db.tracking.fire_once`. The FiredAlert key decides, so each alert fires once ever: calling it
twice, from a restarted bot or from several processes at the same moment, writes it once.

Alerts and their keys (scope = the record's guild_id, or 'shared'):

- 'overdue'            overdue:{scope}:{question}:{due_date}
  An open question (pending, acknowledged, partially answered) whose due date has passed: from
  the day after the due date. A new due date is a new key, so it can fire again.
- 'funding_ending'     funding:{scope}:{period}:{end_date}:{7|3|1}d
  A funded period's funded-through date is 7, 3 and 1 days away. Not when another funded period
  of the scope (or of the shared dataset) already starts by the day after: funding goes on.
- 'lapse'              lapse:{scope}:{period}:{end_date}
  The day after a funded period's end, with no funded period started by then.
- 'due_rule_resolved'  due_rule:{scope}:{question}:{due_date}
  A statutory due rule ("30 days after enactment of H.R. 7147") gave an open question its due
  date: the rule's revision (action 'rule') written in the last RULE_WINDOW days.

Windows (the choice): an alert fires only while `now` is inside its window, never for history.
Without windows the first start on a database full of 2025-2026 records (or a restore, or a new
threshold) would post dozens of stale "funding ends in 7 days" alerts about periods long over.
- the 7-day alert while 7..4 days are left, the 3-day while 3..2, the 1-day while 1..0 (the
  funded-through day itself): if the bot is down when an alert's window opens, it fires late but
  never after the next, more urgent, one has taken over, and never twice;
- the lapse while 1..LAPSE_WINDOW (3) days after the end date;
- overdue while 1..OVERDUE_WINDOW (7) days after the due date. Older overdue questions are not
  announced again on first start: the digest lists everything overdue anyway. A question whose
  deadline's basis is disputed is 'deadline uncertain', never announced as overdue.
The price: a bot down for longer than a window misses that alert (the digest still shows the
state). Dates typed in retroactively (a due date already 10 days past) fire nothing either.

Several processes: every alert is fired in key order in one transaction, so two concurrent runs
take the FiredAlert keys' locks in the same order and cannot deadlock; the second waits for the
first and then inserts nothing (ON CONFLICT DO NOTHING). SQLite has one writer at a time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.dates import add_days, format_date
from db.engine import Database
from db.models import (
    OPEN_STATUSES,
    ChangeEvent,
    FiredAlert,
    FundingPeriod,
    OversightQuestion,
    PeriodType,
    Revision,
)
from db.oversight import disputed_clause
from db.scope import Actor, Scope
from db.tracking import fire_once

ALERTS_ACTOR = Actor("alerts")
FUNDING_THRESHOLDS = (7, 3, 1)  # days before the funded-through date, most distant first
OVERDUE_WINDOW = 7  # days after the due date during which 'overdue' may still fire
LAPSE_WINDOW = 3  # days after the funded-through date during which 'lapse' may still fire
RULE_WINDOW = 3  # days after a due rule resolved during which 'due_rule_resolved' may fire
_SUMMARY_MAX = 500


@dataclass(frozen=True, slots=True)
class _Due:
    key: str
    guild_id: int | None
    record_kind: str
    record_id: int
    record_key: str
    event_type: str
    summary: str


def _scope(guild_id: int | None) -> str:
    return "shared" if guild_id is None else str(guild_id)


def office_day(db: Database, now: dt.datetime) -> dt.date:
    """The calendar day in the office's time zone at `now`."""
    if now.tzinfo is None:
        raise ValueError("fire_due_alerts needs an aware datetime")
    return now.astimezone(db.timezone).date()


def funding_threshold(days_left: int) -> int | None:
    """Which funding_ending alert's window `days_left` is in: 7 for 7..4, 3 for 3..2, 1 for 1..0."""
    for i, threshold in enumerate(FUNDING_THRESHOLDS):
        after = FUNDING_THRESHOLDS[i + 1] if i + 1 < len(FUNDING_THRESHOLDS) else -1
        if after < days_left <= threshold:
            return threshold
    return None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# ---------------------------------------------------------------- what is due


async def _overdue(session: AsyncSession, today: dt.date) -> list[_Due]:
    q: Any = OversightQuestion
    query = select(q.id, q.guild_id, q.key, q.due_date, q.addressed_to).where(
        q.status.in_([s.value for s in OPEN_STATUSES]),
        q.due_date.is_not(None),
        q.due_date < today,
        q.due_date >= today - dt.timedelta(days=OVERDUE_WINDOW),
        ~disputed_clause(q.guild_id, q.confidence, q.due_rule_measure_key),  # deadline uncertain
    )  # the columns the alert needs, not whole rows: hundreds are looked at every tick
    found = []
    for row in await session.execute(query):
        late = (today - row.due_date).days
        found.append(
            _Due(
                f"overdue:{_scope(row.guild_id)}:{row.key}:{row.due_date}",
                row.guild_id,
                "question",
                row.id,
                row.key,
                "overdue",
                f"{row.key} is overdue: it was due {format_date(row.due_date)}"
                f" ({_plural(late, 'day')} ago; {row.addressed_to}).",
            )
        )
    return found


def _continues(period: FundingPeriod, funded: list[FundingPeriod]) -> bool:
    """Whether another funded period of the scope (or shared) covers the day after its end."""
    assert period.end_date is not None
    next_day = add_days(period.end_date, 1)
    return any(
        other.id != period.id
        and other.guild_id in (None, period.guild_id)
        and other.start_date <= next_day
        and (other.end_date is None or other.end_date >= next_day)
        for other in funded
    )


def _period_label(period: FundingPeriod) -> str:
    return f"FY{period.fiscal_year} funding ({period.measure_key})"


async def _funding(session: AsyncSession, today: dt.date) -> list[_Due]:
    end_date = col(FundingPeriod.end_date)
    query = select(FundingPeriod).where(
        col(FundingPeriod.period_type) == PeriodType.funded.value,
        or_(end_date.is_(None), end_date >= today - dt.timedelta(days=LAPSE_WINDOW)),
    )
    funded = list((await session.execute(query)).scalars())
    found = []
    for period in funded:
        end = period.end_date
        if end is None:
            continue
        assert period.id is not None
        scope, days_left = _scope(period.guild_id), (end - today).days
        threshold = funding_threshold(days_left)
        if threshold is not None and not _continues(period, funded):
            when = {0: "today", 1: "tomorrow"}.get(days_left, f"in {days_left} days")
            found.append(
                _Due(
                    f"funding:{scope}:{period.key}:{end}:{threshold}d",
                    period.guild_id,
                    "funding_period",
                    period.id,
                    period.key,
                    "funding_ending",
                    f"{_period_label(period)} runs out {when}: funded through {format_date(end)}"
                    " and no further funding is recorded.",
                )
            )
        if 1 <= -days_left <= LAPSE_WINDOW and not _continues(period, funded):
            found.append(
                _Due(
                    f"lapse:{scope}:{period.key}:{end}",
                    period.guild_id,
                    "funding_period",
                    period.id,
                    period.key,
                    "lapse",
                    f"Funding has lapsed: {_period_label(period)} ended {format_date(end)}"
                    f" and no funded period starts by {format_date(add_days(end, 1))}.",
                )
            )
    return found


async def _rules_resolved(session: AsyncSession, now: dt.datetime) -> list[_Due]:
    recorded_at = col(Revision.recorded_at)
    query = select(Revision).where(
        col(Revision.action) == "rule",
        col(Revision.record_kind) == "question",
        recorded_at > now - dt.timedelta(days=RULE_WINDOW),
        recorded_at <= now,
    )
    found = []
    for revision in (await session.execute(query)).scalars():
        change = revision.changes.get("due_date")
        if not change or change[1] is None:
            continue
        question = await session.get(OversightQuestion, revision.record_id)
        if (
            question is None
            or question.id is None
            or question.status not in OPEN_STATUSES
            or question.due_date is None
            or question.due_date.isoformat() != change[1]
        ):
            continue  # deleted, answered or re-dated since: the rule's date no longer stands
        found.append(
            _Due(
                f"due_rule:{_scope(question.guild_id)}:{question.key}:{question.due_date}",
                question.guild_id,
                "question",
                question.id,
                question.key,
                "due_rule_resolved",
                f"{question.key} is now due {format_date(question.due_date)}:"
                f" {_plural(question.due_rule_days or 0, 'day')} after"
                f" {question.due_rule_measure_key} was enacted.",
            )
        )
    return found


# ---------------------------------------------------------------- firing


async def fire_due_alerts(db: Database, *, now: dt.datetime) -> list[ChangeEvent]:
    """Fire every alert due at `now` that has not fired before, in one transaction; return the
    change events written (empty when there was nothing new). Safe to call as often as wanted,
    from several processes at once.

    What is due, and which of it fired before, is read first without the write lock: most ticks
    find nothing new and write nothing (on the large dataset the old way held SQLite's write
    lock ~170 ms every tick to learn that). The unique key still decides under concurrency."""
    today = office_day(db, now)
    async with db.session() as session:
        due = {
            alert.key: alert
            for alert in [
                *await _overdue(session, today),
                *await _funding(session, today),
                *await _rules_resolved(session, now),
            ]
        }
        fresh = sorted(set(due) - await _fired_before(session, list(due)))
    fired: list[ChangeEvent] = []
    if not fresh:
        return fired
    async with db.writer(Scope.shared(), ALERTS_ACTOR) as writer:
        for key in fresh:  # sorted: one lock order for every process
            alert = due[key]
            event = ChangeEvent(
                guild_id=alert.guild_id,
                revision_id=None,
                record_kind=alert.record_kind,
                record_id=alert.record_id,
                record_key=alert.record_key,
                event_type=alert.event_type,
                summary=alert.summary[:_SUMMARY_MAX],
                created_at=now,
            )
            if await fire_once(writer, alert.key, event):
                fired.append(event)
    return fired


async def _fired_before(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of `keys` have fired (in chunks: a query has a limited number of parameters)."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        query = select(col(FiredAlert.key)).where(col(FiredAlert.key).in_(chunk))
        found.update((await session.execute(query)).scalars())
    return found
