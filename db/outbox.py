"""The outbox: change events → deliveries (fan-out) → batches a dispatcher posts, one channel at a
time, in order, exactly once as seen in the channel. The design is in db.tracking's docstring.

Every function takes the time as `now` (from the Database's clock) so tests never wait.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.engine import Database
from db.links import label_of
from db.models import (
    RECORD_TABLES,
    ChangeEvent,
    Delivery,
    Meta,
    Revision,
    Subscription,
    table_of,
)
from db.tracking import UNSENT, dialect_insert, leave_active, matches, skip_unsent, transaction

WATERMARK = "fanout_watermark"
FAN_OUT_CHUNK = 500  # events per fan-out transaction
MAX_ATTEMPTS = 10  # with the backoff below: given up ~15 minutes after the first failure
MAX_BACKOFF = 300  # seconds
CANDIDATES = 20  # channels looked at per claim
# How long a claim lasts unless renewed (renew_claims, the dispatcher's heartbeat): short, so a
# dead worker's batches are taken over within seconds; a re-post keeps its nonce, so a live but
# stalled worker losing its claim costs a request, not a duplicate (within Discord's nonce window).
LEASE = dt.timedelta(seconds=10)


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


# ---------------------------------------------------------------- fan-out


async def _watermark(session: AsyncSession) -> Meta:
    meta = await session.get(Meta, WATERMARK, with_for_update=True)
    if meta is None:
        meta = Meta(name=WATERMARK, value="0")
        session.add(meta)
    return meta


async def _fan_out_chunk(db: Database, now: dt.datetime) -> tuple[int, bool]:
    async with transaction(db) as session:
        if _is_postgres(session):
            # Waits for transactions still inserting events (ids are handed out before commit)
            # and keeps other fan-outs out until this one commits. See db.tracking.
            await session.execute(text("LOCK TABLE change_event IN SHARE ROW EXCLUSIVE MODE"))
        watermark = await _watermark(session)
        query = (
            select(ChangeEvent)
            .where(col(ChangeEvent.id) > int(watermark.value))
            .order_by(col(ChangeEvent.id))
            .limit(FAN_OUT_CHUNK)
        )
        events = list((await session.execute(query)).scalars())
        if not events:
            return 0, False
        subscriptions = list(
            (
                await session.execute(
                    select(Subscription)
                    .where(col(Subscription.state) == "active")
                    .where(col(Subscription.after_event_id) < events[-1].id)
                    .order_by(col(Subscription.id))
                )
            ).scalars()
        )
        revisions = await _revisions(session, events, subscriptions)
        replaced = await _replaced_in(session, events)
        rows = []
        for event in events:
            channels: set[int] = set()
            for subscription in subscriptions:
                revision = revisions.get(event.revision_id or 0)
                if subscription.channel_id in channels or not matches(
                    event, subscription, revision
                ):
                    continue
                if event.guild_id is None and (
                    (event.record_kind, event.record_key, subscription.guild_id) in replaced
                ):
                    continue  # the guild has its own copy: the shared one is not its news
                channels.add(subscription.channel_id)
                rows.append(
                    {
                        "event_id": event.id,
                        "subscription_id": subscription.id,
                        "guild_id": subscription.guild_id,
                        "channel_id": subscription.channel_id,
                        "status": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                )
        created = await _insert_deliveries(session, rows)
        watermark.value = str(events[-1].id)
        return created, len(events) == FAN_OUT_CHUNK


async def _replaced_in(
    session: AsyncSession, events: list[ChangeEvent]
) -> set[tuple[str, str, int]]:
    """(kind, key, guild id) for each guild with its own copy of a shared record these events
    are about: that guild sees its copy instead (db.scope.visible), so it gets no posts about
    the shared one. One query per record kind, however many events and guilds."""
    keys: dict[str, set[str]] = {}
    for event in events:
        if event.guild_id is None and event.record_kind in RECORD_TABLES:
            keys.setdefault(event.record_kind, set()).add(event.record_key)
    replaced: set[tuple[str, str, int]] = set()
    for kind, kind_keys in keys.items():
        table: Any = RECORD_TABLES[kind]
        query = select(table.key, table.guild_id).where(
            table.key.in_(kind_keys), table.guild_id.is_not(None)
        )
        replaced.update((kind, key, guild_id) for key, guild_id in await session.execute(query))
    return replaced


async def _revisions(
    session: AsyncSession, events: list[ChangeEvent], subscriptions: list[Subscription]
) -> dict[int, Revision]:
    """The events' revisions, read only when a subscription filters on status changes."""
    if not any(s.only == "status" for s in subscriptions):
        return {}
    ids = {e.revision_id for e in events if e.revision_id is not None}
    query = select(Revision).where(col(Revision.id).in_(ids))
    return {r.id: r for r in (await session.execute(query)).scalars()}  # type: ignore[misc]  # loaded rows: the id is set


