"""Shards: which guilds this process serves.

Discord sends a guild's events and interactions to one gateway session, the shard
(guild_id >> 22) % shard_count. Each bot process runs `[discord] shard_ids` of `shard_count`
shards, all on one PostgreSQL; work that belongs to a guild (its digests) is done by the process
that runs its shard, and a guild another process runs is left to that process, never taken for
one the bot has left. Work that claims rows first (the outbox, calendar events) is safe in any
process: see bot/dispatch.py and bot/calendar_events.py.
"""

from __future__ import annotations

from typing import Any

from bot.config import DiscordSettings


def shard_options(settings: DiscordSettings) -> dict[str, Any]:
    """discord.py's AutoShardedBot arguments. No count: it asks Discord (GET /gateway/bot) for
    the recommended count and runs every shard; a count without ids: every shard of that count;
    with ids: those. Each shard IDENTIFYs with [shard_id, shard_count]."""
    return {
        "shard_count": settings.shard_count or None,
        "shard_ids": list(settings.shard_ids) or None,
    }


def shard_of(guild_id: int, shard_count: int) -> int:
    return (guild_id >> 22) % shard_count


def runs_guild(client: Any, guild_id: int) -> bool:
    """Whether this process runs the shard of `guild_id`: true for every guild when it runs
    every shard (no shard ids, or not sharded at all)."""
    shard_ids = getattr(client, "shard_ids", None)
    shard_count = getattr(client, "shard_count", None)
    if not shard_ids or not shard_count:
        return True
    return shard_of(guild_id, shard_count) in shard_ids


def describe(settings: DiscordSettings) -> str:
    """What this process runs, for the log: 'shards 0, 1 of 4'."""
    if not settings.shard_count:
        return "every shard Discord recommends"
    if not settings.shard_ids:
        return f"every shard of {settings.shard_count}"
    ids = ", ".join(str(shard) for shard in settings.shard_ids)
    return f"shard{'s' if len(settings.shard_ids) > 1 else ''} {ids} of {settings.shard_count}"
