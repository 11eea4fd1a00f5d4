"""/oversight list | show | due: questions to DHS, what is open, due and overdue; served from the
answer cache (bot.answers)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import Answer, AnswerCache, reply
from bot.render.common import defang
from bot.render.oversight import Page, due_pages, empty_list, list_page, question_pages, status_text
from cogs._options import Question, scope_of
from db.errors import NotFound
from db.models import QuestionStatus
from db.oversight import (
    QuestionPage,
    count_due,
    due_questions,
    find_question,
    list_questions,
    next_due,
    printable,
    question_detail,
    question_facets,
    suggest_askers,
    suggest_components,
)

if TYPE_CHECKING:
    from bot.client import OversightBot

SHARE = "Post the answer in this channel for everyone"
PER_PAGE = 10
DUE_SHOWN = 200  # per group; the rest are counted and pointed to /oversight list
STATUS_CHOICES = [
    app_commands.Choice(name=status_text(s).split(" ", 1)[1], value=s.value) for s in QuestionStatus
]


def describe_filters(
    status: QuestionStatus | None, asked_by: str | None, component: str | None
) -> str:
    """'status Pending, asked by “rivera”, component ICE' ('' without filters)."""
    parts = []
    if status is not None:
        parts.append(f"status {status_text(status).split(' ', 1)[1]}")
    if asked_by:
        parts.append(f"asked by “{defang(asked_by)}”")
    if component:
        parts.append(f"component {defang(component)}")
    return ", ".join(parts)


@app_commands.guild_only()
class Oversight(
    commands.GroupCog,
    group_name="oversight",
    group_description="Oversight questions to DHS: what is open, due and overdue",
):
    def __init__(self, bot: OversightBot) -> None:
        self.bot = bot
        self.answers = AnswerCache(bot.data_version)
        super().__init__()

    @app_commands.command(
        name="list", description="Oversight questions, overdue first, by due date"
    )
    @app_commands.describe(
        status="Only questions with this status",
        asked_by="Only questions whose asker's name contains this (e.g. HSGAC, Rep. Chen)",
        component="Only questions filed under this component (e.g. ICE, CBP, DHS)",
        share=SHARE,
    )
    @app_commands.choices(status=STATUS_CHOICES)
    async def list_(
        self,
        interaction: discord.Interaction[Any],
        status: app_commands.Choice[str] | None = None,
        asked_by: app_commands.Range[str, 1, 100] | None = None,
        component: app_commands.Range[str, 1, 40] | None = None,
        share: bool = False,
    ) -> None:
        database, scope = self.bot.database, scope_of(interaction)
        today = database.today()
        wanted = QuestionStatus(status.value) if status is not None else None
        asked_by = printable(asked_by) if asked_by else None
        component = printable(component) if component else None
        guild_id, wanted_all = interaction.guild_id, (wanted, asked_by, component, today)

        async def fetch(index: int) -> QuestionPage:
            async with database.session() as session:
                return await list_questions(
                    session,
                    scope,
                    today=today,
                    status=wanted,
                    asked_by=asked_by,
                    component=component,
                    page=index,
                    per_page=PER_PAGE,
                )

        shown = describe_filters(wanted, asked_by, component)

        async def build() -> Answer:  # the first page with the count of pages
            first = await fetch(0)
            if first.total == 0:
                async with database.session() as session:
                    facets = await question_facets(session, scope)
                return Answer.of([empty_list(shown, facets)])
            return Answer.of([list_page(first, today, shown)], page_count=first.pages)

        async def build_page(index: int) -> Answer:
            return Answer.of([list_page(await fetch(index), today, shown)])

        async def later(index: int) -> Page:
            # Read when shown, each kept under the data version of the click; `today` stays
            # the command's, as it was when the list was asked for.
            answer = await self.answers.get(
                "list page", guild_id, (wanted_all, index), lambda: build_page(index)
            )
            return answer.page(0)

        answer = await self.answers.get("list", guild_id, wanted_all, build)
        await reply(interaction, answer, ephemeral=not share, later=later)

    @list_.autocomplete("asked_by")
    async def _askers(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        async with self.bot.database.session() as session:
            names = await suggest_askers(session, scope_of(interaction), current[:100])
        return [app_commands.Choice(name=n[:100], value=n[:100]) for n in names]

    @list_.autocomplete("component")
    async def _components(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        async with self.bot.database.session() as session:
            names = await suggest_components(session, scope_of(interaction), current[:40])
        return [app_commands.Choice(name=n, value=n) for n in names]

    @app_commands.command(
        name="show", description="One oversight question in full: dates, responses, sources"
    )
    @app_commands.describe(
        question="The question's id (OQ-4) or words from its text; pick from the list",
        share=SHARE,
    )
    async def show(
        self, interaction: discord.Interaction[Any], question: Question, share: bool = False
    ) -> None:
        database, scope = self.bot.database, scope_of(interaction)

        async def build() -> Answer:  # reads the question again: the option's copy may be older
            async with database.session() as session:
                fresh = await find_question(session, scope, question.key)
                if fresh is None:  # deleted since the option read it
                    raise NotFound(f"No question '{question.key}'.")
                detail = await question_detail(session, scope, fresh)
            return Answer.of(question_pages(detail, database.today()))

        answer = await self.answers.get("show", interaction.guild_id, question.key, build)
        await reply(interaction, answer, ephemeral=not share)

    @app_commands.command(name="due", description="What is overdue and what falls due soon")
    @app_commands.describe(days="How many days ahead to look (1–365; default 14)", share=SHARE)
    async def due(
        self,
        interaction: discord.Interaction[Any],
        days: app_commands.Range[int, 1, 365] = 14,
        share: bool = False,
    ) -> None:
        database, scope = self.bot.database, scope_of(interaction)

        async def build() -> Answer:
            today = database.today()
            async with database.session() as session:
                report = await due_questions(
                    session, scope, today=today, days=days, limit=DUE_SHOWN
                )
                counts = await count_due(session, scope, today=today, days=days)
                later = None
                if not report.due_soon:  # say when the next deadline is
                    later = await next_due(session, scope, after=today + dt.timedelta(days=days))
            return Answer.of(due_pages(report, counts, later, today))

        answer = await self.answers.get("due", interaction.guild_id, days, build)
        await reply(interaction, answer, ephemeral=not share)


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Oversight(bot))