async def _insert_deliveries(session: AsyncSession, rows: list[dict[str, Any]]) -> int:
    """Insert the rows (one executemany: a 500-row VALUES statement was compiled afresh each
    time), skipping any a concurrent fan-out wrote first; returns how many were new."""
    if not rows:
        return 0
    table = table_of(Delivery)
    statement = (
        dialect_insert(session, table)
        .on_conflict_do_nothing(index_elements=["event_id", "channel_id"])
        .returning(table.c.id)
    )
    return len((await session.execute(statement, rows)).all())


async def fan_out(db: Database, *, now: dt.datetime) -> int:
    """Turn every event past the watermark into deliveries for the active subscriptions it
    matches; returns how many deliveries were created. Safe to run again and concurrently."""
    created, more = 0, True
    while more:
        count, more = await _fan_out_chunk(db, now)
        created += count
    return created


# ---------------------------------------------------------------- claiming batches


@dataclass(frozen=True, slots=True)
class Batch:
    """Deliveries for one channel, posted as one message with one nonce."""

    channel_id: int
    guild_id: int
    batch_id: int
    nonce: str
    worker: str
    claimed_at: dt.datetime
    attempts: int  # including this one
    deliveries: tuple[Delivery, ...]
    events: tuple[ChangeEvent, ...]  # deliveries[i] is events[i]

    @property
    def delivery_ids(self) -> list[int]:
        return [d.id for d in self.deliveries]  # type: ignore[misc]  # loaded rows: the id is set

    @property
    def subscription_ids(self) -> set[int]:
        return {d.subscription_id for d in self.deliveries if d.subscription_id is not None}


def _due(now: dt.datetime, expired_before: dt.datetime, row: Any = Delivery) -> Any:
    """Deliveries a worker may take: pending and due, or sending on an expired lease. (`row`:
    Delivery, or a subquery with its columns.)"""
    return ((row.status == "pending") & (row.next_attempt_at <= now)) | (
        (row.status == "sending") & (row.claimed_at < expired_before)
    )


def _live(expired_before: dt.datetime) -> Any:
    return (col(Delivery.status) == "sending") & (col(Delivery.claimed_at) >= expired_before)


def _heads(*where: Any) -> Any:
    """Each channel's oldest unsent delivery (among rows matching `where`) as a subquery with the
    columns _due needs: one pass and a sort, with no join for the planner to get wrong (a GROUP
    BY min(id) joined back became a quadratic nested loop on PostgreSQL under the stale
    statistics a burst of deliveries leaves: 119 ms for 1,000 rows)."""
    place = func.row_number().over(partition_by=col(Delivery.channel_id), order_by=col(Delivery.id))
    columns = (col(Delivery.id), col(Delivery.channel_id), col(Delivery.status))
    rows = select(
        *columns, col(Delivery.next_attempt_at), col(Delivery.claimed_at), place.label("place")
    )
    return rows.where(col(Delivery.status).in_(UNSENT), *where).subquery()


async def _candidate_channels(
    session: AsyncSession, now: dt.datetime, expired_before: dt.datetime, limit: int
) -> list[int]:
    """Channels whose oldest unsent delivery is due, the longest-waiting first. (A channel whose
    oldest delivery waits for a retry, or is in a live batch, waits as a whole: order.)"""
    heads = _heads()
    query = (
        select(heads.c.channel_id)
        .where(heads.c.place == 1, _due(now, expired_before, heads.c))
        .order_by(heads.c.id)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())


async def _locked(session: AsyncSession, channel_ids: list[int]) -> list[int]:
    """On PostgreSQL, the channels this transaction could lock (one claimer per channel at a time,
    held until commit: the live-batch check then sees every committed claim of a channel), in
    one statement, in the order given."""
    if not _is_postgres(session) or not channel_ids:
        return channel_ids
    lock = text(
        "SELECT c FROM unnest(CAST(:keys AS bigint[])) WITH ORDINALITY AS t(c, n)"
        " WHERE pg_try_advisory_xact_lock(c) ORDER BY n"
    )
    return list((await session.execute(lock, {"keys": channel_ids})).scalars())


