"""Appropriations: the funding picture of a fiscal year, measures with their actions, and writes
that keep a measure's stage in step with its actions."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import case, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.changes import Change, Writer
from db.errors import InvalidInput, NotFound
from db.models import (
    STAGE_ORDER,
    BillType,
    Chamber,
    FundingLine,
    FundingLineFields,
    FundingPeriod,
    FundingPeriodFields,
    Measure,
    MeasureAction,
    OversightQuestion,
    PeriodType,
    Stage,
)
from db.scope import Scope, find_visible, scoped, visible, visible_template
from db.text import contains_folded, dialect_of, printable

FundingState = Literal["funded", "lapsed", "unknown", "not_started"]


# Where an action falls within its day. Congress.gov gives a day, rarely a time, and actions come
# from several hands (the sync, editors) in any order, so the row id alone can list the
# President's signature before the vote that cleared the bill. Within a day: introduction,
# committee, then the chambers' own actions (their order as recorded), then what the President
# received, then the signature or veto.
_DAY_PHASE = case(
    (col(MeasureAction.stage_after).in_([Stage.enacted.value, Stage.vetoed.value]), 4),
    (col(MeasureAction.chamber) == Chamber.president.value, 3),
    (col(MeasureAction.stage_after) == Stage.introduced.value, 0),
    (col(MeasureAction.stage_after) == Stage.committee_reported.value, 1),
    else_=2,
)
OLDEST_ACTION_FIRST = (col(MeasureAction.action_date), _DAY_PHASE, col(MeasureAction.id))
NEWEST_ACTION_FIRST = tuple(column.desc() for column in OLDEST_ACTION_FIRST)


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
        .where(col(FundingPeriod.fiscal_year) == year)
        .order_by(col(FundingPeriod.start_date)),
    )
    measures = await _all(
        session,
        visible(Measure, scope).where(col(Measure.fiscal_year) == year).order_by(col(Measure.key)),
    )
    # A subquery, not a list of keys: a year may hold more bills than a query has parameters.
    year_keys = visible(Measure, scope).where(col(Measure.fiscal_year) == year).subquery()
    actions = await _all(
        session,
        visible(MeasureAction, scope)
        .where(col(MeasureAction.measure_key).in_(select(year_keys.c.key)))
        .order_by(*NEWEST_ACTION_FIRST)
        .limit(5),
    )
    lines = await _all(
        session,
        visible(FundingLine, scope)
        .where(col(FundingLine.fiscal_year) == year)
        .order_by(col(FundingLine.key)),
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
    query = visible(Measure, scope).where(col(Measure.key) == key)
    return (await session.execute(query)).scalar_one_or_none()


# ---------------------------------------------------------------- bills as people type them

FIRST_CONGRESS_YEAR = 1789


def current_congress(today: dt.date) -> int:
    """The Congress sitting on `today` (the 119th in 2025 and 2026); a new one starts in odd
    years, on January 3."""
    year = today.year if (today.month, today.day) >= (1, 3) else today.year - 1
    return (year - FIRST_CONGRESS_YEAR) // 2 + 1


@dataclass(frozen=True)
class BillNumber:
    """A bill as people write it: 'H.R. 7147', 'S. 12', 'H.J.Res. 5', '119-hr7147'."""

    bill_type: BillType
    number: int
    congress: int | None = None

    def key(self, congress: int) -> str:
        return f"{self.congress or congress}-{self.bill_type.value}{self.number}"


# Spelled-out types, longest first, as they read once spaces and dots are gone.
_SPELLED = (
    ("housejointresolution", "hjres"),
    ("senatejointresolution", "sjres"),
    ("houseconcurrentresolution", "hconres"),
    ("senateconcurrentresolution", "sconres"),
    ("houseresolution", "hres"),
    ("senateresolution", "sres"),
    ("housebill", "hr"),
    ("senatebill", "s"),
)
_TYPES = "|".join(sorted((t.value for t in BillType if t != BillType.unnumbered), key=len)[::-1])
_BILL = re.compile(
    rf"(?:(\d{{1,3}})(?:st|nd|rd|th)?(?:congress)?[-,:/]?)?({_TYPES})(\d{{1,5}})", re.ASCII
)
# https://www.congress.gov/bill/119th-congress/house-bill/7147 (and /actions, ?q=… after it)
_CONGRESS_GOV = re.compile(r"congress\.gov/bill/(\d{1,3})[a-z]{2}-congress/([a-z-]+)/(\d{1,5})")


def parse_bill_number(text: str) -> BillNumber | None:
    """A bill number in any spelling people type: 'H.R. 7147', 'hr7147', 'HR 7147', 'S 12',
    'H.J.Res. 5', 'S. J. Res 3', 'H.Con.Res. 14', 'S.Res. 5', 'House Joint Resolution 5',
    '119-hr7147', '119th Congress H.R. 7147', or a Congress.gov bill address. None otherwise."""
    lowered = printable(text).strip().lower()
    if (link := _CONGRESS_GOV.search(lowered)) is not None:
        lowered = f"{link[1]}-{link[2].replace('-', '')}{link[3]}"
    compact = re.sub(r"[\s._]", "", lowered)
    for spelled, code in _SPELLED:
        compact = compact.replace(spelled, code)
    compact = compact.replace("-", "") if compact.count("-") > 1 else compact
    found = _BILL.fullmatch(compact)
    if found is None:
        return None
    congress = int(found[1]) if found[1] else None
    if congress == 0:
        return None
    return BillNumber(BillType(found[2]), int(found[3]), congress)


@dataclass
class BillLookup:
    """The measure a typed bill names (None if there is none yet) and, when it is typed as a
    number, what a new measure would be (type, number, congress)."""

    measure: Measure | None
    number: BillNumber | None
    key: str | None


async def lookup_bill(
    session: AsyncSession, scope: Scope, text: str, *, congress: int | None, today: dt.date
) -> BillLookup:
    """A measure by key, or by number: in `congress` when given, else the latest Congress that
    has a bill with that number, else the current Congress (where a new one would go)."""
    text = printable(text).strip()
    measure = await find_measure(session, scope, text)
    if measure is not None and (congress is None or measure.congress == congress):
        return BillLookup(measure, None, measure.key)
    number = parse_bill_number(text)
    if number is None:
        return BillLookup(None, None, None)
    if number.congress is None and congress is None:
        query = (
            visible(Measure, scope)
            .where(
                col(Measure.bill_type) == number.bill_type,
                col(Measure.bill_number) == number.number,
            )
            .order_by(col(Measure.congress).desc())
            .limit(1)
        )
        latest = (await session.execute(query)).scalar_one_or_none()
        if latest is not None:
            return BillLookup(latest, number, latest.key)
    key = number.key(congress or current_congress(today))
    return BillLookup(await find_measure(session, scope, key), number, key)


async def find_bill(
    session: AsyncSession, scope: Scope, text: str, *, today: dt.date
) -> Measure | None:
    """The measure a person names, by key or by number in any spelling (parse_bill_number):
    the latest Congress's bill of that number when no Congress is given."""
    return (await lookup_bill(session, scope, text, congress=None, today=today)).measure


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
        .where(col(MeasureAction.measure_key) == key)
        .order_by(*OLDEST_ACTION_FIRST),
    )
    lines = await _all(
        session,
        visible(FundingLine, scope)
        .where(col(FundingLine.measure_key) == key)
        .order_by(col(FundingLine.key)),
    )
    return MeasureDetail(measure, actions, lines)


