"""Appropriations: the funding picture of a fiscal year, measures with their actions, and writes
that keep a measure's stage in step with its actions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import func, select
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
from db.scope import Scope, visible

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
    years: set[int] = set()
    for table in (Measure, FundingPeriod, FundingLine):
        sub = visible(table, scope).subquery()
        query = select(sub.c.fiscal_year).where(sub.c.fiscal_year.is_not(None)).distinct()
        years.update((await session.execute(query)).scalars())
    return sorted(years)


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
    keys = [m.key for m in measures]
    actions = await _all(
        session,
        visible(MeasureAction, scope)
        .where(MeasureAction.measure_key.in_(keys))  # type: ignore[attr-defined]
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
