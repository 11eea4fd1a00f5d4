"""Two bot processes, shard 0 and shard 1 of 2, against one fake Discord and one PostgreSQL (as
README's "Running several processes" runs them): each hears and answers only its own guilds;
a change reaches a tracked channel once however many dispatchers run; a guild's digest and
calendar events are the work of the process that runs its shard, and the other leaves them
alone."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import discord
import pytest
from pydantic import SecretStr

from bot.calendar_events import CalendarEventsService, calendar_service
from bot.client import OversightBot
from bot.config import CongressSettings, load_settings
from bot.congress_service import CongressService
from bot.dispatch import Dispatcher
from bot.schedule import Scheduler
from db.calendar_events import calendar_status, set_enabled
from db.clock import FixedClock
from db.digests import set_digest
from db.engine import Database
from db.oversight import create_question
from db.scope import Actor, Scope
from db.tracking import add_subscription
from fakecongress import FakeCongress
from fakediscord import FakeDiscord, FakeGuild, FakeMember
from tests.conftest import TOKEN, starter_data_twice

pytestmark = pytest.mark.postgres
CONGRESS_FIXTURES = Path(__file__).parents[1] / "fixtures" / "congress"
EDITOR = Actor("alice", 1001)


@dataclass
class Process:
    """One bot process: its shard's bot, its own connection pool, its dispatcher."""

    bot: OversightBot
    dispatcher: Dispatcher
    heard: list[int | None]  # the guild of every interaction it received


@dataclass
class Office:
    guild: FakeGuild
    staffer: FakeMember


@pytest.fixture
async def databases(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FixedClock
) -> AsyncIterator[tuple[Database, Database]]:
    """One PostgreSQL database with the starter dataset, reached through two pools (two
    processes)."""
    async with starter_data_twice(request, "postgres", tmp_path, clock) as pair:
        yield pair


@pytest.fixture
def offices(fake: FakeDiscord, clock: FixedClock) -> tuple[Office, Office]:
    """An office on shard 0 of 2 and one on shard 1."""
    fake.clock = clock.now  # scheduled events are judged by the bots' clock
    made = []
    for shard in (0, 1):
        guild = fake.add_guild(f"Office on shard {shard}", shard=(shard, 2))
        made.append(Office(guild, guild.add_member("staffer")))
    return made[0], made[1]


def process(database: Database, shard: int) -> Process:
    environ = {"DISCORD_SHARD_COUNT": "2", "DISCORD_SHARD_IDS": str(shard)}
    bot = OversightBot(settings=load_settings(None, environ=environ), database=database)
    dispatcher = Dispatcher(bot, worker=f"shard-{shard}", pace=0.0)
    bot.services.append(dispatcher)
    heard: list[int | None] = []

    async def record(interaction: discord.Interaction) -> None:
        heard.append(interaction.guild_id)

    bot.add_listener(record, "on_interaction")
    return Process(bot, dispatcher, heard)


@pytest.fixture
async def processes(
    fake: FakeDiscord, offices: tuple[Office, Office], databases: tuple[Database, Database]
) -> AsyncIterator[tuple[Process, Process]]:
    """Shard 0's process and shard 1's, both connected, ready and running their services."""
    pair = process(databases[0], 0), process(databases[1], 1)
    tasks = []
    with fake.patched():
        try:
            for each in pair:  # one after the other, as two processes would start
                tasks.append(asyncio.create_task(each.bot.start(TOKEN)))
                await fake.wait_until(lambda: len(tasks) - 1 in fake.gateway.live_shards())
            await fake.wait_until_connected()
            await fake.wait_for_sync()
            for each in pair:
                await asyncio.wait_for(each.bot.wait_until_ready(), 10)
            yield pair
        finally:
            for each in pair:
                await each.bot.close()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(task, 10)


async def test_each_process_answers_only_its_own_guilds(
    fake: FakeDiscord, offices: tuple[Office, Office], processes: tuple[Process, Process]
) -> None:
    zero, one = processes
    assert [g.id for g in zero.bot.guilds] == [offices[0].guild.id]
    assert [g.id for g in one.bot.guilds] == [offices[1].guild.id]
    for office in offices:
        reply = await fake.slash("help", guild=office.guild, user=office.staffer)
        assert reply.embeds[0]["title"].startswith("Commands: ")
    assert zero.heard == [offices[0].guild.id]
    assert one.heard == [offices[1].guild.id]


async def test_a_change_is_posted_once_though_both_processes_dispatch(
    fake: FakeDiscord,
    offices: tuple[Office, Office],
    databases: tuple[Database, Database],
    processes: tuple[Process, Process],
) -> None:
    """Both offices follow body cameras; one change is one post in each, the shard-1 office's
    included, however many rounds either dispatcher runs."""
    for office in offices:
        await add_subscription(databases[1], office.guild.id, office.guild.channel.id, "bodycam")
    async with databases[0].writer(Scope.shared(), EDITOR) as writer:
        await writer.change("bodycam", "minneapolis-mn-ice-ero", {"status": "suspended"})
    for office in offices:
        [message] = await fake.wait_for_messages(office.guild.channel, 1)
        assert message.embeds[0]["description"] == "**Status**: Full → Suspended"
    for each in processes:
        await each.dispatcher.run_once()
    for office in offices:
        path = f"/channels/{office.guild.channel.id}/messages"
        posts = [r for r in fake.requests if r.method == "POST" and r.path == path]
        assert len(posts) == 1
        assert len(fake.messages(office.guild.channel)) == 1


