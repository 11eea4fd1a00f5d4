"""The outbox dispatcher end to end through the fake Discord: subscribe → change → one post."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator
from itertools import pairwise
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import select

from bot.client import OversightBot
from bot.config import Settings
from bot.dispatch import Dispatcher
from bot.render.changes import change_post, summary_post
from bot.render.common import embed_text_length
from db.clock import FixedClock
from db.engine import Database
from db.models import BodycamDeployment, ChangeEvent, Delivery, Subscription
from db.outbox import claim_batches, post_contexts
from db.scope import Actor, Scope
from db.tracking import add_subscription
from fakediscord import FakeDiscord, FakeGuild
from tests.conftest import NOW, Office, running

KEY = "minneapolis-mn-ice-ero"
EDITOR = Actor("alice", 1001)
STATUSES = ["suspended", "partial", "ended"]


@pytest.fixture
async def dispatching(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> AsyncIterator[tuple[OversightBot, Dispatcher]]:
    """The real bot with a dispatcher, logged into the fake."""
    bot = OversightBot(settings=settings, database=bot_db)
    dispatcher = Dispatcher(bot, worker="test:1", pace=0.0)
    bot.services.append(dispatcher)
    async with running(fake, bot):
        yield bot, dispatcher


async def subscribe(db: Database, office: Office, kind: str = "bodycam") -> None:
    await add_subscription(db, office.guild.id, office.guild.channel.id, kind)


async def set_status(db: Database, status: str, key: str = KEY) -> None:
    async with db.writer(Scope.shared(), EDITOR) as writer:
        await writer.change("bodycam", key, {"status": status})


async def deliveries(db: Database) -> list[Delivery]:
    async with db.session() as session:
        return list((await session.execute(select(Delivery).order_by(Delivery.id))).scalars())  # type: ignore[arg-type]


async def test_a_change_is_posted_once_with_its_diff_and_actor(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """Subscribe, change a record: exactly one post with old → new, who, and the nonce."""
    await subscribe(bot_db, office)
    await set_status(bot_db, "suspended")
    [message] = await fake.wait_for_messages(office.guild.channel, 1)
    [embed] = message.embeds
    assert embed["description"] == "**Status**: Full → Suspended"
    assert embed["title"] == "Changed · Minneapolis, MN · ICE-ERO"
    assert embed["fields"][0]["value"] == "<@1001>"
    [delivery] = await wait_status(bot_db, "sent")
    assert message.nonce == f"od{delivery.id}" and message.enforce_nonce
    assert delivery.status == "sent" and delivery.message_id == message.id
    await dispatching[1].run_once()
    assert len(fake.messages(office.guild.channel)) == 1


async def test_a_new_subscription_posts_nothing_from_the_past(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """Changes made before subscribing are never posted; the first one after is."""
    await set_status(bot_db, "suspended")
    await subscribe(bot_db, office)
    await dispatching[1].run_once()
    assert fake.messages(office.guild.channel) == []
    await set_status(bot_db, "partial")
    [message] = await fake.wait_for_messages(office.guild.channel, 1)
    assert message.embeds[0]["description"] == "**Status**: Suspended → Partial"


async def test_changes_are_posted_in_order(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """Three changes, one after another → three change posts, in the order they were made."""
    await subscribe(bot_db, office)
    for status in STATUSES:
        await set_status(bot_db, status)
    await fake.wait_until(lambda: len(posted_embeds(fake, office)) >= 3, what="3 change posts")
    await dispatching[1].run_once()
    embeds = posted_embeds(fake, office)
    olds = ["full", *STATUSES[:-1]]
    assert [e["description"] for e in embeds] == [
        f"**Status**: {old.capitalize()} → {new.capitalize()}"
        for old, new in zip(olds, STATUSES, strict=True)
    ]
    footers = [e["footer"]["text"] for e in embeds]
    assert footers == sorted(footers)


async def test_posts_in_one_channel_are_paced(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """With a pace of 0.3 s, three posts in one channel arrive at least 0.3 s apart."""
    dispatching[1].pace = 0.3
    await subscribe(bot_db, office)
    for status in STATUSES:
        await set_status(bot_db, status)
        await dispatching[1].run_once()  # one batch per change: three separate posts
    await fake.wait_until(lambda: len(posted_embeds(fake, office)) >= 3, what="3 change posts")
    times = [r.time for r in fake.requests if r.path.endswith("/messages") and r.status == 200]
    assert len(times) == 3
    assert all(later - earlier >= 0.29 for earlier, later in pairwise(times))


async def test_unknown_channel_pauses_the_subscription(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """A 404 (unknown channel) pauses the channel's subscription with the reason."""
    fake.fail(f"POST /channels/{office.guild.channel.id}/messages", 404)
    await subscribe(bot_db, office)
    await set_status(bot_db, "suspended")
    await wait_status(bot_db, "skipped")
    async with bot_db.session() as session:
        [subscription] = list((await session.execute(select(Subscription))).scalars())
    assert subscription.state == "paused" and "404" in (subscription.state_reason or "")


