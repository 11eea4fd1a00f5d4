"""The benchmark baseline: a command that answers at once, so its latency is the cost of
discord.py, the gateway and loopback HTTP alone. Loaded only by the benchmark's bot process."""

from __future__ import annotations

import discord
from discord import app_commands
from discord.ext import commands


class Baseline(commands.Cog):
    @app_commands.command(name="noop", description="Benchmark baseline: answers at once")
    async def noop(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Baseline())
