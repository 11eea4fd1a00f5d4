"""Command sync within Discord's limits: development guilds at every start, the global tree only
when it changed (its hash is kept in the database) or when asked; at most one sync per target."""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

import discord
from discord import app_commands

from db.engine import Database
from db.meta import get_meta, set_meta

log = logging.getLogger(__name__)


def hash_key(application_id: int | None) -> str:
    """Per application: the console's fake application must not mark the real one as synced."""
    return f"command_tree_hash:global:{application_id}"


def tree_payload(tree: app_commands.CommandTree[Any]) -> list[dict[str, Any]]:
    """The global commands exactly as they would be sent to Discord."""
    commands = [command.to_dict(tree) for command in tree.get_commands()]
    return sorted(commands, key=lambda command: (command.get("type", 1), command["name"]))


def tree_hash(tree: app_commands.CommandTree[Any]) -> str:
    return hashlib.sha256(json.dumps(tree_payload(tree), sort_keys=True).encode()).hexdigest()


async def sync_commands(
    tree: app_commands.CommandTree[Any],
    database: Database,
    dev_guild_ids: tuple[int, ...],
    *,
    force: bool = False,
) -> list[str]:
    """Sync what needs it and return what was synced ('global', 'guild 123').

    With development guilds configured, their copies are synced and the global tree is left alone
    (unless forced), so a command never shows twice in a development server."""
    synced: list[str] = []
    for guild_id in dev_guild_ids:
        guild = discord.Object(id=guild_id)
        tree.copy_global_to(guild=guild)
        await tree.sync(guild=guild)
        synced.append(f"guild {guild_id}")
    if dev_guild_ids and not force:
        return synced
    digest = tree_hash(tree)
    key = hash_key(tree.client.application_id)
    if force or await get_meta(database, key) != digest:
        await tree.sync()
        await set_meta(database, key, digest)
        synced.append("global")
    else:
        log.info("Global commands unchanged since the last sync; not syncing")
    return synced
