"""A tiny discord.py bot for exercising the fake: a command group with typed options and
autocomplete, a defer-then-follow-up command, a view, a modal, a channel post with a nonce,
and `/probe case:` whose behaviour each test plugs in through `bot.cases`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import discord
from discord import app_commands
from discord.ext import commands

CITIES = ["Minneapolis", "Minnetonka", "Chicago", "Boston"]
Case = Callable[[discord.Interaction], Awaitable[None]]


class RecordingTree(app_commands.CommandTree):
    """Keeps errors for assertions instead of only logging them."""

    async def on_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        bot = interaction.client
        assert isinstance(bot, ProbeBot)
        bot.errors.append(error.__cause__ or error)


class Counter(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=None)
        self.count = 0

    @discord.ui.button(label="Next", custom_id="next")
    async def next(self, interaction: discord.Interaction, _: discord.ui.Button[Counter]) -> None:
        self.count += 1
        await interaction.response.edit_message(content=f"count: {self.count}", view=self)

    @discord.ui.select(
        custom_id="colour",
        options=[
            discord.SelectOption(label="Red", value="red"),
            discord.SelectOption(label="Green", value="green"),
        ],
    )
    async def colour(
        self, interaction: discord.Interaction, select: discord.ui.Select[Counter]
    ) -> None:
        await interaction.response.edit_message(content=f"colour: {select.values[0]}", view=self)


class Feedback(discord.ui.Modal, title="Feedback"):
    note: discord.ui.TextInput[Feedback] = discord.ui.TextInput(
        label="Note", custom_id="note", max_length=200
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.note.value}", ephemeral=True)


bodycam = app_commands.Group(name="bodycam", description="Body camera programmes")


@bodycam.command(name="city", description="One city's programme")
@app_commands.describe(city="City name", year="Fiscal year", verbose="More detail")
async def bodycam_city(
    interaction: discord.Interaction,
    city: str,
    year: app_commands.Range[int, 2000, 2100] | None = None,
    verbose: bool = False,
) -> None:
    embed = discord.Embed(title=city, description=f"year={year} verbose={verbose}")
    await interaction.response.send_message(f"user={interaction.user.id}", embed=embed)


@bodycam_city.autocomplete("city")
async def city_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=c, value=c) for c in CITIES if c.startswith(current)]


@app_commands.command(name="report", description="A slow report: defers, then follows up")
async def report(interaction: discord.Interaction) -> None:
    await interaction.response.defer(thinking=True)
    await asyncio.sleep(0.05)
    await interaction.followup.send("report ready")


@app_commands.command(name="counter", description="A message with a button and a select")
async def counter(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("count: 0", view=Counter())


@app_commands.command(name="feedback", description="Opens a modal")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(Feedback())


@app_commands.command(name="announce", description="Posts to the channel with a nonce")
async def announce(interaction: discord.Interaction, text: str) -> None:
    channel = interaction.channel
    assert isinstance(channel, discord.TextChannel)
    posted = await channel.send(text, nonce=str(interaction.id))
    await interaction.response.send_message(f"posted {posted.id}", ephemeral=True)


@app_commands.command(name="probe", description="Runs the behaviour a test plugged in")
async def probe(interaction: discord.Interaction, case: str) -> None:
    bot = interaction.client
    assert isinstance(bot, ProbeBot)
    await bot.cases[case](interaction)


@probe.autocomplete("case")
async def probe_autocomplete(
    interaction: discord.Interaction, current: str
) -> list[app_commands.Choice[str]]:
    bot = interaction.client
    assert isinstance(bot, ProbeBot)
    return [app_commands.Choice(name=n, value=n) for n in bot.autocomplete_names]


class ProbeBot(commands.Bot):
    def __init__(self, *, ready_after: float = 0.05) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents(guilds=True),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=RecordingTree,
            guild_ready_timeout=ready_after,  # on_ready this long after the last GUILD_CREATE
        )
        self.cases: dict[str, Case] = {}
        self.autocomplete_names: list[str] = []
        self.errors: list[BaseException] = []
        self.readied = asyncio.Event()

    async def setup_hook(self) -> None:
        for command in (bodycam, report, counter, feedback, announce, probe):
            self.tree.add_command(command)
        await self.tree.sync()

    async def on_ready(self) -> None:
        self.readied.set()

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        """discord.py sleeps 5 s before every re-IDENTIFY; the fake has no identify limit."""
