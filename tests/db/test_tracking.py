"""Subscriptions and the outbox: fan-out by scope and kind, batches in order per channel, the
nonce kept across retries and crashes, failure and pause, alerts that fire once, and (on
PostgreSQL) several processes claiming and fanning out at once."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import select

from db.engine import Database
from db.errors import Duplicate, InvalidInput, NotFound
from db.meta import set_meta
from db.models import ChangeEvent, Delivery, FiredAlert, Subscription
from db.outbox import (
    MAX_ATTEMPTS,
    Batch,
    claim_batches,
    fan_out,
    mark_all_sent,
    mark_channel_gone,
    mark_retry,
    mark_sent,
    post_contexts,
    renew_claims,
)
from db.tracking import (
    add_subscription,
    fire_once,
    list_subscriptions,
    matches,
    pause_channel,
    reenable,
    remove_subscription,
    retire_record_subscriptions,
    subscription_status,
)
from tests.db.records import (
    EDITOR,
    GUILD_A,
    GUILD_B,
    SHARED,
    add,
    bodycam,
    change,
    count,
    measure,
    question,
)

CHANNEL_A, CHANNEL_B = 10, 20  # in guilds 1 and 2
SECOND = dt.timedelta(seconds=1)


async def subscribe(
    db: Database, kind: str = "all", *, guild: int = 1, channel: int = CHANNEL_A, **options: Any
) -> Subscription:
    return await add_subscription(db, guild, channel, kind, created_by=EDITOR.id, **options)


async def deliveries(db: Database) -> list[Delivery]:
    async with db.session() as session:
        return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())


async def subscription(db: Database, subscription_id: int) -> Subscription:
    async with db.session() as session:
        found = await session.get(Subscription, subscription_id)
        assert found is not None
        return found


async def cities(db: Database, n: int, **over: Any) -> None:
    """`n` shared bodycam records, each one change event."""
    for i in range(n):
        await add(db, "bodycam", bodycam(city=f"City {i:03}", **over))


async def claim(db: Database, worker: str = "w1", **options: Any) -> Batch | None:
    found = await claim_batches(db, worker=worker, now=db.clock.now(), **options)
    return found[0] if found else None


# ---------------------------------------------------------------- subscriptions


async def test_a_new_subscription_posts_nothing_from_the_past(db: Database) -> None:
    """Changes made before /track add never become deliveries."""
    await cities(db, 3)
    await subscribe(db)
    assert await fan_out(db, now=db.clock.now()) == 0


async def test_bad_kind_and_only_list_what_is_accepted(db: Database) -> None:
    """A wrong kind or `only` is refused, naming the accepted values."""
    with pytest.raises(InvalidInput) as error:
        await subscribe(db, "budget", only="some")
    assert "appropriations, bodycam, oversight, all" in str(error.value)
    assert "status, all" in str(error.value)


async def test_the_same_subscription_twice_is_a_duplicate(db: Database) -> None:
    """A channel follows a kind (or one record) once."""
    await subscribe(db, "bodycam")
    with pytest.raises(Duplicate):
        await subscribe(db, "bodycam", only="status")
    await subscribe(db, "bodycam", guild=1, channel=11)  # another channel may


async def test_one_record_must_be_visible_in_the_guild(db: Database) -> None:
    """Following one record needs that record to be visible in the guild."""
    await add(db, "bodycam", bodycam(), scope=GUILD_B)
    with pytest.raises(NotFound):
        await subscribe(db, "bodycam", record=("bodycam", "minneapolis-mn-ice-ero"))


async def test_a_guild_removes_only_its_own_subscriptions(db: Database) -> None:
    """Removing another guild's subscription is refused as not found."""
    mine = await subscribe(db)
    with pytest.raises(NotFound):
        await remove_subscription(db, 2, mine.id)  # type: ignore[arg-type]
    await remove_subscription(db, 1, mine.id)  # type: ignore[arg-type]
    assert await list_subscriptions(db, 1) == []


# ---------------------------------------------------------------- fan-out


async def test_a_shared_event_reaches_every_guild_a_guild_event_only_its_own(
    db: Database,
) -> None:
    """A shared change goes to both guilds' channels; guild 1's own change only to guild 1."""
    await subscribe(db, guild=1, channel=CHANNEL_A)
    await subscribe(db, guild=2, channel=CHANNEL_B)
    await add(db, "bodycam", bodycam())
    await add(db, "bodycam", bodycam(city="Denver", state="CO"), scope=GUILD_A)
    assert await fan_out(db, now=db.clock.now()) == 3
    by_event = [(d.event_id, d.channel_id, d.guild_id) for d in await deliveries(db)]
    assert by_event == [(1, CHANNEL_A, 1), (1, CHANNEL_B, 2), (2, CHANNEL_A, 1)]


