"""/about and /help."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import render
from bot.calendar_events import calendar_service
from bot.permissions import is_server_editor
from bot.render.meta import HelpEntry, HelpOption, help_pages
from bot.service import CONGRESS_SYNC
from bot.views import respond
from db.calendar_events import calendar_status
from db.stats import freshness
from db.tracking import list_subscriptions

if TYPE_CHECKING:
    from bot.client import OversightBot


def package_version() -> str:
    try:
        return version("oversight-desk")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


def help_entries(tree: app_commands.CommandTree) -> list[HelpEntry]:
    """Every runnable command in the tree with its options, generated from it (never kept by
    hand); a command may give its own example as `extras={"example": "/…"}`."""
    return [
        HelpEntry(
            command.qualified_name,
            command.description,
            tuple(
                HelpOption(p.name, p.description, p.required, tuple(c.name for c in p.choices))
                for p in command.parameters
            ),
            command.extras.get("example"),
        )
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
        calendar = await calendar_status(self.bot.database, interaction.guild_id or 0)
        events = calendar_service(self.bot)
        next_sync = events.next_run if events is not None else None
        embed = render.about_embed(
            package_version(), data, states, status, calendar=(calendar, next_sync)
        )
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @app_commands.command(name="help", description="Every command with its options and an example")
    async def help(self, interaction: discord.Interaction) -> None:
        # /admin is listed to those who may use it: this server's editors and the bot's owners.
        editor = self.bot.is_owner_id(interaction.user.id) or await is_server_editor(
            self.bot, interaction
        )
        entries = help_entries(self.bot.tree)
        count = len(help_pages(entries, editor=editor))

        async def page(index: int) -> list[discord.Embed]:
            # Built afresh each time: the paginator adds its page footer to what it is given.
            return help_pages(entries, editor=editor)[index]

        await respond(interaction, ephemeral=True, render=page, page_count=count)


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Meta(bot))
