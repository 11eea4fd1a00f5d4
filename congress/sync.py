"""Follow DHS appropriations on Congress.gov into the shared dataset, through the one write path.

One run: discovery (bills of the followed congresses updated since the watermark, kept when they
are DHS appropriations), then a refresh of every followed bill: one request when the bill's
`updateDate` is what was last synced, else its actions and summaries, mapped (congress.mapping)
and written in one transaction per bill as the actor "Congress.gov". Facts cite Congress.gov with
a deep link, confidence confirmed, as of the action date; a re-sync of unchanged data writes
nothing. A value an editor set that the API contradicts is kept and the record marked disputed
with both values; a server's own copy of a record is never touched (the sync writes the shared
dataset only).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlmodel import col

from congress.client import CongressClient
from congress.errors import BudgetExhausted, CongressError, MalformedResponse, NotFound
from congress.mapping import ActionFacts, BillFacts, bill_facts, is_dhs_appropriations
from db.appropriations import current_congress
from db.changes import Writer, plain_values
from db.engine import Database
from db.errors import DomainError
from db.follows import BillRef, follow, follow_row, followed_bills, mark_synced
from db.meta import get_meta, set_meta
from db.models import MeasureAction, Revision, SourceRef
from db.scope import Actor, Scope
from db.sources import MAX_SOURCES

log = logging.getLogger(__name__)

ACTOR = Actor("Congress.gov")
OUTLET = "Congress.gov"
REASON = "Congress.gov sync"
DISPUTE_MARK = "Congress.gov says"  # how a confidence note the sync wrote begins
WATERMARK = "congress.watermark.{congress}"
LAST_SUCCESS = "congress.last_success"
LAST_ERROR = "congress.last_error"
# Fields where an editor's value and the API's may disagree; the API fills the others only when
# they are empty (a title an editor wrote stays theirs).
COMPARED = {
    "measure": ("stage", "public_law", "enacted_on", "fiscal_year", "measure_kind"),
    "funding_period": ("end_date", "fiscal_year"),
}
FILLED = {"measure": ("title", "url"), "funding_period": ("description", "measure_key")}


@dataclass
class SyncReport:
    """What one run did, for the command line, /about and the log."""

    listed: int = 0  # bills discovery looked at
    kept: list[str] = field(default_factory=list)  # bills discovery started to follow
    refreshed: int = 0  # followed bills whose data was fetched and mapped
    unchanged: int = 0  # followed bills whose updateDate had not moved
    changes: list[str] = field(default_factory=list)  # one line per record written
    disputed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # bills left at their last good state
    error: str | None = None  # what stopped the run early
    requests: int = 0

    def lines(self) -> list[str]:
        head = (
            f"Congress.gov: {self.listed} listed, {len(self.kept)} newly followed, "
            f"{self.refreshed} refreshed, {self.unchanged} unchanged, {len(self.changes)} records "
            f"written, {len(self.disputed)} disputed, {self.requests} requests."
        )
        lines = [head, *(f"  {line}" for line in self.changes)]
        lines += [f"  disputed: {line}" for line in self.disputed]
        lines += [f"  skipped: {line}" for line in self.skipped]
        if self.error:
            lines.append(f"  stopped: {self.error}")
        return lines


class CongressSync:
    """Runs discovery and refreshes with one client; `congresses` empty means the current one."""

    def __init__(self, db: Database, client: CongressClient, *, congresses: Sequence[int] = ()):
        self.db = db
        self.client = client
        self.congresses = tuple(congresses)

    def followed_congresses(self) -> tuple[int, ...]:
        return self.congresses or (current_congress(self.db.today()),)

    async def run(
        self,
        *,
        bills: Sequence[BillRef] = (),
        since: dt.datetime | None = None,
        followed_by: int | None = None,
    ) -> SyncReport:
        """With `bills`: follow those and sync them now. Without: discovery, then every followed
        bill. Never raises for the API's faults: the report says what stopped it."""
        report = SyncReport()
        before = self.client.requests_made
        try:
            if bills:
                await follow(self.db, bills, source="owner", followed_by=followed_by)
                targets = list(bills)
            else:
                for congress in self.followed_congresses():
                    await self._discover(congress, since, report)
                targets = await followed_bills(self.db)
            for ref in targets:
                await self._refresh(ref, report)
        except (BudgetExhausted, CongressError) as error:
            report.error = str(error)
        report.requests = self.client.requests_made - before
        now = self.db.clock.now().isoformat(timespec="seconds")
        if report.error is None:
            await set_meta(self.db, LAST_SUCCESS, now)
            await set_meta(self.db, LAST_ERROR, "")
        else:
            await set_meta(self.db, LAST_ERROR, f"{now} {report.error}"[:4000])
            log.warning("Congress.gov sync stopped: %s", report.error)
        return report

    async def _discover(self, congress: int, since: dt.datetime | None, report: SyncReport) -> None:
        """Follow the DHS appropriations among the congress's bills updated since the watermark;
        the watermark moves only once the whole listing was read."""
        name = WATERMARK.format(congress=congress)
        stored = await get_meta(self.db, name)
        start = since or (dt.datetime.fromisoformat(stored) if stored else None)
        newest = start
        async for item in self.client.updated_bills(congress, start):
            report.listed += 1
            updated = _instant(item.get("updateDate"))
            if updated is not None and (newest is None or updated > newest):
                newest = updated
            ref = _ref_of(item)
            if ref is None:
                continue
            keep = is_dhs_appropriations(item)
            if keep is None:  # a supplemental: do its summaries name DHS?
                summaries = await self.client.summaries(ref.congress, ref.bill_type, ref.number)
                keep = is_dhs_appropriations(item, summaries)
            if keep and await follow(self.db, [ref], source="discovered"):
                report.kept.append(ref.key)
        if newest is not None and newest != start:
            await set_meta(self.db, name, newest.isoformat())

    async def _refresh(self, ref: BillRef, report: SyncReport) -> None:
        """Fetch and write one bill; a malformed answer leaves it at its last good state."""
        followed = await follow_row(self.db, ref)
        try:
            bill = await self.client.bill(ref.congress, ref.bill_type, ref.number)
            update_date = str(bill.get("updateDate") or "")
            if followed is not None and update_date and followed.update_date == update_date:
                report.unchanged += 1
                return
            actions = await self.client.actions(ref.congress, ref.bill_type, ref.number)
            summaries = await self.client.summaries(ref.congress, ref.bill_type, ref.number)
            facts = bill_facts(bill, actions, summaries)
            written = SyncReport()  # this bill's lines: kept only once its transaction commits
            async with self.db.writer(Scope.shared(), ACTOR, reason=REASON) as writer:
                await write_bill(writer, facts, written)
            report.changes += written.changes
            report.disputed += written.disputed
        except (MalformedResponse, NotFound) as error:  # this bill only: the others go on
            report.skipped.append(f"{ref}: {error}")
            await mark_synced(self.db, ref, error=str(error))
            return
        except (DomainError, ValueError) as error:  # data the model refuses: keep the last state
            report.skipped.append(f"{ref}: {error}")
            log.warning("Congress.gov: %s not written: %s", ref, error)
            await mark_synced(self.db, ref, error=str(error))
            return
        report.refreshed += 1
        await mark_synced(self.db, ref, update_date=update_date)


