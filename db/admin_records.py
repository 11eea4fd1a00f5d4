"""Edits as the /admin record commands make them: find the record a person names, change only
what they gave, stamp the as-of date and add the source only when something else changed, and
say field by field what the record they saw became.

Everything here runs inside one writer's transaction (db.engine.Database.writer).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError
from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession

from db.appropriations import find_measure, record_action
from db.changes import Writer, field_diff, plain_values, proposed
from db.edits import find_visible, set_record
from db.errors import InvalidInput, NotFound, Problem
from db.models import (
    BillType,
    FundingLine,
    FundingLineFields,
    FundingPeriodFields,
    Measure,
    MeasureAction,
    OversightQuestion,
    PeriodType,
    SourceRef,
)
from db.oversight import printable
from db.scope import Scope, visible

Values = dict[str, Any]
FIRST_CONGRESS_YEAR = 1789


# ---------------------------------------------------------------- what changed


@dataclass
class Saved:
    """One record after an edit: what the writer's scope saw before, and what it sees now."""

    kind: str
    key: str
    outcome: str  # created | updated | copied (a guild's own copy of a shared record) | unchanged
    before: Values | None
    after: Values
    row: Any = None

    @property
    def changes(self) -> dict[str, list[Any]]:
        """Field → [old, new] (JSON form) for every field that differs from what was seen."""
        before = self.before or {}
        return {
            name: [before.get(name), value]
            for name, value in self.after.items()
            if before.get(name) != value and not (name not in before and value in (None, []))
        }


def _same_source(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    if a.get("url") or b.get("url"):
        return a.get("url") == b.get("url")
    return str(a.get("outlet", "")).casefold() == str(b.get("outlet", "")).casefold()


def with_source(sources: list[Any], source: SourceRef | None) -> list[Any]:
    """The record's sources plus `source`, unless an equal one (same address, or same outlet
    when neither has an address) is already there."""
    current = [s.model_dump(mode="json") if isinstance(s, SourceRef) else dict(s) for s in sources]
    if source is None:
        return current
    new = source.model_dump(mode="json")
    if any(_same_source(old, new) for old in current):
        return current
    return [*current, new]


def _site(url: str) -> str:
    """'startribune.com' for https://www.startribune.com/…; the address itself if it has none."""
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # 'http://[' and the like: not a host name
        host = ""
    return host.removeprefix("www.")[:120] or url[:120]


def make_source(
    url: str | None,
    outlet: str | None,
    *,
    url_option: str = "source",
    outlet_option: str = "outlet",
    published: dt.date | None = None,
) -> SourceRef | None:
    """A SourceRef from what was typed: the outlet defaults to the address's host name. Errors
    name the option the person typed into."""
    url = (url or "").strip() or None
    outlet = (outlet or "").strip() or None
    if url is None and outlet is None:
        return None
    if outlet is None and url is not None:
        outlet = _site(url)
    names = {"url": url_option, "outlet": outlet_option}
    try:
        return SourceRef(outlet=outlet or "", url=url, published=published)
    except ValidationError as error:
        problems = InvalidInput.from_validation(error).problems
        raise InvalidInput(
            [Problem(names.get(p.field, p.field), p.message) for p in problems]
        ) from None


async def save(
    writer: Writer,
    kind: str,
    key: str,
    values: Mapping[str, Any],
    *,
    stamp: Mapping[str, Any] | None = None,
    source: SourceRef | None = None,
    identity: Collection[str] = (),
) -> Saved:
    """Create the record `key` of `kind` from `values`, or change the one the writer's scope sees
    under that key (a guild changing a shared record gets its own copy). `stamp` (the as-of date)
    and `source` are written only along with a real change: repeating an edit writes nothing.
    `identity` fields only find the record (they make its key): an existing record keeps its own
    spelling of them ('minneapolis' finds 'Minneapolis' and leaves it as it is)."""
    stamp = dict(stamp or {})
    existing = await find_visible(writer.session, writer.scope, kind, key)
    if existing is None:
        sources = with_source(list(values.get("sources") or []), source)
        row = await writer.create(kind, {**stamp, **values, "sources": sources})
        return Saved(kind, row.key, "created", None, plain_values(row), row)
    values = {name: value for name, value in values.items() if name not in identity}
    before = plain_values(existing)
    _, fields = proposed(existing, values)
    added = with_source(list(existing.sources or []), source)
    if not field_diff(before, fields) and added == before["sources"]:
        return Saved(kind, existing.key, "unchanged", before, before, existing)
    changes = {**stamp, **values}
    if added != before["sources"]:
        changes["sources"] = added
    row, outcome = await set_record(writer, kind, changes, key=key)
    return Saved(kind, row.key, outcome, before, plain_values(row), row)


# ---------------------------------------------------------------- measures


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


_BILL = re.compile(r"(?:(\d{1,3})-)?(hr|s|hjres|sjres)(\d{1,6})", re.ASCII)


def parse_bill_number(text: str) -> BillNumber | None:
    """'H.R. 7147', 'hr7147', 'S 12', 'H.J.Res. 5', 'S.J.Res.3', '119-hr7147'; None otherwise."""
    compact = re.sub(r"[\s.]", "", text.lower())
    found = _BILL.fullmatch(compact)
    if found is None:
        return None
    congress = int(found[1]) if found[1] else None
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
            .where(Measure.bill_type == number.bill_type, Measure.bill_number == number.number)
            .order_by(Measure.congress.desc())  # type: ignore[attr-defined]
            .limit(1)
        )
        latest = (await session.execute(query)).scalar_one_or_none()
        if latest is not None:
            return BillLookup(latest, number, latest.key)
    key = number.key(congress or current_congress(today))
    return BillLookup(await find_measure(session, scope, key), number, key)