async def test_one_delivery_per_event_and_channel(db: Database) -> None:
    """Two subscriptions of one channel matching one event make one delivery."""
    first = await subscribe(db, "all")
    await subscribe(db, "bodycam")
    await add(db, "bodycam", bodycam())
    assert await fan_out(db, now=db.clock.now()) == 1
    assert [d.subscription_id for d in await deliveries(db)] == [first.id]


async def test_kinds_and_one_record_subscriptions_match_their_records(db: Database) -> None:
    """appropriations gets measures, oversight questions; a one-record subscription its record."""
    await subscribe(db, "appropriations", channel=11)
    await subscribe(db, "oversight", channel=12)
    await add(db, "bodycam", bodycam())
    await subscribe(db, "bodycam", channel=13, record=("bodycam", "minneapolis-mn-ice-ero"))
    await add(db, "measure", measure())
    await add(db, "question", question(key="OQ-1"))
    await change(db, "bodycam", "minneapolis-mn-ice-ero", {"status": "full"})
    await add(db, "bodycam", bodycam(city="Denver", state="CO"))
    await fan_out(db, now=db.clock.now())
    kinds = {(d.channel_id, d.event_id) for d in await deliveries(db)}
    assert kinds == {(11, 2), (12, 3), (13, 4)}


async def test_only_status_changes_skips_other_edits(db: Database) -> None:
    """only='status': a creation and a status change are posted, a notes edit is not."""
    await subscribe(db, "bodycam", only="status")
    await add(db, "bodycam", bodycam())
    await change(db, "bodycam", "minneapolis-mn-ice-ero", {"notes": "Pilot in two units."})
    await change(db, "bodycam", "minneapolis-mn-ice-ero", {"status": "full"})
    assert await fan_out(db, now=db.clock.now()) == 2
    assert [d.event_id for d in await deliveries(db)] == [1, 3]


async def test_a_paused_subscription_gets_nothing_and_reenabling_posts_no_backlog(
    db: Database,
) -> None:
    """Changes while paused are never posted; after re-enabling, new changes are."""
    sub = await subscribe(db)
    assert await pause_channel(db, CHANNEL_A, "channel deleted") == 1
    await cities(db, 2)
    assert await fan_out(db, now=db.clock.now()) == 0
    assert (await reenable(db, 1, sub.id)).state == "active"  # type: ignore[arg-type]
    await cities(db, 1, state="CO")
    assert await fan_out(db, now=db.clock.now()) == 1


async def test_fan_out_twice_creates_nothing_new(db: Database) -> None:
    """Fanning out again, even from a reset watermark, adds no second delivery."""
    await subscribe(db)
    await cities(db, 3)
    assert await fan_out(db, now=db.clock.now()) == 3
    assert await fan_out(db, now=db.clock.now()) == 0
    await set_meta(db, "fanout_watermark", "0")
    assert await fan_out(db, now=db.clock.now()) == 0
    assert await count(db, Delivery) == 3


async def test_matches_reads_the_scope_of_the_event(db: Database) -> None:
    """matches(): another guild's event never matches, a shared one does."""
    sub = Subscription(guild_id=1, channel_id=1, kind="all", created_at=db.clock.now())
    event = ChangeEvent(
        id=5, guild_id=2, record_kind="bodycam", record_id=1, record_key="k",
        event_type="created", summary="", created_at=db.clock.now(),
    )  # fmt: skip
    assert not matches(event, sub, None)
    event.guild_id = None
    assert matches(event, sub, None)


# ---------------------------------------------------------------- batches


async def test_a_batch_takes_one_channels_oldest_deliveries_in_order(db: Database) -> None:
    """30 deliveries, batches of 25: the first 25 in id order, nonce 'od<first id>', then 5."""
    await subscribe(db)
    await cities(db, 30)
    await fan_out(db, now=db.clock.now())
    batch = await claim(db)
    assert batch is not None
    assert batch.delivery_ids == list(range(1, 26))
    assert (batch.batch_id, batch.nonce, batch.attempts) == (1, "od1", 1)
    assert [e.id for e in batch.events] == [d.event_id for d in batch.deliveries]
    await mark_sent(db, batch, 999, now=db.clock.now())
    rest = await claim(db)
    assert rest is not None
    assert (rest.delivery_ids, rest.nonce) == (list(range(26, 31)), "od26")