async def test_a_digest_is_posted_by_the_process_of_its_guilds_shard(
    fake: FakeDiscord,
    offices: tuple[Office, Office],
    clock: FixedClock,
    processes: tuple[Process, Process],
) -> None:
    """Both offices' digests are due at 9:00: shard 0's process posts its office's and leaves the
    other's due, which shard 1's process then posts; no tick of either posts one twice."""
    zero, one = processes
    for office in offices:
        await set_digest(
            zero.bot.database,
            office.guild.id,
            office.guild.channel.id,
            "daily 9:00",
            "America/New_York",
            created_by=office.staffer.id,
            now=clock.now(),
        )
    clock.advance(dt.timedelta(hours=23, minutes=1))  # 09:01 New York the next morning
    first, second = (office.guild.channel for office in offices)
    assert await Scheduler(zero.bot).tick() == 1
    assert (len(fake.messages(first)), len(fake.messages(second))) == (1, 0)
    assert await Scheduler(one.bot).tick() == 1
    for each in processes:
        assert await Scheduler(each.bot).tick() == 0
    for channel in (first, second):
        [digest] = fake.messages(channel)
        assert digest.embeds[0]["title"].startswith("Oversight digest")


def calendar(each: Process) -> CalendarEventsService:
    found = calendar_service(each.bot)
    assert found is not None
    return found


async def test_calendar_events_are_made_once_by_the_process_of_the_guilds_shard(
    fake: FakeDiscord,
    offices: tuple[Office, Office],
    databases: tuple[Database, Database],
    clock: FixedClock,
    processes: tuple[Process, Process],
) -> None:
    """The shard-1 office turns calendar events on: its deadline becomes one event, made by
    shard 1's process; shard 0's process finds the guild absent and records nothing, so the
    office is not shown as paused or failing."""
    zero, one = processes
    office = offices[1]
    office.guild.allow_manage_events()
    async with databases[0].writer(Scope.guild(office.guild.id), EDITOR) as writer:
        await create_question(
            writer,
            {
                "question": "ICE execution plan",
                "asked_by": "Rep. Example",
                "addressed_to": "ICE",
                "due_date": clock.now().date() + dt.timedelta(days=3),
            },
        )
    await set_enabled(databases[0], office.guild.id, True, by=office.staffer.id, now=clock.now())
    for each in processes:
        calendar(each).wake()
    await fake.wait_until(lambda: len(fake.scheduled_events(office.guild)) == 1, what="the event")
    assert await calendar(zero).sync_guild(office.guild.id) == "absent"
    while (outcome := await calendar(one).sync_guild(office.guild.id)) == "busy":  # noqa: ASYNC110
        await asyncio.sleep(0.01)  # the service's own round holds the lease
    assert outcome == "synced"
    [event] = fake.scheduled_events(office.guild)
    assert event.name == "GQ-1 due: ICE execution plan"
    creates = [r for r in fake.requests if r.method == "POST" and "/scheduled-events" in r.path]
    assert len(creates) == 1
    status = await calendar_status(databases[1], office.guild.id)
    assert (status.paused_reason, status.last_error, status.scheduled) == (None, None, 1)


async def test_only_the_process_running_shard_zero_polls_congress_gov(
    fake: FakeDiscord, offices: tuple[Office, Office], processes: tuple[Process, Process]
) -> None:
    """With a key in both processes, shard 0's polls Congress.gov and shard 1's does not (one
    key's budget, spent once); /about in the shard-1 office says the sync is on, run by shard 0's
    process, with the last success both read from the one database."""
    key = "shard-test-key"
    async with FakeCongress(CONGRESS_FIXTURES, api_key=key) as api:
        congress = CongressSettings(
            api_base=api.base_url, api_key=SecretStr(key), congresses=(119,)
        )
        services = [CongressService(each.bot, congress) for each in processes]
        for each, service in zip(processes, services, strict=True):
            each.bot.services.append(service)
            await service.start()
        try:
            await fake.wait_until(lambda: services[0].last_report is not None, 30, "a sync")
            assert not services[1].running and services[1].last_report is None
            answers = [
                await fake.slash("about", guild=office.guild, user=office.staffer)
                for office in offices
            ]
        finally:
            for service in services:
                await service.stop()
    texts = [
        next(
            f["value"] for f in a.embeds[0]["fields"] if f["name"] == "Live data from Congress.gov"
        )
        for a in answers
    ]
    assert texts[0].startswith("On · ") and "next " in texts[0], texts[0]
    assert texts[1].startswith("On (polled by the process running shard 0) · "), texts[1]
    assert "last sync <t:" in texts[1] and "next " not in texts[1]
