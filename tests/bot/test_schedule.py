"""The scheduler tick: due digests are posted once (one catch-up after downtime), alerts fire."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from bot.client import OversightBot
from bot.config import Settings
from bot.schedule import Scheduler, until_next_tick
from bot.service import BackgroundService
from db.clock import FixedClock
from db.digests import get_digest, set_digest
from db.engine import Database
from db.models import ChangeEvent
from fakediscord import FakeDiscord, FakeGuild
from tests.conftest import Office, running


async def daily_digest(bot: OversightBot, office: Office) -> None:
    await set_digest(
        bot.database,
        office.guild.id,
        office.guild.channel.id,
        "daily 9:00",
        "America/New_York",
        created_by=office.admin.id,
        now=bot.database.clock.now(),
    )


async def test_a_due_digest_is_posted_once(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """At 9:00 New York the next morning the digest is posted in its channel, once."""
    await daily_digest(bot, office)
    scheduler = Scheduler(bot)
    assert await scheduler.tick() == 0  # set at 10:00 New York: nothing due yet today
    clock.advance(dt.timedelta(hours=23, minutes=1))  # 2026-11-29 14:01 UTC = 09:01 New York
    assert await scheduler.tick() == 1
    assert await scheduler.tick() == 0
    posts = fake.messages(office.guild.channel)
    assert len(posts) == 1 and posts[0].nonce.startswith("dg")
    assert posts[0].embeds[0]["title"].startswith("Oversight digest")
    assert "OQ-4" in str(posts[0].embeds)  # overdue questions are in the digest


async def test_after_downtime_one_catch_up_digest(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """Three missed mornings give one catch-up digest, not three."""
    await daily_digest(bot, office)
    clock.advance(dt.timedelta(days=3, hours=1))
    scheduler = Scheduler(bot)
    assert await scheduler.tick() == 1
    assert await scheduler.tick() == 0
    assert len(fake.messages(office.guild.channel)) == 1


async def test_an_overdue_question_fires_one_alert_event(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """A question due yesterday fires one 'overdue' event, however often the tick runs."""
    from db.oversight import add_question
    from db.scope import Actor, Scope

    async with bot.database.writer(Scope.guild(office.guild.id), Actor("t", 1)) as writer:
        await add_question(
            writer,
            {
                "question": "Footage?",
                "asked_by": "Rep. A",
                "addressed_to": "ICE",
                "due_date": "2026-11-28",
                "as_of": "2026-11-01",
            },
        )
    clock.advance(dt.timedelta(days=1))
    scheduler = Scheduler(bot)
    await scheduler.tick()
    await scheduler.tick()
    async with bot.database.session() as session:
        from sqlalchemy import select

        events = (
            (await session.execute(select(ChangeEvent).where(ChangeEvent.event_type == "overdue")))
            .scalars()
            .all()
        )
    assert [(e.record_key, e.guild_id) for e in events] == [("GQ-1", office.guild.id)]


async def test_nine_new_york_stays_nine_across_the_march_change(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """A 'daily 9:00' digest posts at 14:00 UTC on March 13, 2027 and 13:00 UTC on March 14."""
    clock.current = dt.datetime(2027, 3, 12, 15, 0, tzinfo=dt.UTC)
    await daily_digest(bot, office)
    scheduler = Scheduler(bot)
    clock.current = dt.datetime(2027, 3, 13, 13, 59, tzinfo=dt.UTC)
    assert await scheduler.tick() == 0  # 08:59 EST: not yet
    clock.current = dt.datetime(2027, 3, 13, 14, 0, tzinfo=dt.UTC)
    assert await scheduler.tick() == 1  # 09:00 EST
    clock.current = dt.datetime(2027, 3, 14, 12, 59, tzinfo=dt.UTC)
    assert await scheduler.tick() == 0  # 08:59 EDT: not yet
    clock.current = dt.datetime(2027, 3, 14, 13, 0, tzinfo=dt.UTC)
    assert await scheduler.tick() == 1  # 09:00 EDT
    assert len(fake.messages(office.guild.channel)) == 2


async def test_many_digests_due_at_once_post_in_groups_and_a_failure_waits_for_the_next_tick(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """30 channels due at 9:00 (more than one group): all post; the one Discord refused is
    tried again at the next tick, and the others are not posted twice."""
    channels = [office.guild.add_channel(f"desk-{n}") for n in range(30)]
    await fake.wait_until(lambda: all(bot.get_channel(c.id) for c in channels))
    for channel in channels:
        await set_digest(bot.database, office.guild.id, channel.id, "daily 9:00",
                         "America/New_York", created_by=None, now=clock.now())  # fmt: skip
    fake.fail(f"POST /channels/{channels[7].id}/messages", 400, times=1)
    clock.advance(dt.timedelta(hours=23, minutes=1))
    scheduler = Scheduler(bot)
    assert await scheduler.tick() == 29
    assert [len(fake.messages(c)) for c in channels].count(1) == 29
    assert fake.messages(channels[7]) == []
    assert await scheduler.tick() == 1
    assert all(len(fake.messages(c)) == 1 for c in channels)
    assert await scheduler.tick() == 0


def test_ticks_fall_on_the_minute() -> None:
    """After a tick at 9:00:00.25 the next is 59.75 s later, at 9:01:00; any interval works."""
    nine = dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.UTC).timestamp()
    assert until_next_tick(nine + 0.25, 60) == pytest.approx(59.75)
    assert until_next_tick(nine + 59.9, 60) == pytest.approx(0.1)
    assert until_next_tick(nine + 0.5, 1) == pytest.approx(0.5)


async def advanced(db: Database, channel_id: int, now: dt.datetime) -> None:
    """Until the channel's digest is recorded as run at `now`."""
    for _ in range(250):
        schedule = await get_digest(db, channel_id)
        if schedule is not None and schedule.last_run_at == now:
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"the digest of channel {channel_id} never ran at {now}")