# ---------------------------------------------------------------- actions


@dataclass
class ActionRecorded:
    """An action, and what it did to its measure and to the due dates that follow the measure."""

    action: MeasureAction
    measure: Saved
    due_dates: list[tuple[str, str | None, str | None]] = field(default_factory=list)


async def _rule_due_dates(session: AsyncSession, scope: Scope, key: str) -> dict[str, str | None]:
    """Due dates of the questions the scope sees whose due rule follows measure `key`."""
    query = visible(OversightQuestion, scope).where(OversightQuestion.due_rule_measure_key == key)
    return {
        q.key: q.due_date.isoformat() if q.due_date else None
        for q in (await session.execute(query)).scalars()
    }


async def record_measure_action(writer: Writer, values: Mapping[str, Any]) -> ActionRecorded:
    """db.appropriations.record_action (the stage advances; an enactment sets the enactment date,
    which resolves due rules), reporting the measure and due dates before and after as the
    writer's scope sees them."""
    key = str(values.get("measure_key"))
    measure = await find_measure(writer.session, writer.scope, key)
    if measure is None:
        raise NotFound(f"No measure '{key}' to record an action on.")
    before = plain_values(measure)
    due_before = await _rule_due_dates(writer.session, writer.scope, key)
    action = await record_action(writer, dict(values))
    after_row = await find_measure(writer.session, writer.scope, key)
    assert after_row is not None
    after = plain_values(after_row)
    outcome = "updated" if after_row.id == measure.id else "copied"
    if after == before:
        outcome = "unchanged"
    due_after = await _rule_due_dates(writer.session, writer.scope, key)
    due = [
        (question, due_before.get(question), new)
        for question, new in sorted(due_after.items())
        if due_before.get(question) != new
    ]
    return ActionRecorded(action, Saved("measure", key, outcome, before, after, after_row), due)


# ---------------------------------------------------------------- funding lines


def period_key(fiscal_year: int, period_type: str, start: dt.date) -> str:
    """The key a funding period gets (the model's own rule); InvalidInput for an unknown type."""
    try:
        kind = PeriodType(period_type)
    except ValueError:
        raise InvalidInput.one("period_type", "must be funded or lapse") from None
    fields = FundingPeriodFields.model_construct(
        fiscal_year=fiscal_year, period_type=kind, start_date=start
    )
    return fields.make_key()


def line_key(fiscal_year: int, component: str, account: str, purpose: str | None) -> str:
    """The key a funding line with these fields gets (the model's own rule)."""
    fields = FundingLineFields.model_construct(
        fiscal_year=fiscal_year, component=component, account=account, purpose=purpose
    )
    return fields.make_key()


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
        FundingLine.fiscal_year == fiscal_year,
        func.lower(FundingLine.component) == printable(component).strip().lower(),
        func.lower(FundingLine.account) == printable(account).strip().lower(),
    )
    lines = list((await session.execute(query.order_by(FundingLine.key).limit(6))).scalars())
    if len(lines) > 1:
        purposes = "; ".join(line.purpose or "(none)" for line in lines[:5])
        raise InvalidInput.one(
            "purpose",
            f"FY{fiscal_year} {component} has several lines in '{account}': give the purpose "
            f"of the one to change ({purposes})",
        )
    return lines[0] if lines else None