async def funding_lines(
    session: AsyncSession, scope: Scope, *, fiscal_year: int, search: str | None = None
) -> list[FundingLine]:
    query = visible(FundingLine, scope).where(col(FundingLine.fiscal_year) == fiscal_year)
    if search:
        dialect = dialect_of(session)
        folded = printable(search).lower()
        query = query.where(
            contains_folded(col(FundingLine.component), folded, dialect)
            | contains_folded(col(FundingLine.account), folded, dialect)
            | contains_folded(func.coalesce(col(FundingLine.purpose), ""), folded, dialect)
        )
    return await _all(session, query.order_by(col(FundingLine.component), col(FundingLine.key)))


@dataclass
class ActionRecorded:
    """An action, what it did to its measure (a Change, 'unchanged' when the stage stayed) and
    to the due dates that follow the measure: (question, old, new) ISO dates."""

    action: MeasureAction
    measure: Change
    due_dates: list[tuple[str, str | None, str | None]] = field(default_factory=list)


async def _rule_due_dates(session: AsyncSession, scope: Scope, key: str) -> dict[str, str | None]:
    """Due dates of the questions the scope sees whose due rule follows measure `key`."""
    query = visible(OversightQuestion, scope).where(
        col(OversightQuestion.due_rule_measure_key) == key
    )
    return {
        q.key: q.due_date.isoformat() if q.due_date else None
        for q in (await session.execute(query)).scalars()
    }


