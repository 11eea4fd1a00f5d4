"""The staff commands' answer cache end to end, through the fake Discord, on SQLite and
PostgreSQL: the same command twice gives the same answer for fewer SQL statements; an edit (by
/admin, or a write through the bot's Database) shows at once; a write through a second Database
(another process) shows after the recheck; the next day moves "in N days" and overdue; and one
guild's answer is never another's."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.client import OversightBot
from bot.config import Settings
from db.clock import FixedClock
from db.engine import Database
from db.freshness import RECHECK_SECONDS
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, FakeMember, Reply
from tests.conftest import Office, running
from tests.support.statements import interaction_statements as statements

EDITOR = Actor("test editor", 1)
# Each cached command with options that answer from the starter data.
COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("approps status", {}),
    ("approps bill", {"bill": "H.R. 7147"}),
    ("approps lines", {"fiscal_year": 2026}),
    ("bodycam city", {"city": "Minneapolis"}),
    ("bodycam list", {}),
    ("oversight show", {"question": "OQ-2"}),
    ("oversight list", {}),
    ("oversight due", {"days": 30}),
    ("search", {"query": "body camera"}),
]
CLICK = "discord-ui-view-dispatch-"  # the task discord.py runs a button's callback in


class Ticks:
    """The data version's recheck clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def served(
    fake: FakeDiscord,
    office: Office,
    starter_databases: tuple[Database, Database],
    settings: Settings,
) -> AsyncIterator[OversightBot]:
    """The real bot on the first Database, its recheck clock in the test's hands."""
    bot = OversightBot(settings=settings, database=starter_databases[0])
    bot.data_version.monotonic = Ticks()
    async with running(fake, bot) as client:
        yield client


@pytest.fixture
def other_process(starter_databases: tuple[Database, Database]) -> Database:
    return starter_databases[1]


def ticks(bot: OversightBot) -> Ticks:
    clock = bot.data_version.monotonic
    assert isinstance(clock, Ticks)
    return clock


def text(reply: Reply) -> str:
    """Everything the reply shows, to look for a value in."""
    return (reply.content or "") + json.dumps(reply.embeds, ensure_ascii=False)


async def change_question(
    database: Database, guild_id: int | None, key: str, **changes: Any
) -> None:
    scope = Scope.shared() if guild_id is None else Scope.guild(guild_id)
    async with database.writer(scope, EDITOR) as writer:
        await writer.change("question", key, changes)


async def show(fake: FakeDiscord, user: FakeMember, key: str = "OQ-2") -> Reply:
    return await fake.slash("oversight show", question=key, user=user, guild=user.guild)


# ---------------------------------------------------------------- the same question twice


@pytest.mark.parametrize(("path", "options"), COMMANDS, ids=[path for path, _ in COMMANDS])
async def test_asking_again_gives_the_same_answer_without_a_statement(
    fake: FakeDiscord, office: Office, served: OversightBot, path: str, options: dict[str, Any]
) -> None:
    with statements(served) as first_time:
        first = await fake.slash(path, user=office.staffer, options=options)
    with statements(served) as second_time:
        again = await fake.slash(path, user=office.staffer, options=options)
    assert first.embeds and again.embeds == first.embeds
    assert again.content == first.content
    assert first_time, "the first ask reads the database"
    # Options that name a record (a bill, a question) are resolved from memory too.
    assert second_time == [], second_time


async def test_later_pages_are_read_when_shown_and_kept(
    fake: FakeDiscord, office: Office, served: OversightBot
) -> None:
    """/bodycam list reads each page on its click; the same click again reads nothing."""
    async with served.database.writer(Scope.guild(office.guild.id), EDITOR) as writer:
        for n in range(12):  # two pages at least
            await writer.create(
                "bodycam",
                {
                    "city": f"Testville {n}",
                    "state": "MN",
                    "component": "ICE-ERO",
                    "status": "announced",
                    "as_of": dt.date(2026, 11, 1),
                },
            )
    reply = await fake.slash("bodycam list", user=office.staffer)
    with statements(served, CLICK) as first_time:
        there = await fake.click(reply, "page:next", user=office.staffer)
    again = await fake.slash("bodycam list", user=office.staffer)
    with statements(served, CLICK) as second_time:
        there_again = await fake.click(again, "page:next", user=office.staffer)
    assert first_time and second_time == []
    assert there_again.embeds == there.embeds


# ---------------------------------------------------------------- edits show at once


async def test_an_admin_edit_shows_at_once(
    fake: FakeDiscord, office: Office, served: OversightBot
) -> None:
    before = await show(fake, office.staffer)
    assert "Rep. Cachewright" not in text(before)
    edited = await fake.slash(
        "admin oversight update",
        user=office.admin,
        options={"question": "OQ-2", "asked_by": "Rep. Cachewright"},
    )
    assert "Something went wrong" not in (edited.content or ""), edited.describe()
    assert "Rep. Cachewright" in text(await show(fake, office.staffer))
    listed = await fake.slash("oversight list", user=office.staffer)
    assert "Rep. Cachewright" in text(listed)


