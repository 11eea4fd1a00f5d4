"""Sharding through the real discord.py client: IDENTIFY's [shard_id, shard_count] decides which
session hears a guild, as on Discord ((guild_id >> 22) % shard_count): its GUILD_CREATE, its
events and its interactions. GET /gateway/bot recommends a count; a fake that requires sharding
refuses an unsharded IDENTIFY with 4011, and a shard that cannot exist gets 4010."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from fakediscord import FakeDiscord, FakeGuild
from fakediscord.gateway import shard_of

TOKEN = "test-token"


class ShardProbe(commands.AutoShardedBot):
    """A sharded bot with one command, `/where`, that says which probe answered."""

    def __init__(self, name: str, **shards: object) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            guild_ready_timeout=0.05,
            **shards,  # type: ignore[arg-type]  # shard_count / shard_ids, as a test gives them
        )
        self.name = name
        self.heard: list[int | None] = []  # the guild of every interaction this probe received

        @app_commands.command(name="where", description="Which process answers")
        async def where(interaction: discord.Interaction) -> None:
            guild = interaction.guild
            shard = "no guild" if guild is None else f"shard {guild.shard_id}"
            await interaction.response.send_message(f"{self.name} answers, {shard}")

        self.tree.add_command(where)

    async def setup_hook(self) -> None:
        await self.tree.sync()

    async def on_interaction(self, interaction: discord.Interaction) -> None:
        self.heard.append(interaction.guild_id)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py waits 5 s between two shards' IDENTIFYs; the fake has no such limit."""


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token=TOKEN) as server:
        yield server


@contextlib.asynccontextmanager
async def started(fake: FakeDiscord, *clients: discord.Client) -> AsyncIterator[None]:
    """Start every client, one after another (each shard's process), until all shards are in."""
    tasks = []
    with fake.patched():
        try:
            for client in clients:
                tasks.append(asyncio.create_task(client.start(TOKEN)))
            await fake.wait_until_connected()
            for client in clients:
                await asyncio.wait_for(client.wait_until_ready(), 5)
            yield
        finally:
            for client in clients:
                await client.close()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await asyncio.wait_for(task, 5)


def dispatched(fake: FakeDiscord, shard: tuple[int, int], event: str) -> list[dict[str, object]]:
    """The payloads of `event` the fake sent on one shard's session."""
    session = fake.gateway.sessions[shard]
    return [frame["d"] for _, frame in session.log if frame["t"] == event]


def guild_ids(fake: FakeDiscord, shard: tuple[int, int]) -> set[int]:
    return {int(str(d["id"])) for d in dispatched(fake, shard, "GUILD_CREATE")}


def two_offices(fake: FakeDiscord) -> tuple[FakeGuild, FakeGuild]:
    first = fake.add_guild("Office on shard 0", shard=(0, 2))
    second = fake.add_guild("Office on shard 1", shard=(1, 2))
    assert (shard_of(first.id, 2), shard_of(second.id, 2)) == (0, 1)
    return first, second


async def test_each_process_hears_only_the_guilds_of_its_shard(fake: FakeDiscord) -> None:
    """Shard 0 and shard 1 of 2 in two clients: each caches only its guild, receives only its
    guild's interactions and answers them; a channel made later reaches only its guild's shard,
    and so does a guild the bot joins later."""
    first, second = two_offices(fake)
    zero = ShardProbe("zero", shard_count=2, shard_ids=[0])
    one = ShardProbe("one", shard_count=2, shard_ids=[1])
    async with started(fake, zero, one):
        assert [g.id for g in zero.guilds] == [first.id]
        assert [g.id for g in one.guilds] == [second.id]
        assert dispatched(fake, (0, 2), "READY")[0]["shard"] == [0, 2]

        reply = await fake.slash("where", guild=first)
        assert reply.content == "zero answers, shard 0"
        reply = await fake.slash("where", guild=second)
        assert reply.content == "one answers, shard 1"
        assert (zero.heard, one.heard) == ([first.id], [second.id])

        channel = second.add_channel("hearings")
        await fake.wait_until(lambda: one.get_channel(channel.id) is not None, what="the channel")
        assert dispatched(fake, (0, 2), "CHANNEL_CREATE") == []
        assert zero.get_channel(channel.id) is None

        third = fake.add_guild("Office joining shard 0", shard=(0, 2))
        await fake.wait_until(lambda: zero.get_guild(third.id) is not None, what="the new guild")
        assert one.get_guild(third.id) is None
        assert guild_ids(fake, (1, 2)) == {second.id}


