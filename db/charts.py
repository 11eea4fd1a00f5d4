"""The data behind the charts: a fiscal year's funding lines side by side, and each city's camera
status over time, rebuilt from the revision history.

Plain frozen values, no rows and no Discord: they cross into the drawing thread safely, and equal
data draws the same picture (bot/charts.py reuses a drawing for equal data).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.appropriations import (
    LINE_COLUMNS,
    is_hedged,
    is_part_line,
    is_total_line,
    line_listing,
    totals_by_bill,
)
from db.history import replay
from db.models import FundingLine, Revision
from db.scope import Scope

Amounts = tuple[int | None, ...]  # in LINE_COLUMNS order: requested, House, Senate, enacted


def _outlets(sources: Iterable[Any]) -> list[str]:
    names = []
    for source in sources:
        outlet = source.get("outlet") if isinstance(source, Mapping) else None
        if outlet:
            names.append(str(outlet))
    return names


def _first_met(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


# ---------------------------------------------------------------- funding


@dataclass(frozen=True)
class FundingBar:
    """One funding line's amounts, with what the appropriations rules say about them."""

    key: str
    component: str
    name: str  # the purpose, else the account
    account: str
    amounts: Amounts
    hedged: bool  # the sources give the amounts roughly ('about $45 billion')
    total: bool  # a total of other lines: adding it would count them twice
    part: bool  # money inside another line (withheld from the account): not extra
    bill: str | None  # 'H.R. 7147'

    @property
    def largest(self) -> int | None:
        known = [amount for amount in self.amounts if amount is not None]
        return max(known) if known else None


@dataclass(frozen=True)
class BillTotal:
    """The sum of one bill's lines that add up (db.appropriations.totals_by_bill)."""

    bill: str  # 'H.R. 7147', or 'lines naming no bill'
    summed: int
    amounts: Amounts
    totals_left_out: int
    parts_left_out: int
    hedged: bool


@dataclass(frozen=True)
class FundingSeries:
    """A fiscal year's funding lines, largest first (lines without any amount last)."""

    fiscal_year: int | None  # None: no funding lines at all
    lines: tuple[FundingBar, ...]
    years: tuple[int, ...]  # every year with lines
    requested_year: int | None = None  # set when the asked-for year had no lines
    sums: tuple[BillTotal, ...] = ()
    as_of: dt.date | None = None  # the newest as-of date of the lines
    outlets: tuple[str, ...] = ()  # the lines' sources, each once

    @property
    def charted(self) -> tuple[FundingBar, ...]:
        """The lines with at least one amount: the ones a chart can show."""
        return tuple(line for line in self.lines if line.largest is not None)

    def top(self, count: int) -> tuple[FundingBar, ...]:
        """The `count` largest lines with an amount."""
        return self.charted[:count]


def _bar(line: FundingLine, labels: Mapping[str, str]) -> FundingBar:
    return FundingBar(
        key=line.key,
        component=line.component,
        name=line.purpose or line.account,
        account=line.account,
        amounts=tuple(getattr(line, column) for column in LINE_COLUMNS),
        hedged=is_hedged(line),
        total=is_total_line(line),
        part=is_part_line(line) and not is_total_line(line),
        bill=labels.get(line.measure_key or "", line.measure_key) if line.measure_key else None,
    )


async def funding_series(
    session: AsyncSession, scope: Scope, fiscal_year: int | None = None, *, today: dt.date
) -> FundingSeries:
    """The lines of `fiscal_year` (default: the current one) the scope sees; a year without
    lines falls back to the latest year that has them (as /approps lines does)."""
    listing = await line_listing(session, scope, today=today, fiscal_year=fiscal_year)
    labels = listing.measure_labels
    bars = sorted(
        (_bar(line, labels) for line in listing.lines),
        key=lambda bar: (bar.largest is None, -(bar.largest or 0), bar.key),
    )
    sums = tuple(
        BillTotal(
            bill=labels.get(total.measure_key, total.measure_key)
            if total.measure_key
            else "lines naming no bill",
            summed=total.summed,
            amounts=tuple(total.totals[column] for column in LINE_COLUMNS),
            totals_left_out=total.totals_left_out,
            parts_left_out=total.parts_left_out,
            hedged=total.hedged,
        )
        for total in totals_by_bill(listing.lines)
    )
    days = [line.as_of for line in listing.lines]
    return FundingSeries(
        fiscal_year=listing.fiscal_year,
        lines=tuple(bars),
        years=tuple(listing.years),
        requested_year=listing.requested_year,
        sums=sums,
        as_of=max(days) if days else None,
        outlets=_first_met(name for line in listing.lines for name in _outlets(line.sources)),
    )


# ---------------------------------------------------------------- camera status over time


@dataclass(frozen=True)
class CameraSpan:
    """One state of a city·component's record, from `start` until the day `end` (not included;
    None: still so)."""

    start: dt.date
    end: dt.date | None
    status: str
    effective_date: dt.date | None  # when the sources say it took (or takes) effect
    notes: str | None  # the sources' words: 'Announced, not counted' (bot/render/bodycam.py)


@dataclass(frozen=True)
class CameraRow:
    key: str
    city: str
    state: str
    component: str
    spans: tuple[CameraSpan, ...]  # oldest first; a gap where the record did not exist

    @property
    def last_change(self) -> dt.date:
        return self.spans[-1].end or self.spans[-1].start

    @property
    def current(self) -> CameraSpan | None:
        return self.spans[-1] if self.spans[-1].end is None else None


