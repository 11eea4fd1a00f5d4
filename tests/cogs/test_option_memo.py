"""Typed record options from memory (cogs/_options.py, db.candidate_store.CandidateStore.resolved),
end to end through the fake Discord on SQLite and PostgreSQL: a command asked again with the same
text while no data changed runs no SQL, its option's read included, and answers the same (a
refusal too); an /admin edit is seen by the next command, in what its option read; a city typed
again is ranked once while the token lasts."""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Sequence
from typing import Any

import pytest

from bot.client import OversightBot
from bot.config import Settings
from db import suggest
from db.engine import Database
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, FakeMember, Reply
from tests.conftest import Office, running
from tests.support.statements import interaction_statements as statements

EDITOR = Actor("test editor", 1)
H_R_7147 = "H.R. 7147 — Department of Homeland Security Appropriations Act, 2026"
# Commands whose typed option names a record (or names none: the refusal), with what it reads.
ASKED: list[tuple[str, dict[str, Any]]] = [
    ("approps bill", {"bill": "H.R. 7147"}),
    ("approps bill", {"bill": "continuing"}),  # title words
    ("approps bill", {"bill": "H.R. 1234"}),  # no such bill: "No bill matches …"
    ("oversight show", {"question": "oq2"}),
    ("oversight show", {"question": "OQ-999"}),  # no such question
    ("cite", {"record": "7147"}),
    ("cite", {"record": "question:OQ-4"}),  # as autocomplete gives it
    ("cite", {"record": "minneapols"}),  # a typo: refused, with what is close
]


@pytest.fixture
async def served(
    fake: FakeDiscord,
    office: Office,
    starter_databases: tuple[Database, Database],
    settings: Settings,
) -> AsyncIterator[OversightBot]:
    """The real bot, its data token read from the database once only: what changes it is its
    own writes, and another process's once the test says the recheck is due."""
    bot = OversightBot(settings=settings, database=starter_databases[0])
    bot.data_version.recheck_seconds = math.inf
    async with running(fake, bot) as client:
        yield client


def reply_of(reply: Reply) -> tuple[Any, ...]:
    return reply.ephemeral, reply.content, reply.embeds


async def cite(fake: FakeDiscord, user: FakeMember, record: str) -> str:
    return (await fake.slash("cite", record=record, user=user, guild=user.guild)).content or ""


@pytest.mark.parametrize(("path", "options"), ASKED, ids=[f"{p} {o}" for p, o in ASKED])
async def test_asked_again_the_option_runs_no_sql(
    fake: FakeDiscord, office: Office, served: OversightBot, path: str, options: dict[str, Any]
) -> None:
    """The first time reads (the option's record, then the answer); the same command with the
    same text again runs no statement and gives the same reply, a refusal included."""
    with statements(served) as first_time:
        first = await fake.slash(path, user=office.staffer, options=options)
    with statements(served) as second_time:
        again = await fake.slash(path, user=office.staffer, options=options)
    assert first_time and second_time == [], second_time
    assert reply_of(again) == reply_of(first)
    assert "Something went wrong" not in (first.content or "")


async def test_refusals_say_what_they_said_before(
    fake: FakeDiscord, office: Office, served: OversightBot
) -> None:
    """A remembered refusal is the refusal: what was typed, and what is close."""
    for _ in range(2):
        bill = await fake.slash("approps bill", bill="H.R. 1234", user=office.staffer)
        assert (bill.content or "").startswith("No bill matches 'H.R. 1234'"), bill.content
        typo = await cite(fake, office.staffer, "minneapols")
        assert typo.startswith("No record 'minneapols'") and "Did you mean" in typo, typo