async def test_a_change_post_links_the_records_sources(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """A change post lists the record's sources as links (Minneapolis: the Star Tribune)."""
    await subscribe(bot_db, office)
    await set_status(bot_db, "suspended")
    [embed] = (await fake.wait_for_messages(office.guild.channel, 1))[0].embeds
    sources = next(f["value"] for f in embed["fields"] if f["name"] == "Sources")
    assert "• Star Tribune · Feb 2, 2026" in sources  # a home page is no address: no link


def posted_embeds(fake: FakeDiscord, office: Office) -> list[dict[str, Any]]:
    """Every embed posted in the office's channel, oldest first."""
    return [e for m in fake.messages(office.guild.channel) for e in m.embeds]


async def wait_status(db: Database, status: str, *, attempts: int = 0) -> list[Delivery]:
    """Until every delivery has `status` after at least `attempts` tries (the dispatcher records
    outcomes after posting, so a post can be seen before its delivery is marked)."""
    found: list[Delivery] = []
    for _ in range(250):
        found = await deliveries(db)
        if found and all(d.status == status and d.attempts >= attempts for d in found):
            return found
        await asyncio.sleep(0.02)
    raise AssertionError(f"deliveries never all {status!r}: {[d.status for d in found]}")


async def test_a_server_error_is_retried_and_posted_once(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    clock: FixedClock,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """A 503 → the batch waits with backoff; once due, it is posted once with the same nonce."""
    fake.fail("POST /channels/*/messages", 503)
    await subscribe(bot_db, office)
    await set_status(bot_db, "suspended")
    [delivery] = await wait_status(bot_db, "pending", attempts=1)
    assert delivery.attempts == 1 and "503" in (delivery.error or "")
    assert fake.messages(office.guild.channel) == []
    clock.advance(dt.timedelta(minutes=1))
    dispatching[1].wake()
    [message] = await fake.wait_for_messages(office.guild.channel, 1)
    assert message.nonce == delivery.nonce == f"od{delivery.id}"
    [sent] = await wait_status(bot_db, "sent")
    assert sent.attempts == 2
    await dispatching[1].run_once()
    assert len(fake.messages(office.guild.channel)) == 1


async def test_rate_limits_are_waited_out_and_the_post_arrives_once(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """Two 429s on the channel (with retry_after): the post arrives once, with its nonce."""
    fake.fail(f"POST /channels/{office.guild.channel.id}/messages", 429, times=2, retry_after=0.1)
    await subscribe(bot_db, office)
    await set_status(bot_db, "suspended")
    [message] = await fake.wait_for_messages(office.guild.channel, 1)
    [sent] = await wait_status(bot_db, "sent")
    assert message.nonce == sent.nonce
    statuses = [r.status for r in fake.requests if r.path.endswith("/messages")]
    assert statuses.count(429) == 2 and statuses.count(200) == 1
    assert len(fake.messages(office.guild.channel)) == 1


async def test_forbidden_pauses_the_subscription_and_stops_posting(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """A 403 pauses the channel's subscription with the reason; later changes post nothing."""
    fake.fail(f"POST /channels/{office.guild.channel.id}/messages", 403)
    await subscribe(bot_db, office)
    await set_status(bot_db, "suspended")
    await wait_status(bot_db, "skipped")
    async with bot_db.session() as session:
        [subscription] = list((await session.execute(select(Subscription))).scalars())
    assert subscription.state == "paused" and "403" in (subscription.state_reason or "")
    await set_status(bot_db, "partial")
    await dispatching[1].run_once()
    assert fake.messages(office.guild.channel) == []
    assert len(await deliveries(bot_db)) == 1


async def test_thirty_changes_at_once_become_one_summary(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """A bulk change (30 records changed in one import) is one summary post, not 30."""
    dispatcher = dispatching[1]
    dispatcher.max_batch = 100
    await subscribe(bot_db, office, "all")
    keys = await bodycam_keys(bot_db)
    async with bot_db.writer(Scope.shared(), EDITOR, reason="bulk") as writer:
        for index in range(30):
            await writer.change("bodycam", keys[index % len(keys)], {"notes": f"Bulk note {index}"})
    await fake.wait_for_messages(office.guild.channel, 1)
    await wait_status(bot_db, "sent")
    await dispatcher.run_once()
    [message] = fake.messages(office.guild.channel)
    [embed] = message.embeds
    assert embed["title"] == "30 changes"
    assert "30 body-camera records" in embed["fields"][0]["value"]
    assert sum(len(str(v)) for v in embed.values()) < 6000


async def bodycam_keys(db: Database) -> list[str]:
    async with db.session() as session:
        return list(
            (
                await session.execute(select(BodycamDeployment.key).order_by(BodycamDeployment.key))
            ).scalars()
        )


async def test_a_channel_discord_does_not_know_pauses_its_subscription(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """A channel neither cached nor known to Discord: Discord's 404 pauses it, with why."""
    unknown = 4_242_424_242
    assert dispatching[0].get_channel(unknown) is None
    await add_subscription(bot_db, office.guild.id, unknown, "bodycam")
    await set_status(bot_db, "suspended")
    [delivery] = await wait_status(bot_db, "skipped")
    async with bot_db.session() as session:
        [subscription] = list((await session.execute(select(Subscription))).scalars())
    assert subscription.state == "paused"
    assert "404 (code 10003): Unknown Channel" in (subscription.state_reason or "")
    assert delivery.error == subscription.state_reason


def guild_not_yet_announced(fake: FakeDiscord) -> FakeGuild:
    """A guild the bot is in whose GUILD_CREATE has not reached it yet (a slow start, an
    outage): Discord knows its channels, the bot's cache does not."""
    guild = FakeGuild(fake.world, "Office of Rep. Later", fake.bot_user, fake.bot_permissions)
    fake.world.guilds[guild.id] = guild
    return guild


async def test_a_channel_not_in_the_cache_yet_is_posted_not_paused(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """A followed channel missing from the bot's cache is not taken for gone: the post goes to
    it by id, once, and the subscription stays active."""
    later = guild_not_yet_announced(fake)
    assert dispatching[0].get_channel(later.channel.id) is None
    await add_subscription(bot_db, later.id, later.channel.id, "bodycam")
    await set_status(bot_db, "suspended")
    [message] = await fake.wait_for_messages(later.channel, 1)
    [delivery] = await wait_status(bot_db, "sent")
    assert message.nonce == delivery.nonce and message.enforce_nonce
    assert dispatching[0].get_channel(later.channel.id) is None  # still not cached
    async with bot_db.session() as session:
        [subscription] = list((await session.execute(select(Subscription))).scalars())
    assert subscription.state == "active" and subscription.state_reason is None


def test_a_huge_summary_stays_within_one_message() -> None:
    """300 changes with long keys and mention-laden summaries: one embed under 6,000 characters,
    the rest counted, nothing pings."""
    events = [
        SimpleNamespace(
            id=index,
            revision_id=None,
            record_kind="bodycam" if index % 3 else "question",
            record_key=f"key-{index}-" + "x" * 150,
            event_type="overdue",
            summary="@everyone " + "y" * 300,
        )
        for index in range(1, 301)
    ]
    [embed] = summary_post(events, {})
    assert embed_text_length(embed) <= 6000 and len(embed.description or "") <= 4096
    assert embed.title == "300 changes"
    assert (embed.description or "").splitlines()[-1].startswith("… and ")
    assert "@everyone" not in (embed.description or "")
    assert embed.fields[0].value == "200 body-camera records · 100 oversight questions"


def test_a_time_driven_post_shows_the_event_summary() -> None:
    """No revision (an alert): the post says the event's summary and its change number."""
    event = SimpleNamespace(
        id=7,
        revision_id=None,
        record_kind="question",
        record_key="q-1",
        event_type="overdue",
        summary="Question q-1 is overdue (due Nov 27, 2026).",
    )
    embed = change_post(event, None)
    assert embed.description == event.summary and embed.footer.text == "change #7"


def test_a_link_post_names_its_two_ends_not_its_key() -> None:
    """A link is titled by what it joins ('Link: H.R. 7147 ↔ OQ-4'), from its key or, when the
    key was shortened with a hash, from its revision's values; never 'link measure:…~question:…'."""
    key = "measure:119-hr7147~question:OQ-4"
    event = SimpleNamespace(
        id=8, revision_id=3, record_kind="link", record_key=key, event_type="created", summary=""
    )
    revision = SimpleNamespace(
        action="create", changes={}, actor_id=None, actor_name="t", recorded_at=NOW, reason=None
    )
    embed = change_post(event, revision, label=f"link {key}")
    assert embed.title == "New · Link: H.R. 7147 ↔ OQ-4"
    hashed = SimpleNamespace(**{**vars(event), "record_key": "measure:119-hr7147~q-3f2a9c"})
    ends = {"a_kind": [None, "measure"], "a_key": [None, "119-hr7147"],
            "b_kind": [None, "question"], "b_key": [None, "OQ-4"]}  # fmt: skip
    with_values = SimpleNamespace(**{**vars(revision), "changes": ends})
    assert change_post(hashed, with_values).title == "New · Link: H.R. 7147 ↔ OQ-4"


async def test_many_channels_each_get_the_change_once_while_one_failing_channel_waits(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """45 channels follow the record (more than the dispatcher posts to at once): each gets the
    post once; a 500 in one of them leaves it for a retry without holding up the others."""
    channels = [office.guild.add_channel(f"desk-{n}") for n in range(45)]
    bot = dispatching[0]
    await fake.wait_until(lambda: all(bot.get_channel(c.id) for c in channels))
    for channel in channels:
        await add_subscription(bot_db, office.guild.id, channel.id, "bodycam")
    fake.fail(f"POST /channels/{channels[3].id}/messages", 500, times=1)
    await set_status(bot_db, "suspended")
    await fake.wait_until(lambda: all(fake.messages(c) for c in channels), within=15)
    await wait_status(bot_db, "sent")
    assert [len(fake.messages(c)) for c in channels] == [1] * 45


async def claimed_at(db: Database) -> dt.datetime | None:
    [delivery] = await deliveries(db)
    return delivery.claimed_at


async def test_a_slow_post_keeps_its_claim_by_heartbeat(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    clock: FixedClock,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """While a post hangs, its worker renews the claim: 16 s on (past the 10 s lease) another
    worker finds nothing to take, and the post arrives once."""
    dispatching[1].heartbeat = 0.05
    fake.slow("POST /channels/*/messages", 2.0, times=1)
    await subscribe(bot_db, office)
    await set_status(bot_db, "suspended")
    await wait_status(bot_db, "sending")
    for _ in range(2):
        clock.advance(dt.timedelta(seconds=8))
        for _ in range(250):  # the next beat records the new time
            if await claimed_at(bot_db) == clock.now():
                break
            await asyncio.sleep(0.02)
        assert await claimed_at(bot_db) == clock.now()
    assert await claim_batches(bot_db, worker="test:2", now=clock.now()) == []
    [message] = await fake.wait_for_messages(office.guild.channel, 1)
    [sent] = await wait_status(bot_db, "sent")
    assert message.nonce == sent.nonce
    assert len(fake.messages(office.guild.channel)) == 1


async def test_a_new_record_is_posted_by_its_label_in_words_without_internal_fields(
    fake: FakeDiscord,
    office: Office,
    bot_db: Database,
    dispatching: tuple[OversightBot, Dispatcher],
) -> None:
    """A created body-camera record: titled by city and component, fields by their names with
    values in words, no key, city_key or as-of line, the editor as a mention."""
    await subscribe(bot_db, office)
    values = {"city": "Trackton", "state": "TX", "component": "ICE-ERO", "status": "announced",
              "as_of": "2026-11-20"}  # fmt: skip
    async with bot_db.writer(Scope.shared(), EDITOR) as writer:
        await writer.create("bodycam", values)
    [message] = await fake.wait_for_messages(office.guild.channel, 1)
    [embed] = message.embeds
    assert embed["title"] == "New · Trackton, TX · ICE-ERO"
    description = embed["description"]
    assert "**Status**: Announced" in description and "**City**: “Trackton”" in description
    for internal in ("trackton-tx-ice-ero", "city_key", "City key", "**Key**", "As of"):
        assert internal not in description
    assert embed["fields"][0] == {"name": "By", "value": "<@1001>", "inline": True}


async def test_post_contexts_label_each_event_by_its_record(db: Database) -> None:
    """The dispatcher's one read per batch also names each event's record as the guild sees
    it (one query per kind): what an update's post is titled with."""
    async with db.writer(Scope.shared(), EDITOR) as writer:
        await writer.create("bodycam", {"city": "Trackton", "state": "TX", "status": "announced",
                                        "component": "ICE-ERO", "as_of": "2026-11-20"})  # fmt: skip
        await writer.change("bodycam", "trackton-tx-ice-ero", {"status": "full"})
    query = select(ChangeEvent).order_by(ChangeEvent.id)  # type: ignore[arg-type]
    async with db.session() as session:
        events = list((await session.execute(query)).scalars())
    [context] = await post_contexts(db, [(events, 5)])
    revisions, _sources = context  # still unpacks as a pair
    assert set(context.labels.values()) == {"Trackton, TX · ICE-ERO"}
    update = events[-1]
    revision, label = revisions[update.revision_id or 0], context.labels[update.id or 0]
    embed = change_post(update, revision, label=label)
    assert embed.title == "Changed · Trackton, TX · ICE-ERO"
    assert embed.description == "**Status**: Announced → Full"
    [summary] = summary_post(events, revisions, context.labels)
    assert (summary.description or "").splitlines()[-1] == (
        "• **Trackton, TX · ICE-ERO**: Status: Announced → Full (by <@1001>)"
    )
