"""/admin editors add|remove|list: which roles may edit this server's records."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.permissions import require_manage_server
from cogs.admin._base import AdminGroup, bot_of, done
from db.editors import add_editor_role, editor_roles, remove_editor_role


class EditorsGroup(AdminGroup, name="editors", description="Roles whose members may edit records"):
    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        require_manage_server(interaction)  # editors may edit records, not choose other editors
        return True

    @app_commands.command(name="add", description="Let members with this role edit records")
    @app_commands.describe(role="The role to make an editor role")
    async def add(self, interaction: discord.Interaction[Any], role: discord.Role) -> None:
        if role.is_default():
            raise app_commands.CheckFailure(
                "@everyone cannot be an editor role: pick a role staff are given on purpose."
            )
        assert interaction.guild_id is not None
        added = await add_editor_role(
            bot_of(interaction).database, interaction.guild_id, role.id, interaction.user.id
        )
        await done(
            interaction,
            f"Members with {role.mention} can now edit this server's records."
            if added
            else f"{role.mention} already was an editor role; nothing changed.",
        )

    @app_commands.command(name="remove", description="Stop members with this role editing records")
    @app_commands.describe(role="The editor role to remove")
    async def remove(self, interaction: discord.Interaction[Any], role: discord.Role) -> None:
        assert interaction.guild_id is not None
        removed = await remove_editor_role(
            bot_of(interaction).database, interaction.guild_id, role.id
        )
        await done(
            interaction,
            f"{role.mention} is no longer an editor role."
            if removed
            else f"{role.mention} was not an editor role; nothing changed.",
        )

    @app_commands.command(name="list", description="Who may edit this server's records")
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        roles = await editor_roles(bot_of(interaction).database, interaction.guild_id)
        named = ", ".join(f"<@&{role_id}>" for role_id in sorted(roles)) or "none added"
        await done(
            interaction,
            "Editors are members with the Manage Server permission, plus members with these "
            f"roles: {named}.",
        )
