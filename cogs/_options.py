"""Options shared by the staff commands: autocomplete for records, and text → record/date.

Each transformer accepts what autocomplete offered and also what a person types by hand, and
refuses anything else with a message saying what is accepted (raised as a DomainError, which the
tree's error handler shows privately).

Autocompletes answer from memory (db.candidate_store, per scope and kind, while the bot's data
token says nothing changed): they cannot be deferred and Discord drops them after 3 s. They offer
what the database path (db.suggest.look_up, which the transforms use) would, in the same order.

The record options' transforms read the database once per (scope, option, typed text) and data
token (CandidateStore.resolved): a command asked again with the same text, as when the answer
itself comes from bot.answers, runs no statement. A refusal ("No bill matches …") is remembered
too; any write makes a new token, so an edit is seen at once. What a transform returns may be the
same object another command got: commands read it, never change it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import discord
from discord import app_commands
from sqlalchemy.ext.asyncio import AsyncSession

from bot.render.common import clip, defang
from db import resolve, suggest
from db.candidate_store import CITIES, CandidateStore, Snapshot
from db.candidates import KINDS
from db.dates import ACCEPTED_FORMS, DateParseError, parse_date
from db.errors import InvalidInput, NotFound
from db.models import Measure, OversightQuestion
from db.scope import Scope
from db.search import (
    CitedRecord,
    find_record,
    record_choices,  # /cite's labels: db.search's one spelling
)
from db.suggest import MEASURES, QUESTIONS

T = TypeVar("T")


def bot_of(interaction: discord.Interaction[Any]) -> Any:
    return interaction.client


def scope_of(interaction: discord.Interaction[Any]) -> Scope:
    return bot_of(interaction).scope_for(interaction.guild_id)


def _store(bot: Any) -> CandidateStore:
    """The bot's candidates in memory (bot.client.OversightBot makes them)."""
    store: CandidateStore = bot.candidate_store
    return store


async def _suggested(
    interaction: discord.Interaction[Any], kinds: tuple[str, ...], value: str
) -> suggest.Found:
    """What autocomplete offers for `value`: found in memory (the interaction's scope's
    candidates of `kinds`), and remembered while no data changed."""
    bot = bot_of(interaction)
    token = await bot.data_version.token()

    async def find(snapshot: Snapshot) -> suggest.Found:
        return await suggest.find(snapshot, value, kinds)

    return await _store(bot).found(scope_of(interaction), kinds, value, token, find)


async def _resolved(
    interaction: discord.Interaction[Any],
    option: str,
    value: str,
    read: Callable[[AsyncSession, Scope], Awaitable[T]],
) -> T:
    """What `read` finds for `value` (typed into `option`) in the interaction's scope, in one
    session, or the NotFound it raises: read once per data token, then from memory."""
    bot = bot_of(interaction)
    scope = scope_of(interaction)
    token = await bot.data_version.token()

    async def resolve() -> T:
        async with bot.database.session() as session:
            return await read(session, scope)

    return await _store(bot).resolved(scope, option, value, token, resolve)


def _offered(found: list[suggest.Choice]) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=c.label, value=c.value[:100]) for c in found]


def _did_you_mean(close: list[suggest.Choice]) -> str:
    """' Did you mean “OQ-4: …”?' from the first suggestions autocomplete would offer."""
    return resolve.suggestion_text([defang(clip(c.label, 80)) for c in close[:3]])


class CityOption(app_commands.Transformer):
    """A city as typed or picked ('Minneapolis', 'Portland, ME'); matched later, forgivingly."""

    async def autocomplete(  # type: ignore[override]  # string options: discord.py passes the typed text
        self, interaction: discord.Interaction[Any], value: str
    ) -> list[app_commands.Choice[str]]:
        bot = bot_of(interaction)
        token = await bot.data_version.token()

        async def find(snapshot: Snapshot) -> list[suggest.Choice]:
            return suggest.cities_from(snapshot.cities(), value)

        found = await _store(bot).found(scope_of(interaction), (CITIES,), value, token, find)
        return _offered(found)

    async def transform(self, interaction: discord.Interaction[Any], value: str) -> str:
        if not value.strip():
            raise InvalidInput.one("city", "give a city name, for example Minneapolis")
        return value.strip()[:100]


