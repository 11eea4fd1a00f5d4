"""/bodycam city, list and timeline: body-camera status by city, with sources, and over time as
a chart. City and list are served from the answer cache (bot.answers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.answers import Answer, AnswerCache, reply
from bot.charts import reply_with_chart, timeline_message
from bot.cooldowns import CHART, per_member
from bot.render import bodycam as render
from cogs._options import City, Day, bot_of, scope_of
from db import bodycam as data
from db.charts import camera_history
from db.errors import NotFound
from db.links import related_to_each
from db.models import OPEN_STATUSES, CameraStatus, Component
from db.scope import Scope

if TYPE_CHECKING:
    from bot.client import OversightBot

PER_PAGE = 10
SHARE = "Post the answer in this channel for everyone"
STATUS_CHOICES: list[app_commands.Choice[str]] = [
    app_commands.Choice(name=render.status_style(s).label, value=s.value) for s in CameraStatus
]
COMPONENT_CHOICES: list[app_commands.Choice[str]] = [
    app_commands.Choice(name=f"{c.value} ({render.COMPONENT_LABELS[c.value]})", value=c.value)
    for c in Component
]


async def _entries(
    session: AsyncSession, scope: Scope, records: Sequence[Any]
) -> list[render.CityEntry]:
    """Each record with its linked questions (open ones listed, closed ones counted) and
    funding: the links and the camera funding read once for all of them."""
    links = await related_to_each(session, scope, "bodycam", [r.key for r in records])
    components = sorted({str(r.component) for r in records})
    camera_lines = await data.camera_funding_of_each(session, scope, components)
    entries = []
    for record in records:
        linked = links[record.key]
        questions = [r for r in linked if r.kind == "question"]
        open_ = [q for q in questions if q.record.status in OPEN_STATUSES]
        funding = {r.key: r.record for r in linked if r.kind == "funding_line"}
        for line in camera_lines[str(record.component)]:
            funding.setdefault(line.key, line)
        closed = len(questions) - len(open_)
        entries.append(
            render.CityEntry(record, open_, list(funding.values()), closed_questions=closed)
        )
    return entries


@app_commands.guild_only()
class Bodycam(commands.GroupCog, group_name="bodycam", group_description="Body cameras by city"):
    def __init__(self, bot: OversightBot) -> None:
        self.bot = bot
        self.answers = AnswerCache(bot.data_version)
        super().__init__()

    @app_commands.command(
        name="city", description="Every component's body-camera status in a city, with sources"
    )
    @app_commands.describe(
        city="A city, e.g. Minneapolis or Portland, ME (typos are forgiven)",
        as_of="Show the status on this date (e.g. 2026-01-30, Jan 30 2026, 30 days ago)",
        share=SHARE,
    )
    async def city(
        self,
        interaction: discord.Interaction,
        city: City,
        as_of: Day | None = None,
        share: bool = False,
    ) -> None:
        scope = scope_of(interaction)

        async def build() -> Answer:  # an unknown city raises NotFound, which is not kept
            async with bot_of(interaction).database.session() as session:
                result = await data.city_records(session, scope, city, as_of=as_of)
                if not result.records:
                    return Answer.of([[await self._no_record(session, scope, city, result)]])
                entries = await _entries(session, scope, result.records)
            return Answer.of(render.city_pages(entries, as_of=as_of))

        answer = await self.answers.get("city", interaction.guild_id, (city, as_of), build)
        await reply(interaction, answer, ephemeral=not share)

    async def _no_record(
        self, session: AsyncSession, scope: Scope, city: str, result: data.CityResult
    ) -> discord.Embed:
        """A known city with no record on the asked date; otherwise NotFound naming what exists."""
        if result.as_of is not None and result.first_recorded is not None:
            today = await data.city_records(session, scope, city)
            label = render.place(today.records[0]) if today.records else city
            return render.not_on_record_embed(
                label, result.as_of, result.first_recorded, known_now=bool(today.records)
            )
        known = len(await data.known_cities(session, scope))
        raise NotFound(render.unknown_city_text(city, result.suggestions, known))

    @app_commands.command(
        name="list", description="Cities page by page, with counts by camera status on top"
    )
    @app_commands.describe(
        status="Only records with this camera status",
        state="Only this state: a two-letter code such as MN (US for the nationwide records)",
        component="Only this DHS component",
        share=SHARE,
    )
    @app_commands.choices(status=STATUS_CHOICES, component=COMPONENT_CHOICES)
    async def list(
        self,
        interaction: discord.Interaction,
        status: str | None = None,
        state: app_commands.Range[str, 2, 2] | None = None,
        component: str | None = None,
        share: bool = False,
    ) -> None:
        filters = render.ListFilters(
            status=status, state=data.state_code(state) if state else None, component=component
        )
        database, scope = bot_of(interaction).database, scope_of(interaction)
        guild_id, wanted = interaction.guild_id, (filters.status, filters.state, filters.component)

        async def build() -> Answer:  # the first page with the count of pages
            async with database.session() as session:
                first = await data.list_bodycams(session, scope, **self._args(filters))
                if not first.total:
                    hints = await self._hints(session, scope, filters)
                    return Answer.of([[render.empty_list_embed(filters, hints)]])
            return Answer.of([[render.list_page_embed(first, filters)]], page_count=first.pages)

        async def build_page(index: int) -> Answer:
            async with database.session() as session:
                found = await data.list_bodycams(
                    session, scope, page=index, per_page=PER_PAGE, **self._args(filters)
                )
            return Answer.of([[render.list_page_embed(found, filters)]])

        async def later(index: int) -> list[discord.Embed]:
            # Pages are read when shown (a 500-city list costs one page a click), each kept
            # under the data version of the click.
            answer = await self.answers.get(
                "list page", guild_id, (wanted, index), lambda: build_page(index)
            )
            return answer.page(0)

        answer = await self.answers.get("list", guild_id, wanted, build)
        await reply(interaction, answer, ephemeral=not share, later=later)

    @app_commands.command(
        name="timeline", description="Each city's camera status over time, as a chart"
    )
    @per_member(CHART)
    @app_commands.describe(
        state="Only this state: a two-letter code such as MN (US for the nationwide records)",
        component="Only this DHS component",
        share=SHARE,
    )
    @app_commands.choices(component=COMPONENT_CHOICES)
    async def timeline(
        self,
        interaction: discord.Interaction,
        state: app_commands.Range[str, 2, 2] | None = None,
        component: str | None = None,
        share: bool = False,
    ) -> None:
        code = data.state_code(state) if state else None  # refused before anything is read
        await interaction.response.defer(ephemeral=not share, thinking=True)
        bot = bot_of(interaction)
        async with bot.database.session() as session:
            history = await camera_history(
                session, scope_of(interaction), code, component, today=bot.database.today()
            )
        message = await timeline_message(bot.charts, history)
        await reply_with_chart(interaction, message, ephemeral=not share)

    @staticmethod
    def _args(filters: render.ListFilters) -> dict[str, Any]:
        status = CameraStatus(filters.status) if filters.status else None
        return {"status": status, "state": filters.state, "component": filters.component}

    @staticmethod
    async def _hints(
        session: AsyncSession, scope: Scope, filters: render.ListFilters
    ) -> dict[str, dict[str, int]]:
        """For each filter given (or status when none is), what exists once it is dropped."""
        facets: list[data.Facet] = ["status", "state", "component"]
        given = [facet for facet in facets if getattr(filters, facet)] or ["status"]
        hints: dict[str, dict[str, int]] = {}
        for facet in given:
            others = {**Bodycam._args(filters), facet: None}
            hints[facet] = await data.counts_by(session, scope, facet, **others)
        return hints


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Bodycam(bot))