async def test_a_write_through_the_bots_database_shows_at_once(
    fake: FakeDiscord, office: Office, served: OversightBot
) -> None:
    """No recheck needed (the recheck clock stands still): the writer told the version."""
    await show(fake, office.staffer)
    await fake.slash("search", query="footage", user=office.staffer)
    await change_question(
        served.database, office.guild.id, "OQ-2", question="When will CBP release the tapes?"
    )
    assert "release the tapes" in text(await show(fake, office.staffer))
    found = await fake.slash("search", query="footage", user=office.staffer)
    assert "release the tapes" in text(found)  # found by its notes, which still say footage


async def test_another_process_write_shows_after_the_recheck(
    fake: FakeDiscord, office: Office, served: OversightBot, other_process: Database
) -> None:
    """A write through a second Database (another shard, the command line) is not told to this
    process: it shows once the version reads the database again, RECHECK_SECONDS later at
    most. Until then the kept answer is served: that is the bound, not a fault."""
    await show(fake, office.staffer)
    await change_question(other_process, None, "OQ-2", asked_by="Rep. Elsewhere")
    assert "Rep. Elsewhere" not in text(await show(fake, office.staffer))
    ticks(served).now += RECHECK_SECONDS
    assert "Rep. Elsewhere" in text(await show(fake, office.staffer))


# ---------------------------------------------------------------- the date


async def test_the_next_day_moves_due_in_and_overdue(
    fake: FakeDiscord, office: Office, served: OversightBot, clock: FixedClock
) -> None:
    """A question due Dec 1 reads "in 3 days" on Nov 28, "in 2 days" on Nov 29 and "1 day
    overdue" on Dec 2; /oversight due's horizon moves with the date."""
    async with served.database.writer(Scope.guild(office.guild.id), EDITOR) as writer:
        await writer.create(
            "question",
            {
                "key": "GQ-1",
                "question": "How many field offices have cameras in use?",
                "asked_by": "Rep. Rivera",
                "addressed_to": "ICE",
                "component": "ICE",
                "sent_date": dt.date(2026, 11, 1),
                "due_date": dt.date(2026, 12, 1),
                "as_of": dt.date(2026, 11, 1),
                "sources": [{"outlet": "Office letter", "url": "https://example.org/letter"}],
            },
        )
    assert "in 3 days" in text(await show(fake, office.staffer, "GQ-1"))
    due = await fake.slash("oversight due", user=office.staffer)
    assert "due by Dec 12, 2026" in text(due)
    clock.advance(dt.timedelta(days=1))
    assert "in 2 days" in text(await show(fake, office.staffer, "GQ-1"))
    assert "due by Dec 13, 2026" in text(await fake.slash("oversight due", user=office.staffer))
    clock.advance(dt.timedelta(days=3))
    assert "1 day overdue" in text(await show(fake, office.staffer, "GQ-1"))
    assert "1 day overdue" in text(await fake.slash("oversight due", user=office.staffer))


# ---------------------------------------------------------------- guilds


async def test_one_guilds_answer_is_never_shown_to_another(
    fake: FakeDiscord, office: Office, served: OversightBot
) -> None:
    """Guild B has its own OQ-2 (same key, its own wording) and its own GQ-1: A keeps seeing
    the shared OQ-2 and no GQ-1, asked before and after B, and B sees its own."""
    other = fake.add_guild("Office of Sen. Other")
    colleague = other.add_member("colleague")
    await change_question(served.database, other.id, "OQ-2", question="Guild B's own wording?")
    async with served.database.writer(Scope.guild(other.id), EDITOR) as writer:
        await writer.create(
            "question",
            {
                "key": "GQ-1",
                "question": "Only guild B asked this.",
                "asked_by": "Sen. Other",
                "addressed_to": "CBP",
                "component": "CBP",
                "as_of": dt.date(2026, 11, 1),
            },
        )
    cog: Any = served.get_cog("Oversight")
    a_before = await show(fake, office.staffer)
    a_list = await fake.slash("oversight list", user=office.staffer, guild=office.guild)
    b_show = await show(fake, colleague)
    b_list = await fake.slash("oversight list", user=colleague, guild=other)
    hits = cog.answers.hits
    a_after = await show(fake, office.staffer)
    a_list_after = await fake.slash("oversight list", user=office.staffer, guild=office.guild)
    assert cog.answers.hits == hits + 2  # A's answers came from the cache
    assert "Guild B's own wording" in text(b_show) and "Only guild B" in text(b_list)
    for reply in (a_before, a_after):
        assert "Guild B's own wording" not in text(reply)
        assert "When will CBP release the body-camera footage" in text(reply)
    for reply in (a_list, a_list_after):
        assert "Only guild B" not in text(reply) and "GQ-1" not in text(reply)
    assert a_after.embeds == a_before.embeds
