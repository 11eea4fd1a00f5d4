"""Tracking: which channels follow which changes (subscriptions), and alerts that fire once.

How a change reaches a channel, exactly once as seen there:

1. Every write commits a `ChangeEvent` with its `Revision` (db.changes). Nothing else happens in
   the writer's transaction: the outbox is the change_event table itself.
2. `fan_out` (db.outbox) reads the events above the fan-out watermark (the Meta row
   'fanout_watermark'), matches each to the ACTIVE subscriptions of its scope (`matches`; a
   guild with its own copy of a shared record gets nothing about the shared one) and inserts
   one `Delivery` per event × channel (UNIQUE (event_id, channel_id); INSERT … ON CONFLICT DO
   NOTHING), then moves the watermark, all in one transaction. On PostgreSQL it first takes
   LOCK TABLE change_event IN SHARE ROW EXCLUSIVE MODE: it waits for writers still inserting events
   (an event with a lower id can commit after one with a higher id; without the lock the watermark
   would pass it for ever) and serialises concurrent fan-outs. SQLite has one writer at a time.
3. `claim_batches` picks channels whose oldest unfinished delivery is due (up to `channels` of
   them, in one transaction) and claims up to `max_batch` deliveries of each, in id order, as one
   batch per channel: status 'sending', batch_id = the first
   delivery's id, nonce = f"od{batch_id}". A channel with a live batch (sending, lease not expired)
   is never claimed again, so posts stay in order per channel. On PostgreSQL a transaction-level
   advisory lock per channel plus SELECT … FOR UPDATE SKIP LOCKED keep two processes apart.
4. The dispatcher posts the batch with its nonce (enforce_nonce), then `mark_sent`; while it
   posts it renews its claims every few seconds (`renew_claims`, a heartbeat), so the lease can
   be short (10 s). A crash after the post leaves the batch 'sending'; one lease after the last
   heartbeat it is re-claimed with the SAME batch_id, deliveries and nonce, so Discord answers
   the retry with the message already posted.
   5xx/timeouts → `mark_retry` (same batch and nonce, exponential backoff with jitter; after
   MAX_ATTEMPTS the deliveries fail and their subscriptions go 'failed' with the reason).
   403/404 → `mark_channel_gone`: the channel's subscriptions are paused with the reason.
5. A subscription that leaves 'active' (paused, failed, removed) has its unsent deliveries skipped;
   a new or re-enabled one starts after the newest event (`after_event_id`): no backlog, no flood.
   Deleting a record retires the one-record subscriptions watching it
   (`retire_record_subscriptions`), so a new record under the same key is not followed unasked.

Time-driven events (a question overdue, funding lapsing in 3 days) go through `fire_once`: the
unique key of a `FiredAlert` row decides, so each fires once, across restarts and processes.
"""

from __future__ import annotations

from collections.abc import Collection
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from db.changes import Writer
from db.engine import Database
from db.errors import Duplicate, InvalidInput, NotFound, Problem
from db.kinds import kinds_in
from db.models import RECORD_TABLES, ChangeEvent, Delivery, FiredAlert, Revision, Subscription
from db.scope import Scope, visible

# ---------------------------------------------------------------- vocabulary

KINDS: dict[str, frozenset[str]] = {
    "appropriations": kinds_in("appropriations"),
    "bodycam": kinds_in("bodycam"),
    "oversight": kinds_in("oversight"),
    "all": frozenset(RECORD_TABLES),
}
ONLY = ("status", "all")
STATES = ("active", "paused", "failed")

# The fields whose change is a "status change" for `only='status'` (creating or deleting a record,
# and time-driven alerts, always are).
STATUS_FIELDS: dict[str, frozenset[str]] = {
    "measure": frozenset({"stage", "enacted_on"}),
    "action": frozenset({"stage_after"}),
    "funding_line": frozenset({"enacted"}),
    "funding_period": frozenset({"period_type", "end_date"}),
    "bodycam": frozenset({"status"}),
    "question": frozenset({"status"}),
}
UNSENT = ("pending", "sending")


# ---------------------------------------------------------------- small helpers


def transaction(db: Database) -> AbstractAsyncContextManager[AsyncSession]:
    """One write transaction (SQLite's write lock taken up front)."""
    return db.transaction()