async def record_action(writer: Writer, values: dict[str, Any]) -> ActionRecorded:
    """Record an action; if it moves the measure to a later stage, advance the measure too (one
    transaction). An enactment also sets the enactment date, which resolves due rules; the due
    dates that moved are reported as the writer's scope sees them."""
    key = str(values.get("measure_key"))
    try:
        measure = await writer.load("measure", key)
    except NotFound:
        raise NotFound(f"No measure '{key}' to record an action on.") from None
    due_before = await _rule_due_dates(writer.session, writer.scope, key)
    action = await writer.create("action", values)
    stage = action.stage_after
    result = Change("measure", key, "unchanged", {}, measure)
    if stage is not None and STAGE_ORDER[Stage(stage)] > STAGE_ORDER[Stage(measure.stage)]:
        changes: dict[str, Any] = {"stage": stage}
        if stage == Stage.enacted and measure.enacted_on is None:
            changes["enacted_on"] = action.action_date
        result = await writer.change("measure", key, changes)
    due_after = await _rule_due_dates(writer.session, writer.scope, key)
    due = [
        (question, due_before.get(question), new)
        for question, new in sorted(due_after.items())
        if due_before.get(question) != new
    ]
    return ActionRecorded(action, result, due)


# ---------------------------------------------------------------- funding lines and periods


def period_key(fiscal_year: int, period_type: str, start: dt.date) -> str:
    """The key a funding period gets (the model's own rule); InvalidInput for an unknown type."""
    try:
        kind = PeriodType(period_type)
    except ValueError:
        raise InvalidInput.one("period_type", "must be funded or lapse") from None
    # Unvalidated and partial: only the fields make_key reads.
    wanted: dict[str, Any] = {"fiscal_year": fiscal_year, "period_type": kind, "start_date": start}
    return FundingPeriodFields.model_construct(**wanted).make_key()


def line_key(fiscal_year: int, component: str, account: str, purpose: str | None) -> str:
    """The key a funding line with these fields gets (the model's own rule)."""
    # Unvalidated and partial: only the fields make_key reads.
    wanted: dict[str, Any] = {
        "fiscal_year": fiscal_year,
        "component": component,
        "account": account,
        "purpose": purpose,
    }
    return FundingLineFields.model_construct(**wanted).make_key()


async def find_line(
    session: AsyncSession,
    scope: Scope,
    *,
    fiscal_year: int,
    component: str,
    account: str,
    purpose: str | None,
) -> FundingLine | None:
    """The line the scope sees with these fields: by its key, or, when no purpose is given, the
    only line of that year, component and account (InvalidInput naming `purpose` when several)."""
    found = await find_visible(
        session, scope, "funding_line", line_key(fiscal_year, component, account, purpose)
    )
    if found is not None or purpose:
        return found
    query = visible(FundingLine, scope).where(
        col(FundingLine.fiscal_year) == fiscal_year,
        func.lower(col(FundingLine.component)) == printable(component).strip().lower(),
        func.lower(col(FundingLine.account)) == printable(account).strip().lower(),
    )
    lines = list((await session.execute(query.order_by(col(FundingLine.key)).limit(6))).scalars())
    if len(lines) > 1:
        purposes = "; ".join(line.purpose or "(none)" for line in lines[:5])
        raise InvalidInput.one(
            "purpose",
            f"FY{fiscal_year} {component} has several lines in '{account}': give the purpose "
            f"of the one to change ({purposes})",
        )
    return lines[0] if lines else None


# ---------------------------------------------------------------- for the staff commands

LINE_COLUMNS: tuple[str, ...] = ("requested", "house", "senate", "enacted")
# 'Total discretionary', 'Total, ICE' or '… (total)'; not 'Totally new'.
_TOTAL = re.compile(r"^total\b|\(total\)$", re.IGNORECASE)


def is_total_line(line: FundingLine) -> bool:
    """A line that is itself a total ('Total discretionary', 'Border enforcement (total)'):
    adding it to the lines it totals would count them twice."""
    return any(_TOTAL.search((text or "").strip()) for text in (line.account, line.purpose))


# 'Withheld until …' or '… (part of Office of the Secretary)': money inside another line.
_PART = re.compile(r"^withheld\b|\(part of [^)]*\)$", re.IGNORECASE)
# Notes that hedge the amount: 'About $170 billion …', '… amounts vary by outlet'.
_HEDGE = re.compile(r"^\s*(about|approximately|roughly)\b|amounts vary", re.IGNORECASE)


def is_part_line(line: FundingLine) -> bool:
    """A line whose money sits inside another line (an amount withheld from the Office of the
    Secretary is part of that office's funds): adding it would count the money twice."""
    return any(_PART.search((text or "").strip()) for text in (line.account, line.purpose))


