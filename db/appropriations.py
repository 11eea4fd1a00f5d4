"""Appropriations: the funding picture of a fiscal year, measures with their actions, and writes
that keep a measure's stage in step with its actions."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from db.changes import Writer
from db.errors import NotFound
from db.models import (
    STAGE_ORDER,
    FundingLine,
    FundingPeriod,
    Measure,
    MeasureAction,
    PeriodType,
    Stage,
)
from db.scope import Scope, scoped, visible, visible_template

FundingState = Literal["funded", "lapsed", "unknown", "not_started"]


def federal_fiscal_year(day: dt.date) -> int:
    """The federal fiscal year starts on October 1 of the previous calendar year."""
    return day.year + 1 if day.month >= 10 else day.year


def fiscal_year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year - 1, 10, 1), dt.date(year, 9, 30)


@dataclass
class FundingStatus:
    """What `/approps status` shows: is DHS funded on `on`, by what, and until when."""

    fiscal_year: int
    on: dt.date  # today, or the year's last day when the year is over
    state: FundingState
    period: FundingPeriod | None  # the period covering `on`
    vehicle: Measure | None
    days: int | None  # days left until the end of funding, or days since the lapse began
    periods: list[FundingPeriod] = field(default_factory=list)
    measures: list[Measure] = field(default_factory=list)
    recent_actions: list[MeasureAction] = field(default_factory=list)
    lines: list[FundingLine] = field(default_factory=list)
    year_over: bool = False
    requested_year: int | None = None  # set when the asked-for year had no records


async def _all(session: AsyncSession, query: Any) -> list[Any]:
    return list((await session.execute(query)).scalars())


async def years_with_records(session: AsyncSession, scope: Scope) -> list[int]:
    query = scoped(_years_query(scope.is_shared), scope)
    return sorted(set((await session.execute(query)).scalars()))


@functools.cache
def _years_query(shared: bool) -> Any:
    """The fiscal years of bills, periods and lines in one statement, built once (see
    visible_template): a subquery's columns took ~0.3 ms to build, a statement ~1 ms to run."""
    parts = []
    for table in (Measure, FundingPeriod, FundingLine):
        sub = visible_template(table, shared).subquery()
        parts.append(select(sub.c.fiscal_year).where(sub.c.fiscal_year.is_not(None)))
    return union(*parts)


def covering_period(periods: list[FundingPeriod], on: dt.date) -> FundingPeriod | None:
    """The period in force on `on`; where a lapse ends the day funding starts, funding wins."""
    covering = [
        p for p in periods if p.start_date <= on and (p.end_date is None or p.end_date >= on)
    ]
    covering.sort(key=lambda p: (p.start_date, p.period_type == PeriodType.funded))
    return covering[-1] if covering else None