async def _claimable(
    session: AsyncSession,
    channel_ids: list[int],
    now: dt.datetime,
    expired_before: dt.datetime,
    max_batch: int,
) -> dict[int, list[Delivery]]:
    """Each channel's next batch (in the order given), leaving out channels whose oldest unsent
    delivery is not due yet (posts keep their order) or where another worker holds a live batch.
    A handful of queries, however many channels."""
    live_query = select(col(Delivery.channel_id)).where(
        col(Delivery.channel_id).in_(channel_ids),
        _live(expired_before),
    )
    live = set((await session.execute(live_query)).scalars())
    open_channels = [c for c in channel_ids if c not in live]
    if not open_channels:
        return {}
    heads_of = _heads(col(Delivery.channel_id).in_(open_channels))
    first_ids = list(
        (await session.execute(select(heads_of.c.id).where(heads_of.c.place == 1))).scalars()
    )
    head_rows = await session.execute(select(Delivery).where(col(Delivery.id).in_(first_ids)))
    heads = {
        h.channel_id: h
        for h in head_rows.scalars()
        if (h.status == "pending" and h.next_attempt_at <= now)
        or (h.status == "sending" and h.claimed_at < expired_before)  # type: ignore[operator]  # a sending delivery always has claimed_at
    }
    retried = {h.batch_id: h for h in heads.values() if h.batch_id is not None}
    fresh = [c for c, h in heads.items() if h.batch_id is None]
    rows: dict[int, list[Delivery]] = {}
    if retried:
        # A retry or a crashed worker's batch: the same deliveries, taken whole, waiting for a
        # late mark_sent if need be.
        query = (
            select(Delivery).where(col(Delivery.batch_id).in_(retried)).order_by(col(Delivery.id))
        )
        for row in (await session.execute(query.with_for_update())).scalars():
            if row.batch_id is not None and row.status == retried[row.batch_id].status:
                rows.setdefault(row.channel_id, []).append(row)
    if fresh:
        # A new batch: the channel's first `max_batch` due deliveries, skipping rows another
        # transaction holds (only a pause, which skips them anyway).
        ranked = (
            select(
                col(Delivery.id),
                func.row_number()
                .over(partition_by=col(Delivery.channel_id), order_by=col(Delivery.id))
                .label("place"),
            )
            .where(
                col(Delivery.channel_id).in_(fresh),
                col(Delivery.status) == "pending",
                col(Delivery.batch_id).is_(None),
                col(Delivery.next_attempt_at) <= now,
            )
            .subquery()
        )
        wanted = select(ranked.c.id).where(ranked.c.place <= max_batch)
        query = select(Delivery).where(col(Delivery.id).in_(wanted)).order_by(col(Delivery.id))
        for row in (await session.execute(query.with_for_update(skip_locked=True))).scalars():
            rows.setdefault(row.channel_id, []).append(row)
    return {c: rows[c] for c in channel_ids if c in rows and c in heads}


async def _claim(
    session: AsyncSession, groups: list[list[Delivery]], worker: str, now: dt.datetime
) -> list[Batch]:
    for rows in groups:
        batch_id = rows[0].batch_id or rows[0].id
        nonce = rows[0].nonce or f"od{batch_id}"
        for row in rows:
            row.status, row.claimed_by, row.claimed_at = "sending", worker, now
            row.batch_id, row.nonce, row.attempts = batch_id, nonce, row.attempts + 1
    await session.flush()
    event_ids = [r.event_id for rows in groups for r in rows]
    query = select(ChangeEvent).where(col(ChangeEvent.id).in_(event_ids))
    events = {e.id: e for e in (await session.execute(query)).scalars()}
    return [
        Batch(
            channel_id=rows[0].channel_id,
            guild_id=rows[0].guild_id,
            batch_id=rows[0].batch_id,  # type: ignore[arg-type]  # claimed rows carry a batch id and a nonce
            nonce=rows[0].nonce,  # type: ignore[arg-type]  # claimed rows carry a batch id and a nonce
            worker=worker,
            claimed_at=now,
            attempts=max(r.attempts for r in rows),
            deliveries=tuple(rows),
            events=tuple(events[r.event_id] for r in rows),
        )
        for rows in groups
    ]


