"""What every /admin command shares: the editor check, the dataset choice, the reply."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.permissions import Dataset, require_editor, write_scope
from db.scope import Scope

DATASET_CHOICES = [
    app_commands.Choice(name="this server's records", value="server"),
    app_commands.Choice(name="the shared dataset (bot owners only)", value="shared"),
]
DATASET_HELP = "Whose records to change: this server's own (default) or the shared dataset"


def bot_of(interaction: discord.Interaction[Any]) -> Any:
    return interaction.client


async def scope_for_write(interaction: discord.Interaction[Any], dataset: str = "server") -> Scope:
    """The scope a write goes to, after checking the caller may write there (every call)."""
    chosen: Dataset = "shared" if dataset == "shared" else "server"
    return await write_scope(bot_of(interaction), interaction, chosen)


def actor_name(interaction: discord.Interaction[Any]) -> str:
    return f"{interaction.user.name} ({interaction.user.id})"


class AdminGroup(app_commands.Group):
    """A /admin subgroup: only editors get past its check (Discord's default permission is only a
    default that a server can override)."""

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        await require_editor(bot_of(interaction), interaction)
        return True


async def done(
    interaction: discord.Interaction[Any],
    text: str,
    *,
    embeds: list[discord.Embed] | None = None,
) -> None:
    """Confirm a change privately (the change itself reaches channels through the outbox)."""
    kwargs: dict[str, Any] = {"content": text[:2000], "ephemeral": True}
    if embeds:
        kwargs["embeds"] = embeds[:10]
    kwargs["allowed_mentions"] = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)
