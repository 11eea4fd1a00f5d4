"""/about and /help."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.service import CONGRESS_SYNC
from db.stats import freshness
from db.tracking import list_subscriptions

if TYPE_CHECKING:
    from bot.client import OversightBot


def package_version() -> str:
    try:
        return version("oversight-desk")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def help_entries(tree: app_commands.CommandTree) -> list[render.HelpEntry]:
    """Every runnable command in the tree, generated from it (never kept by hand)."""
    return [
        render.HelpEntry(command.qualified_name, command.description)
        for command in tree.walk_commands()
        if isinstance(command, app_commands.Command)
    ]


class Meta(commands.Cog):
    def __init__(self, bot: OversightBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="about", description="What this bot knows, how fresh it is, and its sources"
    )
    @app_commands.guild_only()
    async def about(self, interaction: discord.Interaction) -> None:
        async with self.bot.database.session() as session:
            data = await freshness(session, self.bot.scope_for(interaction.guild_id))
        subscriptions = await list_subscriptions(self.bot.database, interaction.guild_id or 0)
        states = [(s.state, s.state_reason) for s in subscriptions]
        sync: Any = next(
            (s for s in self.bot.services if getattr(s, "name", "") == CONGRESS_SYNC), None
        )  # a bot.congress_service.CongressService (not imported: cogs stay light)
        status = await sync.status() if sync is not None else None
        embed = render.about_embed(package_version(), data, states, status)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="help", description="Every command with a one-line description")
    async def help(self, interaction: discord.Interaction) -> None:
        embeds = render.help_embeds(help_entries(self.bot.tree))
        await interaction.response.send_message(embeds=embeds, ephemeral=True)


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Meta(bot))
