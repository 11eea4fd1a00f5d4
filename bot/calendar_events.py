"""Deadlines as each guild's Discord scheduled events: the service that applies
db.calendar_events' plan through discord.py (a bot.service.BackgroundService).

Each round takes every guild that is on (or has events left to remove after /calendar events
off) and the bot is in. Per guild: take its lease; check the bot's Manage Events (missing: the
guild is paused with the reason, and tried again when a role changes); list the guild's events
(one request); plan; apply the operations in order, each between its recorded intent and its
recorded outcome (db.calendar_events says why that is exactly once). A Discord error ends the
guild's round; it is tried again after RETRY. Each event is external, at the deadline's place,
9:00 to 17:00 on its day in the office's time zone.

Woken after every write (Database.on_write, as the dispatcher is), when a role changes, and by
/calendar events on|off; every POLL_SECONDS otherwise, for the days that come into the window.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

import discord

from bot.dispatch import default_worker
from bot.service import BackgroundService
from db.calendar_events import (
    LACKS_MANAGE_EVENTS,
    Operation,
    RemoteEvent,
    begin,
    claim,
    event_gone,
    finish,
    get_setting,
    guilds_to_sync,
    next_retry,
    plan,
    record,
    release,
    row_failed,
)

log = logging.getLogger(__name__)

CALENDAR_EVENTS = "calendar-events"  # the name /about and /calendar look the service up by
POLL_SECONDS = 900.0
RETRY = dt.timedelta(seconds=60)
START, END = dt.time(9), dt.time(17)  # an all-day deadline shown as the working day
LEAD = dt.timedelta(minutes=5)  # an event starting today starts at least this far ahead
REASON = "Oversight Desk: deadlines in the next 60 days"


def first_day(now: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The first day an event can still be made for: today, until its working day is over."""
    local = now.astimezone(zone)
    closing = dt.datetime.combine(local.date(), END, zone) - LEAD
    return local.date() if local < closing else local.date() + dt.timedelta(days=1)