async def test_a_channel_with_a_live_batch_is_not_claimed_twice(db: Database) -> None:
    """While a batch is being sent, its channel is skipped; other channels are served."""
    await subscribe(db, channel=CHANNEL_A)
    await subscribe(db, guild=2, channel=CHANNEL_B)
    await cities(db, 30)
    await fan_out(db, now=db.clock.now())
    first, second = await claim(db, max_batch=10), await claim(db, "w2", max_batch=10)
    assert first is not None and second is not None
    assert (first.channel_id, second.channel_id) == (CHANNEL_A, CHANNEL_B)
    assert await claim(db, "w3") is None


async def test_an_expired_batch_is_reclaimed_whole_with_the_same_nonce(db: Database) -> None:
    """A crashed worker's batch: after the (10 s) lease, the same deliveries and nonce,
    attempt 2."""
    await subscribe(db)
    await cities(db, 3)
    await fan_out(db, now=db.clock.now())
    crashed = await claim(db, max_batch=2)
    assert crashed is not None
    db.clock.advance(9 * SECOND)  # type: ignore[attr-defined]
    assert await claim(db, "w2") is None
    db.clock.advance(2 * SECOND)  # type: ignore[attr-defined]
    again = await claim(db, "w2")
    assert again is not None
    assert (again.delivery_ids, again.nonce, again.attempts) == ([1, 2], crashed.nonce, 2)
    assert await mark_retry(db, crashed, "late", now=db.clock.now()) == "stale"


async def test_mark_sent_records_the_message(db: Database) -> None:
    """After the post: status 'sent', the message id and the time."""
    await subscribe(db)
    await cities(db, 2)
    await fan_out(db, now=db.clock.now())
    batch = await claim(db)
    assert batch is not None
    await mark_sent(db, batch, 1234, now=db.clock.now())
    assert {(d.status, d.message_id, d.sent_at) for d in await deliveries(db)} == {
        ("sent", 1234, db.clock.now())
    }
    assert await claim(db) is None


async def test_several_channels_are_claimed_in_one_call_and_marked_sent_together(
    db: Database,
) -> None:
    """claim_batches(channels=2) takes two channels' batches (never one channel twice); the
    third channel comes next; mark_all_sent records each batch's own message."""
    for channel in (10, 11, 12):
        await subscribe(db, channel=channel)
    await cities(db, 1)
    await fan_out(db, now=db.clock.now())
    now = db.clock.now()
    first = await claim_batches(db, worker="w1", now=now, channels=2)
    assert len({b.channel_id for b in first}) == 2
    [last] = await claim_batches(db, worker="w1", now=now, channels=2)
    assert {b.channel_id for b in [*first, last]} == {10, 11, 12}
    await mark_all_sent(db, [(b, 500 + b.channel_id) for b in [*first, last]], now=now)
    assert {(d.channel_id, d.status, d.message_id) for d in await deliveries(db)} == {
        (c, "sent", 500 + c) for c in (10, 11, 12)
    }
    assert await claim_batches(db, worker="w1", now=now, channels=2) == []


async def test_post_contexts_show_each_guild_the_record_it_sees(db: Database) -> None:
    """One shared change, two guilds: the guild with its own copy of the record gets its
    copy's sources, the other the shared record's."""
    shared_source = {"outlet": "Shared Wire", "url": "https://shared.example/"}
    own_source = {"outlet": "Office Notes", "url": "https://office.example/"}
    await add(db, "bodycam", bodycam(sources=[shared_source]))
    await add(db, "bodycam", bodycam(sources=[own_source]), scope=GUILD_A)
    async with db.session() as session:
        events = list((await session.execute(select(ChangeEvent))).scalars())
    shared_event = [e for e in events if e.guild_id is None]
    [(revisions_a, sources_a), (_, sources_b)] = await post_contexts(
        db, [(shared_event, 1), (shared_event, 2)]
    )
    event_id = shared_event[0].id
    assert set(revisions_a) == {shared_event[0].revision_id}
    assert [s["outlet"] for s in sources_a[event_id]] == ["Office Notes"]
    assert [s["outlet"] for s in sources_b[event_id]] == ["Shared Wire"]


