"""Injected failures reach discord.py exactly as Discord's would: 429s are retried, 5xx are
retried, 403/404 surface as Forbidden/NotFound with Discord's error codes.
"""

from __future__ import annotations

import discord
import pytest

from fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.probe_bot import ProbeBot


def statuses(fake: FakeDiscord, method: str, prefix: str) -> list[int]:
    return [r.status for r in fake.requests if r.method == method and r.path.startswith(prefix)]


@pytest.mark.parametrize("global_", [False, True], ids=["route", "global"])
async def test_rate_limit_is_retried_and_posts_once(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot, global_: bool
) -> None:
    """A 429 with Via and retry_after is waited out; the message arrives exactly once."""
    fake.fail("POST /channels/*/messages", 429, times=2, global_=global_)
    await fake.slash("announce", text="Markup at 10")
    assert [m.content for m in fake.messages(guild.channel)] == ["Markup at 10"]
    assert statuses(fake, "POST", f"/channels/{guild.channel.id}") == [429, 429, 200]


async def test_rate_limited_callback_is_retried(fake: FakeDiscord, bot: ProbeBot) -> None:
    """The interaction webhook path retries 429s too, within the 3 s deadline."""
    fake.fail("POST /interactions/*/*/callback", 429)
    reply = await fake.slash("bodycam city", city="Boston")
    assert reply.type == 4
    assert statuses(fake, "POST", "/interactions/") == [429, 200]


@pytest.mark.parametrize(
    ("status", "expected"), [(403, "Forbidden 50013"), (404, "NotFound 10003")]
)
async def test_client_errors_surface_as_exceptions(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot, status: int, expected: str
) -> None:
    """403 and 404 carry Discord's codes (Missing Permissions, Unknown Channel)."""

    async def send(interaction: discord.Interaction) -> None:
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        try:
            await channel.send("hello")
        except discord.HTTPException as error:
            await interaction.response.send_message(f"{type(error).__name__} {error.code}")

    bot.cases["send"] = send
    fake.fail(f"POST /channels/{guild.channel.id}/messages", status)
    reply = await fake.slash("probe", case="send")
    assert reply.content == expected
    assert fake.messages(guild.channel) == []


async def test_server_error_then_success_is_retried(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """discord.py retries a 500 (after 1 s) and the post then succeeds once."""
    fake.fail("POST /channels/*/messages", 500)
    reply = await fake.slash("announce", text="Rescheduled", within=4)
    assert reply.elapsed is not None and 1 <= reply.elapsed < 3
    assert [m.content for m in fake.messages(guild.channel)] == ["Rescheduled"]
    assert statuses(fake, "POST", f"/channels/{guild.channel.id}") == [500, 200]


async def test_deleted_channel_is_unknown(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """Posting to a channel removed from the world is Discord's 404 Unknown Channel."""
    gone = guild.add_channel("old-tracking")
    guild.remove_channel(gone)
    with pytest.raises(discord.NotFound) as raised:
        await bot.http.send_message(gone.id, params=discord.http.handle_message_parameters("x"))
    assert raised.value.code == 10003