def is_hedged(line: FundingLine) -> bool:
    """An amount the sources give only roughly ('about $170 billion'): shown with 'about'."""
    return bool(_HEDGE.search(line.notes or ""))


def adds_up(line: FundingLine) -> bool:
    """A line whose amounts add to a sum: neither a total nor a part of another line."""
    return not (is_total_line(line) or is_part_line(line))


def column_totals(lines: list[FundingLine]) -> dict[str, int | None]:
    """Per column, the sum over lines that add (not totals, not parts of another line); None
    where no such line has an amount."""
    totals: dict[str, int | None] = dict.fromkeys(LINE_COLUMNS)
    for line in lines:
        if not adds_up(line):
            continue
        for column in LINE_COLUMNS:
            amount = getattr(line, column)
            if amount is not None:
                totals[column] = (totals[column] or 0) + amount
    return totals


@dataclass
class BillSum:
    """The sum of one bill's listed lines, and what it leaves out and why."""

    measure_key: str | None
    summed: int  # lines added
    totals: dict[str, int | None]
    totals_left_out: int = 0  # lines that are themselves totals
    parts_left_out: int = 0  # lines whose money is inside another line
    hedged: bool = False  # some line added is an approximate amount


def totals_by_bill(lines: list[FundingLine]) -> list[BillSum]:
    """One sum per bill of the lines that add: amounts of different bills (a DHS bill and a
    reconciliation bill) are never added together. Bills in key order; lines naming no bill
    last. A bill whose lines are all totals or parts still gets a sum (of nothing) saying so."""
    groups: dict[str | None, list[FundingLine]] = {}
    for line in lines:
        groups.setdefault(line.measure_key, []).append(line)
    order = sorted(groups, key=lambda key: (key is None, key or ""))
    sums = []
    for key in order:
        adding = [line for line in groups[key] if adds_up(line)]
        sums.append(
            BillSum(
                key,
                len(adding),
                column_totals(adding),
                totals_left_out=sum(is_total_line(line) for line in groups[key]),
                parts_left_out=sum(
                    is_part_line(line) and not is_total_line(line) for line in groups[key]
                ),
                hedged=any(is_hedged(line) for line in adding),
            )
        )
    return sums


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
    """For each measure of the year, what each chamber has done: its newest decisive action
    there (one that moved the bill or a recorded vote), else its newest action. A motion to
    reconsider agreed to without objection after passage never stands for what it did."""
    keys = visible(Measure, scope).where(col(Measure.fiscal_year) == fiscal_year).subquery()
    actions = await _all(
        session,
        visible(MeasureAction, scope)
        .where(col(MeasureAction.measure_key).in_(select(keys.c.key)))
        .order_by(*OLDEST_ACTION_FIRST),
    )
    found: dict[str, dict[str, MeasureAction]] = {}
    for action in actions:  # oldest first, so the newest of each chamber wins
        chambers = found.setdefault(action.measure_key, {})
        held = chambers.get(str(action.chamber))
        if held is None or _decisive(action) or not _decisive(held):
            chambers[str(action.chamber)] = action
    return found


_TALLY = re.compile(r"\d+-\d+")
# Votes on how to proceed, not on the bill: they never read as passage.
_PROCEDURAL = re.compile(
    r"\b(cloture|motion to (?:proceed|reconsider|table|recommit|invoke cloture)|"
    r"motion to discharge|rule providing for consideration)\b",
    re.IGNORECASE,
)


def procedural_vote(action: MeasureAction) -> str | None:
    """What a procedural action voted on ('motion to proceed', 'cloture'), or None when the
    action is on the bill itself. An action that moved the bill is never procedural."""
    if action.stage_after is not None:
        return None
    found = _PROCEDURAL.search(action.text or "")
    return found.group(1).lower() if found else None


def _decisive(action: MeasureAction) -> bool:
    """An action that decided something: it moved the bill, or it was a recorded vote on the
    bill (a House concurrence 217-214 after the Senate amended the bill moves no stage but is
    the deciding vote); not a procedural vote (cloture, motion to proceed) and not a motion
    agreed to without objection."""
    if action.stage_after is not None:
        return True
    return bool(_TALLY.fullmatch(action.vote or "")) and procedural_vote(action) is None


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
        measures = await _all(session, visible(Measure, scope).where(col(Measure.key).in_(keys)))
        labels = {m.key: m.label for m in measures}
    return LineListing(year, lines, years, search, requested, existing, labels)