async def test_a_retry_waits_with_backoff_and_keeps_the_nonce(db: Database) -> None:
    """A 5xx: pending again in 2–2.5 s (first attempt), then the same batch and nonce."""
    await subscribe(db)
    await cities(db, 2)
    await fan_out(db, now=db.clock.now())
    batch = await claim(db)
    assert batch is not None
    assert await mark_retry(db, batch, "503", now=db.clock.now(), rng=random.Random(1)) == "pending"
    wait = (await deliveries(db))[0].next_attempt_at - db.clock.now()
    assert 2 * SECOND <= wait <= 2.5 * SECOND
    assert await claim(db) is None
    db.clock.advance(3 * SECOND)  # type: ignore[attr-defined]
    again = await claim(db)
    assert again is not None and (again.nonce, again.attempts) == (batch.nonce, 2)


async def test_a_429_waits_as_told_without_counting_an_attempt(db: Database) -> None:
    """A server-given wait is used as is and does not bring the failure bound closer."""
    await subscribe(db)
    await cities(db, 1)
    await fan_out(db, now=db.clock.now())
    batch = await claim(db)
    assert batch is not None
    await mark_retry(db, batch, "429", now=db.clock.now(), backoff=7 * SECOND)
    (delivery,) = await deliveries(db)
    assert (delivery.next_attempt_at, delivery.attempts) == (db.clock.now() + 7 * SECOND, 0)


async def test_after_the_bound_deliveries_and_subscription_fail(db: Database) -> None:
    """MAX_ATTEMPTS failed posts: deliveries 'failed', the subscription 'failed' with why."""
    sub = await subscribe(db)
    await cities(db, 2)
    await fan_out(db, now=db.clock.now())
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        batch = await claim(db)
        assert batch is not None
        outcomes.append(await mark_retry(db, batch, "HTTP 502", now=db.clock.now()))
        db.clock.advance(dt.timedelta(minutes=10))  # type: ignore[attr-defined]
    assert outcomes == ["pending"] * (MAX_ATTEMPTS - 1) + ["failed"]
    failed = await subscription(db, sub.id)  # type: ignore[arg-type]
    assert failed.state == "failed" and "HTTP 502" in (failed.state_reason or "")
    (status,) = await subscription_status(db, 1)
    assert (status.pending, status.failed) == (0, 2)
    assert "HTTP 502" in (status.last_error or "")


async def test_a_403_or_404_pauses_the_channels_subscriptions(db: Database) -> None:
    """The channel is gone: its subscriptions paused with the reason, nothing more sent there."""
    sub = await subscribe(db)
    await cities(db, 30)
    await fan_out(db, now=db.clock.now())
    batch = await claim(db)
    assert batch is not None
    assert await mark_channel_gone(db, batch, "404 Unknown Channel") == 1
    paused = await subscription(db, sub.id)  # type: ignore[arg-type]
    assert (paused.state, paused.state_reason) == ("paused", "404 Unknown Channel")
    assert {d.status for d in await deliveries(db)} == {"skipped"}
    await cities(db, 1, state="CO")
    assert await fan_out(db, now=db.clock.now()) == 0
    assert await claim(db) is None


async def test_renewed_claims_outlive_the_lease_and_a_dead_workers_expire(db: Database) -> None:
    """A worker that renews its claim keeps it past the lease; once it stops (dead), another
    worker takes the batch over a lease after the last renewal, with the same nonce."""
    await subscribe(db)
    await cities(db, 2)
    await fan_out(db, now=db.clock.now())
    [batch] = await claim_batches(db, worker="w1", now=db.clock.now(), lease=10 * SECOND)
    later = db.clock.now() + 8 * SECOND
    [renewed] = await renew_claims(db, [batch], now=later)
    assert renewed.claimed_at == later
    at = later + 9 * SECOND  # 17 s after the claim, 9 s after the renewal
    assert await claim_batches(db, worker="w2", now=at, lease=10 * SECOND) == []
    at = later + 11 * SECOND
    [taken] = await claim_batches(db, worker="w2", now=at, lease=10 * SECOND)
    assert (taken.batch_id, taken.nonce) == (batch.batch_id, batch.nonce)
    assert await renew_claims(db, [renewed], now=at) == []  # taken over: no longer w1's
    assert await mark_retry(db, renewed, "late", now=at) == "stale"


