"""/search across every record, served from the answer cache (bot.answers), and /cite: a
memo-ready citation of any record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answers import Answer, AnswerCache, reply
from bot.cooldowns import SEARCH, per_member
from bot.render.search import (
    citation_message,
    citation_text,
    no_hits,
    page_count,
    search_page,
)
from bot.views import respond
from cogs._options import Record, scope_of
from db.errors import InvalidInput
from db.search import close_to, counts, search_terms
from db.search import search as search_records

if TYPE_CHECKING:
    from bot.client import OversightBot

SHARE = "Post the answer in this channel for everyone"
MAX_HITS = 100


class Search(commands.Cog):
    def __init__(self, bot: OversightBot) -> None:
        self.bot = bot
        self.answers = AnswerCache(bot.data_version)

    @app_commands.command(
        name="search", description="Search every record: questions, bills, cities, funding"
    )
    @per_member(SEARCH)
    @app_commands.guild_only()
    @app_commands.describe(
        query="Words to look for (2–100 characters); every word must match", share=SHARE
    )
    async def search(
        self,
        interaction: discord.Interaction[Any],
        query: app_commands.Range[str, 2, 100],
        share: bool = False,
    ) -> None:
        if not search_terms(query):
            raise InvalidInput.one(
                "query",
                "give at least one word of two or more letters or digits, for example "
                "Minneapolis, 7147 or OQ-4",
            )
        database, scope = self.bot.database, scope_of(interaction)

        async def build() -> Answer:  # pages are rendered when first shown, then kept
            today = database.today()
            async with database.session() as session:
                hits = await search_records(session, scope, query, limit=MAX_HITS)
                held = await counts(session, scope) if not hits else {}
                close = None if hits else await close_to(session, scope, query)
            if close is not None:
                return Answer.of([no_hits(query, held, close.labels, close.respelled)])
            capped = len(hits) == MAX_HITS

            def render(index: int) -> list[discord.Embed]:
                return search_page(query, hits, index, today, capped=capped)

            return Answer(page_count(hits), render)

        answer = await self.answers.get("search", interaction.guild_id, query, build)
        await reply(interaction, answer, ephemeral=not share)

    @app_commands.command(
        name="cite", description="A memo-ready citation of any record, as plain text to copy"
    )
    @app_commands.guild_only()
    @app_commands.describe(
        record="Type part of a question id, bill, city or funding line; pick from the list",
        share=SHARE,
    )
    async def cite(
        self, interaction: discord.Interaction[Any], record: Record, share: bool = False
    ) -> None:
        # Not cached: the option (cogs._options.RecordOption) has read the record before this
        # runs, and what is left, the citation's text, costs less to write than to look up.
        text = citation_text(record, self.bot.database.today())
        await respond(interaction, content=citation_message(text), ephemeral=not share)


async def setup(bot: OversightBot) -> None:
    await bot.add_cog(Search(bot))
