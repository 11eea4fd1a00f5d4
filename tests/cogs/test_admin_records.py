"""/admin approps measure|action|line|period and /admin bodycam set, end to end through the fake
Discord: editors change their server's records (a shared record becomes the server's own copy),
owners change the shared dataset, everyone else is refused, and bad input writes nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from bot.client import OversightBot
from bot.config import Settings
from db.engine import Database
from db.models import CameraStatus, Component, Revision
from db.oversight import add_question
from db.scope import Actor, Scope, find_visible
from fakediscord import FakeDiscord, FakeGuild, FakeMember, Reply
from fakediscord.interactions import resolve_command
from tests.cogs.admin_support import revision_count
from tests.conftest import Office, running

SHARED = Scope.shared()
TODAY = dt.date(2026, 11, 28)
OK_PREFIXES = ("Added ", "Updated ", "Saved as ", "Nothing changed", "Recorded ")
REFUSED = "Only editors can change records"
MINNEAPOLIS = "minneapolis-mn-ice-ero"
SEED = Actor("test seed", 7)


# ---------------------------------------------------------------- helpers


async def last_revision(database: Database) -> Revision:
    async with database.session() as session:
        query = select(Revision).order_by(Revision.id.desc()).limit(1)  # type: ignore[union-attr]
        return (await session.execute(query)).scalar_one()


async def seen(database: Database, scope: Scope, kind: str, key: str) -> Any:
    async with database.session() as session:
        return await find_visible(session, scope, kind, key)


def guild_scope(office: Office) -> Scope:
    return Scope.guild(office.guild.id)


def unchecked(fake: FakeDiscord, guild: FakeGuild, path: str, option: str) -> None:
    """Let the fake send what Discord's own client refuses (out of range, not a choice): the
    bot must not rely on Discord having checked."""
    command, chain, _ = resolve_command(fake.synced, guild.id, path)
    spec = next(o for o in (chain[-1] if chain else command)["options"] if o["name"] == option)
    for limit in ("min_value", "max_value", "choices", "min_length", "max_length"):
        spec.pop(limit, None)


def wrote(content: str) -> bool:
    """Does this confirmation report a write (created, updated, copied or recorded)?"""
    first = content.split("\n", 1)[0]
    return (
        first.startswith(("Added ", "Updated ", "Recorded ", "Saved as "))
        or "is now this server's own version" in first
    )


def assert_ok(reply: Reply, start: str) -> None:
    assert reply.ephemeral
    assert (reply.content or "").startswith(start), reply.content


def assert_refused(reply: Reply, *words: str) -> None:
    content = reply.content or ""
    assert reply.ephemeral
    assert not content.startswith("Something went wrong"), content
    assert not content.startswith(OK_PREFIXES) and not wrote(content), content
    for word in words:
        assert word in content, content


@pytest.fixture
async def owner(office: Office) -> FakeMember:
    """A bot owner who is an ordinary member of the office's server (no Manage Server)."""
    return office.guild.add_member("bot owner")


@pytest.fixture
async def owner_bot(
    fake: FakeDiscord, owner: FakeMember, bot_db: Database, settings: Settings
) -> AsyncIterator[OversightBot]:
    """The bot with `owner` among its owners (settings.bot.owner_ids)."""
    owned = settings.model_copy(
        update={"bot": settings.bot.model_copy(update={"owner_ids": (owner.id,)})}
    )
    async with running(fake, OversightBot(settings=owned, database=bot_db)) as client:
        yield client


# ---------------------------------------------------------------- /admin bodycam set


