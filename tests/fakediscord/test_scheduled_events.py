"""Guild scheduled events through the real discord.py client: create, list, move, delete, the
gateway's announcements, and every refusal Discord would give (permissions, field limits, times
in the past, the 100-event cap) answered in Discord's shape and recorded as a violation.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest

from fakediscord import FakeDiscord, FakeGuild, Perm
from tests.fakediscord.probe_bot import ProbeBot

NOW = dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC)
START = NOW + dt.timedelta(days=3)
END = START + dt.timedelta(hours=8)


@pytest.fixture(autouse=True)
def fixed_now(fake: FakeDiscord) -> None:
    fake.clock = lambda: NOW


@contextlib.asynccontextmanager
async def connected(fake: FakeDiscord, intents: discord.Intents) -> AsyncIterator[discord.Client]:
    client = discord.Client(intents=intents, guild_ready_timeout=0.05)
    with fake.patched():
        task = asyncio.create_task(client.start(fake.token))
        try:
            await fake.wait_until_connected()
            await asyncio.wait_for(client.wait_until_ready(), 5)
            yield client
        finally:
            await client.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 5)


@pytest.fixture
async def client(fake: FakeDiscord) -> AsyncIterator[discord.Client]:
    """A client that asked for scheduled-event dispatches (the guild_scheduled_events intent)."""
    async with connected(fake, discord.Intents(guilds=True, guild_scheduled_events=True)) as bot:
        yield bot


def cached_guild(client: discord.Client, guild: FakeGuild) -> discord.Guild:
    found = client.get_guild(guild.id)
    assert found is not None
    return found


async def create(guild: discord.Guild, **changes: Any) -> discord.ScheduledEvent:
    values: dict[str, Any] = {
        "name": "OQ-7 report due",
        "start_time": START,
        "end_time": END,
        "entity_type": discord.EntityType.external,
        "location": "U.S. Capitol",
        "privacy_level": discord.PrivacyLevel.guild_only,
        "description": "The ICE execution plan is owed to the committee.",
    }
    return await guild.create_scheduled_event(**(values | changes))


async def test_create_list_move_and_delete(
    fake: FakeDiscord, guild: FakeGuild, client: discord.Client
) -> None:
    """Each call lands in the guild as Discord would keep it, and reads back the same."""
    guild.allow_manage_events()
    await fake.wait_until(lambda: cached_guild(client, guild).me.guild_permissions.manage_events)
    event = await create(cached_guild(client, guild))
    [stored] = fake.scheduled_events(guild)
    assert (stored.id, stored.name) == (event.id, "OQ-7 report due")
    assert stored.location == "U.S. Capitol"
    assert stored.start == START and stored.creator.id == fake.bot_user.id
    assert event.location == "U.S. Capitol" and event.end_time == END

    [listed] = await cached_guild(client, guild).fetch_scheduled_events()
    assert (listed.id, listed.name, listed.description) == (event.id, event.name, event.description)

    later = START + dt.timedelta(days=2)
    moved = await event.edit(start_time=later, end_time=later + dt.timedelta(hours=8))
    assert moved.start_time == later
    assert [e.start for e in fake.scheduled_events(guild)] == [later]
    assert len(stored.edits) == 1

    await moved.delete()
    assert fake.scheduled_events(guild) == []
    with pytest.raises(discord.NotFound) as gone:
        await cached_guild(client, guild).fetch_scheduled_event(event.id)
    assert gone.value.code == 10070


async def test_the_gateway_announces_each_change(
    fake: FakeDiscord, guild: FakeGuild, client: discord.Client
) -> None:
    """Create, update and delete reach a client with the intent, as does a member's event."""
    guild.allow_manage_events()
    await fake.wait_until(lambda: cached_guild(client, guild).me.guild_permissions.manage_events)
    cache = cached_guild(client, guild)
    event = await create(cache)
    await fake.wait_until(lambda: cache.get_scheduled_event(event.id) is not None)
    await event.edit(name="OQ-7 report due (moved)")
    renamed = "OQ-7 report due (moved)"
    await fake.wait_until(
        lambda: getattr(cache.get_scheduled_event(event.id), "name", "") == renamed
    )
    await event.delete()
    await fake.wait_until(lambda: cache.get_scheduled_event(event.id) is None)

    hearing = guild.add_scheduled_event("Oversight hearing", START)
    await fake.wait_until(lambda: cache.get_scheduled_event(hearing.id) is not None)
    assert cache.scheduled_events[0].creator_id == guild.owner.id


