"""/admin source add, /admin confidence, /admin link and /admin delete end to end through the fake
Discord, and the pure renderer of change confirmations."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.client import OversightBot
from bot.config import Settings, load_settings
from bot.render.admin import change_message, change_summary, show_value
from db.changes import Change
from db.links import related
from db.scope import Scope, find_visible
from fakediscord import FakeDiscord, FakeMember
from tests.cogs.admin_support import last_revision, revision_count, with_owner
from tests.conftest import Office
from tests.support.replies import buttons

REFUSED = "Only editors can change records"
CITY = "bodycam:minneapolis-mn-ice-ero"
URL = "https://www.startribune.com/ice-cameras/601"
RANDOM = hypothesis_settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def owner(office: Office) -> FakeMember:
    """A member of the office who is one of the bot's owners (no Discord permissions)."""
    return office.guild.add_member("owner")


@pytest.fixture
def settings(owner: FakeMember) -> Settings:
    return with_owner(load_settings(None, environ={}), owner.id)


async def record(bot: OversightBot, guild_id: int | None, reference: str) -> Any:
    kind, _, key = reference.partition(":")
    async with bot.database.session() as session:
        return await find_visible(session, Scope(guild_id), kind, key)


# ---------------------------------------------------------------- viewers


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("admin source add", {"record": CITY, "url": URL}),
        ("admin confidence", {"record": CITY, "level": "disputed", "reason": "x"}),
        ("admin link", {"record": CITY, "other": "question:OQ-1"}),
        ("admin delete", {"record": CITY}),
    ],
)
async def test_a_viewer_is_refused_and_nothing_changes(
    fake: FakeDiscord, office: Office, bot: OversightBot, command: str, options: dict[str, Any]
) -> None:
    """A staffer without Manage Server gets a private refusal, no buttons, no revision."""
    before = await revision_count(bot)
    reply = await fake.slash(command, user=office.staffer, options=options)
    assert reply.ephemeral and reply.content.startswith(REFUSED)
    assert reply.message is not None and not reply.message.components
    assert await revision_count(bot) == before


# ---------------------------------------------------------------- /admin source add


async def test_an_editor_adds_a_source(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The source is appended to the office's version of the record (outlet, address, date) and
    the reply shows it; the revision carries the editor and the change."""
    before = (await record(bot, None, CITY)).sources
    reply = await fake.slash(
        "admin source add", user=office.admin, record=CITY, url=URL, published="Feb 3 2026"
    )
    assert reply.ephemeral
    assert reply.content.splitlines()[-1] == (
        f"• sources: + startribune.com · <{URL}> · Feb 3, 2026"
    )
    mine = await record(bot, office.guild.id, CITY)
    assert mine.guild_id == office.guild.id
    assert mine.sources == [
        *before,
        {"outlet": "startribune.com", "url": URL, "published": "2026-02-03"},
    ]
    revision = await last_revision(bot)
    assert (revision.action, revision.actor_id, revision.reason) == (
        "create",
        office.admin.id,
        "/admin source add",
    )
    assert (await record(bot, None, CITY)).sources == before


async def test_a_listed_address_is_not_added_twice(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Adding an address the record already lists (spelled another way) says so and writes
    nothing."""
    url = "https://www.example.org/ice/cameras-report"
    await fake.slash("admin source add", user=office.admin, record=CITY, url=url)
    before = await revision_count(bot)
    again = "HTTPS://example.org/ice/cameras-report/"
    reply = await fake.slash("admin source add", user=office.admin, record=CITY, url=again)
    assert reply.content.startswith(
        "That address is already listed among the sources of minneapolis-mn-ice-ero"
    )
    assert "nothing changed" in reply.content
    assert await revision_count(bot) == before


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"url": "ftp://example.org/file"}, "url: must be an http:// or https:// address"),
        ({"url": "javascript:alert(1)"}, "url: must be an http:// or https:// address"),
        ({"url": "https://x.org/" + "a" * 500}, "url: must be at most 500 characters"),
        ({"url": " "}, "url: give the source's http:// or https:// address"),
        ({"outlet": "O" * 121}, "outlet: String should have at most 120 characters"),
        ({"published": "the 5th"}, "published: Could not read 'the 5th' as a date"),
        ({"record": "nowhere-at-all"}, "record: No record 'nowhere-at-all'"),
    ],
)
async def test_a_bad_source_names_the_option_and_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, options: dict[str, Any], message: str
) -> None:
    """Not http(s), overlong, unreadable date, unknown record: a private error naming it."""
    before = await revision_count(bot)
    values = {"record": CITY, "url": URL, **options}
    reply = await fake.slash("admin source add", user=office.admin, options=values)
    assert reply.ephemeral and reply.content.startswith(message), reply.content
    assert await revision_count(bot) == before