def dialect_insert(session: AsyncSession, table: Any) -> Any:
    """INSERT with ON CONFLICT support for the session's backend."""
    name = session.get_bind().dialect.name
    return (postgresql.insert if name == "postgresql" else sqlite.insert)(table)


async def max_event_id(session: AsyncSession) -> int:
    return (await session.execute(select(func.max(col(ChangeEvent.id))))).scalar_one() or 0


def _choices(values: Collection[str]) -> str:
    return ", ".join(values)


# ---------------------------------------------------------------- subscriptions


async def add_subscription(
    db: Database,
    guild_id: int,
    channel_id: int,
    kind: str,
    *,
    record: tuple[str, str] | None = None,
    only: str = "all",
    created_by: int | None = None,
) -> Subscription:
    """Make `channel_id` follow a kind (or one record of it) from the newest event on."""
    problems = []
    if kind not in KINDS:
        problems.append(Problem("kind", f"must be one of: {_choices(KINDS)}"))
    if only not in ONLY:
        problems.append(Problem("only", f"must be one of: {_choices(ONLY)}"))
    if record is not None and kind in KINDS and record[0] not in KINDS[kind]:
        accepted = _choices(sorted(KINDS[kind]))
        problems.append(Problem("record", f"a {kind} subscription follows {accepted} records"))
    if problems:
        raise InvalidInput(problems)
    async with transaction(db) as session:
        if record is not None:
            table: Any = RECORD_TABLES[record[0]]
            query = visible(table, Scope.guild(guild_id)).where(table.key == record[1])
            if (await session.execute(query.limit(1))).first() is None:
                raise NotFound(f"No {record[0]} with key '{record[1]}' is visible here.")
        subscription = Subscription(
            guild_id=guild_id,
            channel_id=channel_id,
            kind=kind,
            record_kind=record[0] if record else None,
            record_key=record[1] if record else None,
            only=only,
            created_by=created_by,
            created_at=db.clock.now(),
            after_event_id=await max_event_id(session),
        )
        session.add(subscription)
        try:
            await session.flush()
        except IntegrityError:
            what = f"{record[0]} {record[1]}" if record else kind
            raise Duplicate(
                f"This channel already follows {what}; remove that subscription to change it."
            ) from None
    return subscription


async def list_subscriptions(db: Database, guild_id: int) -> list[Subscription]:
    async with db.session() as session:
        query = (
            select(Subscription)
            .where(col(Subscription.guild_id) == guild_id)
            .order_by(col(Subscription.channel_id), col(Subscription.id))
        )
        return list((await session.execute(query)).scalars())


async def _own(session: AsyncSession, guild_id: int | None, subscription_id: int) -> Subscription:
    subscription = await session.get(Subscription, subscription_id)
    if subscription is None or (guild_id is not None and subscription.guild_id != guild_id):
        raise NotFound(f"No subscription #{subscription_id} in this server.")
    return subscription


async def skip_unsent(session: AsyncSession, where: ColumnElement[bool], reason: str) -> int:
    """Deliveries not yet posted that match `where` will never be: status 'skipped'."""
    result: Any = await session.execute(
        update(Delivery)
        .where(where, col(Delivery.status).in_(UNSENT))
        .values(status="skipped", error=reason[:500])
    )
    return int(result.rowcount)


async def leave_active(
    session: AsyncSession, where: ColumnElement[bool], state: str, reason: str
) -> int:
    """Subscriptions matching `where` go `state` ('paused' or 'failed') with the reason, and their
    unsent deliveries are skipped. Returns how many subscriptions changed."""
    query = select(col(Subscription.id)).where(where, col(Subscription.state) != state)
    ids = list((await session.execute(query)).scalars())
    if not ids:
        return 0
    in_ids = col(Subscription.id).in_(ids)
    await session.execute(
        update(Subscription).where(in_ids).values(state=state, state_reason=reason[:500])
    )
    await skip_unsent(session, col(Delivery.subscription_id).in_(ids), reason)
    return len(ids)


