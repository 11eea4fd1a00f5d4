"""A fake Discord API (REST + gateway) on 127.0.0.1 for an unmodified discord.py client.

Tests (and the offline console) log a real bot into it, inject interactions and read back
exactly what the bot sent; every payload is checked against Discord's documented limits::

    async with FakeDiscord(token="test-token") as fake:
        guild = fake.add_guild("Office of Rep. A")
        staffer = guild.add_member("staffer")
        with fake.patched():  # discord.py's REST base and gateway URL point here
            task = asyncio.create_task(bot.start("test-token"))
            await fake.wait_until_connected()
            reply = await fake.slash("bodycam city", city="Minneapolis", user=staffer)
            assert reply.embeds[0]["title"] == "Minneapolis"
            await bot.close()
        assert not fake.violations
"""

from .failures import Rule
from .fake import FakeDiscord
from .interactions import Reply
from .limits import Violation
from .routes import SyncCall
from .server import RequestRecord
from .world import (
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeScheduledEvent,
    FakeUser,
    Message,
    Perm,
)

__all__ = [
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeScheduledEvent",
    "FakeUser",
    "Message",
    "Perm",
    "Reply",
    "RequestRecord",
    "Rule",
    "SyncCall",
    "Violation",
]