# ---------------------------------------------------------------- writing one bill


async def write_bill(writer: Writer, facts: BillFacts, report: SyncReport) -> None:
    """The measure, its actions and (for a continuing resolution) its funding period, in the
    writer's transaction (the shared dataset)."""
    source = SourceRef(outlet=OUTLET, url=facts.url)
    as_of = max((a.action_date for a in facts.actions), default=None) or writer.effective_on
    measure = {
        "congress": facts.congress,
        "bill_type": facts.bill_type,
        "bill_number": facts.number,
        "title": facts.title,
        "fiscal_year": facts.fiscal_year,
        "measure_kind": facts.measure_kind,
        "stage": facts.stage,
        "public_law": facts.public_law,
        "enacted_on": facts.enacted_on,
        "url": facts.url,
    }
    await _merge(writer, "measure", facts.key, measure, source, as_of, report)
    for action in facts.actions:
        await _write_action(writer, facts, action, report)
    if facts.period is not None:
        period = facts.period
        values = {
            "fiscal_year": period.fiscal_year,
            "period_type": "funded",
            "measure_key": facts.key,
            "start_date": period.start_date,
            "end_date": period.end_date,
            "description": period.description,
        }
        key = f"fy{period.fiscal_year}-funded-{period.start_date.isoformat()}"
        await _merge(writer, "funding_period", key, values, source, period.start_date, report)


async def _write_action(
    writer: Writer, facts: BillFacts, action: ActionFacts, report: SyncReport
) -> None:
    sources = [SourceRef(outlet=OUTLET, url=action.url)]
    if action.roll_call_url:
        sources.append(SourceRef(outlet="Roll call vote", url=action.roll_call_url))
    values: dict[str, Any] = {
        "key": action.key,
        "measure_key": facts.key,
        "action_date": action.action_date,
        "chamber": action.chamber,
        "text": action.text,
        "vote": action.vote,
        "stage_after": action.stage_after,
        "as_of": action.action_date,
        "confidence": "confirmed",
        "sources": [s.model_dump(mode="json") for s in sources],
    }
    if await writer.visible("action", action.key) is None and await _typed_already(
        writer, facts.key, action
    ):
        return  # an editor recorded this event: one record of it
    change = await writer.save("action", values, key=action.key)
    if change.changed:
        report.changes.append(f"{facts.key}: {change.outcome} action {action_line(action)}")


