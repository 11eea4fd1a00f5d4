"""/calendar: deadlines in calendars. /calendar export: every deadline this server sees as an
.ics file. /calendar events on|off|show: the next 60 days of deadlines as this server's Discord
scheduled events (on and off need Manage Events; show is for anyone).

Making the events is bot.calendar_events' job; these commands set the server's choice and wake it.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.calendar_events import calendar_service
from bot.calendar_export import export_calendar
from bot.cooldowns import CALENDAR_EXPORT, per_member
from bot.permissions import NotAllowed
from bot.render.calendar_events import PERMISSION_HELP, events_phrase, status_text
from bot.render.ics import export_message
from bot.views import respond
from db.calendar_events import LACKS_MANAGE_EVENTS, WINDOW_DAYS, calendar_status, set_enabled

if TYPE_CHECKING:
    from bot.client import OversightBot


def _guild_id(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None:
        raise NotAllowed("This command works in a server.")
    return interaction.guild_id


def _require_manage_events(interaction: discord.Interaction[Any], what: str) -> None:
    # Discord's default_member_permissions only hides a command, and a server can override it.
    if not interaction.permissions.manage_events:
        raise NotAllowed(f"{what} needs the Manage Events permission. Ask a server admin.")


class EventsGroup(
    app_commands.Group,
    name="events",
    description="Deadlines of the next 60 days as this server's scheduled events",
):
    async def _switch(self, interaction: discord.Interaction[Any], enabled: bool) -> None:
        guild_id = _guild_id(interaction)
        _require_manage_events(interaction, f"Turning calendar events {'on' if enabled else 'off'}")
        bot: Any = interaction.client  # the OversightBot
        database = bot.database
        before = await calendar_status(database, guild_id)
        await set_enabled(
            database, guild_id, enabled, by=interaction.user.id, now=database.clock.now()
        )
        service = calendar_service(bot)
        if service is not None:
            service.wake()
        if before.enabled == enabled:
            text = f"Calendar events were already {'on' if enabled else 'off'}; nothing changed."
        elif not enabled:
            text = (
                f"Calendar events are off. The bot removes the {events_phrase(before.scheduled)} "
                "it made; members' own events stay."
            )
        elif guild_lacks_manage_events(interaction):
            text = f"Calendar events are on, but paused: {LACKS_MANAGE_EVENTS}. {PERMISSION_HELP}"
        else:
            text = (
                f"Calendar events are on: the deadlines of the next {WINDOW_DAYS} days become "
                "this server's scheduled events in a moment. `/calendar events show` counts them."
            )
        await respond(interaction, ephemeral=True, content=text)

    @app_commands.command(name="on", description="Make upcoming deadlines scheduled events")
    async def on(self, interaction: discord.Interaction[Any]) -> None:
        await self._switch(interaction, True)

    @app_commands.command(name="off", description="Remove the scheduled events the bot made")
    async def off(self, interaction: discord.Interaction[Any]) -> None:
        await self._switch(interaction, False)

    @app_commands.command(name="show", description="Whether deadlines are scheduled events here")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        bot: Any = interaction.client  # the OversightBot
        status = await calendar_status(bot.database, _guild_id(interaction))
        service = calendar_service(bot)
        text = status_text(status, service.next_run if service is not None else None)
        await respond(interaction, ephemeral=True, content=text)


def guild_lacks_manage_events(interaction: discord.Interaction[Any]) -> bool:
    guild = interaction.guild
    return guild is not None and not guild.me.guild_permissions.manage_events


KIND_CHOICES = [
    app_commands.Choice(name="All deadlines", value="all"),
    app_commands.Choice(name="Oversight questions", value="oversight"),
    app_commands.Choice(name="Funding ends and lapses", value="funding"),
]


@app_commands.guild_only()
class Calendar(
    commands.GroupCog,
    group_name="calendar",
    group_description="Deadlines in calendars and as Discord scheduled events",
):
    events = EventsGroup()

    def __init__(self, bot: OversightBot) -> None:
        self.bot = bot
        super().__init__()

    @app_commands.command(name="export", description="Deadlines as a calendar file (.ics)")
    @per_member(CALENDAR_EXPORT)
    @app_commands.describe(
        kinds="All deadlines (default), oversight questions, or funding ends and lapses",
        share="Post the file in the channel for everyone",
    )
    @app_commands.choices(kinds=KIND_CHOICES)
    async def export(
        self, interaction: discord.Interaction[Any], kinds: str = "all", share: bool = False
    ) -> None:
        guild_id = _guild_id(interaction)
        await interaction.response.defer(ephemeral=not share, thinking=True)
        database = self.bot.database
        name = interaction.guild.name if interaction.guild is not None else str(guild_id)
        exported = await export_calendar(
            database,
            self.bot.scope_for(guild_id),
            kinds=kinds,
            name=f"Oversight Desk: {name}",
            timezone=self.bot.settings.bot.timezone,
        )
        today = database.today()
        if exported.events == 0:
            await interaction.followup.send(
                export_message(exported, kinds, today),
                ephemeral=not share,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        file = discord.File(
            io.BytesIO(exported.data), filename=f"oversight-desk-{kinds}-{today.isoformat()}.ics"
        )
        await interaction.followup.send(
            export_message(exported, kinds, today),
            file=file,
            ephemeral=not share,
            allowed_mentions=discord.AllowedMentions.none(),
        )


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Calendar(bot))