def event_times(day: dt.date, zone: dt.tzinfo, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """9:00 to 17:00 local; today's starts a little ahead of now once 9:00 has passed (Discord
    refuses a start in the past)."""
    start = dt.datetime.combine(day, START, zone)
    end = dt.datetime.combine(day, END, zone)
    earliest = (now + LEAD).replace(second=0, microsecond=0)
    start = max(start, earliest)
    return start, max(end, start + dt.timedelta(hours=1))


class CalendarEventsService(BackgroundService):
    name = CALENDAR_EVENTS

    def __init__(
        self,
        bot: Any,
        worker: str | None = None,
        *,
        poll_seconds: float = POLL_SECONDS,
        retry: dt.timedelta = RETRY,
    ) -> None:
        super().__init__(bot)
        self.worker = worker or default_worker()
        self.poll_seconds = poll_seconds
        self.retry = retry
        self.next_run: dt.datetime | None = None  # for /about
        self._full_due = 0.0  # loop time of the next round that lists every guild's events
        self._syncing: set[int] = set()  # guilds this process syncs now (the lease is per worker)

    @property
    def db(self) -> Any:
        return self.bot.database

    @property
    def zone(self) -> dt.tzinfo:
        return self.bot.settings.bot.tz

    # ------------------------------------------------------------ Service

    async def start(self) -> None:
        if not self._listening:  # the bot cannot drop a listener: add once
            self.bot.add_listener(self._on_role_update, "on_guild_role_update")
        self.wake_on_writes(self.db)
        await super().start()

    async def _on_role_update(self, before: discord.Role, after: discord.Role) -> None:
        """A role changed: perhaps the bot's Manage Events came back (or went)."""
        if self.running:
            self.wake()

    async def next_wait(self) -> float:
        now = self.db.clock.now()
        wait = self.poll_seconds
        retry_at = await next_retry(self.db, now)
        if retry_at is not None:
            wait = min(wait, max((retry_at - now).total_seconds(), 0.05))
        self.next_run = now + dt.timedelta(seconds=wait)
        return wait

    async def run_once(self) -> int:
        """Sync every guild that needs it; how many synced completely. A round woken by a write
        lists only the guilds whose records changed something; every poll_seconds, all."""
        loop_time = asyncio.get_running_loop().time()
        full = loop_time >= self._full_due
        if full:
            self._full_due = loop_time + self.poll_seconds
        synced = 0
        for guild_id in await guilds_to_sync(self.db, self.db.clock.now()):
            synced += await self.sync_guild(guild_id, full=full) == "synced"
        return synced

    # ------------------------------------------------------------ one guild

    async def sync_guild(self, guild_id: int, *, full: bool = True) -> str:
        """'synced', 'unchanged' (not `full`, and nothing to do as far as the records tell),
        'paused' (no Manage Events), 'failed' (retried later), 'busy' (another worker holds it)
        or 'absent' (not in this process's cache: the bot left, the guild is unavailable, or
        another process runs its shard; nothing is recorded, so that process syncs it)."""
        guild = self.bot.get_guild(guild_id)
        if guild is None or guild.unavailable:
            return "absent"
        if guild_id in self._syncing:
            return "busy"
        db = self.db
        now = db.clock.now()
        self._syncing.add(guild_id)
        try:
            if not await claim(db, guild_id, self.worker, now):
                return "busy"
            return await self._sync(guild, full=full)
        finally:
            self._syncing.discard(guild_id)

    async def _sync(self, guild: discord.Guild, *, full: bool) -> str:
        """sync_guild with the guild's lease held."""
        db = self.db
        guild_id = guild.id
        now = db.clock.now()
        try:
            if not guild.me.guild_permissions.manage_events:
                await record(db, guild_id, now, paused_reason=LACKS_MANAGE_EVENTS)
                return "paused"
            today = first_day(now, self.zone)
            if not full and await self._settled(guild_id, today):
                return "unchanged"
            events = {e.id: e for e in await guild.fetch_scheduled_events(with_counts=False)}
            me = self.bot.user.id
            remote = [RemoteEvent(e.id, e.description, e.creator_id == me) for e in events.values()]
            todo = await plan(db, guild_id, today=today, remote=remote)
            for op in todo.operations:
                if not await claim(db, guild_id, self.worker, db.clock.now()):
                    return "busy"  # the lease went to another worker: it carries on
                await self._apply(guild, op, events.get(op.event_id or 0))
            await record(db, guild_id, db.clock.now(), held_back=todo.held_back)
            return "synced"
        except discord.Forbidden:  # the permission went while we worked
            await record(db, guild_id, db.clock.now(), paused_reason=LACKS_MANAGE_EVENTS)
            return "paused"
        except Exception as error:  # Discord's error, a dropped connection, or a bug
            text = _reason(error)
            report = log.warning if isinstance(error, discord.HTTPException) else log.exception
            report("Calendar events in guild %s: %s; retrying later", guild_id, text)
            retry_at = db.clock.now() + self.retry
            await record(db, guild_id, db.clock.now(), error=text, retry_at=retry_at)
            return "failed"
        finally:
            await release(db, guild_id, self.worker)

    async def _settled(self, guild_id: int, today: dt.date) -> bool:
        """Nothing to do as far as the database tells (Discord holding what the rows say), and
        nothing left over from the last sync (a pause, an error, deadlines waiting for room)."""
        setting = await get_setting(self.db, guild_id)
        if setting is None or setting.paused_reason or setting.last_error or setting.held_back:
            return False
        quick = await plan(self.db, guild_id, today=today, remote=None)
        return not quick.operations and not quick.held_back

    async def _apply(
        self, guild: discord.Guild, op: Operation, event: discord.ScheduledEvent | None
    ) -> None:
        """One operation: its intent recorded, Discord called, the outcome recorded."""
        db = self.db
        row_id = await begin(db, guild.id, op, db.clock.now())
        if op.action in ("adopt", "forget"):
            return  # nothing to ask Discord
        try:
            if op.action == "create":
                created = await self._create(guild, op)
                await finish(db, row_id, "create", db.clock.now(), created.id)
                return
            if event is not None:  # planned from the listing, so it is there
                if op.action == "cancel":
                    await event.delete(reason=REASON)
                else:
                    await self._update(event, op)
                await finish(db, row_id, op.action, db.clock.now())
                return
        except discord.NotFound:
            if op.action == "create":
                raise
        except Exception as error:
            await row_failed(db, row_id, _reason(error))
            raise
        # The event is gone (a member deleted it): a cancel is done; the rest is made afresh.
        if op.action == "cancel":
            await finish(db, row_id, "cancel", db.clock.now())
        else:
            await event_gone(db, row_id, db.clock.now())
            self.wake()

    async def _create(self, guild: discord.Guild, op: Operation) -> discord.ScheduledEvent:
        spec = op.spec
        assert spec is not None
        start, end = event_times(spec.day, self.zone, self.db.clock.now())
        return await guild.create_scheduled_event(
            name=spec.name,
            description=spec.description,
            start_time=start,
            end_time=end,
            entity_type=discord.EntityType.external,
            privacy_level=discord.PrivacyLevel.guild_only,
            location=spec.location,
            reason=REASON,
        )

    async def _update(self, event: discord.ScheduledEvent, op: Operation) -> None:
        spec = op.spec
        assert spec is not None
        if not op.moved:  # same day: leave the times (today's may already have started)
            await event.edit(
                name=spec.name,
                description=spec.description,
                entity_type=discord.EntityType.external,
                location=spec.location,
                reason=REASON,
            )
            return
        start, end = event_times(spec.day, self.zone, self.db.clock.now())
        await event.edit(
            name=spec.name,
            description=spec.description,
            start_time=start,
            end_time=end,
            entity_type=discord.EntityType.external,
            location=spec.location,
            reason=REASON,
        )


def _reason(error: BaseException) -> str:
    if isinstance(error, discord.HTTPException):
        return f"Discord answered {error.status} (code {error.code}): {error.text}"[:500]
    return f"{type(error).__name__}: {error}"[:500]


def calendar_service(bot: Any) -> CalendarEventsService | None:
    """The bot's running calendar service (None in a bot without background services)."""
    found = next((s for s in bot.services if isinstance(s, CalendarEventsService)), None)
    return found if found is not None and found.running else None
