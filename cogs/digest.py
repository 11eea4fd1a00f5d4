"""/digest set | show | off | preview: a channel's periodic digest (Manage Channels).

Posting on schedule is the dispatcher's job (db.digests explains the calls it makes).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.permissions import NotAllowed, require_manage_channels
from bot.render.common import defang, when
from bot.render.digest import digest_embeds
from bot.views import respond
from db.digests import build_digest, get_digest, remove_digest, set_digest
from db.schedules import EXAMPLES

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
    )
    async def set_(
        self,
        interaction: discord.Interaction[Any],
        schedule: app_commands.Range[str, 1, 200],
        timezone: app_commands.Range[str, 1, 64] | None = None,
        post_empty: bool = False,
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
        )
        empty = "even when there is nothing new" if post_empty else "only when there is news"
        await respond(
            interaction,
            ephemeral=True,
            content=(
                f"Digest set for <#{channel_id}>: {defang(row.description)}, posted {empty}.\n"
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
            text = (
                f"Digest in <#{row.channel_id}>: {defang(row.description)}, posted {empty}.\n"
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
        await respond(
            interaction,
            [digest_embeds(digest, title="Oversight digest (preview)")],
            ephemeral=True,
            content=note or None,
        )


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Digest(bot))