async def test_a_digest_due_when_the_bot_starts_is_posted(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings, clock: FixedClock
) -> None:
    """The bot was down at 9:00: once it is connected the scheduler's first tick posts the
    catch-up digest (the channel is in the cache by then), once."""
    await set_digest(bot_db, office.guild.id, office.guild.channel.id, "daily 9:00",
                     "America/New_York", created_by=None, now=clock.now())  # fmt: skip
    clock.advance(dt.timedelta(days=1))  # 2026-11-29 10:00 New York: due since 9:00
    bot = OversightBot(settings=settings, database=bot_db)
    scheduler = Scheduler(bot, interval=3600)  # only the first tick falls inside this test
    bot.services.append(scheduler)
    fake.slow("/applications/**", 0.5)  # slow start-up: services start before guilds arrive
    async with running(fake, bot):
        [post] = await fake.wait_for_messages(office.guild.channel, 1)
        assert post.embeds[0]["title"].startswith("Oversight digest")
        await advanced(bot_db, office.guild.channel.id, clock.now())  # recorded after posting
        assert await scheduler.tick() == 0
    assert len(fake.messages(office.guild.channel)) == 1


async def test_a_digest_for_a_channel_not_in_the_cache_yet_is_posted(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """A digest channel whose guild the bot has not been told about yet is posted to by id,
    not skipped as gone."""
    later = FakeGuild(fake.world, "Office of Rep. Later", fake.bot_user, fake.bot_permissions)
    fake.world.guilds[later.id] = later  # no GUILD_CREATE: the bot's cache lacks its channels
    assert bot.get_channel(later.channel.id) is None
    await set_digest(bot.database, later.id, later.channel.id, "daily 9:00", "America/New_York",
                     created_by=None, now=clock.now(), post_empty=True)  # fmt: skip
    clock.advance(dt.timedelta(hours=23, minutes=1))
    assert await Scheduler(bot).tick() == 1
    [post] = fake.messages(later.channel)
    assert post.nonce.startswith("dg")


async def test_a_digest_for_a_deleted_channel_is_skipped_not_retried(
    fake: FakeDiscord, office: Office, bot: OversightBot, clock: FixedClock
) -> None:
    """Discord's 404 (the channel was deleted): the digest moves on to its next slot."""
    channel = office.guild.add_channel("desk")
    await fake.wait_until(lambda: bot.get_channel(channel.id) is not None)
    await set_digest(bot.database, office.guild.id, channel.id, "daily 9:00", "America/New_York",
                     created_by=None, now=clock.now())  # fmt: skip
    office.guild.remove_channel(channel)
    await fake.wait_until(lambda: bot.get_channel(channel.id) is None)
    clock.advance(dt.timedelta(hours=23, minutes=1))
    assert await Scheduler(bot).post_digests(clock.now()) == 0
    schedule = await get_digest(bot.database, channel.id)
    assert schedule is not None and schedule.last_run_at == clock.now()
    assert fake.messages(channel) == []


class Flaky(BackgroundService):
    """Fails its first round, then counts rounds; notes whether the bot was ready each time."""

    name = "flaky"

    def __init__(self, bot: OversightBot) -> None:
        super().__init__(bot)
        self.ready_at_round: list[bool] = []

    async def run_once(self) -> None:
        self.ready_at_round.append(self.bot.is_ready())
        if len(self.ready_at_round) == 1:
            raise RuntimeError("a bad round")

    async def next_wait(self) -> float:
        return 0.01


async def test_a_service_starts_once_the_bot_is_ready_and_survives_a_failed_round(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> None:
    """Rounds begin only when the bot is ready; a round that raises is followed by the next;
    closing the bot stops the service."""
    bot = OversightBot(settings=settings, database=bot_db)
    service = Flaky(bot)
    bot.services.append(service)
    fake.slow("/applications/**", 0.5)  # slow start-up: services start before guilds arrive
    async with running(fake, bot):
        await fake.wait_until(lambda: len(service.ready_at_round) >= 3, what="3 rounds")
    assert all(service.ready_at_round)
    assert not service.running