async def funding_status(
    session: AsyncSession, scope: Scope, *, today: dt.date, fiscal_year: int | None = None
) -> FundingStatus | None:
    """The funding picture for `fiscal_year` (default: the current one). A year with no records
    falls back to the latest year that has them; None when there are no records at all."""
    year = fiscal_year or federal_fiscal_year(today)
    years = await years_with_records(session, scope)
    if not years:
        return None
    requested = None
    if year not in years:
        requested, year = year, max(years)
    first_day, last_day = fiscal_year_bounds(year)
    on = min(today, last_day)
    periods = await _all(
        session,
        visible(FundingPeriod, scope)
        .where(FundingPeriod.fiscal_year == year)
        .order_by(FundingPeriod.start_date),
    )
    measures = await _all(
        session, visible(Measure, scope).where(Measure.fiscal_year == year).order_by(Measure.key)
    )
    # A subquery, not a list of keys: a year may hold more bills than a query has parameters.
    year_keys = visible(Measure, scope).where(Measure.fiscal_year == year).subquery()
    actions = await _all(
        session,
        visible(MeasureAction, scope)
        .where(MeasureAction.measure_key.in_(select(year_keys.c.key)))  # type: ignore[attr-defined]
        .order_by(MeasureAction.action_date.desc(), MeasureAction.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(5),
    )
    lines = await _all(
        session,
        visible(FundingLine, scope)
        .where(FundingLine.fiscal_year == year)
        .order_by(FundingLine.key),
    )
    period = covering_period(periods, on)
    state: FundingState = "unknown"
    days = None
    vehicle = None
    if today < first_day:
        state = "not_started"
    elif period is not None and period.period_type == PeriodType.lapse:
        state, days = "lapsed", (on - period.start_date).days + 1
    elif period is not None:
        state = "funded"
        days = (period.end_date - on).days if period.end_date else None
        vehicle = next((m for m in measures if m.key == period.measure_key), None)
        if vehicle is None and period.measure_key:
            vehicle = await find_measure(session, scope, period.measure_key)
    return FundingStatus(
        fiscal_year=year,
        on=on,
        state=state,
        period=period,
        vehicle=vehicle,
        days=days,
        periods=periods,
        measures=measures,
        recent_actions=actions,
        lines=lines,
        year_over=today > last_day,
        requested_year=requested,
    )


async def find_measure(session: AsyncSession, scope: Scope, key: str) -> Measure | None:
    query = visible(Measure, scope).where(Measure.key == key)
    return (await session.execute(query)).scalar_one_or_none()


_TYPED_BILL = re.compile(r"^\s*(h\.?\s*r\.?|s\.?)\s*(\d{1,5})\s*$", re.IGNORECASE)


async def find_bill(session: AsyncSession, scope: Scope, text: str) -> Measure | None:
    """A measure by key ('119-hr7147') or as people write it ('H.R. 7147', 'hr7147', 'S. 12'):
    the latest Congress's bill of that number."""
    measure = await find_measure(session, scope, text.strip())
    typed = _TYPED_BILL.match(text)
    if measure is not None or typed is None:
        return measure
    bill_type = "hr" if typed.group(1).lower().startswith("h") else "s"
    query = (
        visible(Measure, scope)
        .where(Measure.bill_type == bill_type, Measure.bill_number == int(typed[2]))
        .order_by(Measure.congress.desc())  # type: ignore[attr-defined]
    )
    return (await session.execute(query.limit(1))).scalar_one_or_none()


@dataclass
class MeasureDetail:
    measure: Measure
    actions: list[MeasureAction]
    lines: list[FundingLine]


async def measure_detail(session: AsyncSession, scope: Scope, key: str) -> MeasureDetail:
    measure = await find_measure(session, scope, key)
    if measure is None:
        raise NotFound(f"No measure '{key}'.")
    actions = await _all(
        session,
        visible(MeasureAction, scope)
        .where(MeasureAction.measure_key == key)
        .order_by(MeasureAction.action_date, MeasureAction.id),
    )
    lines = await _all(
        session,
        visible(FundingLine, scope).where(FundingLine.measure_key == key).order_by(FundingLine.key),
    )
    return MeasureDetail(measure, actions, lines)


async def funding_lines(
    session: AsyncSession, scope: Scope, *, fiscal_year: int, search: str | None = None
) -> list[FundingLine]:
    query = visible(FundingLine, scope).where(FundingLine.fiscal_year == fiscal_year)
    if search:
        pattern = f"%{search.lower()}%"
        query = query.where(
            func.lower(FundingLine.component).like(pattern)
            | func.lower(FundingLine.account).like(pattern)
            | func.lower(func.coalesce(FundingLine.purpose, "")).like(pattern)
        )
    return await _all(session, query.order_by(FundingLine.component, FundingLine.key))


async def record_action(writer: Writer, values: dict[str, Any]) -> MeasureAction:
    """Record an action; if it moves the measure to a later stage, advance the measure too (one
    transaction). An enactment also sets the enactment date, which resolves due rules."""
    measure = (
        await writer.session.execute(
            visible(Measure, writer.scope).where(Measure.key == values.get("measure_key"))
        )
    ).scalar_one_or_none()
    if measure is None:
        raise NotFound(f"No measure '{values.get('measure_key')}' to record an action on.")
    action = await writer.create("action", values)
    stage = action.stage_after
    if stage is not None and STAGE_ORDER[Stage(stage)] > STAGE_ORDER[Stage(measure.stage)]:
        changes: dict[str, Any] = {"stage": stage}
        if stage == Stage.enacted and measure.enacted_on is None:
            changes["enacted_on"] = action.action_date
        await writer.edit(measure, changes)
    return action


# ---------------------------------------------------------------- for the staff commands

LINE_COLUMNS: tuple[str, ...] = ("requested", "house", "senate", "enacted")
# 'Total discretionary', 'Total, ICE' or '… (total)'; not 'Totally new'.
_TOTAL = re.compile(r"^total\b|\(total\)$", re.IGNORECASE)


def is_total_line(line: FundingLine) -> bool:
    """A line that is itself a total ('Total discretionary', 'Border enforcement (total)'):
    adding it to the lines it totals would count them twice."""
    return any(_TOTAL.search((text or "").strip()) for text in (line.account, line.purpose))


def column_totals(lines: list[FundingLine]) -> dict[str, int | None]:
    """Per column, the sum over lines that are not totals; None where no such line has an amount."""
    totals: dict[str, int | None] = dict.fromkeys(LINE_COLUMNS)
    for line in lines:
        if is_total_line(line):
            continue
        for column in LINE_COLUMNS:
            amount = getattr(line, column)
            if amount is not None:
                totals[column] = (totals[column] or 0) + amount
    return totals


def totals_by_bill(
    lines: list[FundingLine],
) -> list[tuple[str | None, int, dict[str, int | None]]]:
    """(bill key, lines summed, column totals) per bill, leaving out lines that are totals:
    amounts of different bills (a DHS bill and a reconciliation bill) are never added together.
    Bills in key order; lines that name no bill last."""
    groups: dict[str | None, list[FundingLine]] = {}
    for line in lines:
        if not is_total_line(line):
            groups.setdefault(line.measure_key, []).append(line)
    order = sorted(groups, key=lambda key: (key is None, key or ""))
    return [(key, len(groups[key]), column_totals(groups[key])) for key in order]


def camera_lines(lines: list[FundingLine]) -> list[FundingLine]:
    """The body-camera funding: lines whose purpose or account mentions cameras."""
    return [line for line in lines if "camera" in f"{line.purpose or ''} {line.account}".lower()]


def last_period(periods: list[FundingPeriod]) -> FundingPeriod | None:
    """The latest recorded period (by start; funding wins a tie with a lapse)."""
    ordered = sorted(periods, key=lambda p: (p.start_date, p.period_type == PeriodType.funded))
    return ordered[-1] if ordered else None


async def latest_by_chamber(
    session: AsyncSession, scope: Scope, fiscal_year: int
) -> dict[str, dict[str, MeasureAction]]:
    """For each measure of the year, its newest action in each chamber: what each has done."""
    keys = visible(Measure, scope).where(Measure.fiscal_year == fiscal_year).subquery()
    actions = await _all(
        session,
        visible(MeasureAction, scope)
        .where(MeasureAction.measure_key.in_(select(keys.c.key)))  # type: ignore[attr-defined]
        .order_by(MeasureAction.action_date, MeasureAction.id),
    )
    found: dict[str, dict[str, MeasureAction]] = {}
    for action in actions:  # oldest first, so the newest of each chamber wins
        found.setdefault(action.measure_key, {})[str(action.chamber)] = action
    return found


async def line_years(session: AsyncSession, scope: Scope) -> list[int]:
    sub = visible(FundingLine, scope).subquery()
    return sorted((await session.execute(select(sub.c.fiscal_year).distinct())).scalars())


@dataclass
class LineListing:
    """What `/approps lines` shows: the year's lines (searched), and what exists when none match."""

    fiscal_year: int | None  # None when there are no lines at all
    lines: list[FundingLine]
    years: list[int]  # every year with lines
    search: str | None = None
    requested_year: int | None = None  # set when the asked-for year had no lines
    existing: list[FundingLine] = field(default_factory=list)  # the year's lines, if none matched
    measure_labels: dict[str, str] = field(default_factory=dict)  # measure key → 'H.R. 7147'


async def line_listing(
    session: AsyncSession,
    scope: Scope,
    *,
    today: dt.date,
    fiscal_year: int | None = None,
    search: str | None = None,
) -> LineListing:
    """The lines of `fiscal_year` (default: the current one); a year without lines falls back to
    the latest year that has them, and a search that matches nothing lists the year's lines."""
    years = await line_years(session, scope)
    search = (search or "").strip() or None
    if not years:
        return LineListing(None, [], [], search, fiscal_year or federal_fiscal_year(today))
    year = fiscal_year or federal_fiscal_year(today)
    requested = None
    if year not in years:
        requested, year = year, max(years)
    lines = await funding_lines(session, scope, fiscal_year=year, search=search)
    existing = [] if lines or not search else await funding_lines(session, scope, fiscal_year=year)
    keys = {line.measure_key for line in [*lines, *existing] if line.measure_key}
    labels: dict[str, str] = {}
    if keys:
        measures = await _all(session, visible(Measure, scope).where(Measure.key.in_(keys)))  # type: ignore[attr-defined]
        labels = {m.key: m.label for m in measures}
    return LineListing(year, lines, years, search, requested, existing, labels)
