"""/approps status | bill | lines | chart: the DHS funding picture, one bill, funding lines, and
the lines as a chart. Status, bill and lines are served from the answer cache (bot.answers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import Answer, AnswerCache, reply
from bot.charts import funding_message, reply_with_chart
from bot.cooldowns import APPROPS_STATUS, CHART, per_member
from bot.render import approps as render
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
        self.answers = AnswerCache(bot.data_version)

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
        # No defer up front: answered from memory it is one request, not two; a slow build is
        # deferred in time by the watchdog (bot.deadline).
        database, scope = self.bot.database, scope_of(interaction)

        async def build() -> Answer:
            today = database.today()
            day = as_of or today  # "was DHS funded on March 1?" is the status as it stood then
            async with database.session() as session:
                status = await funding_status(session, scope, today=day, fiscal_year=fiscal_year)
                chambers = (
                    await latest_by_chamber(session, scope, status.fiscal_year) if status else {}
                )
            requested = fiscal_year or federal_fiscal_year(day)
            return Answer.of(
                render.status_pages(status, chambers, requested=requested, today=today)
            )

        answer = await self.answers.get("status", interaction.guild_id, (fiscal_year, as_of), build)
        await reply(interaction, answer, ephemeral=not share)

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
        scope = scope_of(interaction)  # no defer up front, as /approps status

        async def build() -> Answer:  # reads the bill again: the option's copy may be older
            async with self.bot.database.session() as session:
                detail = await measure_detail(session, scope, bill.key)
                links = await related(session, scope, "measure", bill.key)
            return Answer.of(render.bill_pages(detail, links))

        answer = await self.answers.get("bill", interaction.guild_id, bill.key, build)
        await reply(interaction, answer, ephemeral=not share)

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
        database, scope = self.bot.database, scope_of(interaction)

        async def build() -> Answer:  # pages are rendered when first shown, then kept
            async with database.session() as session:
                listing = await line_listing(
                    session,
                    scope,
                    today=database.today(),
                    fiscal_year=fiscal_year,
                    search=search,
                )
            return Answer(
                render.line_page_count(listing), lambda index: render.line_page(listing, index)
            )

        answer = await self.answers.get("lines", interaction.guild_id, (fiscal_year, search), build)
        await reply(interaction, answer, ephemeral=not share)

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