async def test_guild_create_carries_existing_events(fake: FakeDiscord, guild: FakeGuild) -> None:
    """A client that connects later finds the guild's events in its cache."""
    hearing = guild.add_scheduled_event("Oversight hearing", START, location="Room 2154")
    async with connected(fake, discord.Intents(guilds=True)) as client:
        [event] = cached_guild(client, guild).scheduled_events
    assert (event.id, event.location) == (hearing.id, "Room 2154")


async def test_without_the_intent_no_event_dispatch_is_sent(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """A guilds-only bot (like Oversight Desk) is told nothing; it reads events over REST."""
    guild.allow_manage_events()
    guild.add_scheduled_event("Oversight hearing", START)
    await fake.gateway.flush()
    session = fake.gateway.session
    assert session is not None
    sent = [frame["t"] for _, frame in session.log]
    assert "GUILD_ROLE_UPDATE" in sent
    assert not [name for name in sent if name.startswith("GUILD_SCHEDULED_EVENT")]
    events = await bot.http.get_scheduled_events(guild.id, False)
    assert [e["name"] for e in events] == ["Oversight hearing"]


@pytest.mark.allow_violations
async def test_missing_permissions_are_refused(
    fake: FakeDiscord, guild: FakeGuild, client: discord.Client
) -> None:
    """Without Manage Events: 403 50013 and a violation. Create Events lets the bot make and
    change its own events, not a member's."""
    with pytest.raises(discord.Forbidden) as refused:
        await create(cached_guild(client, guild))
    assert (refused.value.code, refused.value.text) == (50013, "Missing Permissions")
    assert [v.rule for v in fake.violations] == ["missing_permissions"]
    assert fake.scheduled_events(guild) == []

    guild.set_bot_permissions(grant=Perm.CREATE_EVENTS)
    await fake.wait_until(lambda: cached_guild(client, guild).me.guild_permissions.create_events)
    own = await create(cached_guild(client, guild))
    await own.edit(name="OQ-7 report due (own)")
    hearing = guild.add_scheduled_event("Oversight hearing", START)
    with pytest.raises(discord.Forbidden):
        await client.http.edit_scheduled_event(guild.id, hearing.id, name="Renamed")
    assert [e.name for e in fake.scheduled_events(guild)] == [
        "OQ-7 report due (own)",
        "Oversight hearing",
    ]
    assert [v.rule for v in fake.violations] == ["missing_permissions"] * 2


def external(**changes: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "name": "OQ-7 report due",
        "privacy_level": 2,
        "entity_type": 3,
        "scheduled_start_time": START.isoformat(),
        "scheduled_end_time": END.isoformat(),
        "entity_metadata": {"location": "U.S. Capitol"},
    }
    return {k: v for k, v in (payload | changes).items() if v is not ...}


@pytest.mark.allow_violations
@pytest.mark.parametrize(
    ("payload", "rule", "path", "message"),
    [
        (external(name="x" * 101), "event_name", "name", "Must be between 1 and 100 in length."),
        (external(name=""), "event_name", "name", "Must be between 1 and 100 in length."),
        (
            external(description="x" * 1001),
            "event_description",
            "description",
            "Must be 1000 or fewer in length.",
        ),
        (
            external(entity_metadata={"location": "x" * 101}),
            "event_location",
            "entity_metadata.location",
            "Must be between 1 and 100 in length.",
        ),
        (
            external(entity_metadata=...),
            "event_location",
            "entity_metadata.location",
            "This field is required",
        ),
        (
            external(scheduled_end_time=...),
            "event_end",
            "scheduled_end_time",
            "This field is required",
        ),
        (
            external(scheduled_end_time=(START - dt.timedelta(hours=1)).isoformat()),
            "event_end",
            "scheduled_end_time",
            "The end time must be after the start time.",
        ),
        (
            external(scheduled_start_time=(NOW - dt.timedelta(minutes=1)).isoformat()),
            "event_start_past",
            "scheduled_start_time",
            "Cannot schedule event in the past.",
        ),
        (
            external(privacy_level=1),
            "event_privacy_level",
            "privacy_level",
            "Value must be one of {2}.",
        ),
        (
            external(privacy_level=...),
            "event_privacy_level",
            "privacy_level",
            "This field is required",
        ),
    ],
    ids=[
        "name-too-long",
        "name-empty",
        "description",
        "location-too-long",
        "location-missing",
        "end-missing",
        "end-before-start",
        "start-in-the-past",
        "privacy-public",
        "privacy-missing",
    ],
)
async def test_bad_fields_are_invalid_form_bodies(
    fake: FakeDiscord,
    guild: FakeGuild,
    client: discord.Client,
    payload: dict[str, Any],
    rule: str,
    path: str,
    message: str,
) -> None:
    """Each broken field: 400 50035 naming the field, a violation, and nothing created."""
    guild.allow_manage_events()
    with pytest.raises(discord.HTTPException) as refused:
        await client.http.create_guild_scheduled_event(guild.id, **payload)
    assert (refused.value.status, refused.value.code) == (400, 50035)
    assert f"In {path}: {message}" in refused.value.text
    assert [(v.rule, v.path) for v in fake.violations] == [(rule, path)]
    assert fake.scheduled_events(guild) == []


@pytest.mark.allow_violations
async def test_moving_into_the_past_is_refused(
    fake: FakeDiscord, guild: FakeGuild, client: discord.Client
) -> None:
    """An edit is checked merged with the event: a start in the past, or after the end."""
    guild.allow_manage_events()
    await fake.wait_until(lambda: cached_guild(client, guild).me.guild_permissions.manage_events)
    event = await create(cached_guild(client, guild))
    with pytest.raises(discord.HTTPException) as past:
        await event.edit(start_time=NOW - dt.timedelta(days=1))
    assert "Cannot schedule event in the past." in past.value.text
    with pytest.raises(discord.HTTPException) as inverted:
        await event.edit(start_time=END + dt.timedelta(hours=1))
    assert "The end time must be after the start time." in inverted.value.text
    assert [e.start for e in fake.scheduled_events(guild)] == [START]
    assert [v.rule for v in fake.violations] == ["event_start_past", "event_end"]


@pytest.mark.allow_violations
async def test_the_101st_event_is_refused(
    fake: FakeDiscord, guild: FakeGuild, client: discord.Client
) -> None:
    """100 live events per guild, whoever made them: the next is 400 30038 until one goes."""
    guild.allow_manage_events()
    await fake.wait_until(lambda: cached_guild(client, guild).me.guild_permissions.manage_events)
    made = [
        guild.add_scheduled_event(f"Hearing {n}", START + dt.timedelta(hours=n)) for n in range(100)
    ]
    with pytest.raises(discord.HTTPException) as refused:
        await create(cached_guild(client, guild))
    assert (refused.value.status, refused.value.code) == (400, 30038)
    assert refused.value.text == "Maximum number of guild scheduled events reached (100)"
    assert [v.rule for v in fake.violations] == ["scheduled_event_count"]

    await client.http.delete_scheduled_event(guild.id, made[0].id)
    await create(cached_guild(client, guild))
    assert len(fake.scheduled_events(guild)) == 100


async def test_injected_failures_and_lost_answers(
    fake: FakeDiscord, guild: FakeGuild, client: discord.Client
) -> None:
    """fail_scheduled_events: the next N calls fail and change nothing; with `lost` the event
    is created although the bot hears 503 (a crash between Discord's answer and the commit)."""
    guild.allow_manage_events()
    await fake.wait_until(lambda: cached_guild(client, guild).me.guild_permissions.manage_events)
    fake.fail_scheduled_events(times=2, method="POST")
    for _ in range(2):
        with pytest.raises(discord.DiscordServerError):
            await create(cached_guild(client, guild))
    assert fake.scheduled_events(guild) == []
    await create(cached_guild(client, guild), name="Third time")
    assert [e.name for e in fake.scheduled_events(guild)] == ["Third time"]

    fake.fail_scheduled_events(lost=True)
    with pytest.raises(discord.DiscordServerError):
        await create(cached_guild(client, guild), name="Lost answer")
    assert [e.name for e in fake.scheduled_events(guild)] == ["Third time", "Lost answer"]
    statuses = [r.status for r in fake.requests if r.path.endswith("/scheduled-events")]
    assert statuses == [503, 503, 200, 503]
