"""Deadlines as Discord scheduled events, the data side: a guild's setting, the plan, and the
intent written before every Discord call. No Discord here (bot.calendar_events talks to it).

The plan (`plan`, pure in `reconcile`): the deadlines of the next WINDOW_DAYS days
(db.calendar.deadlines), soonest first, as many as fit beside the guild's other events under
Discord's MAX_EVENTS, against the guild's `GuildEvent` rows and the events Discord lists: create
what is missing, update what moved or changed, cancel what is no longer wanted (answered,
deleted, past, or pushed out by sooner ones). Cancels come first, so the guild never needs a
101st event.

Exactly once. Each operation is applied between two commits: `begin` records the intent (state
creating / updating / cancelling, with the values about to be sent), then the bot calls Discord,
then `finish` records the outcome. A crash in between repeats nothing harmful: an update is sent
again (the same values), a cancel is sent again (Discord's 404 means done), and a creation is
found again by the marker every description ends with ("Oversight Desk · question/OQ-7/2"): the
next plan adopts that event instead of creating a second. One worker syncs a guild at a time
(`claim`: a lease on the guild's setting row, renewed before each operation).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.calendar import CAPITOL, Deadline, deadlines
from db.engine import Database
from db.models import CalendarEvents, GuildEvent
from db.scope import Scope

WINDOW_DAYS = 60  # today and the 59 days after it
MAX_EVENTS = 100  # Discord's live scheduled events per guild, whoever made them
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 1000
LOCATION_LIMIT = 100
MARKER = "Oversight Desk · "  # + the deadline's uid: the last line of every description
LACKS_MANAGE_EVENTS = "the bot lacks Manage Events"
LEASE = dt.timedelta(minutes=2)

Action = Literal["create", "adopt", "update", "cancel", "forget"]
CREATING, SCHEDULED, UPDATING, CANCELLING = "creating", "scheduled", "updating", "cancelling"


# ---------------------------------------------------------------- what an event says


@dataclass(frozen=True)
class EventSpec:
    """One deadline as a Discord scheduled event: every text inside Discord's limits."""

    uid: str
    day: dt.date
    name: str
    description: str
    location: str

    @property
    def digest(self) -> str:
        text = f"{self.description}\x00{self.location}"
        return hashlib.sha256(text.encode()).hexdigest()


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, whole lines kept where possible, '…' where cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if "\n" in cut[limit // 2 :]:
        cut = cut[: cut.rindex("\n")]
    return cut.rstrip() + "…"


def event_spec(deadline: Deadline) -> EventSpec:
    marker = MARKER + deadline.uid
    body = deadline.summary.strip()
    if deadline.url and deadline.url not in body:
        body += f"\nMore: {deadline.url}"
    room = DESCRIPTION_LIMIT - len(marker) - 2
    return EventSpec(
        uid=deadline.uid,
        day=deadline.day,
        name=clip(" ".join(deadline.title.split()), NAME_LIMIT),
        description=f"{clip(body, room)}\n\n{marker}",
        location=clip(" ".join(deadline.location.split()) or CAPITOL, LOCATION_LIMIT),
    )


def marker_of(description: str | None) -> str | None:
    """The uid a description's marker names (None when it has none)."""
    last = (description or "").rstrip().rpartition("\n")[2]
    return last.removeprefix(MARKER) if last.startswith(MARKER) else None


# ---------------------------------------------------------------- the plan


@dataclass(frozen=True)
class RemoteEvent:
    """A live scheduled event as Discord lists it: `mine` when the bot created it."""

    id: int
    description: str | None
    mine: bool


@dataclass(frozen=True)
class Operation:
    action: Action
    uid: str
    spec: EventSpec | None = None  # create, adopt, update: what the event should say
    row_id: int | None = None  # None: no row yet (an event found by its marker alone)
    event_id: int | None = None  # adopt, update, cancel: the Discord event
    moved: bool = True  # update: send the times too (the day changed, or it may have)


@dataclass(frozen=True)
class Plan:
    operations: list[Operation] = field(default_factory=list)
    held_back: int = 0  # wanted deadlines that did not fit under MAX_EVENTS


_ORDER: dict[str, int] = {"forget": 0, "cancel": 0, "adopt": 1, "update": 1, "create": 2}


def _differs(row: GuildEvent, spec: EventSpec) -> bool:
    return (row.day, row.name, row.description_hash) != (spec.day, spec.name, spec.digest)


def reconcile(
    rows: Sequence[GuildEvent],
    specs: Sequence[EventSpec],
    remote: Sequence[RemoteEvent],
    *,
    limit: int = MAX_EVENTS,
    today: dt.date | None = None,
) -> Plan:
    """The operations that make the guild's events match `specs` (soonest first). An event
    gone on its own day is not made again (Discord may end it once it has begun)."""
    by_id = {item.id: item for item in remote}
    marked: dict[str, list[RemoteEvent]] = {}
    for item in remote:
        uid = marker_of(item.description) if item.mine else None
        if uid is not None:
            marked.setdefault(uid, []).append(item)
    known = {row.discord_event_id for row in rows}
    ours = {e.id for es in marked.values() for e in es}
    others = sum(1 for item in remote if item.id not in known and item.id not in ours)
    room = max(limit - others, 0)
    wanted = {spec.uid: spec for spec in specs[:room]}
    claimed: set[int] = set()

    def by_marker(uid: str) -> RemoteEvent | None:
        found = next((e for e in marked.get(uid, []) if e.id not in claimed), None)
        if found is not None:
            claimed.add(found.id)
        return found

    operations: list[Operation] = []
    event: RemoteEvent | None
    for row in rows:
        event_id = row.discord_event_id
        if event_id is not None:
            event = by_id.get(event_id)
            if event is not None:
                claimed.add(event_id)
        else:
            event = by_marker(row.uid)  # created, but the answer was lost
        spec = wanted.get(row.uid)
        if spec is None:
            action: Action = "cancel" if event is not None else "forget"
            found = None if event is None else event.id
            operations.append(Operation(action, row.uid, None, row.id, found))
        elif event is None:
            if event_id is None or today is None or spec.day > today:
                operations.append(Operation("create", row.uid, spec, row.id))
        elif event_id is None and row.state == CREATING and not _differs(row, spec):
            operations.append(Operation("adopt", row.uid, spec, row.id, event.id))
        elif event_id is None or row.state != SCHEDULED or _differs(row, spec):
            moved = event_id is None or row.state != SCHEDULED or row.day != spec.day
            operations.append(Operation("update", row.uid, spec, row.id, event.id, moved))
    has_row = {row.uid for row in rows}
    for uid, spec in wanted.items():
        if uid not in has_row:
            event = by_marker(uid)  # an event of ours with no row: take it over
            if event is None:
                operations.append(Operation("create", uid, spec))
            else:
                operations.append(Operation("update", uid, spec, None, event.id))
    for uid, events in marked.items():  # duplicates and strays of ours: removed
        for event in events:
            if event.id not in claimed:
                operations.append(Operation("cancel", uid, None, None, event.id))
    operations.sort(
        key=lambda op: (_ORDER[op.action], op.spec.day if op.spec else dt.date.min, op.uid)
    )
    return Plan(operations, max(len(specs) - room, 0))


def window(today: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day whose deadlines become events."""
    return today, today + dt.timedelta(days=WINDOW_DAYS - 1)


async def wanted_specs(session: AsyncSession, guild_id: int, today: dt.date) -> list[EventSpec]:
    start, end = window(today)
    found = await deadlines(session, Scope.guild(guild_id), start=start, end=end)
    return [event_spec(d) for d in found if start <= d.day <= end]


async def plan(
    db: Database, guild_id: int, *, today: dt.date, remote: Sequence[RemoteEvent] | None
) -> Plan:
    """What to do in the guild now: its deadlines when enabled, none when turned off (its events
    are then removed). `remote` None: assume Discord holds exactly what the rows say (a cheap
    look at whether the records changed, without listing the guild's events)."""
    async with db.session() as session:
        setting = await _setting(session, guild_id)
        rows = await _rows(session, guild_id)
        enabled = setting is not None and setting.enabled
        specs = await wanted_specs(session, guild_id, today) if enabled else []
    if remote is None:
        remote = [
            RemoteEvent(row.discord_event_id, MARKER + row.uid, mine=True)
            for row in rows
            if row.discord_event_id is not None
        ]
    return reconcile(rows, specs, remote, today=today)


# ---------------------------------------------------------------- intent and outcome


async def begin(db: Database, guild_id: int, op: Operation, now: dt.datetime) -> int | None:
    """Record `op` before Discord is called; the row's id (None: nothing to record). An adopt
    needs no call and is complete here."""
    async with db.transaction() as session:
        row = await _row_for(session, guild_id, op)
        if op.action == "forget":
            if row is not None:
                await session.delete(row)
            return None
        if op.action == "cancel":
            if row is None:
                return None
            row.state = CANCELLING
        else:
            assert op.spec is not None  # create, adopt and update carry what to say
            spec = op.spec
            if row is None:
                row = GuildEvent(
                    guild_id=guild_id,
                    uid=op.uid,
                    day=spec.day,
                    name=spec.name,
                    description_hash=spec.digest,
                    state=CREATING,
                    updated_at=now,
                )
                session.add(row)
            row.day, row.name, row.description_hash = spec.day, spec.name, spec.digest
            row.discord_event_id = op.event_id
            row.state = {"create": CREATING, "adopt": SCHEDULED, "update": UPDATING}[op.action]
        row.updated_at = now
        await session.flush()
        return row.id


async def finish(
    db: Database, row_id: int | None, action: Action, now: dt.datetime, event_id: int | None = None
) -> None:
    """Record that Discord did it: created (with the new event's id), updated, or cancelled."""
    if row_id is None:
        return
    async with db.transaction() as session:
        if action == "cancel":
            await session.execute(delete(GuildEvent).where(col(GuildEvent.id) == row_id))
            return
        values: dict[str, object] = {"state": SCHEDULED, "error": None, "updated_at": now}
        if event_id is not None:
            values["discord_event_id"] = event_id
        await session.execute(update(GuildEvent).where(col(GuildEvent.id) == row_id).values(values))


async def event_gone(db: Database, row_id: int | None, now: dt.datetime) -> None:
    """Discord no longer has the row's event (a member deleted it): created afresh next time."""
    if row_id is None:
        return
    values = {"discord_event_id": None, "state": CREATING, "updated_at": now}
    async with db.transaction() as session:
        await session.execute(update(GuildEvent).where(col(GuildEvent.id) == row_id).values(values))


async def row_failed(db: Database, row_id: int | None, error: str) -> None:
    if row_id is None:
        return
    async with db.transaction() as session:
        await session.execute(
            update(GuildEvent).where(col(GuildEvent.id) == row_id).values(error=error[:500])
        )


async def _row_for(session: AsyncSession, guild_id: int, op: Operation) -> GuildEvent | None:
    if op.row_id is not None:
        return await session.get(GuildEvent, op.row_id)
    query = select(GuildEvent).where(
        col(GuildEvent.guild_id) == guild_id, col(GuildEvent.uid) == op.uid
    )
    return (await session.execute(query)).scalar_one_or_none()


async def _rows(session: AsyncSession, guild_id: int) -> list[GuildEvent]:
    query = (
        select(GuildEvent).where(col(GuildEvent.guild_id) == guild_id).order_by(col(GuildEvent.id))
    )
    return list((await session.execute(query)).scalars())


# ---------------------------------------------------------------- the guild's setting


async def _setting(session: AsyncSession, guild_id: int) -> CalendarEvents | None:
    query = select(CalendarEvents).where(col(CalendarEvents.guild_id) == guild_id)
    return (await session.execute(query)).scalar_one_or_none()


async def get_setting(db: Database, guild_id: int) -> CalendarEvents | None:
    async with db.session() as session:
        return await _setting(session, guild_id)


async def set_enabled(
    db: Database, guild_id: int, enabled: bool, *, by: int | None, now: dt.datetime
) -> CalendarEvents:
    """Turn the guild's events on or off (off: the sync removes the events it made). Due at once,
    whatever a past failure's backoff said."""
    async with db.transaction() as session:
        row = await _setting(session, guild_id)
        if row is None:
            row = CalendarEvents(guild_id=guild_id, updated_at=now)
            session.add(row)
        row.enabled, row.updated_by, row.updated_at = enabled, by, now
        row.retry_at = None
        await session.flush()
        return row


async def guilds_to_sync(db: Database, now: dt.datetime) -> list[int]:
    """Guilds turned on, or with events still to remove; not those waiting out a failure."""
    has_rows = select(col(GuildEvent.guild_id)).distinct()
    query = (
        select(col(CalendarEvents.guild_id))
        .where(
            or_(col(CalendarEvents.enabled), col(CalendarEvents.guild_id).in_(has_rows)),
            or_(col(CalendarEvents.retry_at).is_(None), col(CalendarEvents.retry_at) <= now),
        )
        .order_by(col(CalendarEvents.guild_id))
    )
    async with db.session() as session:
        return list((await session.execute(query)).scalars())


async def next_retry(db: Database, now: dt.datetime) -> dt.datetime | None:
    """The soonest retry a failed guild waits for (after `now`: one already due was tried)."""
    query = select(func.min(col(CalendarEvents.retry_at))).where(col(CalendarEvents.retry_at) > now)
    async with db.session() as session:
        return (await session.execute(query)).scalar()


async def claim(db: Database, guild_id: int, worker: str, now: dt.datetime) -> bool:
    """Take (or renew) the guild's lease; False while another worker holds it."""
    free = or_(
        col(CalendarEvents.lease_until).is_(None),
        col(CalendarEvents.lease_until) < now,
        col(CalendarEvents.lease_owner) == worker,
    )
    statement = (
        update(CalendarEvents)
        .where(col(CalendarEvents.guild_id) == guild_id, free)
        .values(lease_owner=worker, lease_until=now + LEASE)
    )
    async with db.transaction() as session:
        result = await session.execute(statement)
        return bool(getattr(result, "rowcount", 0))


async def release(db: Database, guild_id: int, worker: str) -> None:
    statement = (
        update(CalendarEvents)
        .where(col(CalendarEvents.guild_id) == guild_id, col(CalendarEvents.lease_owner) == worker)
        .values(lease_owner=None, lease_until=None)
    )
    async with db.transaction() as session:
        await session.execute(statement)


async def record(
    db: Database,
    guild_id: int,
    now: dt.datetime,
    *,
    paused_reason: str | None = None,
    error: str | None = None,
    retry_at: dt.datetime | None = None,
    held_back: int | None = None,
) -> None:
    """How the guild's sync went: done (`held_back` given: synced now), paused (and why), or
    failed (`error`, retried at `retry_at`)."""
    values: dict[str, object] = {
        "paused_reason": paused_reason,
        "last_error": None if error is None else error[:500],
        "retry_at": retry_at,
    }
    if held_back is not None:
        values |= {"held_back": held_back, "synced_at": now}
    async with db.transaction() as session:
        await session.execute(
            update(CalendarEvents).where(col(CalendarEvents.guild_id) == guild_id).values(values)
        )


# ---------------------------------------------------------------- what /calendar events show says


@dataclass(frozen=True)
class CalendarStatus:
    enabled: bool
    paused_reason: str | None
    scheduled: int  # events on Discord now
    pending: int  # operations recorded but not yet done
    held_back: int
    synced_at: dt.datetime | None
    last_error: str | None
    retry_at: dt.datetime | None
    next_day: dt.date | None = None
    next_name: str | None = None


async def calendar_status(db: Database, guild_id: int) -> CalendarStatus:
    async with db.session() as session:
        setting = await _setting(session, guild_id)
        rows = await _rows(session, guild_id)
    live = sorted(
        (r for r in rows if r.discord_event_id is not None and r.state != CANCELLING),
        key=lambda r: (r.day, r.uid),
    )
    first = live[0] if live else None
    return CalendarStatus(
        enabled=bool(setting and setting.enabled),
        paused_reason=setting.paused_reason if setting else None,
        scheduled=len(live),
        pending=sum(1 for r in rows if r.state != SCHEDULED),
        held_back=setting.held_back if setting else 0,
        synced_at=setting.synced_at if setting else None,
        last_error=setting.last_error if setting else None,
        retry_at=setting.retry_at if setting else None,
        next_day=first.day if first else None,
        next_name=first.name if first else None,
    )