async def test_an_admin_edit_of_a_bill_title_shows_in_the_next_commands(
    fake: FakeDiscord, office: Office, served: OversightBot
) -> None:
    """After /admin approps measure renames H.R. 7147 (the server's own copy), the next
    /approps bill shows the new title, /cite's option reads the bill again (its citation says
    the new title), and the new title's words, refused before, name the bill."""
    assert (await fake.slash("approps bill", bill="H.R. 7147", user=office.staffer)).embeds[0][
        "title"
    ] == H_R_7147
    assert "Department of Homeland Security Appropriations Act, 2026" in await cite(
        fake, office.staffer, "7147"
    )
    refused = await fake.slash("approps bill", bill="cameras accountability", user=office.staffer)
    assert (refused.content or "").startswith("No bill matches"), refused.content
    edited = await fake.slash(
        "admin approps measure",
        user=office.admin,
        options={"bill": "H.R. 7147", "title": "Cameras Accountability Act, 2026"},
    )
    assert "this server's own version" in (edited.content or ""), edited.content
    renamed = "H.R. 7147 — Cameras Accountability Act, 2026"
    after = await fake.slash("approps bill", bill="H.R. 7147", user=office.staffer)
    assert after.embeds[0]["title"] == renamed
    assert "Cameras Accountability Act, 2026" in await cite(fake, office.staffer, "7147")
    by_title = await fake.slash("approps bill", bill="cameras accountability", user=office.staffer)
    assert by_title.embeds and by_title.embeds[0]["title"] == renamed, by_title.content


async def test_one_guilds_option_never_names_anothers_record(
    fake: FakeDiscord, office: Office, served: OversightBot
) -> None:
    """The same text in another server resolves there: its own copy of OQ-2, never this
    server's, asked before and after."""
    other = fake.add_guild("Office of Sen. Other")
    colleague = other.add_member("colleague")
    async with served.database.writer(Scope.guild(other.id), EDITOR) as writer:
        await writer.change("question", "OQ-2", {"question": "Guild B's own wording?"})
    mine = await cite(fake, office.staffer, "oq2")
    theirs = await cite(fake, colleague, "oq2")
    assert "Guild B's own wording" in theirs and "Guild B's own wording" not in mine
    assert await cite(fake, office.staffer, "oq2") == mine


async def test_another_process_write_shows_once_the_token_is_read_again(
    fake: FakeDiscord,
    office: Office,
    served: OversightBot,
    starter_databases: tuple[Database, Database],
) -> None:
    """A write through another Database (another shard, the command line) is not told to this
    process: /cite's option keeps what it read until the data version reads the database again
    (within a second in the bot), then reads the record again."""
    before = await cite(fake, office.staffer, "oq2")
    async with starter_databases[1].writer(Scope.shared(), EDITOR) as writer:
        await writer.change("question", "OQ-2", {"asked_by": "Rep. Elsewhere"})
    assert await cite(fake, office.staffer, "oq2") == before  # the bound, not a fault
    served.data_version.forget()  # the recheck is due
    assert "Asked by: Rep. Elsewhere." in await cite(fake, office.staffer, "oq2")


async def offered(fake: FakeDiscord, typed: str, user: FakeMember) -> list[str]:
    choices = await fake.autocomplete(
        "bodycam city", focused="city", value=typed, user=user, guild=user.guild
    )
    return [choice["value"] for choice in choices]


async def test_a_city_typed_again_is_ranked_once_per_token(
    fake: FakeDiscord, office: Office, served: OversightBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/bodycam city's autocomplete ranks a text once while no data changed (no SQL, no
    ranking on a repeat); a new camera record (a new token) is ranked in at once."""
    ranked: list[str] = []
    rank = suggest.cities_from

    def counted(cities: Sequence[tuple[str, str, str]], text: str) -> list[suggest.Choice]:
        ranked.append(text)
        return rank(cities, text)

    monkeypatch.setattr(suggest, "cities_from", counted)
    first = await offered(fake, "minn", office.staffer)
    with statements(served) as seen:
        again = await offered(fake, "minn", office.staffer)
    assert first and again == first and seen == [] and ranked == ["minn"]
    async with served.database.writer(Scope.guild(office.guild.id), EDITOR) as writer:
        camera = {"city": "Minnetonka", "state": "MN", "component": "ICE-ERO"}
        await writer.create("bodycam", {**camera, "status": "announced", "as_of": "2026-11-01"})
    assert "Minnetonka, MN" in await offered(fake, "minn", office.staffer)
    assert ranked == ["minn", "minn"]
