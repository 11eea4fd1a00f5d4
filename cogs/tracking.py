"""/track add | list | remove: which channels get change posts; and the gateway events that pause
subscriptions whose channel or server is gone.

Discord shows /track only to Manage Channels by default, but a server can override that, so the
bot checks Manage Channels on every call (commands, autocomplete and the Re-enable buttons).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import permissions
from bot.render.tracking import (
    ONLY_LABELS,
    added_text,
    choice_label,
    list_embed,
    preview_post,
    reenabled_text,
    removed_text,
)
from bot.views import OwnedView
from cogs._options import Record
from db import tracking
from db.search import CitedRecord

if TYPE_CHECKING:
    from bot.client import OversightBot

log = logging.getLogger(__name__)
MAX_BUTTONS = 5
KIND_CHOICES = [app_commands.Choice(name=k, value=k) for k in tracking.KINDS]
ONLY_CHOICES = [
    app_commands.Choice(name=ONLY_LABELS["status"], value="status"),
    app_commands.Choice(name=ONLY_LABELS["all"], value="all"),
]
CHANNEL_DELETED = "channel deleted"
GUILD_REMOVED = "bot removed from the server"
NEEDS_MANAGE_CHANNELS = "Managing tracking needs the Manage Channels permission"


def require_manage_channels(interaction: discord.Interaction[Any]) -> None:
    permissions.require_manage_channels(interaction, "Managing tracking")


def can_post(interaction: discord.Interaction[Any]) -> bool:
    mine = interaction.app_permissions
    return mine.view_channel and mine.send_messages and mine.embed_links


class ListView(OwnedView):
    """/track list's Re-enable buttons (one per paused or failed subscription, at most five)."""

    def __init__(self, cog: Tracking, owner_id: int, statuses: list[tracking.SubscriptionStatus]):
        super().__init__(owner_id)
        self.cog = cog
        stopped = [s.subscription for s in statuses if s.subscription.state != "active"]
        for subscription in stopped[:MAX_BUTTONS]:
            button: discord.ui.Button[ListView] = discord.ui.Button(
                label=f"Re-enable #{subscription.id}",
                style=discord.ButtonStyle.primary,
                custom_id=f"track:reenable:{subscription.id}",
            )
            button.callback = self._reenabler(int(subscription.id or 0))  # type: ignore[method-assign]  # discord.py's way to give a Button its callback
            self.add_item(button)

    def _reenabler(self, subscription_id: int) -> Any:
        async def callback(interaction: discord.Interaction[Any]) -> None:
            require_manage_channels(interaction)
            assert interaction.guild_id is not None
            database = self.cog.bot.database
            subscription = await tracking.reenable(database, interaction.guild_id, subscription_id)
            self.stop()
            embed, view = await self.cog.list_reply(interaction.guild_id, self.owner_id)
            await interaction.response.edit_message(
                content=reenabled_text(subscription),
                embed=embed,
                view=view,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            if view is not None:
                view.interaction = interaction

        return callback


@app_commands.guild_only()
@app_commands.default_permissions(manage_channels=True)
class Tracking(
    commands.GroupCog,
    group_name="track",
    group_description="Post changes to records in a channel (Manage Channels)",
):
    def __init__(self, bot: OversightBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        require_manage_channels(interaction)
        return True

    async def list_reply(
        self, guild_id: int, owner_id: int
    ) -> tuple[discord.Embed, ListView | None]:
        statuses = await tracking.subscription_status(self.bot.database, guild_id)
        view = ListView(self, owner_id, statuses)
        return list_embed(statuses), (view if view.children else None)

    @app_commands.command(name="add", description="Make this channel follow changes")
    @app_commands.describe(
        kind="Which records to follow: " + ", ".join(tracking.KINDS),
        record="Only this record (its kind must fit the chosen kind); pick from the list",
        only="Every change, or only status changes (default: all changes)",
    )
    @app_commands.choices(kind=KIND_CHOICES, only=ONLY_CHOICES)
    async def add(
        self,
        interaction: discord.Interaction[Any],
        kind: app_commands.Choice[str],
        record: Record | None = None,
        only: app_commands.Choice[str] | None = None,
    ) -> None:
        assert interaction.guild_id is not None and interaction.channel_id is not None
        cited: CitedRecord | None = record
        target = (cited.kind, cited.key) if cited is not None else None
        subscription = await tracking.add_subscription(
            self.bot.database,
            interaction.guild_id,
            interaction.channel_id,
            kind.value,
            record=target,
            only=only.value if only is not None else "all",
            created_by=interaction.user.id,
        )
        preview = preview_post(
            kind.value,
            target,
            interaction.user.display_name,
            interaction.user.id,
            self.bot.database.clock.now(),
        )
        await interaction.response.send_message(
            added_text(subscription, can_post=can_post(interaction)),
            embed=preview,
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )

    @app_commands.command(name="list", description="Every subscription here, with its state")
    async def list_(self, interaction: discord.Interaction[Any]) -> None:
        assert interaction.guild_id is not None
        embed, view = await self.list_reply(interaction.guild_id, interaction.user.id)
        kwargs: dict[str, Any] = {"view": view} if view is not None else {}
        await interaction.response.send_message(
            embed=embed, ephemeral=True, allowed_mentions=discord.AllowedMentions.none(), **kwargs
        )
        if view is not None:
            view.interaction = interaction

    @app_commands.command(name="remove", description="Stop a subscription of this server")
    @app_commands.describe(subscription="The subscription to remove; pick from the list")
    async def remove(self, interaction: discord.Interaction[Any], subscription: int) -> None:
        assert interaction.guild_id is not None
        removed = await tracking.remove_subscription(
            self.bot.database, interaction.guild_id, subscription
        )
        await interaction.response.send_message(
            removed_text(removed), ephemeral=True, allowed_mentions=discord.AllowedMentions.none()
        )

    @remove.autocomplete("subscription")
    async def _subscriptions(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[int]]:
        # Autocomplete skips interaction_check: check here, and show nothing to others.
        if interaction.guild_id is None or not interaction.permissions.manage_channels:
            return []
        found = await tracking.list_subscriptions(self.bot.database, interaction.guild_id)
        guild, text = interaction.guild, current.strip().lower().lstrip("#")
        choices = []
        for subscription in found:
            channel = guild.get_channel(subscription.channel_id) if guild else None
            label = choice_label(subscription, channel.name if channel else None)
            if text in label.lower():
                choices.append(app_commands.Choice(name=label, value=int(subscription.id or 0)))
        return choices[:25]

    # ------------------------------------------------------------ gateway events

    @commands.Cog.listener()
    async def on_guild_channel_delete(self, channel: discord.abc.GuildChannel) -> None:
        paused = await tracking.pause_channel(self.bot.database, channel.id, CHANNEL_DELETED)
        if paused:
            log.info("Channel %s deleted: paused %d subscription(s)", channel.id, paused)

    @commands.Cog.listener()
    async def on_guild_remove(self, guild: discord.Guild) -> None:
        paused = await tracking.pause_guild(self.bot.database, guild.id, GUILD_REMOVED)
        if paused:
            log.info("Removed from guild %s: paused %d subscription(s)", guild.id, paused)


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Tracking(bot))
