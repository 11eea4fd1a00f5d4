"""A test-only cog of commands that are slow on purpose, for the deadline watchdog's tests
(tests/bot/test_deadline.py loads it with `OversightBot(extensions=["tests.bot.slow_cog"])`).

Most wait on `gate`, which the test opens only once it has seen the interaction acknowledged: an
acknowledgement that came before the answer can only have been the watchdog's.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot import deadline
from bot.admission import waits_for_person
from bot.views import respond
from db.errors import DomainError

Interaction = discord.Interaction[Any]
PAGES = 3


async def until(interaction: Interaction, offset: float) -> None:
    """Sleep until `offset` seconds from the watchdog's moment (ACK_AFTER after creation)."""
    await asyncio.sleep(max(0.0, deadline.ACK_AFTER + offset - deadline.age(interaction)))


class FormModal(discord.ui.Modal, title="A form"):
    note: discord.ui.TextInput[FormModal] = discord.ui.TextInput(label="Note")

    async def on_submit(self, interaction: Interaction) -> None:
        await interaction.response.send_message(f"Noted: {self.note.value}", ephemeral=True)


class Slow(commands.GroupCog, group_name="slow", group_description="Slow on purpose (tests)"):
    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.gate = asyncio.Event()
        self.suggested = 0  # autocompletes that ran
        super().__init__()

    @app_commands.command(name="answer", description="Answers once the gate opens")
    async def answer(self, interaction: Interaction, share: bool = False) -> None:
        await self.gate.wait()
        await respond(interaction, ephemeral=not share, content="Here is the slow answer.")

    @app_commands.command(name="defer", description="Defers itself once the gate opens")
    async def defer(self, interaction: Interaction) -> None:
        await self.gate.wait()
        await interaction.response.defer(ephemeral=True, thinking=True)
        await interaction.followup.send("Deferred, then answered.", ephemeral=True)

    @app_commands.command(name="fail", description="Fails with a user error once the gate opens")
    async def fail(self, interaction: Interaction) -> None:
        await self.gate.wait()
        raise DomainError("That record does not exist. Pick one from the list.")

    @app_commands.command(name="at", description="Answers `offset` s from the watchdog's moment")
    async def at(self, interaction: Interaction, offset: float) -> None:
        await until(interaction, offset)
        await interaction.response.send_message("Answered at the deadline.", ephemeral=True)

    @app_commands.command(name="block", description="Blocks the event loop, then answers")
    async def block(self, interaction: Interaction, seconds: float) -> None:
        time.sleep(seconds)  # noqa: ASYNC251  # a busy event loop, on purpose
        await interaction.response.send_message("Unblocked.", ephemeral=True)

    @deadline.opens_modal
    @app_commands.command(name="form", description="Opens a form after the watchdog's moment")
    async def form(self, interaction: Interaction) -> None:
        await until(interaction, 0.3)
        await interaction.response.send_modal(FormModal())

    @app_commands.command(name="late-form", description="Unmarked: opens a form after the gate")
    async def late_form(self, interaction: Interaction) -> None:
        await self.gate.wait()
        await interaction.response.send_modal(FormModal())

    @app_commands.command(name="pages", description="Pages after the first wait for the gate")
    async def pages(self, interaction: Interaction) -> None:
        async def render(index: int) -> list[discord.Embed]:
            if index > 0:
                await self.gate.wait()
            return [discord.Embed(title=f"Page {index + 1}", description="Slow pages.")]

        await respond(interaction, ephemeral=True, render=render, page_count=PAGES)

    @waits_for_person
    @app_commands.command(name="prompt", description="Waits for the gate as for a person's click")
    async def prompt(self, interaction: Interaction) -> None:
        await interaction.response.send_message("Sure?", ephemeral=True)
        await self.gate.wait()
        await interaction.edit_original_response(content="Confirmed.")

    @app_commands.command(name="pick", description="Offers choices; counts the autocompletes run")
    async def pick(self, interaction: Interaction, what: str) -> None:
        await interaction.response.send_message(f"Picked {what}.", ephemeral=True)

    @pick.autocomplete("what")
    async def suggest(self, interaction: Interaction, typed: str) -> list[app_commands.Choice[str]]:
        self.suggested += 1
        return [app_commands.Choice(name=f"{typed} one", value="one")]


async def setup(bot: commands.Bot) -> None:
    await bot.add_cog(Slow(bot))