# ---------------------------------------------------------------- /admin confidence


async def test_an_editor_disputes_a_record_with_a_reason(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Disputed with a reason: the office's copy is disputed with the note, and /bodycam city
    shows it there only."""
    other = fake.add_guild("Office of Sen. Other")
    colleague = other.add_member("colleague")
    reply = await fake.slash(
        "admin confidence",
        user=office.admin,
        guild=office.guild,
        record=CITY,
        level="disputed",
        reason="ICE says 40% are equipped, not all",
    )
    assert "• confidence: confirmed → disputed" in reply.content.splitlines()
    mine = await record(bot, office.guild.id, CITY)
    assert (mine.confidence, mine.confidence_note) == (
        "disputed",
        "ICE says 40% are equipped, not all",
    )
    assert (await record(bot, other.id, CITY)).confidence == "confirmed"
    revision = await last_revision(bot)
    assert (revision.action, revision.actor_id, revision.guild_id) == (
        "create",  # the office's own copy, made by its first change
        office.admin.id,
        office.guild.id,
    )
    assert revision.changes["confidence_note"] == [None, "ICE says 40% are equipped, not all"]
    theirs = await fake.slash("bodycam city", city="Minneapolis", guild=other, user=colleague)
    assert "Disputed" not in str(theirs.embeds)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"level": "disputed"}, "reason: say what conflicts when the level is 'disputed'"),
        ({"level": "disputed", "reason": "  "}, "reason: say what conflicts"),
        ({"level": "reported", "reason": "R" * 501}, "reason: String should have at most 500"),
        ({"level": "reported", "record": "zzz-9"}, "record: No record 'zzz-9'"),
        ({"level": "certain"}, "level: must be 'confirmed', 'reported' or 'disputed'"),
    ],
)
async def test_a_bad_confidence_names_the_option_and_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, options: dict[str, Any], message: str
) -> None:
    """Disputed without a reason, an overlong reason, an unknown record: refused, named."""
    before = await revision_count(bot)
    values = {"record": CITY, **options}
    reply = await fake.slash("admin confidence", user=office.admin, options=values)
    assert reply.ephemeral and reply.content.startswith(message), reply.content
    assert await revision_count(bot) == before


async def test_the_same_level_again_changes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Confirming an already confirmed record writes nothing and makes no copy."""
    before = await revision_count(bot)
    reply = await fake.slash("admin confidence", user=office.admin, record=CITY, level="confirmed")
    assert reply.content.startswith("Nothing changed")
    assert await revision_count(bot) == before
    assert (await record(bot, office.guild.id, CITY)).guild_id is None


# ---------------------------------------------------------------- /admin link


async def test_an_editor_links_two_records(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The link is the office's own: /oversight show OQ-1 lists the city as related there, and
    another office sees no such link."""
    other = fake.add_guild("Office of Sen. Other")
    reply = await fake.slash(
        "admin link",
        user=office.admin,
        guild=office.guild,
        record="question:OQ-1",
        other=CITY,
        note="Same operation",
    )
    assert reply.content.startswith("Linked oversight question **OQ-1** ↔ body-camera record")
    revision = await last_revision(bot)
    assert (revision.record_kind, revision.action, revision.actor_id) == (
        "link",
        "create",
        office.admin.id,
    )
    assert revision.changes["notes"] == [None, "Same operation"]
    shown = await fake.slash(
        "oversight show", question="OQ-1", guild=office.guild, user=office.staffer
    )
    assert "Minneapolis, MN · ICE-ERO" in str(shown.embeds)
    async with bot.database.session() as session:
        theirs = await related(session, Scope(other.id), "question", "OQ-1")
    assert ("bodycam", "minneapolis-mn-ice-ero") not in {(r.kind, r.key) for r in theirs}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"other": "measure:119-hr7147", "record": "question:OQ-4"}, "Those records are already"),
        ({"other": "question:OQ-1"}, "other: a record cannot be linked to itself"),
        ({"other": "GQ-77"}, "other: No record 'GQ-77'"),
        ({"other": CITY, "note": "N" * 2001}, "note: String should have at most 2000 characters"),
    ],
)
async def test_a_bad_link_is_refused_and_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, options: dict[str, Any], message: str
) -> None:
    """An existing link (from the starter data), a self-link, an unknown other record, an
    overlong note: refused privately with the reason."""
    before = await revision_count(bot)
    values = {"record": "question:OQ-1", **options}
    reply = await fake.slash("admin link", user=office.admin, options=values)
    assert reply.ephemeral and reply.content.startswith(message), reply.content
    assert await revision_count(bot) == before


async def test_the_record_options_suggest_records_this_server_sees(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Typing part of a city in `other` offers its record as kind:key."""
    offered = await fake.autocomplete(
        "admin link", focused="other", value="Minneapolis", record=CITY, user=office.admin
    )
    assert CITY in [c["value"] for c in offered]


# ---------------------------------------------------------------- /admin delete


async def own_city_copy(fake: FakeDiscord, office: Office) -> None:
    """Give the office its own copy of the Minneapolis record (by adding a source)."""
    await fake.slash("admin source add", user=office.admin, record=CITY, url=URL)


async def test_delete_asks_first_and_confirm_deletes(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Delete shows Delete / Cancel; Delete removes the office's copy (the shared record shows
    again), keeps a delete revision by the editor and disables the buttons."""
    await own_city_copy(fake, office)
    asked = await fake.slash("admin delete", user=office.admin, record=CITY)
    assert asked.ephemeral and asked.content.startswith("Delete body-camera record")
    assert set(buttons(asked)) == {"confirm:yes", "confirm:no"}
    await fake.click(asked, "confirm:yes")
    assert asked.content is not None and asked.content.startswith(
        "Deleted body-camera record **minneapolis-mn-ice-ero** from this server's records"
    )
    assert "The shared record with that key shows here again." in asked.content
    assert all(b["disabled"] for b in buttons(asked).values())
    assert (await record(bot, office.guild.id, CITY)).guild_id is None
    revision = await last_revision(bot)
    assert (revision.action, revision.guild_id, revision.actor_id) == (
        "delete",
        office.guild.id,
        office.admin.id,
    )
    assert revision.changes["city"] == ["Minneapolis", None]


async def test_cancel_changes_nothing(fake: FakeDiscord, office: Office, bot: OversightBot) -> None:
    """Cancel keeps the record, writes nothing and disables the buttons."""
    await own_city_copy(fake, office)
    before = await revision_count(bot)
    asked = await fake.slash("admin delete", user=office.admin, record=CITY)
    await fake.click(asked, "confirm:no")
    assert asked.content == "Cancelled: nothing was deleted."
    assert all(b["disabled"] for b in buttons(asked).values())
    assert await revision_count(bot) == before
    assert (await record(bot, office.guild.id, CITY)).guild_id == office.guild.id


async def test_no_answer_in_time_disables_the_buttons(
    fake: FakeDiscord, office: Office, bot: OversightBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the buttons time out they are disabled, the message says nothing was deleted, and
    the record stays."""
    # By name: each bot start loads the /admin modules afresh (a stopped bot unloads them).
    monkeypatch.setattr(sys.modules["cogs.admin._tools"], "CONFIRM_TIMEOUT", 0.2)
    await own_city_copy(fake, office)
    before = await revision_count(bot)
    asked = await fake.slash("admin delete", user=office.admin, record=CITY)
    for _ in range(100):
        if all(b["disabled"] for b in buttons(asked).values()):
            break
        await asyncio.sleep(0.05)
    assert all(b["disabled"] for b in buttons(asked).values())
    assert asked.content is not None and asked.content.startswith("No answer in time")
    assert await revision_count(bot) == before


async def test_a_server_cannot_delete_a_shared_record(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Deleting the shared Minneapolis record from a server is refused with the reason; no
    buttons, nothing written."""
    before = await revision_count(bot)
    reply = await fake.slash("admin delete", user=office.admin, record=CITY)
    assert reply.content.startswith(
        "minneapolis-mn-ice-ero belongs to the shared dataset, which the bot's owners keep: a "
        "server can delete only its own records"
    )
    assert not buttons(reply)
    assert await revision_count(bot) == before


async def test_an_owner_deletes_a_shared_record(
    fake: FakeDiscord, office: Office, owner: FakeMember, bot: OversightBot
) -> None:
    """With dataset: shared an owner deletes the shared record for every server."""
    asked = await fake.slash("admin delete", user=owner, record="question:OQ-6", dataset="shared")
    assert "from the shared dataset (every server)?" in asked.content
    await fake.click(asked, "confirm:yes")
    assert asked.content.startswith("Deleted oversight question **OQ-6** from the shared dataset")
    assert await record(bot, office.guild.id, "question:OQ-6") is None
    assert (await last_revision(bot)).guild_id is None


# ---------------------------------------------------------------- random options

SUCCESS = ("Updated ", "Saved as ", "Nothing changed", "Linked ")
texts = st.one_of(st.none(), st.text(min_size=1, max_size=40))
records = st.sampled_from([CITY, "question:OQ-2", "OQ-3", "measure:119-hr7147", "zz", "<@&1>"])


@RANDOM
@given(
    target=records,
    url=st.one_of(st.text(min_size=1, max_size=40), st.just("https://example.org/x")),
    outlet=texts,
    published=st.one_of(st.none(), st.sampled_from(["today", "bogus", "Feb 31 2026"])),
    level=st.one_of(st.sampled_from(["confirmed", "reported", "disputed"]), st.text(max_size=9)),
    reason=texts,
    other=records,
    note=texts,
)
async def test_random_options_never_break_and_rejected_ones_write_nothing(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    target: str,
    url: str,
    outlet: str | None,
    published: str | None,
    level: str,
    reason: str | None,
    other: str,
    note: str | None,
) -> None:
    """Random values for delete (then Cancel), source add, confidence and link: always a private
    answer, never 'Something went wrong', and no revision for a refused one."""
    calls = [
        (
            "admin source add",
            {"record": target, "url": url, "outlet": outlet, "published": published},
        ),
        ("admin confidence", {"record": target, "level": level, "reason": reason}),
        ("admin link", {"record": target, "other": other, "note": note}),
    ]
    asked = await fake.slash("admin delete", user=office.admin, options={"record": target})
    assert asked.ephemeral and "Something went wrong" not in asked.content
    if asked.message is not None and asked.message.components:
        await fake.click(asked, "confirm:no")
    for command, options in calls:
        before = await revision_count(bot)
        given_options = {k: v for k, v in options.items() if v is not None}
        reply = await fake.slash(command, user=office.admin, options=given_options)
        assert reply.ephemeral and "Something went wrong" not in reply.content, reply.content
        if not reply.content.startswith(SUCCESS):
            assert await revision_count(bot) == before, reply.content


# ---------------------------------------------------------------- the confirmation renderer


def test_change_summary_shows_each_field_old_to_new() -> None:
    """Dates by name, codes bare, text quoted, nothing as '—'."""
    text = change_summary(
        {
            "due_date": [None, "2026-12-15"],
            "status": ["pending", "answered"],
            "asked_by": ["R", "Rep. Rivera"],
        },
    )
    assert text.splitlines() == [
        "• due: — → Dec 15, 2026",
        "• status: pending → answered",
        "• asked by: “R” → “Rep. Rivera”",
    ]


def test_change_summary_defangs_mentions_and_stays_within_a_message() -> None:
    """Mentions in values cannot ping, and 300 long fields are cut with a count of the rest."""
    pinging = change_summary({"notes": [None, "@everyone <@&12>"]})
    assert "@everyone" not in pinging and "<@&" not in pinging
    many = {f"field_{i}": ["x" * 100, "y" * 100] for i in range(300)}
    text = change_summary(many)
    assert len(text) <= 1800 and text.endswith("more fields changed")


def test_free_text_that_looks_like_a_date_is_shown_as_text() -> None:
    """A note reading '2026-02-30' is text: the confirmation of a committed write cannot fail."""
    change = Change("question", "GQ-1", "updated", {"notes": [None, "2026-02-30"]}, None)
    assert "“2026-02-30”" in change_message(change, shared=False)
    assert show_value("notes", "2026-02-30") == "“2026-02-30”"
    assert show_value("due_date", "2026-12-15") == "Dec 15, 2026"


def test_change_message_says_what_happened_where() -> None:
    """Unchanged, copied and deleted records each get their own first line."""
    unchanged = Change("question", "OQ-1", "unchanged", {}, None)
    assert change_message(unchanged, shared=False) == (
        "Nothing changed: oversight question **OQ-1** already says that. Nothing was written."
    )
    copied = Change("question", "OQ-1", "copied", {"status": ["a", "b"]}, None)
    assert change_message(copied, shared=False).startswith(
        "Saved as this server's own version of the shared oversight question"
    )
    gone = Change("bodycam", "k", "deleted", {"city": ["x", None]}, None)
    deleted = change_message(gone, shared=True)
    assert deleted == (
        "Deleted body-camera record **k** from the shared dataset; its history keeps a delete "
        "revision."
    )
