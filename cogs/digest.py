"""/digest set | show | off | preview: a channel's periodic digest (Manage Channels), with the
funding chart attached when set with chart:true.

Posting on schedule is the dispatcher's job (db.digests explains the calls it makes).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.charts import ChartMessage, funding_message, reply_with_chart
from bot.permissions import NotAllowed, require_manage_channels
from bot.render.common import MESSAGE_EMBED_TEXT, defang, embed_text_length, when
from bot.render.digest import digest_embeds
from bot.views import respond
from db.charts import funding_series
from db.digests import build_digest, get_digest, remove_digest, set_digest
from db.schedules import EXAMPLES
from db.scope import Scope

if TYPE_CHECKING:
    from bot.client import OversightBot

DEFAULT_ZONE = "America/New_York"
_DAY = dt.timedelta(days=1)


def zone_of(bot: Any) -> str:
    return str(getattr(bot.database.timezone, "key", DEFAULT_ZONE))


def _channel(interaction: discord.Interaction[Any]) -> int:
    if interaction.guild_id is None or interaction.channel_id is None:
        raise NotAllowed("This command works in a server channel.")
    return interaction.channel_id


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class Digest(
    commands.GroupCog,
    group_name="digest",
    group_description="A periodic digest in this channel: changes, deadlines, funding",
):
    def __init__(self, bot: OversightBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        # default_permissions only hides commands, and a server can override it: check here too.
        require_manage_channels(interaction, "Setting up digests")
        return True

    @app_commands.command(name="set", description="Post a digest in this channel on a schedule")
    @app_commands.describe(
        schedule=f"When, e.g. {', '.join(EXAMPLES[:3])}, or an RRULE",
        timezone="IANA time zone for the schedule (default: the office's, America/New_York)",
        post_empty="Post even when there is nothing new (default: no)",
        chart="Attach the funding chart: requested, House, Senate, enacted by line (default: no)",
    )
    async def set_(
        self,
        interaction: discord.Interaction[Any],
        schedule: app_commands.Range[str, 1, 200],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        post_empty: bool = False,
        chart: bool = False,
    ) -> None:
        channel_id = _channel(interaction)
        row = await set_digest(
            self.bot.database,
            interaction.guild_id or 0,
            channel_id,
            schedule,
            timezone or zone_of(self.bot),
            created_by=interaction.user.id,
            now=self.bot.database.clock.now(),
            post_empty=post_empty,
            chart=chart,
        )
        empty = "even when there is nothing new" if post_empty else "only when there is news"
        with_chart = ", with the funding chart" if chart else ""
        await respond(
            interaction,
            ephemeral=True,
            content=(
                f"Digest set for <#{channel_id}>: {defang(row.description)}, posted {empty}"
                f"{with_chart}.\n"
                f"Next digest: {when(row.next_run_at, 'F')} ({when(row.next_run_at, 'R')}). "
                "It covers changes from now on."
            ),
        )

    @app_commands.command(name="show", description="This channel's digest schedule")
    async def show(self, interaction: discord.Interaction[Any]) -> None:
        row = await get_digest(self.bot.database, _channel(interaction))
        if row is None:
            text = "This channel has no digest. Set one with `/digest set`."
        else:
            empty = "even when empty" if row.post_empty else "only when there is news"
            with_chart = ", with the funding chart" if row.chart else ""
            text = (
                f"Digest in <#{row.channel_id}>: {defang(row.description)}, posted {empty}"
                f"{with_chart}.\n"
                f"Next: {when(row.next_run_at, 'F')} ({when(row.next_run_at, 'R')}). "
                f"Last: {when(row.last_run_at, 'F')}."
            )
        await respond(interaction, ephemeral=True, content=text)

    @app_commands.command(name="off", description="Stop this channel's digest")
    async def off(self, interaction: discord.Interaction[Any]) -> None:
        removed = await remove_digest(self.bot.database, _channel(interaction))
        text = "Digest turned off for this channel." if removed else "This channel has no digest."
        await respond(interaction, ephemeral=True, content=text)

    @app_commands.command(name="preview", description="This channel's digest as it would post now")
    async def preview(self, interaction: discord.Interaction[Any]) -> None:
        database = self.bot.database
        row = await get_digest(database, _channel(interaction))
        now = database.clock.now()
        since = row.last_run_at if row is not None else now - _DAY
        digest = await build_digest(database, interaction.guild_id or 0, since=since, now=now)
        note = "" if row is not None else "No digest is set here; this preview covers the last day."
        embeds = digest_embeds(digest, title="Oversight digest (preview)")
        if row is not None and row.chart:  # as it would post: the chart after the digest
            await interaction.response.defer(ephemeral=True, thinking=True)
            chart = await self._chart(interaction.guild_id or 0, digest.today, embeds)
            await reply_with_chart(interaction, chart, ephemeral=True, before=embeds)
            return
        await respond(interaction, [embeds], ephemeral=True, content=note or None)

    async def _chart(
        self, guild_id: int, today: dt.date, embeds: list[discord.Embed]
    ) -> ChartMessage:
        """The funding chart in the room the digest leaves in its message."""
        async with self.bot.database.session() as session:
            series = await funding_series(session, Scope.guild(guild_id), today=today)
        room = MESSAGE_EMBED_TEXT - sum(embed_text_length(embed) for embed in embeds)
        return await funding_message(self.bot.charts, series, limit=room)


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Digest(bot))
