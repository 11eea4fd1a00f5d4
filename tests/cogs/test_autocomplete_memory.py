"""Autocomplete from memory, end to end through the fake Discord: a guild's second autocomplete
runs no SQL, an edit is offered at once, another guild's records never appear, and what is
offered is what the database path offers."""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from bench.dataset import Sizes, generate
from bot.client import OversightBot
from db import suggest
from db.scope import Actor, Scope
from db.search import suggest_records
from fakediscord import FakeDiscord, FakeGuild, FakeMember
from tests.conftest import Office
from tests.support.statements import statements

Json = dict[str, Any]
EDITOR = Actor("test editor", 1)
Suggester = Callable[[AsyncSession, Scope, str], Awaitable[list[suggest.Choice]]]
# The four autocompletes: (command, option, what the database path offers).
AUTOCOMPLETES: list[tuple[str, str, Suggester]] = [
    ("approps bill", "bill", suggest.suggest_measures),
    ("oversight show", "question", suggest.suggest_questions),
    ("cite", "record", suggest_records),
    ("bodycam city", "city", suggest.suggest_cities),
]
TYPED = [
    "",
    "oq2",
    "gq2",
    "7147",
    "HR 714",
    "HSGAC",
    "homland apropriations",
    "minneapols",
    "footage retension",
    "Montréal",
    "st paul",
    "body cam",
    "spring",
    "zzzzqq",
]


def other_office(fake: FakeDiscord) -> tuple[FakeGuild, FakeMember]:
    guild = fake.add_guild("Office of Sen. Other")
    return guild, guild.add_member("colleague")


async def write(bot: OversightBot, guild_id: int, kind: str, values: Json) -> None:
    async with bot.database.writer(Scope.guild(guild_id), EDITOR) as writer:
        await writer.create(kind, values)


async def offered(
    fake: FakeDiscord, command: str, option: str, typed: str, user: FakeMember
) -> list[str]:
    choices = await fake.autocomplete(
        command, focused=option, value=typed, user=user, guild=user.guild
    )
    return [choice["value"] for choice in choices]


@pytest.fixture
def steady(bot: OversightBot) -> OversightBot:
    """The bot with its data token read from the database once only: what changes it is this
    process's own writes (another process's are seen within a second, not tested here)."""
    bot.data_version.recheck_seconds = math.inf
    return bot


async def test_a_guilds_second_autocomplete_runs_no_sql(
    fake: FakeDiscord, office: Office, steady: OversightBot
) -> None:
    """Each autocomplete reads its candidates once; asked again it runs no SQL, whatever is
    typed: a bill number (which the database path reads the bill for), a typo (which it reads
    the words to correct from for), nothing."""
    for command, option, _database in AUTOCOMPLETES:
        await offered(fake, command, option, "a", office.staffer)
        with statements(steady.database) as seen:
            again = [
                await offered(fake, command, option, typed, office.staffer)
                for typed in ("7147", "minneapols", "oq2", "")
            ]
        assert seen == [], command
        assert all(again[-1:]) and any(again[:-1]), command


async def test_a_question_added_is_offered_at_once(
    fake: FakeDiscord, office: Office, steady: OversightBot
) -> None:
    """After /admin oversight add, the new question's id is offered at once (the edit changed
    the data token), in /oversight show and /cite."""
    assert "GQ-1" not in await offered(fake, "oversight show", "question", "gq1", office.staffer)
    opened = await fake.slash(
        "admin oversight add", user=office.admin, asked_by="Rep. Rivera", addressed_to="ICE"
    )
    assert opened.modal is not None, opened.content
    await fake.submit_modal(opened, values={"question": "Duluth cameras: since when?"})
    shown = await offered(fake, "oversight show", "question", "gq1", office.staffer)
    cited = await offered(fake, "cite", "record", "gq1", office.staffer)
    assert shown[0] == "GQ-1" and cited[0] == "question:GQ-1"


async def test_another_guilds_records_never_appear(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Another office's own bill, question and camera city are offered to that office only."""
    guild, colleague = other_office(fake)
    for command, option, _database in AUTOCOMPLETES:  # this office's candidates, read first
        await offered(fake, command, option, "", office.staffer)
    await write(bot, guild.id, "question", _question("GQ-1", "Zanzibar footage, retained?"))
    await write(bot, guild.id, "measure", _bill(9001, "Zanzibar Cameras Act"))
    await write(bot, guild.id, "bodycam", _camera("Zanzibar"))
    for command, option, _database in AUTOCOMPLETES:
        theirs = await offered(fake, command, option, "zanzibar", colleague)
        mine = await offered(fake, command, option, "zanzibar", office.staffer)
        assert theirs and not any("anzibar" in value or "9001" in value for value in mine), command


async def test_memory_offers_what_the_database_offers(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """For each autocomplete and every kind of typing, the choices Discord gets equal what the
    database path (db.suggest, db.search) offers, in order, with 600 questions in the office."""
    await generate(bot.database, Sizes(cities=200, questions=600, guilds=(office.guild.id,)))
    scope = Scope.guild(office.guild.id)
    for command, option, database_path in AUTOCOMPLETES:
        for typed in TYPED:
            async with bot.database.session() as session:
                expected = await database_path(session, scope, typed)
            choices = await fake.autocomplete(
                command, focused=option, value=typed, user=office.staffer
            )
            assert choices == [{"name": c.label, "value": c.value[:100]} for c in expected], (
                command,
                typed,
            )


def _question(key: str, text: str) -> Json:
    return {
        "key": key,
        "question": text,
        "asked_by": "Sen. Other",
        "addressed_to": "ICE",
        "component": "ICE-ERO",
        "sent_date": "2026-10-29",
        "as_of": "2026-11-01",
    }


def _bill(number: int, title: str) -> Json:
    return {
        "congress": 119,
        "fiscal_year": 2027,
        "bill_type": "hr",
        "bill_number": number,
        "title": title,
        "as_of": "2026-11-01",
    }


def _camera(city: str) -> Json:
    return {
        "city": city,
        "state": "VT",
        "component": "ICE-ERO",
        "status": "announced",
        "as_of": "2026-11-01",
    }