async def retire_record_subscriptions(
    session: AsyncSession,
    guild_id: int | None,
    record_kind: str,
    record_key: str,
    reason: str,
) -> int:
    """A record is being deleted (call inside the delete transaction): the one-record
    subscriptions watching it stop following it, so a record created later under the same key
    is never followed without anyone asking. Watching it means: in its guild, or, for a shared
    record, in every guild without its own copy (a guild with one watches that). They go
    'failed' with `reason` (shown in /track list, whatever their state was) and their unsent
    deliveries are skipped. Returns how many changed (one retired with this reason already
    is left as it is)."""
    where = (col(Subscription.record_kind) == record_kind) & (
        col(Subscription.record_key) == record_key
    )
    if guild_id is not None:
        where &= col(Subscription.guild_id) == guild_id
    elif record_kind in RECORD_TABLES:
        table: Any = RECORD_TABLES[record_kind]
        own = select(table.guild_id).where(table.key == record_key, table.guild_id.is_not(None))
        where &= col(Subscription.guild_id).not_in(own)
    reason = reason[:500]
    reason_now = func.coalesce(col(Subscription.state_reason), "")
    retired = (col(Subscription.state) == "failed") & (reason_now == reason)
    query = select(col(Subscription.id)).where(where, ~retired)
    ids = list((await session.execute(query)).scalars())
    if not ids:
        return 0
    in_ids = col(Subscription.id).in_(ids)
    await session.execute(
        update(Subscription).where(in_ids).values(state="failed", state_reason=reason)
    )
    await skip_unsent(session, col(Delivery.subscription_id).in_(ids), reason)
    return len(ids)


async def set_state(
    db: Database,
    subscription_id: int,
    state: str,
    reason: str | None = None,
    *,
    guild_id: int | None = None,
) -> Subscription:
    """Pause, fail or re-activate one subscription. Re-activated, it starts after the newest
    event: what happened while it was off is not posted."""
    if state not in STATES:
        raise InvalidInput.one("state", f"must be one of: {_choices(STATES)}")
    async with transaction(db) as session:
        subscription = await _own(session, guild_id, subscription_id)
        if state == "active":
            await _check_record_visible(session, subscription)
            subscription.state, subscription.state_reason = "active", None
            subscription.after_event_id = await max_event_id(session)
        else:
            where = col(Subscription.id) == subscription_id
            await leave_active(session, where, state, reason or state)
        await session.flush()
        await session.refresh(subscription)
    return subscription


async def _check_record_visible(session: AsyncSession, subscription: Subscription) -> None:
    """A one-record subscription follows only a record its guild can see (after a deletion, a
    new record under the old key is followed only if someone re-enables it)."""
    kind, key = subscription.record_kind, subscription.record_key
    if kind is None or key is None or kind not in RECORD_TABLES:
        return
    table: Any = RECORD_TABLES[kind]
    query = visible(table, Scope.guild(subscription.guild_id)).where(table.key == key)
    if (await session.execute(query.limit(1))).first() is None:
        raise NotFound(
            f"No {kind} with key '{key}' is visible here any more, so this subscription cannot "
            "follow it; remove it, or follow another record with /track add."
        )


async def reenable(db: Database, guild_id: int, subscription_id: int) -> Subscription:
    """The /track list button: that guild's subscription is active again, from now on."""
    return await set_state(db, subscription_id, "active", guild_id=guild_id)


async def remove_subscription(db: Database, guild_id: int, subscription_id: int) -> Subscription:
    """Stop following (only the guild's own subscriptions); unsent deliveries are skipped."""
    async with transaction(db) as session:
        subscription = await _own(session, guild_id, subscription_id)
        where = col(Delivery.subscription_id) == subscription_id
        await skip_unsent(session, where, "subscription removed")
        await session.delete(subscription)
    return subscription


async def pause_channel(db: Database, channel_id: int, reason: str) -> int:
    """The channel is gone or closed to the bot: pause every subscription there."""
    async with transaction(db) as session:
        paused = await leave_active(
            session,
            col(Subscription.channel_id) == channel_id,
            "paused",
            reason,
        )
        await skip_unsent(session, col(Delivery.channel_id) == channel_id, reason)
    return paused


