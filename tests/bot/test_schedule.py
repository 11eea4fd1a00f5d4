"""The scheduler tick: due digests are posted once (one catch-up after downtime), alerts fire."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.client import OversightBot
from bot.schedule import Scheduler, until_next_tick
from db.clock import FixedClock
from db.digests import set_digest
from db.models import ChangeEvent
from fakediscord import FakeDiscord
from tests.conftest import Office


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
    assert not fake.violations


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
    assert not fake.violations


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
    assert not fake.violations


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
    assert not fake.violations


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
    assert not fake.violations


def test_ticks_fall_on_the_minute() -> None:
    """After a tick at 9:00:00.25 the next is 59.75 s later, at 9:01:00; any interval works."""
    nine = dt.datetime(2026, 11, 30, 14, 0, tzinfo=dt.UTC).timestamp()
    assert until_next_tick(nine + 0.25, 60) == pytest.approx(59.75)
    assert until_next_tick(nine + 59.9, 60) == pytest.approx(0.1)
    assert until_next_tick(nine + 0.5, 1) == pytest.approx(0.5)
