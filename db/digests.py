"""Digest schedules per channel, and what a digest says: changes, deadlines, funding, stale records.

Posting is the scheduler's job: it calls `due_digests(db, now)`, then `build_digests(db,
[(s.guild_id, s.last_run_at), …], now=now)` for a group of them (a guild's deadlines, funding and
stale records are read once per group), posts each unless it `is_empty` and the channel did not
ask for empty ones, and then `advance(db, [s.id, …], now)`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.appropriations import FundingStatus, funding_status
from db.engine import Database
from db.models import RECORD_TABLES, DigestSchedule, OversightQuestion, Revision
from db.oversight import count_due, due_questions
from db.schedules import Schedule, next_run, parse_schedule
from db.scope import Scope, visible

DUE_DAYS = 7  # "due soon" in a digest: within a week
CHANGES_KEPT = 50  # the newest changes loaded; the rest are counted
QUESTIONS_KEPT = 25
STALE_NAMED = 3  # the oldest few stale records named per kind


def schedule_of(row: DigestSchedule) -> Schedule:
    return Schedule(row.rule, row.timezone, row.description)


async def set_digest(
    db: Database,
    guild_id: int,
    channel_id: int,
    text: str,
    timezone: str,
    *,
    created_by: int | None,
    now: dt.datetime,
    post_empty: bool = False,
) -> DigestSchedule:
    """Parse `text` (ScheduleError if it can't be used) and set the channel's digest, replacing
    any it had. Nothing before `now` is posted: the first digest covers changes from here on."""
    schedule = parse_schedule(text, timezone)
    upcoming = next_run(schedule, now)
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(DigestSchedule).where(DigestSchedule.channel_id == channel_id)
            )
        ).scalar_one_or_none()
        if row is None:
            row = DigestSchedule(guild_id=guild_id, channel_id=channel_id, rule="", timezone="",
                                 description="", created_at=now, last_run_at=now,
                                 next_run_at=upcoming)  # fmt: skip
            session.add(row)
        row.guild_id = guild_id
        row.rule, row.timezone, row.description = (
            schedule.rule,
            schedule.timezone,
            schedule.description,
        )
        row.post_empty = post_empty
        row.created_by = created_by
        row.created_at = row.last_run_at = now
        row.next_run_at = upcoming
        await session.flush()
    return row


async def get_digest(db: Database, channel_id: int) -> DigestSchedule | None:
    async with db.session() as session:
        query = select(DigestSchedule).where(DigestSchedule.channel_id == channel_id)
        return (await session.execute(query)).scalar_one_or_none()


async def guild_digests(db: Database, guild_id: int) -> list[DigestSchedule]:
    async with db.session() as session:
        query = (
            select(DigestSchedule)
            .where(DigestSchedule.guild_id == guild_id)
            .order_by(DigestSchedule.channel_id)
        )
        return list((await session.execute(query)).scalars())


async def remove_digest(db: Database, channel_id: int) -> bool:
    """Turn the channel's digest off; False when it had none."""
    async with db.transaction() as session:
        result = await session.execute(
            delete(DigestSchedule).where(DigestSchedule.channel_id == channel_id)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def due_digests(db: Database, now: dt.datetime) -> list[DigestSchedule]:
    """Schedules whose next run has come, soonest first."""
    async with db.session() as session:
        query = (
            select(DigestSchedule)
            .where(DigestSchedule.next_run_at <= now)
            .order_by(DigestSchedule.next_run_at, DigestSchedule.id)
        )
        return list((await session.execute(query)).scalars())


async def advance(db: Database, schedule_ids: Sequence[int], now: dt.datetime) -> int:
    """After digests ran at `now`: each next run is the first slot after `now`, so slots missed
    during downtime give one catch-up digest, not one each. Returns how many schedules moved
    (a schedule removed meanwhile is skipped)."""
    if not schedule_ids:
        return 0
    async with db.transaction() as session:
        query = select(DigestSchedule).where(DigestSchedule.id.in_(schedule_ids))  # type: ignore[union-attr]
        rows = list((await session.execute(query)).scalars())
        for row in rows:
            row.last_run_at = now
            row.next_run_at = next_run(schedule_of(row), now)
    return len(rows)


# ---------------------------------------------------------------- what a digest says


@dataclass(frozen=True)
class ChangeLine:
    recorded_at: dt.datetime
    record_kind: str
    record_key: str
    action: str
    fields: tuple[str, ...]
    actor_name: str
    shared: bool  # a change to the shared dataset (not this server's own records)


@dataclass(frozen=True)
class StaleRecord:
    key: str
    as_of: dt.date


@dataclass(frozen=True)
class StaleKind:
    kind: str
    count: int
    oldest: tuple[StaleRecord, ...]


@dataclass
class Digest:
    guild_id: int
    since: dt.datetime
    now: dt.datetime
    today: dt.date
    stale_days: int
    changes: list[ChangeLine] = field(default_factory=list)  # newest first
    change_count: int = 0
    overdue: list[OversightQuestion] = field(default_factory=list)
    due_soon: list[OversightQuestion] = field(default_factory=list)
    overdue_count: int = 0
    due_soon_count: int = 0
    due_days: int = DUE_DAYS
    funding: FundingStatus | None = None
    stale: list[StaleKind] = field(default_factory=list)

    @property
    def stale_count(self) -> int:
        return sum(s.count for s in self.stale)

    @property
    def is_empty(self) -> bool:
        """Nothing changed, nothing due or overdue, nothing stale (funding alone is no news)."""
        return not (self.change_count or self.overdue or self.due_soon or self.stale)


@dataclass(frozen=True)
class GuildPicture:
    """What every digest of one guild says at one moment, whatever its window."""

    overdue: list[OversightQuestion]
    due_soon: list[OversightQuestion]
    overdue_count: int
    due_soon_count: int
    funding: FundingStatus | None
    stale: list[StaleKind]


async def build_digest(
    db: Database,
    guild_id: int,
    *,
    since: dt.datetime,
    now: dt.datetime,
    stale_days: int = 30,
) -> Digest:
    """Everything a digest for `guild_id` covers in (since, now]."""
    return (await build_digests(db, [(guild_id, since)], now=now, stale_days=stale_days))[0]


async def build_digests(
    db: Database,
    windows: Sequence[tuple[int, dt.datetime]],
    *,
    now: dt.datetime,
    stale_days: int = 30,
) -> list[Digest]:
    """A digest for each (guild id, since), in order, in one session; each guild's picture is
    read once however many of its channels are due (500 channels due at 9:00 share ~100)."""
    today = now.astimezone(db.timezone).date()
    pictures: dict[int, GuildPicture] = {}
    digests = []
    async with db.session() as session:
        for guild_id, since in windows:
            if guild_id not in pictures:
                pictures[guild_id] = await _picture(session, guild_id, today, stale_days)
            picture = pictures[guild_id]
            digest = Digest(guild_id, since, now, today, stale_days)
            digest.change_count, digest.changes = await _changes(session, guild_id, since, now)
            digest.overdue, digest.due_soon = picture.overdue, picture.due_soon
            digest.overdue_count, digest.due_soon_count = (
                picture.overdue_count,
                picture.due_soon_count,
            )
            digest.funding, digest.stale = picture.funding, picture.stale
            digests.append(digest)
    return digests


async def _changes(
    session: AsyncSession, guild_id: int, since: dt.datetime, now: dt.datetime
) -> tuple[int, list[ChangeLine]]:
    """How many revisions the guild can see in (since, now], and the newest CHANGES_KEPT."""
    seen = or_(Revision.guild_id.is_(None), Revision.guild_id == guild_id)  # type: ignore[union-attr]
    window = (Revision.recorded_at > since, Revision.recorded_at <= now)
    count = (
        await session.execute(select(func.count()).select_from(Revision).where(seen, *window))
    ).scalar_one()
    if not count:
        return 0, []
    revisions = await session.execute(
        select(Revision)
        .where(seen, *window)
        .order_by(Revision.recorded_at.desc(), Revision.id.desc())  # type: ignore[attr-defined,union-attr]
        .limit(CHANGES_KEPT)
    )
    return count, [_change(r) for r in revisions.scalars()]


async def _picture(
    session: AsyncSession, guild_id: int, today: dt.date, stale_days: int
) -> GuildPicture:
    scope = Scope.guild(guild_id)
    report = await due_questions(session, scope, today=today, days=DUE_DAYS, limit=QUESTIONS_KEPT)
    overdue_count, due_soon_count = await count_due(session, scope, today=today, days=DUE_DAYS)
    funding = await funding_status(session, scope, today=today)
    cutoff = today - dt.timedelta(days=stale_days)
    stale = []
    for kind, table in RECORD_TABLES.items():
        if kind == "link":
            continue
        sub = visible(table, scope).where(table.as_of < cutoff).subquery()  # type: ignore[attr-defined]
        count = (await session.execute(select(func.count()).select_from(sub))).scalar_one()
        if not count:
            continue
        oldest = await session.execute(
            select(sub.c.key, sub.c.as_of).order_by(sub.c.as_of, sub.c.key).limit(STALE_NAMED)
        )
        named = tuple(StaleRecord(k, a) for k, a in oldest.all())
        stale.append(StaleKind(kind, count, named))
    return GuildPicture(
        report.overdue, report.due_soon, overdue_count, due_soon_count, funding, stale
    )


def _change(revision: Revision) -> ChangeLine:
    changes: dict[str, Any] = revision.changes or {}
    return ChangeLine(
        recorded_at=revision.recorded_at,
        record_kind=revision.record_kind,
        record_key=revision.record_key,
        action=revision.action,
        fields=tuple(sorted(changes)),
        actor_name=revision.actor_name,
        shared=revision.guild_id is None,
    )
