"""/approps status | bill | lines | chart: the DHS funding picture, one bill, funding lines, and
the lines as a chart."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.charts import funding_message, reply_with_chart
from bot.cooldowns import APPROPS_STATUS, CHART, per_member
from bot.render import approps as render
from bot.views import respond
from cogs._options import Bill, Day, scope_of
from db.appropriations import (
    federal_fiscal_year,
    funding_status,
    latest_by_chamber,
    line_listing,
    measure_detail,
)
from db.charts import funding_series
from db.links import related

if TYPE_CHECKING:
    from bot.client import OversightBot

SHARE = "Post the answer in this channel for everyone"
FISCAL_YEAR = (
    "Federal fiscal year, which starts October 1 of the year before (default: the current)"
)
FiscalYear = app_commands.Range[int, 1990, 2100]


@app_commands.guild_only()
class Appropriations(
    commands.GroupCog,
    group_name="approps",
    group_description="DHS appropriations: funding status, bills and funding lines",
):
    def __init__(self, bot: OversightBot) -> None:
        self.bot = bot

    @app_commands.command(
        name="status", description="Is DHS funded, by what and until when, in a fiscal year"
    )
    @per_member(APPROPS_STATUS)
    @app_commands.describe(
        fiscal_year=FISCAL_YEAR + "; with as_of, the fiscal year of that day",
        as_of="Answer for this day: 2026-03-01, Mar 1 2026, 3/1/2026, yesterday (default: today)",
        share=SHARE,
    )
    async def status(
        self,
        interaction: discord.Interaction[OversightBot],
        fiscal_year: FiscalYear | None = None,
        as_of: Day | None = None,
        share: bool = False,
    ) -> None:
        await interaction.response.defer(ephemeral=not share, thinking=True)
        database, scope = self.bot.database, scope_of(interaction)
        today = database.today()
        day = as_of or today  # "was DHS funded on March 1?" is the status as it stood that day
        async with database.session() as session:
            status = await funding_status(session, scope, today=day, fiscal_year=fiscal_year)
            chambers = await latest_by_chamber(session, scope, status.fiscal_year) if status else {}
        requested = fiscal_year or federal_fiscal_year(day)
        pages = render.status_pages(status, chambers, requested=requested, today=today)
        await respond(interaction, pages, ephemeral=not share)

    @app_commands.command(
        name="bill",
        description="A bill's stages with dates and votes, its law, lines and questions",
    )
    @app_commands.describe(
        bill="The bill: type its number (H.R. 7147) or part of its title and pick from the list",
        share=SHARE,
    )
    async def bill(
        self, interaction: discord.Interaction[OversightBot], bill: Bill, share: bool = False
    ) -> None:
        await interaction.response.defer(ephemeral=not share, thinking=True)
        scope = scope_of(interaction)
        async with self.bot.database.session() as session:
            detail = await measure_detail(session, scope, bill.key)
            links = await related(session, scope, "measure", bill.key)
        await respond(interaction, render.bill_pages(detail, links), ephemeral=not share)

    @app_commands.command(
        name="lines", description="Funding lines: requested, House, Senate and enacted, with totals"
    )
    @app_commands.describe(
        fiscal_year=FISCAL_YEAR,
        search="Only lines whose component, account or purpose contains this (e.g. camera)",
        share=SHARE,
    )
    async def lines(
        self,
        interaction: discord.Interaction[OversightBot],
        fiscal_year: FiscalYear | None = None,
        search: app_commands.Range[str, 1, 100] | None = None,
        share: bool = False,
    ) -> None:
        await interaction.response.defer(ephemeral=not share, thinking=True)
        database = self.bot.database
        async with database.session() as session:
            listing = await line_listing(
                session,
                scope_of(interaction),
                today=database.today(),
                fiscal_year=fiscal_year,
                search=search,
            )

        async def page(index: int) -> list[discord.Embed]:
            return render.line_page(listing, index)

        await respond(
            interaction,
            render=page,
            page_count=render.line_page_count(listing),
            ephemeral=not share,
        )

    @app_commands.command(
        name="chart", description="Funding lines as a chart: requested, House, Senate and enacted"
    )
    @per_member(CHART)
    @app_commands.describe(fiscal_year=FISCAL_YEAR, share=SHARE)
    async def chart(
        self,
        interaction: discord.Interaction[OversightBot],
        fiscal_year: FiscalYear | None = None,
        share: bool = False,
    ) -> None:
        await interaction.response.defer(ephemeral=not share, thinking=True)
        database = self.bot.database
        async with database.session() as session:
            series = await funding_series(
                session, scope_of(interaction), fiscal_year, today=database.today()
            )
        message = await funding_message(self.bot.charts, series)
        await reply_with_chart(interaction, message, ephemeral=not share)


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Appropriations(bot))