async def pause_guild(db: Database, guild_id: int, reason: str) -> int:
    """The bot left the guild or the guild was deleted: pause all its subscriptions."""
    async with transaction(db) as session:
        paused = await leave_active(
            session,
            col(Subscription.guild_id) == guild_id,
            "paused",
            reason,
        )
        await skip_unsent(session, col(Delivery.guild_id) == guild_id, reason)
    return paused


# ---------------------------------------------------------------- matching


def is_status_change(event: ChangeEvent, revision: Revision | None) -> bool:
    """Created, deleted, a status/stage field changed, or a time-driven alert (no revision)."""
    if event.event_type in ("created", "deleted") or event.revision_id is None:
        return True
    if revision is None:
        return False
    return bool(STATUS_FIELDS.get(event.record_kind, frozenset()) & revision.changes.keys())


def matches(event: ChangeEvent, subscription: Subscription, revision: Revision | None) -> bool:
    """Whether `event` is for `subscription` (its state aside). `revision` is the event's revision
    (None for a time-driven event); only `only='status'` subscriptions read it."""
    if event.guild_id is not None and event.guild_id != subscription.guild_id:
        return False  # a guild's own records are never posted in another guild
    if event.id is not None and event.id <= subscription.after_event_id:
        return False  # before the subscription existed
    if event.record_kind not in KINDS.get(subscription.kind, ()):
        return False
    if subscription.record_key is not None and (
        (event.record_kind, event.record_key) != (subscription.record_kind, subscription.record_key)
    ):
        return False
    return subscription.only != "status" or is_status_change(event, revision)


# ---------------------------------------------------------------- alerts that fire once


async def fire_once(writer_or_session: Writer | AsyncSession, key: str, event: ChangeEvent) -> bool:
    """Write `event` with the FiredAlert `key` in the caller's transaction, unless `key` has
    fired before: then write nothing and return False. The unique key decides (a concurrent
    transaction with the same key waits on it, then inserts nothing), never a read-then-write.
    Pass the Writer when there is one: it then wakes the dispatcher after the commit."""
    writer = writer_or_session if isinstance(writer_or_session, Writer) else None
    session = writer.session if writer is not None else writer_or_session
    assert isinstance(session, AsyncSession)
    claim = (
        dialect_insert(session, FiredAlert)
        .values(key=key, fired_at=event.created_at)
        .on_conflict_do_nothing(index_elements=["key"])
        .returning(col(FiredAlert.id))
    )
    alert_id = (await session.execute(claim)).scalar_one_or_none()
    if alert_id is None:
        return False
    session.add(event)
    await session.flush()
    await session.execute(
        update(FiredAlert).where(col(FiredAlert.id) == alert_id).values(event_id=event.id)
    )
    if writer is not None:
        writer.events_written += 1
    return True


# ---------------------------------------------------------------- status for /track list, /about


@dataclass(frozen=True, slots=True)
class SubscriptionStatus:
    subscription: Subscription
    pending: int  # deliveries not yet posted (pending or sending)
    failed: int
    last_error: str | None  # the newest delivery error, if any


async def subscription_status(db: Database, guild_id: int) -> list[SubscriptionStatus]:
    subscriptions = await list_subscriptions(db, guild_id)
    ids = [s.id for s in subscriptions]
    async with db.session() as session:
        of_these = col(Delivery.subscription_id).in_(ids)
        counts: dict[tuple[int | None, str], int] = {
            (sub_id, status): n
            for sub_id, status, n in await session.execute(
                select(col(Delivery.subscription_id), col(Delivery.status), func.count())
                .where(of_these)
                .group_by(col(Delivery.subscription_id), col(Delivery.status))
            )
        }
        newest = (
            select(func.max(col(Delivery.id)))
            .where(of_these, col(Delivery.error).is_not(None))
            .group_by(col(Delivery.subscription_id))
        )
        last = select(col(Delivery.subscription_id), col(Delivery.error)).where(
            col(Delivery.id).in_(newest)
        )
        errors: dict[Any, Any] = dict((await session.execute(last)).all())
    return [
        SubscriptionStatus(
            s,
            counts.get((s.id, "pending"), 0) + counts.get((s.id, "sending"), 0),
            counts.get((s.id, "failed"), 0),
            errors.get(s.id),
        )
        for s in subscriptions
    ]