class BillOption(app_commands.Transformer):
    """A measure: its key from autocomplete, or its number typed in any spelling ('H.R. 7147',
    'hr7147', 'S. 12', 'H.J.Res. 5', a Congress.gov address)."""

    async def autocomplete(  # type: ignore[override]  # string options: discord.py passes the typed text
        self, interaction: discord.Interaction[Any], value: str
    ) -> list[app_commands.Choice[str]]:
        found = await _suggested(interaction, MEASURES, value)
        return _offered(suggest.choices(found))

    async def transform(self, interaction: discord.Interaction[Any], value: str) -> Measure:
        async def read(session: AsyncSession, scope: Scope) -> Measure:
            measure = await resolve.find_measure(session, scope, value)
            if measure is None:
                close = await suggest.suggest_measures(session, scope, value)
                raise NotFound(
                    f"No bill matches '{clip(defang(value), 100)}'. Type its number (7147, "
                    "H.R. 7147), public law (P.L. 119-86) or title words and pick from the list."
                    + _did_you_mean(close)
                )
            return measure

        return await _resolved(interaction, "bill", value, read)


class QuestionOption(app_commands.Transformer):
    """An oversight question by id (OQ-4, GQ-2), picked or typed."""

    async def autocomplete(  # type: ignore[override]  # string options: discord.py passes the typed text
        self, interaction: discord.Interaction[Any], value: str
    ) -> list[app_commands.Choice[str]]:
        found = await _suggested(interaction, QUESTIONS, value)
        return _offered(suggest.choices(found))

    async def transform(
        self, interaction: discord.Interaction[Any], value: str
    ) -> OversightQuestion:
        async def read(session: AsyncSession, scope: Scope) -> OversightQuestion:
            question = await resolve.find_question(session, scope, value)
            if question is None:
                close = await suggest.suggest_questions(session, scope, value)
                raise NotFound(
                    f"No question '{clip(defang(value), 100)}'. Use its id (such as OQ-4) or "
                    "pick one from the list." + _did_you_mean(close)
                )
            return question

        return await _resolved(interaction, "question", value, read)


class DateOption(app_commands.Transformer):
    """A date as people type it (2026-02-13, Feb 13 2026, 2/13/2026, today, in 30 days …)."""

    async def transform(self, interaction: discord.Interaction[Any], value: str) -> dt.date:
        try:
            return parse_date(value, today=bot_of(interaction).database.today())
        except DateParseError as error:
            raise InvalidInput.one("", str(error)) from None  # the message names the input


class RecordOption(app_commands.Transformer):
    """Any record: 'kind:key' from autocomplete, or a bare key typed by hand (OQ-4, 119-hr7147)."""

    async def autocomplete(  # type: ignore[override]  # string options: discord.py passes the typed text
        self, interaction: discord.Interaction[Any], value: str
    ) -> list[app_commands.Choice[str]]:
        found = await _suggested(interaction, KINDS, value[:100])
        return _offered(record_choices(found))

    async def transform(self, interaction: discord.Interaction[Any], value: str) -> CitedRecord:
        async def read(session: AsyncSession, scope: Scope) -> CitedRecord:
            return await find_record(session, scope, value)

        return await _resolved(interaction, "record", value, read)


ACCEPTED_DATES = ACCEPTED_FORMS
City = app_commands.Transform[str, CityOption]
Bill = app_commands.Transform[Measure, BillOption]
Question = app_commands.Transform[OversightQuestion, QuestionOption]
Day = app_commands.Transform[dt.date, DateOption]
Record = app_commands.Transform[CitedRecord, RecordOption]
