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
from sqlmodel import col

from db.appropriations import FundingStatus, funding_status
from db.engine import Database
from db.links import label_of
from db.models import RECORD_TABLES, DigestSchedule, OversightQuestion, Revision
from db.oversight import count_due, due_questions
from db.schedules import Schedule, next_run, parse_schedule
from db.scope import Scope, visible
from db.seed import SEED_ACTOR

DUE_DAYS = 7  # "due soon" in a digest: within a week
CHANGES_KEPT = 50  # the newest changes loaded; the rest are counted
CHANGES_COUNTED = 1000  # counted up to here, then "1,000+"
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
    chart: bool = False,
) -> DigestSchedule:
    """Parse `text` (ScheduleError if it can't be used) and set the channel's digest, replacing
    any it had; `chart`: each digest attaches the funding chart. Nothing before `now` is
    posted: the first digest covers changes from here on."""
    schedule = parse_schedule(text, timezone)
    upcoming = next_run(schedule, now)
    async with db.transaction() as session:
        row = (
            await session.execute(
                select(DigestSchedule).where(col(DigestSchedule.channel_id) == channel_id)
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
        row.chart = chart
        row.created_by = created_by
        row.created_at = row.last_run_at = now
        row.next_run_at = upcoming
        await session.flush()
    return row


async def get_digest(db: Database, channel_id: int) -> DigestSchedule | None:
    async with db.session() as session:
        query = select(DigestSchedule).where(col(DigestSchedule.channel_id) == channel_id)
        return (await session.execute(query)).scalar_one_or_none()


async def guild_digests(db: Database, guild_id: int) -> list[DigestSchedule]:
    async with db.session() as session:
        query = (
            select(DigestSchedule)
            .where(col(DigestSchedule.guild_id) == guild_id)
            .order_by(col(DigestSchedule.channel_id))
        )
        return list((await session.execute(query)).scalars())


async def remove_digest(db: Database, channel_id: int) -> bool:
    """Turn the channel's digest off; False when it had none."""
    async with db.transaction() as session:
        result = await session.execute(
            delete(DigestSchedule).where(col(DigestSchedule.channel_id) == channel_id)
        )
    return bool(result.rowcount)  # type: ignore[attr-defined]  # a DML statement returns a CursorResult


async def due_digests(db: Database, now: dt.datetime) -> list[DigestSchedule]:
    """Schedules whose next run has come, soonest first."""
    async with db.session() as session:
        query = (
            select(DigestSchedule)
            .where(col(DigestSchedule.next_run_at) <= now)
            .order_by(col(DigestSchedule.next_run_at), col(DigestSchedule.id))
        )
        return list((await session.execute(query)).scalars())


async def advance(db: Database, schedule_ids: Sequence[int], now: dt.datetime) -> int:
    """After digests ran at `now`: each next run is the first slot after `now`, so slots missed
    during downtime give one catch-up digest, not one each. Returns how many schedules moved
    (a schedule removed meanwhile is skipped)."""
    if not schedule_ids:
        return 0
    async with db.transaction() as session:
        query = select(DigestSchedule).where(col(DigestSchedule.id).in_(schedule_ids))
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
    actor_id: int | None = None  # a Discord user (shown as a mention), None for tools
    changes: dict[str, Any] = field(default_factory=dict)  # field → [old, new]
    label: str | None = None  # the record as people know it now; None when it is gone


@dataclass(frozen=True)
class StaleRecord:
    key: str
    as_of: dt.date
    label: str | None = None


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
    more_changes: bool = False  # there are more than change_count (counting stopped there)
    overdue: list[OversightQuestion] = field(default_factory=list)
    due_soon: list[OversightQuestion] = field(default_factory=list)
    overdue_count: int = 0
    due_soon_count: int = 0
    due_days: int = DUE_DAYS
    uncertain: list[OversightQuestion] = field(default_factory=list)  # past due, basis disputed
    uncertain_count: int = 0
    funding: FundingStatus | None = None
    stale: list[StaleKind] = field(default_factory=list)

    @property
    def stale_count(self) -> int:
        return sum(s.count for s in self.stale)

    @property
    def is_empty(self) -> bool:
        """Nothing changed, nothing due or overdue, nothing stale (funding alone is no news)."""
        return not (
            self.change_count or self.overdue or self.due_soon or self.uncertain or self.stale
        )


@dataclass(frozen=True)
class GuildPicture:
    """What every digest of one guild says at one moment, whatever its window."""

    overdue: list[OversightQuestion]
    due_soon: list[OversightQuestion]
    overdue_count: int
    due_soon_count: int
    funding: FundingStatus | None
    stale: list[StaleKind]
    uncertain: list[OversightQuestion]
    uncertain_count: int


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
    """A digest for each (guild id, since), in order, in one session. Each guild's picture is
    read once however many of its channels are due, and for the kinds a guild has no records of
    it is the shared dataset's picture, read once for all such guilds."""
    today = now.astimezone(db.timezone).date()
    earliest: dict[int, dt.datetime] = {}
    for guild_id, since in windows:
        earliest[guild_id] = min(since, earliest.get(guild_id, since))
    digests = []
    async with db.session() as session:
        pictures = Pictures(session, today, stale_days)
        await pictures.learn_own_kinds(set(earliest))
        newest: dict[int, list[ChangeLine]] = {}
        for guild_id, since in windows:
            picture = await pictures.of(guild_id)
            if guild_id not in newest:
                newest[guild_id] = await _newest(session, guild_id, earliest[guild_id], now)
            digest = Digest(guild_id, since, now, today, stale_days)
            # A later `since` is a shorter window: its newest changes are the newest of the
            # guild's longest window that are after it (one query per guild, not per channel).
            digest.changes = [c for c in newest[guild_id] if c.recorded_at > since]
            digest.change_count = len(digest.changes)
            if digest.change_count == CHANGES_KEPT:  # perhaps more: count them
                digest.change_count, digest.more_changes = await _count_changes(
                    session, guild_id, since, now
                )
            digest.overdue, digest.due_soon = picture.overdue, picture.due_soon
            digest.overdue_count, digest.due_soon_count = (
                picture.overdue_count,
                picture.due_soon_count,
            )
            digest.funding, digest.stale = picture.funding, picture.stale
            digest.uncertain, digest.uncertain_count = picture.uncertain, picture.uncertain_count
            digests.append(digest)
    return digests


def _window(guild_id: int, since: dt.datetime, now: dt.datetime) -> tuple[Any, ...]:
    """The guild's revisions in (since, now], leaving out the starter load: `db seed` is how
    the bot starts, not news."""
    seen = or_(col(Revision.guild_id).is_(None), col(Revision.guild_id) == guild_id)
    seeded = (col(Revision.actor_name) == SEED_ACTOR.name) & col(Revision.actor_id).is_(None)
    return seen, ~seeded, col(Revision.recorded_at) > since, col(Revision.recorded_at) <= now


async def _newest(
    session: AsyncSession, guild_id: int, since: dt.datetime, now: dt.datetime
) -> list[ChangeLine]:
    """The newest CHANGES_KEPT revisions the guild can see in (since, now], each with its
    record's label as the guild sees it (one query per record kind)."""
    newest = await session.execute(
        select(Revision)
        .where(*_window(guild_id, since, now))
        .order_by(col(Revision.recorded_at).desc(), col(Revision.id).desc())
        .limit(CHANGES_KEPT)
    )
    revisions = list(newest.scalars())
    keys: dict[str, set[str]] = {}
    for revision in revisions:
        if revision.record_kind in RECORD_TABLES:
            keys.setdefault(revision.record_kind, set()).add(revision.record_key)
    labels: dict[tuple[str, str], str] = {}
    for kind, kind_keys in keys.items():
        table: Any = RECORD_TABLES[kind]
        query = visible(table, Scope(guild_id)).where(table.key.in_(kind_keys))
        rows = await session.execute(query)
        labels.update(((kind, r.key), label_of(kind, r)) for r in rows.scalars())
    return [_change(r, labels.get((r.record_kind, r.record_key))) for r in revisions]


async def _count_changes(
    session: AsyncSession, guild_id: int, since: dt.datetime, now: dt.datetime
) -> tuple[int, bool]:
    """How many revisions the guild can see in (since, now], and whether counting stopped at
    CHANGES_COUNTED (after a 10,000-row import, counting them all for each of 500 digests took
    12 s; "1,000+" says as much)."""
    some = select(col(Revision.id)).where(*_window(guild_id, since, now)).limit(CHANGES_COUNTED + 1)
    count = (await session.execute(select(func.count()).select_from(some.subquery()))).scalar_one()
    return min(count, CHANGES_COUNTED), count > CHANGES_COUNTED


FUNDING_KINDS = frozenset({"measure", "action", "funding_line", "funding_period"})
STALE_KINDS = tuple(kind for kind in RECORD_TABLES if kind != "link")


class Pictures:
    """Guild pictures for one moment, built from parts: a part that depends only on kinds the
    guild has no records of is the shared dataset's part (a guild's view of those kinds is the
    shared view), read once. 100 offices with only their own questions: 100 deadline reads, one
    funding read, one stale read per other kind."""

    def __init__(self, session: AsyncSession, today: dt.date, stale_days: int) -> None:
        self.session = session
        self.today = today
        self.cutoff = today - dt.timedelta(days=stale_days)
        self.own: dict[int, set[str]] = {}
        self.parts: dict[tuple[str, int | None], Any] = {}
        self.pictures: dict[int, GuildPicture] = {}

    async def learn_own_kinds(self, guild_ids: set[int]) -> None:
        """Which kinds each guild has records of: one query per kind for all the guilds."""
        for guild_id in guild_ids:
            self.own.setdefault(guild_id, set())
        for kind in STALE_KINDS:
            table: Any = RECORD_TABLES[kind]
            query = select(table.guild_id).where(table.guild_id.in_(guild_ids)).distinct()
            for guild_id in (await self.session.execute(query)).scalars():
                self.own[guild_id].add(kind)

    async def of(self, guild_id: int) -> GuildPicture:
        if guild_id not in self.pictures:
            own = self.own.get(guild_id, set(STALE_KINDS))  # unknown guild: assume it has all
            deadlines = await self._part("deadlines", guild_id if "question" in own else None)
            funding = await self._part("funding", guild_id if own & FUNDING_KINDS else None)
            stale = [
                found
                for kind in STALE_KINDS
                if (found := await self._part(kind, guild_id if kind in own else None))
            ]
            overdue, due_soon, overdue_count, due_soon_count, uncertain, uncertain_n = deadlines
            self.pictures[guild_id] = GuildPicture(
                overdue,
                due_soon,
                overdue_count,
                due_soon_count,
                funding,
                stale,
                uncertain,
                uncertain_n,
            )
        return self.pictures[guild_id]

    async def _part(self, name: str, guild_id: int | None) -> Any:
        if (name, guild_id) not in self.parts:
            scope = Scope(guild_id)
            if name == "deadlines":
                value: Any = await self._deadlines(scope)
            elif name == "funding":
                value = await funding_status(self.session, scope, today=self.today)
            else:
                value = await self._stale(name, scope)
            self.parts[(name, guild_id)] = value
        return self.parts[(name, guild_id)]

    async def _deadlines(self, scope: Scope) -> tuple[Any, ...]:
        session, today = self.session, self.today
        report = await due_questions(
            session, scope, today=today, days=DUE_DAYS, limit=QUESTIONS_KEPT
        )
        counts = await count_due(session, scope, today=today, days=DUE_DAYS)
        return report.overdue, report.due_soon, *counts, report.uncertain, report.uncertain_count

    async def _stale(self, kind: str, scope: Scope) -> StaleKind | None:
        """The oldest few and (on each row) how many in all: one query."""
        table: Any = RECORD_TABLES[kind]
        query = (
            visible(table, scope)
            .where(table.as_of < self.cutoff)
            .add_columns(func.count().over())
            .order_by(table.as_of, table.key)
            .limit(STALE_NAMED)
        )
        oldest = (await self.session.execute(query)).all()
        if not oldest:
            return None
        named = tuple(StaleRecord(r.key, r.as_of, label_of(kind, r)) for r, _ in oldest)
        return StaleKind(kind, oldest[0][1], named)


def _change(revision: Revision, label: str | None) -> ChangeLine:
    changes: dict[str, Any] = revision.changes or {}
    return ChangeLine(
        recorded_at=revision.recorded_at,
        record_kind=revision.record_kind,
        record_key=revision.record_key,
        action=revision.action,
        fields=tuple(sorted(changes)),
        actor_name=revision.actor_name,
        shared=revision.guild_id is None,
        actor_id=revision.actor_id,
        changes=changes,
        label=label,
    )