async def test_editor_creates_a_bodycam_record_with_a_revision(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A new city × component becomes this server's record; the revision names the editor."""
    reply = await fake.slash(
        "admin bodycam set",
        city="Denver",
        state="co",
        component="ICE-ERO",
        status="announced",
        officers=40,
        source="https://www.denverpost.com/2026/11/27/ice-cameras/",
        user=office.admin,
    )
    assert_ok(reply, "Added body-camera record **Denver, CO · ICE-ERO** to this server's records.")
    assert "• status: announced" in (reply.content or "")
    assert "• officers equipped: 40" in (reply.content or "")
    record = await seen(bot.database, guild_scope(office), "bodycam", "denver-co-ice-ero")
    assert (record.guild_id, record.status, record.officers_equipped) == (
        office.guild.id,
        "announced",
        40,
    )
    assert record.as_of == TODAY
    assert record.sources == [
        {
            "outlet": "denverpost.com",
            "url": "https://www.denverpost.com/2026/11/27/ice-cameras/",
            "published": None,
        }
    ]
    assert await seen(bot.database, SHARED, "bodycam", "denver-co-ice-ero") is None
    revision = await last_revision(bot.database)
    assert (revision.action, revision.actor_id, revision.guild_id) == (
        "create",
        office.admin.id,
        office.guild.id,
    )
    assert str(office.admin.id) in revision.actor_name
    assert revision.changes["status"] == [None, "announced"]


async def test_editor_updates_a_bodycam_record_field_by_field(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Changing status and officers shows old → new and records exactly that diff."""
    base = {"city": "Denver", "state": "CO", "component": "ICE-ERO"}
    await fake.slash("admin bodycam set", **base, status="announced", user=office.admin)
    reply = await fake.slash(
        "admin bodycam set", **base, status="full", officers=120, user=office.admin
    )
    assert_ok(
        reply, "Updated body-camera record **Denver, CO · ICE-ERO** in this server's records."
    )
    assert "• status: announced → full" in (reply.content or "")
    assert "• officers equipped: — → 120" in (reply.content or "")
    revision = await last_revision(bot.database)
    assert revision.action == "update"
    assert revision.changes == {"status": ["announced", "full"], "officers_equipped": [None, 120]}
    assert revision.actor_id == office.admin.id


async def test_repeating_a_bodycam_change_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The same values again (the city typed in lower case) answer 'nothing changed'."""
    options = {"state": "CO", "component": "ICE-ERO", "status": "full", "officers": 9}
    await fake.slash("admin bodycam set", city="Denver", **options, user=office.admin)
    before = await revision_count(bot.database)
    reply = await fake.slash("admin bodycam set", city="denver", **options, user=office.admin)
    assert_ok(
        reply, "Nothing changed: body-camera record **Denver, CO · ICE-ERO** already says that."
    )
    assert await revision_count(bot.database) == before


async def test_vocabulary_is_accepted_in_any_case(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """'ice-ero' and 'Full ' typed by hand are stored as ICE-ERO and full."""
    reply = await fake.slash(
        "admin bodycam set",
        city="Denver",
        state="CO",
        component="ice-ero",
        status="Full ",
        user=office.admin,
    )
    assert_ok(reply, "Added body-camera record **Denver, CO · ICE-ERO**")
    record = await seen(bot.database, guild_scope(office), "bodycam", "denver-co-ice-ero")
    assert (record.component, record.status) == ("ICE-ERO", "full")


async def test_guild_editor_gets_its_own_copy_of_shared_minneapolis(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The issue's example: an office editing shared Minneapolis ICE-ERO gets its own record;
    another office (and the shared dataset) still see the shared one."""
    other = fake.add_guild("Office of Sen. Elsewhere")
    other_staffer = other.add_member("staffer")
    reply = await fake.slash(
        "admin bodycam set",
        guild=office.guild,
        city="Minneapolis, MN",  # as the city list offers it
        state="MN",
        component="ICE-ERO",
        status="suspended",
        note="Suspended after the court hearing.",
        user=office.admin,
    )
    assert_ok(
        reply,
        "Saved as this server's own version of the shared body-camera record "
        "**Minneapolis, MN · ICE-ERO**",
    )
    assert "• status: full → suspended" in (reply.content or "")
    mine = await seen(bot.database, guild_scope(office), "bodycam", MINNEAPOLIS)
    theirs = await seen(bot.database, Scope.guild(other.id), "bodycam", MINNEAPOLIS)
    shared = await seen(bot.database, SHARED, "bodycam", MINNEAPOLIS)
    assert (mine.guild_id, mine.status, mine.city) == (office.guild.id, "suspended", "Minneapolis")
    assert (theirs.guild_id, theirs.status) == (None, "full")
    assert shared.status == "full"
    shown = await fake.slash("bodycam city", guild=other, city="Minneapolis", user=other_staffer)
    assert "Suspended" not in str(shown.embeds)


async def test_owner_changes_the_shared_record_for_every_guild(
    fake: FakeDiscord, office: Office, owner: FakeMember, owner_bot: OversightBot
) -> None:
    """An owner with dataset:shared changes the shared record: every server without its own
    copy sees the change, and no server copy is made."""
    other = fake.add_guild("Office of Sen. Elsewhere")
    reply = await fake.slash(
        "admin bodycam set",
        guild=office.guild,
        city="Minneapolis",
        state="MN",
        component="ICE-ERO",
        status="partial",
        dataset="shared",
        user=owner,
    )
    assert_ok(
        reply, "Updated body-camera record **Minneapolis, MN · ICE-ERO** in the shared dataset."
    )
    for scope in (SHARED, guild_scope(office), Scope.guild(other.id)):
        record = await seen(owner_bot.database, scope, "bodycam", MINNEAPOLIS)
        assert (record.guild_id, record.status) == (None, "partial")
    revision = await last_revision(owner_bot.database)
    assert (revision.guild_id, revision.actor_id) == (None, owner.id)


async def test_non_owner_choosing_the_shared_dataset_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """An office admin (not a bot owner) cannot write the shared dataset; nothing changes."""
    before = await revision_count(bot.database)
    reply = await fake.slash(
        "admin bodycam set",
        city="Minneapolis",
        state="MN",
        component="ICE-ERO",
        status="ended",
        dataset="shared",
        user=office.admin,
    )
    assert_refused(reply, "Only the bot's owners can change the shared dataset")
    assert await revision_count(bot.database) == before
    assert (await seen(bot.database, SHARED, "bodycam", MINNEAPOLIS)).status == "full"


async def test_mentions_in_a_note_are_stored_as_typed_and_ping_nobody(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """@everyone and role/user mentions in a note are kept verbatim and never ping."""
    role = office.guild.add_role("Press")
    note = f"@everyone see <@&{role.id}> and <@{office.staffer.id}> @here"
    reply = await fake.slash(
        "admin bodycam set",
        city="Denver",
        state="CO",
        component="ICE-ERO",
        status="announced",
        note=note,
        user=office.admin,
    )
    assert_ok(reply, "Added")
    record = await seen(bot.database, guild_scope(office), "bodycam", "denver-co-ice-ero")
    assert record.notes == note
    assert reply.message is not None
    assert "@everyone" not in (reply.content or "").replace("@\u200beveryone", "")


# ---------------------------------------------------------------- viewers and bad input

VALID: dict[str, dict[str, Any]] = {
    "admin bodycam set": {
        "city": "Denver",
        "state": "CO",
        "component": "ICE-ERO",
        "status": "full",
    },
    "admin approps measure": {"bill": "H.R. 9001", "title": "DHS Appropriations Act, 2027"},
    "admin approps action": {
        "bill": "H.R. 4213",
        "date": "2026-11-20",
        "chamber": "house",
        "text": "Passed the House.",
        "stage_after": "passed_house",
    },
    "admin approps line": {
        "fiscal_year": 2027,
        "component": "ICE",
        "account": "Operations and Support",
        "requested": 1_000,
    },
    "admin approps period": {"fiscal_year": 2027, "type": "lapse", "start": "2026-10-01"},
}


@pytest.mark.parametrize("path", sorted(VALID))
async def test_a_viewer_is_refused_and_nothing_changes(
    fake: FakeDiscord, office: Office, bot: OversightBot, path: str
) -> None:
    """A staffer without Manage Server or an editor role (who can see /admin because the
    server overrode the default) is refused privately; no revision is written."""
    before = await revision_count(bot.database)
    reply = await fake.slash(path, options=VALID[path], user=office.staffer)
    assert_refused(reply, REFUSED)
    assert await revision_count(bot.database) == before


@pytest.mark.parametrize("path", sorted(VALID))
async def test_an_editor_role_member_may_write(
    fake: FakeDiscord, office: Office, bot: OversightBot, path: str
) -> None:
    """A member whose role was added with /admin editors add passes the check on every command."""
    role = office.guild.add_role("Editors")
    editor = office.guild.add_member("editor", roles=[role])
    await fake.slash("admin editors add", options={"role": role}, user=office.admin)
    reply = await fake.slash(path, options=VALID[path], user=editor)
    assert_ok(reply, "Added" if path != "admin approps action" else "Recorded")
    assert (await last_revision(bot.database)).actor_id == editor.id


LONG = "x" * 2001
BAD_INPUT: list[tuple[str, dict[str, Any], str]] = [
    ("admin bodycam set", {"state": "Minnesota"}, "state: String should have at most 2"),
    ("admin bodycam set", {"state": "M1"}, "state: must look like a two-letter code"),
    ("admin bodycam set", {"effective": "someday"}, "effective: Could not read 'someday'"),
    ("admin bodycam set", {"note": LONG}, "note: String should have at most 2000"),
    ("admin bodycam set", {"source": "ftp://example.com/x"}, "source: must be an http://"),
    ("admin bodycam set", {"status": "unknown"}, "status: Input should be 'none_known'"),
    ("admin bodycam set", {"officers": -1}, "`officers` must be between 0 and 1000000"),
    ("admin bodycam set", {"city": "   "}, "city:"),
    ("admin bodycam set", {"city": "Portland, OR", "state": "ME"}, "city: 'Portland, OR'"),
    ("admin bodycam set", {"operation": "y" * 201}, "operation: String should have at most 200"),
    ("admin bodycam set", {"component": "FBI"}, "component: Input should be 'ICE-ERO'"),
    ("admin approps measure", {"bill": "banana"}, "bill: 'banana' is not a bill number"),
    ("admin approps measure", {"title": None}, "title: 119-hr9001 is not recorded yet"),
    ("admin approps measure", {"url": "javascript:alert(1)"}, "url: must be an http://"),
    ("admin approps measure", {"public_law": "86"}, "public_law: must look like 119-86"),
    ("admin approps measure", {"as_of": "31/31/2026"}, "as_of: Could not read"),
    ("admin approps measure", {"confidence": "disputed"}, "reason: say what conflicts"),
    ("admin approps measure", {"kind": "bogus"}, "kind: Input should be 'regular'"),
    ("admin approps measure", {"source": "www.example.com"}, "source: must be an"),
    ("admin approps action", {"date": "not a date"}, "date: Could not read 'not a date'"),
    ("admin approps action", {"vote": "lots"}, "vote: must look like 220-207"),
    ("admin approps action", {"text": "t" * 1001}, "text: String should have at most 1000"),
    ("admin approps action", {"bill": "H.R. 31337"}, "No bill matches 'H.R. 31337'"),
    ("admin approps action", {"chamber": "moon"}, "chamber: Input should be 'house'"),
    ("admin approps action", {"stage_after": "won"}, "stage_after: Input should be"),
    ("admin approps line", {"requested": -5}, "`requested` must be between 0 and"),
    ("admin approps line", {"component": "c" * 41}, "component: String should have at most 40"),
    ("admin approps line", {"account": " "}, "account: must not be blank"),
    ("admin approps line", {"outlet": "o" * 121}, "outlet: String should have"),
    ("admin approps period", {"end": "2026-09-01"}, "end: must not be before start_date"),
    ("admin approps period", {"type": "funded"}, "bill: a funded period names the measure"),
    ("admin approps period", {"start": "Feb 30 2026"}, "start: Could not read"),
    ("admin approps period", {"type": "paused"}, "type: must be funded or lapse"),
    ("admin approps period", {"description": LONG}, "description: String should have at most"),
]


@pytest.mark.parametrize(
    ("path", "bad", "message"), BAD_INPUT, ids=[f"{p[6:]}-{next(iter(b))}" for p, b, _ in BAD_INPUT]
)
async def test_bad_input_names_the_option_and_writes_nothing(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    path: str,
    bad: dict[str, Any],
    message: str,
) -> None:
    """Each bad value (past Discord's own checks too) gets a private error naming the option
    and what is accepted; no revision is written."""
    for option in bad:
        unchecked(fake, office.guild, path, option)
    options = {k: v for k, v in {**VALID[path], **bad}.items() if v is not None}
    before = await revision_count(bot.database)
    reply = await fake.slash(path, options=options, user=office.admin)
    assert_refused(reply, message)
    assert await revision_count(bot.database) == before


async def test_discord_itself_refuses_negative_amounts(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The synced amount options carry a minimum of 0, so Discord's client refuses -1 first."""
    line = resolve_command(fake.synced, office.guild.id, "admin approps line")[1][-1]
    amounts = {o["name"]: o for o in line["options"]}
    assert all(amounts[c]["min_value"] == 0 for c in ("requested", "house", "senate", "enacted"))
    with pytest.raises(ValueError, match="must be within"):
        await fake.slash("admin approps line", options={**VALID["admin approps line"], "house": -1})


async def test_statuses_are_offered_as_typed(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Typing 'court' in status offers court_ordered; components are offered the same way."""
    offered = await fake.autocomplete(
        "admin bodycam set", focused="status", value="court", user=office.admin
    )
    assert [choice["value"] for choice in offered] == ["court_ordered"]
    components = await fake.autocomplete(
        "admin bodycam set", focused="component", value="", user=office.admin
    )
    assert [choice["value"] for choice in components] == [c.value for c in Component]


# ---------------------------------------------------------------- /admin approps measure


async def test_editor_adds_a_measure_by_its_number(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """'H.J.Res. 12' with a title becomes 119-hjres12 in this server, with the source added."""
    reply = await fake.slash(
        "admin approps measure",
        bill="H.J.Res. 12",
        title="Further Continuing Appropriations Act, 2027",
        fiscal_year=2027,
        kind="cr",
        source="https://www.congress.gov/bill/119th-congress/house-joint-resolution/12",
        user=office.admin,
    )
    assert_ok(reply, "Added bill **H.J.Res. 12** to this server's records.")
    measure = await seen(bot.database, guild_scope(office), "measure", "119-hjres12")
    assert (measure.measure_kind, measure.fiscal_year, measure.stage) == ("cr", 2027, "introduced")
    assert measure.sources[0]["outlet"] == "congress.gov"
    assert (await last_revision(bot.database)).actor_id == office.admin.id


async def test_editing_a_shared_measure_makes_the_servers_own_copy(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Picking H.R. 4213 and setting its report: this server's copy changes, shared does not."""
    reply = await fake.slash(
        "admin approps measure",
        bill="119-hr4213",
        report="H. Rept. 119-999",
        reason="Corrected report number",
        user=office.admin,
    )
    assert_ok(reply, "Saved as this server's own version of the shared bill **H.R. 4213**")
    assert "• report: “H. Rept. 119-173” → “H. Rept. 119-999”" in (reply.content or "")
    mine = await seen(bot.database, guild_scope(office), "measure", "119-hr4213")
    shared = await seen(bot.database, SHARED, "measure", "119-hr4213")
    assert (mine.report, shared.report) == ("H. Rept. 119-999", "H. Rept. 119-173")
    assert mine.title == shared.title
    revision = await last_revision(bot.database)
    assert revision.reason == "Corrected report number"


# ---------------------------------------------------------------- /admin approps action


async def test_an_action_advances_the_stage(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A House passage with stage_after passed_house moves H.R. 4213 on; the reply says so."""
    reply = await fake.slash(
        "admin approps action",
        bill="H.R. 4213",
        date="2026-11-20",
        chamber="house",
        text="Passed the House.",
        vote="220-207",
        stage_after="passed_house",
        user=office.admin,
    )
    assert_ok(reply, "Recorded in this server's records: H.R. 4213, House, Nov 20, 2026")
    assert "Stage now: Passed the House" in (reply.content or "")
    assert "• stage: committee_reported → passed_house" in (reply.content or "")
    measure = await seen(bot.database, guild_scope(office), "measure", "119-hr4213")
    action = await seen(bot.database, guild_scope(office), "action", "119-hr4213/2026-11-20/house")
    assert (measure.stage, action.vote) == ("passed_house", "220-207")
    assert (await seen(bot.database, SHARED, "measure", "119-hr4213")).stage == (
        "committee_reported"
    )


async def test_the_same_action_twice_is_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A second House action on the same bill and date is refused with the reason."""
    options = VALID["admin approps action"]
    await fake.slash("admin approps action", options=options, user=office.admin)
    before = await revision_count(bot.database)
    reply = await fake.slash("admin approps action", options=options, user=office.admin)
    assert_refused(reply, "H.R. 4213 already has a House action on Nov 20, 2026")
    assert await revision_count(bot.database) == before


async def test_enactment_by_an_owner_resolves_a_shared_due_rule(
    fake: FakeDiscord, office: Office, owner: FakeMember, owner_bot: OversightBot
) -> None:
    """OQ-4-style: a shared question due 30 days after enactment of H.R. 4213 gets its due date
    when an owner records the signing in the shared dataset."""
    async with owner_bot.database.writer(SHARED, SEED) as writer:
        question = await add_question(
            writer,
            {
                "question": "Spend plan for the camera money.",
                "asked_by": "Statute",
                "addressed_to": "DHS",
                "vehicle": "statute",
                "due_rule_measure_key": "119-hr4213",
                "due_rule_days": 30,
                "as_of": TODAY,
            },
        )
    assert question.due_date is None
    reply = await fake.slash(
        "admin approps action",
        bill="H.R. 4213",
        date="2026-11-25",
        chamber="president",
        text="Signed into law.",
        stage_after="enacted",
        dataset="shared",
        user=owner,
    )
    assert_ok(reply, "Recorded in the shared dataset")
    assert f"Due date of {question.key}: — → Dec 25, 2026" in (reply.content or "")
    for scope in (SHARED, guild_scope(office)):
        found = await seen(owner_bot.database, scope, "question", question.key)
        assert found.due_date == dt.date(2026, 12, 25)
    measure = await seen(owner_bot.database, SHARED, "measure", "119-hr4213")
    assert (measure.stage, measure.enacted_on) == ("enacted", dt.date(2026, 11, 25))


async def test_enactment_in_a_server_resolves_its_own_due_rule(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A server's own question following H.R. 4213 gets its due date from the server's
    recorded enactment; the shared measure stays unenacted."""
    async with bot.database.writer(guild_scope(office), SEED) as writer:
        question = await add_question(
            writer,
            {
                "question": "Execution plan.",
                "asked_by": "Statute",
                "addressed_to": "ICE",
                "due_rule_measure_key": "119-hr4213",
                "due_rule_days": 90,
                "as_of": TODAY,
            },
        )
    reply = await fake.slash(
        "admin approps action",
        bill="H.R. 4213",
        date="2026-11-25",
        chamber="president",
        text="Signed.",
        stage_after="enacted",
        user=office.admin,
    )
    assert f"Due date of {question.key}: — → Feb 23, 2027" in (reply.content or "")
    found = await seen(bot.database, guild_scope(office), "question", question.key)
    assert found.due_date == dt.date(2027, 2, 23)
    assert (await seen(bot.database, SHARED, "measure", "119-hr4213")).enacted_on is None


# ---------------------------------------------------------------- /admin approps line and period


async def test_setting_one_amount_keeps_the_others(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The FY2026 body-camera line found by its account alone gets an enacted amount; its other
    amounts and purpose stay as they were."""
    key = "fy2026-ice-and-cbp-body-worn-cameras-for-officers"
    shared = await seen(bot.database, SHARED, "funding_line", key)
    reply = await fake.slash(
        "admin approps line",
        fiscal_year=2026,
        component="ICE and CBP",
        account="Account not named in our sources",
        enacted=19_500_000,
        user=office.admin,
    )
    assert_ok(
        reply,
        "Saved as this server's own version of the shared funding line **FY2026 ICE and CBP · "
        "Body-worn cameras for officers**",
    )
    assert "• enacted: — → $19,500,000" in (reply.content or "")
    mine = await seen(bot.database, guild_scope(office), "funding_line", key)
    assert mine.enacted == 19_500_000
    assert (mine.requested, mine.house, mine.senate, mine.purpose) == (
        shared.requested,
        shared.house,
        shared.senate,
        shared.purpose,
    )


async def test_a_lapse_is_opened_then_closed(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A lapse from Oct 1 is recorded, then its end date is set on the same record."""
    start = {"fiscal_year": 2027, "type": "lapse", "start": "Oct 1 2026"}
    opened = await fake.slash(
        "admin approps period", **start, components="TSA, FEMA ,", user=office.admin
    )
    assert_ok(
        opened, "Added funding period **FY2027 lapse from Oct 1, 2026** to this server's records."
    )
    closed = await fake.slash("admin approps period", **start, end="2026-10-20", user=office.admin)
    assert_ok(closed, "Updated funding period **FY2027 lapse from Oct 1, 2026**")
    assert "• end date: — → Oct 20, 2026" in (closed.content or "")
    period = await seen(
        bot.database, guild_scope(office), "funding_period", "fy2027-lapse-2026-10-01"
    )
    assert (period.end_date, period.components) == (dt.date(2026, 10, 20), ["TSA", "FEMA"])


async def test_a_funded_period_names_its_bill(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Funding through a date by a picked bill is stored with the bill's key."""
    reply = await fake.slash(
        "admin approps period",
        fiscal_year=2027,
        type="funded",
        start="2026-10-01",
        end="2026-12-19",
        bill="119-hr5371",
        user=office.admin,
    )
    assert_ok(reply, "Added funding period **FY2027 funding from Oct 1, 2026**")
    period = await seen(
        bot.database, guild_scope(office), "funding_period", "fy2027-funded-2026-10-01"
    )
    assert (period.measure_key, period.end_date) == ("119-hr5371", dt.date(2026, 12, 19))


# ---------------------------------------------------------------- random input


def _text(max_size: int = 60) -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=max_size)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _url() -> st.SearchStrategy[str]:
    return st.one_of(_text(), st.from_regex(r"https?://\S{0,40}", fullmatch=True))


def _date() -> st.SearchStrategy[str]:
    return st.one_of(_text(20), st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1)).map(str))


COMMANDS: dict[str, st.SearchStrategy[dict[str, Any]]] = {
    "admin bodycam set": st.fixed_dictionaries(
        {
            "city": st.one_of(_text(), st.sampled_from(["Minneapolis", "Chicago, IL"])),
            "state": st.one_of(_text(4), st.sampled_from(["MN", "IL", "us"])),
            "component": st.one_of(st.sampled_from([c.value for c in Component]), _text(8)),
            "status": st.one_of(st.sampled_from([s.value for s in CameraStatus]), _text(8)),
        },
        optional={
            "effective": _date(),
            "officers": st.integers(0, 1_000_000),
            "note": _text(),
            "source": _url(),
            "operation": _text(),
            "outlet": _text(),
        },
    ),
    "admin approps line": st.fixed_dictionaries(
        {
            "fiscal_year": st.integers(1990, 2100),
            "component": _text(45),
            "account": _text(),
        },
        optional={
            "purpose": _text(),
            "requested": st.integers(0, 10**13),
            "enacted": st.integers(0, 10**13),
            "source": _url(),
            "outlet": _text(),
        },
    ),
    "admin approps period": st.fixed_dictionaries(
        {
            "fiscal_year": st.integers(1990, 2100),
            "type": st.one_of(st.sampled_from(["funded", "lapse"]), _text(8)),
            "start": _date(),
        },
        optional={
            "end": _date(),
            "bill": st.sampled_from(["119-hr5371", "H.R. 7147", "nothing"]),
            "components": _text(),
            "description": _text(),
        },
    ),
    "admin approps measure": st.fixed_dictionaries(
        {"bill": st.one_of(_text(20), st.sampled_from(["H.R. 7147", "S. 5", "hjres 3"]))},
        optional={
            "title": _text(),
            "fiscal_year": st.integers(1990, 2100),
            "public_law": _text(10),
            "url": _text(),
            "stage": st.one_of(st.sampled_from(["introduced", "enacted"]), _text(8)),
            "kind": st.one_of(st.sampled_from(["cr", "regular"]), _text(8)),
            "as_of": _date(),
            "confidence": st.sampled_from(["confirmed", "reported", "disputed"]),
            "reason": _text(),
        },
    ),
    "admin approps action": st.fixed_dictionaries(
        {
            "bill": st.sampled_from(["H.R. 4213", "119-hr7147", "H.R. 1", "zzz"]),
            "date": _date(),
            "chamber": st.one_of(st.sampled_from(["house", "senate", "president"]), _text(8)),
            "text": _text(),
        },
        optional={
            "vote": _text(12),
            "stage_after": st.one_of(st.sampled_from(["passed_house", "enacted"]), _text(8)),
            "source": _url(),
            "as_of": _date(),
        },
    ),
}


@pytest.mark.parametrize("path", sorted(COMMANDS))
@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
async def test_random_option_values_never_break_and_refusals_write_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, path: str, data: st.DataObject
) -> None:
    """Any option values get a confirmation or a named refusal; a refusal writes nothing."""
    options = data.draw(COMMANDS[path])
    before = await revision_count(bot.database)
    reply = await fake.slash(path, options=options, user=office.admin)
    content = reply.content or ""
    assert reply.ephemeral
    assert not content.startswith("Something went wrong"), (path, options, content)
    if not wrote(content):
        assert await revision_count(bot.database) == before, (path, options, content)