async def _typed_already(writer: Writer, measure_key: str, action: ActionFacts) -> bool:
    """An action an editor typed for the same event: same bill, day and chamber, and the same
    stage or the same vote tally."""
    same: list[ColumnElement[bool]] = []
    if action.stage_after is not None:
        same.append(col(MeasureAction.stage_after) == action.stage_after)
    if action.vote is not None and action.vote not in ("voice vote", "unanimous consent"):
        same.append(col(MeasureAction.vote) == action.vote)
    if not same:
        return False
    query = select(col(MeasureAction.id)).where(
        col(MeasureAction.guild_id).is_(None),
        col(MeasureAction.measure_key) == measure_key,
        col(MeasureAction.action_date) == action.action_date,
        col(MeasureAction.chamber) == action.chamber,
        or_(*same),
    )
    return (await writer.session.execute(query.limit(1))).first() is not None


def action_line(action: ActionFacts) -> str:
    """'2026-01-30 senate: Passed Senate with an amendment … (71-29)'."""
    vote = f" ({action.vote})" if action.vote else ""
    return f"{action.action_date.isoformat()} {action.chamber}: {action.text[:120]}{vote}"


async def _merge(
    writer: Writer,
    kind: str,
    key: str,
    values: dict[str, Any],
    cited: SourceRef,
    as_of: dt.date,
    report: SyncReport,
) -> None:
    """Create the record, or bring it to the API's values: a field last set by Congress.gov (or
    empty) takes the API's value; one an editor set and the API contradicts is kept, and the
    record marked disputed with both values. A dispute the sync marked clears once they agree."""
    existing = await writer.load(kind, key) if await writer.visible(kind, key) else None
    source: SourceRef | None = cited
    if existing is None:
        stamped = {**values, "as_of": as_of, "confidence": "confirmed"}
        await writer.save(kind, stamped, key=key, source=source)
        report.changes.append(f"{key}: created")
        return
    stored = plain_values(existing)
    if len(stored["sources"]) >= MAX_SOURCES:
        source = None  # a full list keeps its sources: cited enough, and the write still goes in
    api = {name: _json(value) for name, value in values.items()}
    changes: dict[str, Any] = {}
    conflicts: list[str] = []
    for name in COMPARED.get(kind, ()):
        if api[name] is None or stored[name] == api[name]:
            continue
        setter = await _last_setter(writer, existing, name)
        if stored[name] is None or setter is None or setter == ACTOR.name:
            changes[name] = values[name]
        else:
            conflicts.append(f"{name}: {OUTLET} says {api[name]}, {setter} set {stored[name]}")
    for name in FILLED.get(kind, ()):
        if stored[name] in (None, "") and api.get(name) not in (None, ""):
            changes[name] = values[name]
    note = f"{DISPUTE_MARK} " + "; ".join(conflicts) if conflicts else None
    if note is not None and (stored["confidence"], stored["confidence_note"]) != ("disputed", note):
        changes |= {"confidence": "disputed", "confidence_note": note[:500]}
        report.disputed.append(f"{key}: {'; '.join(conflicts)}")
    ours = str(stored.get("confidence_note") or "").startswith(DISPUTE_MARK)
    if note is None and stored["confidence"] == "disputed" and ours:
        changes |= {"confidence": "confirmed", "confidence_note": None}
    also = {"as_of": as_of} if as_of > existing.as_of else {}
    change = await writer.change(kind, key, changes, also=also, source=source)
    if change.changed:
        fields = ", ".join(f"{n} → {_json(v)}" for n, v in changes.items() if n != "sources")
        report.changes.append(f"{key}: {fields or 'source added'}")


async def _last_setter(writer: Writer, row: Any, name: str) -> str | None:
    """Who last wrote field `name` of the record (the actor's name, without the id)."""
    query = (
        select(Revision)
        .where(Revision.record_kind == row.kind, Revision.record_id == row.id)
        .order_by(col(Revision.id).desc())
    )
    for revision in (await writer.session.execute(query)).scalars():
        if name in revision.changes:
            return revision.actor_name.split(" (")[0]
    return None


def _json(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return getattr(value, "value", value)


def _ref_of(item: dict[str, Any]) -> BillRef | None:
    try:
        return BillRef(int(item["congress"]), str(item["type"]).lower(), int(item["number"]))
    except (KeyError, TypeError, ValueError):
        return None


def _instant(text: Any) -> dt.datetime | None:
    """The API's updateDate ('2026-01-23T15:00:12Z' or a bare date) as an aware instant."""
    if not text:
        return None
    try:
        value = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