# ---------------------------------------------------------------- shared records and guild copies

KEY = "minneapolis-mn-ice-ero"


async def test_a_guild_with_its_own_copy_gets_no_posts_about_the_shared_record(
    db: Database,
) -> None:
    """Guild 1 has its own Minneapolis: changes to the shared one go only to guild 2; guild 1's
    own change, and a shared record it has no copy of, still reach guild 1."""
    await subscribe(db, "bodycam", guild=1, channel=CHANNEL_A)
    await subscribe(db, "bodycam", guild=2, channel=CHANNEL_B)
    await add(db, "bodycam", bodycam())  # 1: shared, before guild 1 had a copy
    await fan_out(db, now=db.clock.now())
    await add(db, "bodycam", bodycam(), scope=GUILD_A)  # 2: guild 1's own copy
    await change(db, "bodycam", KEY, {"status": "full"})  # 3: shared
    await change(db, "bodycam", KEY, {"status": "partial"}, scope=GUILD_A)  # 4: guild 1's
    await add(db, "bodycam", bodycam(city="Denver", state="CO"))  # 5: shared, no copy
    await fan_out(db, now=db.clock.now())
    got = {(d.event_id, d.channel_id) for d in await deliveries(db)}
    assert got == {(1, CHANNEL_A), (1, CHANNEL_B), (2, CHANNEL_A), (3, CHANNEL_B),
                   (4, CHANNEL_A), (5, CHANNEL_A), (5, CHANNEL_B)}  # fmt: skip


async def retire(db: Database, scope: Any, key: str = KEY) -> int:
    """Delete the scope's record `key` and retire its subscriptions, in one transaction."""
    async with db.writer(scope, EDITOR) as writer:
        row = await writer.find("bodycam", key)
        assert row is not None
        await writer.delete(row)
        reason = "the record was deleted on 2026-11-28"
        return await retire_record_subscriptions(
            writer.session, scope.guild_id, "bodycam", key, reason
        )


async def test_deleting_a_shared_record_retires_the_subscriptions_that_watched_it(
    db: Database,
) -> None:
    """The shared Minneapolis is deleted: guild 1's one-record subscription fails with the
    reason, guild 2's (which watches its own copy) and kind subscriptions stay active; a new
    Minneapolis later is not followed, and re-enabling is refused until one is visible."""
    await add(db, "bodycam", bodycam())
    await add(db, "bodycam", bodycam(), scope=GUILD_B)
    watcher = await subscribe(db, "bodycam", record=("bodycam", KEY))
    own = await subscribe(db, "bodycam", guild=2, channel=CHANNEL_B, record=("bodycam", KEY))
    kind = await subscribe(db, "bodycam", channel=11)
    assert await retire(db, SHARED) == 1
    retired = await subscription(db, watcher.id)  # type: ignore[arg-type]
    assert (retired.state, retired.state_reason) == (
        "failed",
        "the record was deleted on 2026-11-28",
    )
    for other in (own, kind):
        assert (await subscription(db, other.id)).state == "active"  # type: ignore[arg-type]
    with pytest.raises(NotFound) as refused:
        await reenable(db, 1, watcher.id)  # type: ignore[arg-type]
    assert "any more" in str(refused.value)
    assert (await subscription(db, watcher.id)).state == "failed"  # type: ignore[arg-type]
    await fan_out(db, now=db.clock.now())
    await add(db, "bodycam", bodycam())  # a new shared Minneapolis
    await fan_out(db, now=db.clock.now())
    assert {d.channel_id for d in await deliveries(db)} == {11}  # the kind subscription only


async def test_deleting_a_guilds_record_retires_only_that_guilds_subscriptions(
    db: Database,
) -> None:
    """Guild 2 deletes its own Minneapolis: its subscription fails (it does not silently move
    to the shared one); guild 1's, following the shared record, is untouched."""
    await add(db, "bodycam", bodycam())
    await add(db, "bodycam", bodycam(), scope=GUILD_B)
    shared = await subscribe(db, "bodycam", record=("bodycam", KEY))
    own = await subscribe(db, "bodycam", guild=2, channel=CHANNEL_B, record=("bodycam", KEY))
    assert await retire(db, GUILD_B) == 1
    assert (await subscription(db, own.id)).state == "failed"  # type: ignore[arg-type]
    assert (await subscription(db, shared.id)).state == "active"  # type: ignore[arg-type]
    assert await retire(db, SHARED) == 1  # now guild 2 has no copy, but its one is retired
    assert (await subscription(db, shared.id)).state == "failed"  # type: ignore[arg-type]