async def claim_batches(
    db: Database,
    *,
    worker: str,
    now: dt.datetime,
    max_batch: int = 25,
    lease: dt.timedelta = LEASE,
    channels: int = 1,
) -> list[Batch]:
    """Claim the next batch of up to `channels` channels for `worker` (its process name), in one
    transaction; empty when nothing is due. Post each and call mark_sent/mark_retry/
    mark_channel_gone within `lease`."""
    expired_before = now - lease
    async with transaction(db) as session:
        candidates = await _candidate_channels(
            session, now, expired_before, max(CANDIDATES, 2 * channels)
        )
        claimable = await _claimable(
            session, await _locked(session, candidates), now, expired_before, max_batch
        )
        groups: list[list[Delivery]] = []
        for rows in claimable.values():
            if rows[0].status == "sending" and rows[0].attempts >= MAX_ATTEMPTS:
                await _give_up(session, rows, "the worker posting it stopped every time")
            elif len(groups) < channels:
                groups.append(rows)
        return await _claim(session, groups, worker, now) if groups else []


# ---------------------------------------------------------------- outcomes


async def renew_claims(db: Database, batches: Sequence[Batch], *, now: dt.datetime) -> list[Batch]:
    """The heartbeat: the batches this worker still holds are claimed again as of `now` (one
    transaction). Returns them with their new claimed_at (what mark_retry must be given); a
    batch taken over or already recorded is left out."""
    renewed = []
    async with transaction(db) as session:
        for batch in batches:
            result: Any = await session.execute(
                update(Delivery).where(_held_by(batch)).values(claimed_at=now)
            )
            if result.rowcount:
                renewed.append(replace(batch, claimed_at=now))
    return renewed


def _held_by(batch: Batch) -> Any:
    """The batch's deliveries, as long as this worker still holds them (not re-claimed)."""
    return (
        col(Delivery.id).in_(batch.delivery_ids)
        & (col(Delivery.status) == "sending")
        & (col(Delivery.claimed_by) == batch.worker)
        & (col(Delivery.claimed_at) == batch.claimed_at)
    )


async def mark_sent(db: Database, batch: Batch, message_id: int, *, now: dt.datetime) -> None:
    """The batch is posted (as `message_id`). Recorded even if the lease ran out meanwhile: the
    post happened, and a re-claim reuses the nonce, so Discord does not post it again."""
    await mark_all_sent(db, [(batch, message_id)], now=now)


async def mark_all_sent(
    db: Database, posted: Sequence[tuple[Batch, int]], *, now: dt.datetime
) -> None:
    """mark_sent for several batches in one transaction."""
    if not posted:
        return
    table = table_of(Delivery)
    statement = (
        update(table)
        .where(table.c.id == bindparam("delivery"), table.c.status != "sent")
        .values(status="sent", message_id=bindparam("message"), sent_at=now, error=None)
    )
    rows = [
        {"delivery": delivery_id, "message": message_id}
        for batch, message_id in posted
        for delivery_id in batch.delivery_ids
    ]
    async with transaction(db) as session:
        await session.execute(statement, rows)  # one executemany for every batch


async def _give_up(session: AsyncSession, rows: Sequence[Delivery], reason: str) -> None:
    error = f"gave up after {max(r.attempts for r in rows)} attempts: {reason}"[:500]
    ids = [r.id for r in rows]
    await session.execute(
        update(Delivery)
        .where(col(Delivery.id).in_(ids))
        .values(status="failed", error=error, claimed_by=None, claimed_at=None)
    )
    subscription_ids = {r.subscription_id for r in rows if r.subscription_id is not None}
    where = col(Subscription.id).in_(subscription_ids)
    await leave_active(session, where, "failed", error)


def backoff_for(attempts: int, rng: random.Random | None = None) -> dt.timedelta:
    """2, 4, 8 … seconds, at most MAX_BACKOFF, plus up to 25 % jitter (workers do not retry in
    step)."""
    base = min(2**attempts, MAX_BACKOFF)
    return dt.timedelta(seconds=base * (1 + 0.25 * (rng or random).random()))


async def mark_retry(
    db: Database,
    batch: Batch,
    error: str,
    *,
    now: dt.datetime,
    backoff: dt.timedelta | None = None,
    rng: random.Random | None = None,
) -> str:
    """Posting failed (5xx, timeout, 429): try the same batch, with the same nonce, later.
    `backoff` is a wait the server asked for (429 retry_after); it does not count as an attempt.
    Otherwise the wait grows exponentially, and after MAX_ATTEMPTS the deliveries fail and their
    subscriptions go 'failed' with the error. Returns 'pending', 'failed' or 'stale' (another
    worker re-claimed the batch after the lease ran out: nothing changed)."""
    async with transaction(db) as session:
        query = select(Delivery).where(_held_by(batch)).with_for_update()
        rows = list((await session.execute(query)).scalars())
        if not rows:
            return "stale"
        if backoff is None and batch.attempts >= MAX_ATTEMPTS:
            await _give_up(session, rows, error)
            return "failed"
        wait = backoff if backoff is not None else backoff_for(batch.attempts, rng)
        for row in rows:
            row.status, row.error = "pending", error[:500]
            row.next_attempt_at = now + wait
            row.claimed_by, row.claimed_at = None, None
            if backoff is not None:
                row.attempts -= 1
        return "pending"


