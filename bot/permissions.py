"""Who may write: editors change their guild's records; the bot's owners also the shared dataset.

Least privilege: being an owner grants the shared dataset only. In a server an owner is an editor
only if that server makes them one (Manage Server or an editor role), like anyone else.
Discord's default_member_permissions only hides commands, and a guild can override it, so every
write is checked here on every call.
"""

from __future__ import annotations

from typing import Any, Literal

import discord
from discord import app_commands

from db.editors import editor_roles
from db.errors import DomainError
from db.scope import Scope

Dataset = Literal["server", "shared"]
NOT_EDITOR = (
    "Only editors can change records: members with Manage Server, or with a role added by "
    "`/admin editors add`. Ask a server admin."
)
OWNER_NOT_EDITOR = (
    "Only editors can change records in this server: you need Manage Server here, or a role "
    "added by `/admin editors add`. Being a bot owner covers only the shared dataset "
    "(dataset: shared)."
)


class NotAllowed(DomainError, app_commands.CheckFailure):
    """The caller may not make this change; nothing was written. A CheckFailure too, so it can be
    raised from an interaction_check."""


async def is_server_editor(bot: Any, interaction: discord.Interaction[Any]) -> bool:
    """Manage Server or an editor role in this server; being a bot owner does not count."""
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if interaction.permissions.manage_guild or interaction.user.guild_permissions.manage_guild:
        return True
    roles = await editor_roles(bot.database, interaction.guild_id)
    return any(role.id in roles for role in interaction.user.roles)


def chose_shared(interaction: discord.Interaction[Any]) -> bool:
    """Whether the command was given dataset: shared (read before the option is converted), or
    only ever writes the shared dataset (`extras={"dataset": "shared"}`, e.g. follow a bill)."""
    command = interaction.command
    if command is not None and command.extras.get("dataset") == "shared":
        return True
    chosen = getattr(interaction.namespace, "dataset", None)
    return isinstance(chosen, str) and chosen.strip().lower() == "shared"


async def is_editor(bot: Any, interaction: discord.Interaction[Any]) -> bool:
    """May use /admin for this call: a server editor, or a bot owner who chose dataset: shared
    (write_scope checks the converted choice again before anything is written)."""
    if bot.is_owner_id(interaction.user.id) and chose_shared(interaction):
        return True
    return await is_server_editor(bot, interaction)


async def require_editor(bot: Any, interaction: discord.Interaction[Any]) -> None:
    if not await is_editor(bot, interaction):
        owner = bot.is_owner_id(interaction.user.id)
        raise NotAllowed(OWNER_NOT_EDITOR if owner else NOT_EDITOR)


def require_manage_server(interaction: discord.Interaction[Any]) -> None:
    if not interaction.permissions.manage_guild:
        raise NotAllowed("Managing editor roles needs the Manage Server permission.")


def require_manage_channels(interaction: discord.Interaction[Any], what: str) -> None:
    """Tracking and digests post into channels: they need Manage Channels (checked on every call,
    since a server can override Discord's default)."""
    if interaction.guild_id is None or not interaction.permissions.manage_channels:
        raise NotAllowed(f"{what} needs the Manage Channels permission. Ask a server admin.")


async def write_scope(bot: Any, interaction: discord.Interaction[Any], dataset: Dataset) -> Scope:
    """Where a write goes: this server's own records (default; its editors), or the shared dataset
    (the bot's owners). Also called from buttons and modals, which carry no options."""
    if dataset == "shared":
        if not bot.is_owner_id(interaction.user.id):
            raise NotAllowed(
                "Only the bot's owners can change the shared dataset. Leave `dataset` at 'this "
                "server' to keep your office's own version instead."
            )
        return Scope.shared()
    if interaction.guild_id is None:
        raise NotAllowed("This command works in a server.")
    if not await is_server_editor(bot, interaction):
        owner = bot.is_owner_id(interaction.user.id)
        raise NotAllowed(OWNER_NOT_EDITOR if owner else NOT_EDITOR)
    return Scope.guild(interaction.guild_id)