# ---------------------------------------------------------------- alerts that fire once


async def test_an_alert_fires_once(db: Database) -> None:
    """fire_once with the same key twice: True, then False, and one change event."""

    def overdue() -> ChangeEvent:
        return ChangeEvent(
            record_kind="question", record_id=1, record_key="OQ-1", event_type="overdue",
            summary="OQ-1 is overdue", created_at=db.clock.now(),
        )  # fmt: skip

    fired = []
    for _ in range(2):
        async with db.writer(GUILD_A, EDITOR) as writer:
            fired.append(await fire_once(writer, "overdue:question:OQ-1", overdue()))
    assert fired == [True, False]
    assert (await count(db, ChangeEvent), await count(db, FiredAlert)) == (1, 1)


# ---------------------------------------------------------------- several processes (PostgreSQL)


@pytest.fixture
async def other_db(db: Database, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A second Database on the same PostgreSQL schema: another bot process."""
    if db.dialect != "postgresql":
        pytest.skip("several processes share a database on PostgreSQL only")
    from tests.conftest import postgres_engine

    other = Database(postgres_engine(request.getfixturevalue("postgres_schema")), clock=db.clock)
    yield other
    await other.close()


async def _drain(db: Database, worker: str) -> list[int]:
    """Claim and mark sent until nothing is left; the delivery ids this worker posted."""
    posted: list[int] = []
    idle = 0
    while idle < 3:
        batch = await claim(db, worker, max_batch=7)
        if batch is None:
            idle += 1
            await asyncio.sleep(0.01)
            continue
        idle = 0
        posted += batch.delivery_ids
        await asyncio.sleep(0)  # let another worker try the same channel meanwhile
        await mark_sent(db, batch, batch.batch_id, now=db.clock.now())
    return posted


async def test_concurrent_claims_never_overlap(db: Database, other_db: Database) -> None:
    """Four workers on two Databases drain 8 channels: every delivery claimed exactly once."""
    for guild in range(1, 9):
        await subscribe(db, guild=guild, channel=100 + guild)
    await cities(db, 25)
    assert await fan_out(db, now=db.clock.now()) == 200
    results = await asyncio.gather(
        _drain(db, "a1"), _drain(db, "a2"), _drain(other_db, "b1"), _drain(other_db, "b2")
    )
    posted = [d for worker in results for d in worker]
    assert sorted(posted) == list(range(1, 201))
    assert {d.status for d in await deliveries(db)} == {"sent"}


async def test_concurrent_fan_outs_create_each_delivery_once(
    db: Database, other_db: Database
) -> None:
    """Fan-outs in two processes racing writers: every event delivered once, none lost."""
    await subscribe(db, guild=1, channel=CHANNEL_A)
    await subscribe(db, guild=2, channel=CHANNEL_B)

    async def write(n: int) -> None:
        for i in range(n):
            await add(db, "bodycam", bodycam(city=f"Town {n}-{i}"))

    async def fan(database: Database) -> int:
        total = 0
        for _ in range(15):
            total += await fan_out(database, now=db.clock.now())
            await asyncio.sleep(0)
        return total

    created = await asyncio.gather(write(20), write(21), fan(db), fan(other_db), fan(other_db))
    rest = await fan_out(db, now=db.clock.now())
    assert sum(c for c in created if c) + rest == 2 * 41
    rows = await deliveries(db)
    assert len(rows) == len({(d.event_id, d.channel_id) for d in rows}) == 2 * 41


async def test_a_fan_out_waits_for_an_event_still_being_written(
    db: Database, other_db: Database
) -> None:
    """An event with a lower id committed after a newer one is not passed over and lost."""
    await subscribe(db)
    async with db.writer(SHARED, EDITOR) as slow:
        await slow.create("bodycam", bodycam())
        await slow.session.flush()  # the event has id 1; the commit comes later
        await add(other_db, "bodycam", bodycam(city="Denver", state="CO"))  # id 2, committed
        fanning = asyncio.create_task(fan_out(other_db, now=db.clock.now()))
        await asyncio.sleep(0.3)
        assert not fanning.done()
    assert await fanning + await fan_out(db, now=db.clock.now()) == 2
    assert [d.event_id for d in await deliveries(db)] == [1, 2]
