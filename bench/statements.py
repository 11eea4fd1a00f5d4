"""What one command costs the database: SQL statements and connection checkouts per command.

Counted in this process with SQLAlchemy's events (`before_cursor_execute`, the pool's `checkout`)
around the real bot, logged into a fake Discord of its own, without background services: each
operation of a mix is sent `samples` times, one at a time, and the counts are divided by the
samples. A checkout on PostgreSQL is also a round trip of its own (the engine's pre-ping), and on
SQLite a hop to the connection's thread; both explain where a command's time goes under load.
"""

from __future__ import annotations

import asyncio
import random
from typing import Any

from sqlalchemy import event

from bot.client import OversightBot
from bot.config import load_settings
from db.engine import Database
from fakediscord import FakeDiscord

from .harness import TOKEN
from .openloop import Operation

GUILDS = 3  # enough to vary the scope; the counts do not depend on how many


async def statements_per_command(
    url: str, guild_ids: list[int], operations: list[Operation], samples: int, seed: int = 0
) -> dict[str, dict[str, float]]:
    """Per operation: SQL statements and connection checkouts per command."""
    database = Database.from_url(url)
    counts = {"statements": 0, "checkouts": 0}

    def on_statement(*_: Any) -> None:
        counts["statements"] += 1

    def on_checkout(*_: Any) -> None:
        counts["checkouts"] += 1

    event.listen(database.engine.sync_engine, "before_cursor_execute", on_statement)
    event.listen(database.engine.sync_engine.pool, "checkout", on_checkout)
    rng = random.Random(seed)
    result: dict[str, dict[str, float]] = {}
    try:
        async with FakeDiscord(token=TOKEN, timeout=30) as fake:
            guilds = [
                fake.add_guild(f"Office {index}", guild_id=guild_id)
                for index, guild_id in enumerate(guild_ids[:GUILDS])
            ]
            bot = OversightBot(
                settings=load_settings(None, environ={}),
                database=database,
                extensions=("bench.noop",),
            )
            with fake.patched():
                running = asyncio.create_task(bot.start(TOKEN))
                try:
                    await fake.wait_until_connected(60)
                    await fake.wait_for_sync(60)
                    for operation in operations:
                        await _one(fake, operation, guilds[0], rng)  # warm: first-use costs
                        before = dict(counts)
                        for _ in range(samples):
                            await _one(fake, operation, rng.choice(guilds), rng)
                        result[operation.name] = {
                            key: (counts[key] - before[key]) / samples for key in counts
                        }
                finally:
                    await bot.close()
                    await asyncio.wait_for(running, 30)
                    stop_view_timeouts()
    finally:
        await database.close()
    return result


def stop_view_timeouts() -> None:
    """Cancel the closed bot's pending view timeouts: discord.py leaves them on the loop, and
    minutes later (in another scenario's measurements) each would try to edit its message."""
    for task in asyncio.all_tasks():
        if task.get_name().startswith("discord-ui-view-timeout"):
            task.cancel()


async def _one(fake: FakeDiscord, operation: Operation, guild: Any, rng: random.Random) -> None:
    reply = await operation.send(fake, guild, rng)
    await fake.wait_until(lambda: reply.visible, 30, f"an answer to {operation.name}")
