"""Logging in, command sync and the gateway session: READY, RESUME, re-IDENTIFY, events."""

from __future__ import annotations

import asyncio

import aiohttp
import discord
import pytest

from fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.probe_bot import ProbeBot


async def test_bot_logs_in_and_gets_ready(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """The unmodified client logs in, identifies, receives its guild and fires on_ready."""
    await asyncio.wait_for(bot.readied.wait(), 2)
    assert bot.user is not None and bot.user.id == fake.bot_user.id
    assert bot.application_id == fake.application_id
    cached = bot.get_guild(guild.id)
    assert cached is not None and cached.name == "Office of Rep. A"
    paths = [(r.method, r.path) for r in fake.requests[:2]]
    assert paths == [("GET", "/users/@me"), ("GET", "/oauth2/applications/@me")]
    assert fake.gateway.queries[0]["compress"] == "zlib-stream"
    assert fake.identifies == 1


async def test_interactions_work_before_on_ready(fake: FakeDiscord) -> None:
    """on_ready waits ~2 s after the last GUILD_CREATE; commands are answered before that."""
    with fake.patched():
        bot = ProbeBot(ready_after=2.0)  # discord.py's default
        task = asyncio.create_task(bot.start(fake.token))
        await fake.wait_until_connected()
        reply = await fake.slash("bodycam city", city="Boston")
        assert reply.embeds[0]["title"] == "Boston"
        assert not bot.readied.is_set()
        await bot.close()
        await task


async def test_sync_is_recorded_with_stable_ids(fake: FakeDiscord, bot: ProbeBot) -> None:
    """A global sync is recorded; syncing again keeps every command's id, as Discord does."""
    assert fake.sync_calls[0].guild_id is None and fake.sync_calls[0].accepted
    names = {c["name"] for c in fake.synced[None]}
    assert {"bodycam", "report", "counter", "feedback", "announce", "probe"} <= names
    first = {c["name"]: c["id"] for c in fake.synced[None]}
    again = await bot.tree.sync()
    assert {c.name: str(c.id) for c in again} == first
    assert len(fake.sync_calls) == 2


async def test_wrong_token_is_a_login_failure(fake: FakeDiscord) -> None:
    """Any token but the configured one gets Discord's 401, which discord.py reports as such."""
    with fake.patched():
        bot = ProbeBot()
        with pytest.raises(discord.LoginFailure):
            await bot.start("not-the-token")
        await bot.close()
    assert fake.requests[0].status == 401


async def test_dropped_gateway_resumes_and_bot_still_answers(
    fake: FakeDiscord, bot: ProbeBot
) -> None:
    """After a resumable close the client RESUMEs, and an interaction sent meanwhile arrives."""
    await fake.drop_gateway(code=4000)
    reply = await fake.slash("bodycam city", city="Boston")  # buffered, replayed on RESUME
    assert reply.embeds[0]["title"] == "Boston"
    assert fake.resumes == 1
    assert fake.identifies == 1


async def test_invalidated_session_identifies_again(fake: FakeDiscord, bot: ProbeBot) -> None:
    """When the session cannot be resumed (op 9), the client identifies afresh."""
    await fake.drop_gateway(code=4000, invalidate=True)
    await fake.wait_until(lambda: fake.identifies == 2, what="a second IDENTIFY")
    await fake.wait_until_connected()
    reply = await fake.slash("bodycam city", city="Chicago")
    assert reply.embeds[0]["title"] == "Chicago"
    assert fake.resumes == 0


async def test_world_changes_reach_the_bot(
    fake: FakeDiscord, guild: FakeGuild, bot: ProbeBot
) -> None:
    """Channels and guilds added or removed while connected are announced over the gateway."""
    tracking = guild.add_channel("tracking")
    await fake.wait_until(lambda: bot.get_channel(tracking.id) is not None, what="CHANNEL_CREATE")
    guild.remove_channel(tracking)
    await fake.wait_until(lambda: bot.get_channel(tracking.id) is None, what="CHANNEL_DELETE")
    second = fake.add_guild("Office of Rep. B")
    await fake.wait_until(lambda: bot.get_guild(second.id) is not None, what="GUILD_CREATE")
    fake.remove_guild(second)
    await fake.wait_until(lambda: bot.get_guild(second.id) is None, what="GUILD_DELETE")
    await fake.dispatch("GUILD_UPDATE", guild.to_payload() | {"name": "Renamed"})
    await fake.wait_until(lambda: getattr(bot.get_guild(guild.id), "name", "") == "Renamed")


async def test_zstd_compression_is_refused_loudly(fake: FakeDiscord) -> None:
    """zstd-stream is not supported: the fake says so instead of sending garbage."""
    async with aiohttp.ClientSession() as session:
        url = f"{fake.gateway_url}?v=10&encoding=json&compress=zstd-stream"
        async with session.ws_connect(url) as ws:
            message = await ws.receive()
    assert message.type is aiohttp.WSMsgType.CLOSE
    with pytest.raises(RuntimeError, match=r"zstd-stream.*not supported"):
        await fake.wait_until_connected(within=0.5)