@dataclass(frozen=True)
class CameraHistory:
    rows: tuple[CameraRow, ...]  # by city, state and component
    today: dt.date
    state: str | None = None  # the filters asked for
    component: str | None = None
    as_of: dt.date | None = None  # the newest as-of date of the records shown as they are now
    outlets: tuple[str, ...] = ()

    def top(self, count: int) -> tuple[CameraRow, ...]:
        """The `count` rows that changed most recently, kept in place order."""
        newest = sorted(self.rows, key=lambda row: (row.last_change, row.key), reverse=True)
        chosen = {row.key for row in newest[:count]}
        return tuple(row for row in self.rows if row.key in chosen)


Values = dict[str, Any]
REPLAYED = ("id", "guild_id", "record_id", "record_key", "action", "changes", "effective_on")
Timeline = list[tuple[dt.date, Values | None]]  # (day, the record's state from that day)


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _record_timelines(revisions: list[Any]) -> dict[str, Timeline]:
    """One record's states by key: each day a revision took effect, the record as replay()
    rebuilds it (the as-of rule of /bodycam city). A record whose key changed leaves its old
    key that day."""
    by_key: dict[str, Timeline] = defaultdict(list)
    held: str | None = None
    for day in sorted({revision.effective_on for revision in revisions}):
        state = replay(revisions, day)
        key = None if state is None else str(state.get("key") or revisions[-1].record_key)
        if held is not None and held != key:
            by_key[held].append((day, None))
        if key is not None and state is not None:
            by_key[key].append((day, state))
        held = key
    return by_key


def _visible(own: Timeline, shared: Timeline) -> Timeline:
    """Day by day, the guild's own record where it has one, else the shared record."""
    days = sorted({day for day, _ in own} | {day for day, _ in shared})
    mine: Values | None = None
    theirs: Values | None = None
    steps: dict[dt.date, list[tuple[bool, Values | None]]] = defaultdict(list)
    for day, state in own:
        steps[day].append((True, state))
    for day, state in shared:
        steps[day].append((False, state))
    merged: Timeline = []
    for day in days:
        for is_own, state in steps[day]:
            if is_own:
                mine = state
            else:
                theirs = state
        merged.append((day, mine if mine is not None else theirs))
    return merged


def _spans(timeline: Timeline) -> tuple[tuple[CameraSpan, ...], Values | None]:
    """Consecutive days with the same status, effective date and notes as one span; the last
    state seen (None when the record is gone now)."""
    spans: list[CameraSpan] = []
    last: Values | None = None
    for day, state in timeline:
        if spans and spans[-1].end is None:
            open_span = spans[-1]
            if state is not None and _same(open_span, state):
                last = state
                continue
            spans[-1] = CameraSpan(
                open_span.start, day, open_span.status, open_span.effective_date, open_span.notes
            )
        last = state
        if state is not None:
            spans.append(
                CameraSpan(
                    day,
                    None,
                    str(state.get("status")),
                    _date(state.get("effective_date")),
                    state.get("notes"),
                )
            )
    return tuple(spans), last


def _same(span: CameraSpan, state: Values) -> bool:
    return (span.status, span.effective_date, span.notes) == (
        str(state.get("status")),
        _date(state.get("effective_date")),
        state.get("notes"),
    )


async def camera_history(
    session: AsyncSession,
    scope: Scope,
    state: str | None = None,
    component: str | None = None,
    *,
    today: dt.date,
) -> CameraHistory:
    """Each city·component's camera status over time as the scope sees it: its own records,
    and shared ones it has not replaced (before its own copy existed, the shared record's).
    One query for every camera revision in reach, then each record replayed day by day."""
    in_scope: ColumnElement[bool] = col(Revision.guild_id).is_(None)
    if scope.guild_id is not None:
        in_scope = or_(in_scope, col(Revision.guild_id) == scope.guild_id)
    # The columns replay() reads, as plain rows: building 2,000 ORM objects cost a third more.
    query = (
        select(*(col(getattr(Revision, name)) for name in REPLAYED))
        .where(col(Revision.record_kind) == "bodycam", in_scope)
        .order_by(col(Revision.id))
    )
    records: dict[tuple[int | None, int], list[Any]] = defaultdict(list)
    for revision in (await session.execute(query)).all():
        records[(revision.guild_id, revision.record_id)].append(revision)
    own: dict[str, Timeline] = defaultdict(list)
    shared: dict[str, Timeline] = defaultdict(list)
    for (guild_id, _), revisions in records.items():
        target = shared if guild_id is None else own
        for key, timeline in _record_timelines(revisions).items():
            target[key] += timeline
    rows: list[CameraRow] = []
    current: list[Values] = []
    for key in sorted(set(own) | set(shared)):
        spans, last = _spans(_visible(sorted(own[key], key=_step), sorted(shared[key], key=_step)))
        named = last or _last_state(own[key]) or _last_state(shared[key])
        if not spans or named is None:
            continue
        if state and named.get("state") != state.upper():
            continue
        if component and named.get("component") != component:
            continue
        row = CameraRow(key, named["city"], named["state"], named["component"], spans)
        rows.append(row)
        if last is not None:
            current.append(last)
    rows.sort(key=lambda row: (row.city.lower(), row.state, row.component, row.key))
    days = [day for values in current if (day := _date(values.get("as_of")))]
    return CameraHistory(
        rows=tuple(rows),
        today=today,
        state=state.upper() if state else None,
        component=component,
        as_of=max(days) if days else None,
        outlets=_first_met(
            name for values in current for name in _outlets(values.get("sources") or [])
        ),
    )


def _step(step: tuple[dt.date, Values | None]) -> tuple[dt.date, bool]:
    """By day; on one day a record leaving a key before another taking it (a delete and a
    re-create), so the key ends the day held."""
    return step[0], step[1] is not None


def _last_state(timeline: Timeline) -> Values | None:
    states = [state for _, state in timeline if state is not None]
    return states[-1] if states else None
