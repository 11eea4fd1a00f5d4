"""Who may write: editors change their guild's records; the bot's owners also the shared dataset.

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


class NotAllowed(DomainError, app_commands.CheckFailure):
    """The caller may not make this change; nothing was written. A CheckFailure too, so it can be
    raised from an interaction_check."""


async def is_editor(bot: Any, interaction: discord.Interaction[Any]) -> bool:
    """Manage Server, an editor role, or one of the bot's owners."""
    if bot.is_owner_id(interaction.user.id):
        return True
    if interaction.guild_id is None or not isinstance(interaction.user, discord.Member):
        return False
    if interaction.permissions.manage_guild or interaction.user.guild_permissions.manage_guild:
        return True
    roles = await editor_roles(bot.database, interaction.guild_id)
    return any(role.id in roles for role in interaction.user.roles)


async def require_editor(bot: Any, interaction: discord.Interaction[Any]) -> None:
    if not await is_editor(bot, interaction):
        raise NotAllowed(
            "Only editors can change records: members with Manage Server, or with a role added "
            "by `/admin editors add`. Ask a server admin."
        )


def require_manage_server(interaction: discord.Interaction[Any]) -> None:
    if not interaction.permissions.manage_guild:
        raise NotAllowed("Managing editor roles needs the Manage Server permission.")


def require_manage_channels(interaction: discord.Interaction[Any], what: str) -> None:
    """Tracking and digests post into channels: they need Manage Channels (checked on every call,
    since a server can override Discord's default)."""
    if interaction.guild_id is None or not interaction.permissions.manage_channels:
        raise NotAllowed(f"{what} needs the Manage Channels permission. Ask a server admin.")


async def write_scope(bot: Any, interaction: discord.Interaction[Any], dataset: Dataset) -> Scope:
    """Where a write goes: this server's own records (default), or the shared dataset (owners)."""
    await require_editor(bot, interaction)
    if dataset == "shared":
        if not bot.is_owner_id(interaction.user.id):
            raise NotAllowed(
                "Only the bot's owners can change the shared dataset. Leave `dataset` at 'this "
                "server' to keep your office's own version instead."
            )
        return Scope.shared()
    if interaction.guild_id is None:
        raise NotAllowed("This command works in a server.")
    return Scope.guild(interaction.guild_id)