async def mark_channel_gone(db: Database, batch: Batch, reason: str) -> int:
    """403/404: nothing more goes to this channel. Its subscriptions are paused with `reason`
    (shown in /track list and /about) and its unsent deliveries skipped. Returns how many
    subscriptions were paused."""
    async with transaction(db) as session:
        where = col(Subscription.channel_id) == batch.channel_id
        paused = await leave_active(session, where, "paused", reason)
        await skip_unsent(session, col(Delivery.channel_id) == batch.channel_id, reason)
    return paused


async def next_due(db: Database, *, lease: dt.timedelta = LEASE) -> dt.datetime | None:
    """When the dispatcher should look again without being woken: the earliest pending retry
    or lease expiry (None when nothing is waiting)."""
    async with db.session() as session:
        pending = select(func.min(col(Delivery.next_attempt_at))).where(
            col(Delivery.status) == "pending"
        )
        sending = select(func.min(col(Delivery.claimed_at))).where(
            col(Delivery.status) == "sending"
        )
        first_pending = (await session.execute(pending)).scalar_one()
        first_claim = (await session.execute(sending)).scalar_one()
    times = [t for t in (first_pending, first_claim and first_claim + lease) if t is not None]
    return min(times, default=None)


class PostContext(tuple[dict[int, Revision], dict[int, list[dict[str, Any]]]]):
    """(revisions by id, sources by event id), unpacked as a pair, and `labels`: each event's
    record as people know it now (db.links.label_of), by event id; a deleted record has none."""

    labels: dict[int, str]

    def __new__(
        cls,
        revisions: dict[int, Revision],
        sources: dict[int, list[dict[str, Any]]],
        labels: dict[int, str],
    ) -> PostContext:
        context = super().__new__(cls, (revisions, sources))
        context.labels = labels
        return context


async def post_contexts(
    db: Database, wanted: Sequence[tuple[Sequence[ChangeEvent], int]]
) -> list[PostContext]:
    """What posts about each (events, guild id) need: the revisions behind the events (by id) and
    each event's record sources and label (by event id) as that guild sees the record now. One
    query for the revisions and one per record kind, however many channels (1,000 following one
    record: 2 queries)."""
    revision_ids = {e.revision_id for events, _ in wanted for e in events if e.revision_id}
    guilds = {guild_id for _, guild_id in wanted}
    keys: dict[str, set[str]] = {}
    for events, _ in wanted:
        for event in events:
            if event.record_kind in RECORD_TABLES:
                keys.setdefault(event.record_kind, set()).add(event.record_key)
    async with db.session() as session:
        revisions: dict[int, Revision] = {}
        if revision_ids:
            query = select(Revision).where(col(Revision.id).in_(revision_ids))
            revisions = {r.id: r for r in (await session.execute(query)).scalars()}  # type: ignore[misc]  # loaded rows: the id is set
        rows: dict[tuple[str, str, int | None], Any] = {}
        for kind, kind_keys in keys.items():
            table: Any = RECORD_TABLES[kind]
            of_kind = select(table).where(
                table.key.in_(kind_keys),
                table.guild_id.is_(None) | table.guild_id.in_(guilds),
            )
            for row in (await session.execute(of_kind)).scalars():
                rows[(kind, row.key, row.guild_id)] = row
    contexts = []
    for events, guild_id in wanted:
        sources: dict[int, list[dict[str, Any]]] = {}
        labels: dict[int, str] = {}
        for event in events:
            # The guild's own copy replaces the shared record there (as db.scope.visible).
            key = (event.record_kind, event.record_key)
            row = rows.get((*key, guild_id)) or rows.get((*key, None))
            if row is not None:
                sources[event.id or 0] = list(row.sources or [])
                labels[event.id or 0] = label_of(event.record_kind, row)
        mine = {
            e.revision_id: revisions[e.revision_id] for e in events if e.revision_id in revisions
        }
        contexts.append(PostContext(mine, sources, labels))
    return contexts
