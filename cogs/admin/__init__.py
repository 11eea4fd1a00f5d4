"""/admin: editing records in Discord (editors only; each family of commands in its own module)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.permissions import require_editor
from cogs.admin._approps import AppropsAdmin
from cogs.admin._audit import AuditCommands
from cogs.admin._bodycam import BodycamAdmin
from cogs.admin._editors import EditorsGroup  # add imports of other command modules below
from cogs.admin._oversight import OversightAdmin
from cogs.admin._tools import RecordTools, SourceAdmin
from cogs.admin._transfer import TransferCommands

if TYPE_CHECKING:
    from bot.client import OversightBot


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)
class Admin(
    # slot: mixins with direct /admin subcommands (one per line)
    AuditCommands,
    TransferCommands,
    RecordTools,
    commands.GroupCog,
    group_name="admin",
    group_description="Edit records (editors only)",
):
    editors = EditorsGroup()
    source = SourceAdmin()
    oversight = OversightAdmin()
    approps = AppropsAdmin()
    bodycam = BodycamAdmin()
    # slot: subgroups (one line per subgroup)

    def __init__(self, bot: OversightBot) -> None:
        self.bot = bot
        super().__init__()

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        await require_editor(self.bot, interaction)
        return True


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Admin(bot))