async def test_with_no_count_the_client_runs_the_recommended_shards(fake: FakeDiscord) -> None:
    """GET /gateway/bot recommends 2 shards; a client given no count asks, then IDENTIFYs each
    shard with [id, 2], and each session gets only its own guilds' GUILD_CREATE."""
    fake.recommended_shards = 2
    first, second = two_offices(fake)
    client = ShardProbe("both")
    async with started(fake, client):
        assert ("GET", "/gateway/bot") in [(r.method, r.path) for r in fake.requests]
        assert set(fake.gateway.sessions) == {(0, 2), (1, 2)}
        assert client.shard_count == 2
        assert (guild_ids(fake, (0, 2)), guild_ids(fake, (1, 2))) == ({first.id}, {second.id})
        cached = {g.id: g.shard_id for g in client.guilds}
        assert cached == {first.id: 0, second.id: 1}
        reply = await fake.slash("where", guild=second)
        assert reply.content == "both answers, shard 1"


async def test_an_unsharded_identify_is_refused_when_sharding_is_required(
    fake: FakeDiscord,
) -> None:
    """With sharding required, a client that IDENTIFYs without `shard` is closed with 4011
    ("Sharding required"), which discord.py raises; a sharded one connects."""
    fake.add_guild("Office")
    fake.require_sharding = True
    with fake.patched():
        plain = discord.Client(intents=discord.Intents(guilds=True))
        with pytest.raises(discord.ConnectionClosed) as refused:
            await asyncio.wait_for(plain.start(TOKEN), 10)
        await plain.close()
    assert refused.value.code == 4011
    assert fake.identifies == 0 and fake.gateway.sessions == {}
    async with started(fake, ShardProbe("sharded", shard_count=1)):
        assert set(fake.gateway.sessions) == {(0, 1)}
        assert (await fake.slash("where")).content == "sharded answers, shard 0"


async def test_the_constructor_can_require_sharding() -> None:
    async with FakeDiscord(require_sharding=True) as server:
        assert server.require_sharding and server.gateway.require_sharding


async def test_a_shard_that_cannot_exist_is_refused_with_4010(fake: FakeDiscord) -> None:
    """Shard 2 of 2 is no shard: closed with 4010 ("Invalid shard")."""
    fake.add_guild("Office")
    with fake.patched():
        client = ShardProbe("wrong", shard_count=2, shard_ids=[2])
        with pytest.raises(discord.ConnectionClosed) as refused:
            await asyncio.wait_for(client.start(TOKEN), 10)
        await client.close()
    assert refused.value.code == 4010
    assert fake.gateway.sessions == {}


async def test_one_shard_resumes_alone_and_misses_nothing(fake: FakeDiscord) -> None:
    """Shard 1's connection drops: it RESUMEs, gets what its guild did meanwhile, and answers
    again; shard 0 is not disturbed."""
    first, second = two_offices(fake)
    zero = ShardProbe("zero", shard_count=2, shard_ids=[0])
    one = ShardProbe("one", shard_count=2, shard_ids=[1])
    async with started(fake, zero, one):
        await fake.drop_gateway(shard=1)
        assert fake.gateway.live_shards() == {0}
        channel = second.add_channel("while-away")
        await fake.wait_until(lambda: fake.resumes == 1, what="shard 1 to resume")
        await fake.wait_until_connected()
        await fake.wait_until(lambda: one.get_channel(channel.id) is not None, what="replay")
        assert fake.identifies == 2  # one per shard; the drop cost no IDENTIFY
        assert (await fake.slash("where", guild=second)).content == "one answers, shard 1"
        assert (await fake.slash("where", guild=first)).content == "zero answers, shard 0"


async def test_a_guild_whose_shard_nobody_runs_cannot_be_reached(fake: FakeDiscord) -> None:
    """Only shard 0 of 2 is running: shard 1's guild gets nothing, and a test that sends it an
    interaction is told why instead of waiting for an answer that cannot come."""
    first, second = two_offices(fake)
    zero = ShardProbe("zero", shard_count=2, shard_ids=[0])
    with fake.patched():
        task = asyncio.create_task(zero.start(TOKEN))
        try:
            await fake.wait_until(lambda: fake.gateway.live_shards() == {0}, what="shard 0")
            assert not fake.gateway.ready.is_set()  # the bot is not all there
            second.add_channel("unheard")  # no session to tell: nothing is sent, nothing fails
            assert (await fake.slash("where", guild=first)).content == "zero answers, shard 0"
            with pytest.raises(RuntimeError, match="no session runs its shard"):
                await fake.slash("where", guild=second)
            assert zero.heard == [first.id]
        finally:
            await zero.close()
            await asyncio.wait_for(task, 5)
