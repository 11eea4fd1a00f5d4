"""/admin oversight add|answer|update|close end to end through the fake Discord: an editor adds a
question through the form, answers, updates and closes it; a viewer is refused; bad input names
the option and writes nothing; a server's changes stay in that server; owners keep the shared
dataset."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.client import OversightBot
from bot.config import Settings, load_settings
from db.editors import add_editor_role, remove_editor_role
from db.history import history
from db.models import OversightQuestion
from db.oversight import find_question
from db.scope import Scope
from fakediscord import FakeDiscord, FakeMember, Reply
from tests.cogs.admin_support import last_revision, revision_count, with_owner
from tests.conftest import Office
from tests.support.replies import fields, ts

REFUSED = "Only editors can change records"
TEXT = "How many ERO officers in Duluth wear body cameras, and since when?"
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


async def question_in(bot: OversightBot, guild_id: int | None, key: str) -> OversightQuestion:
    async with bot.database.session() as session:
        found = await find_question(session, Scope(guild_id), key)
    assert found is not None, key
    return found


async def add_question(
    fake: FakeDiscord, user: FakeMember, values: dict[str, str] | None = None, **options: Any
) -> Reply:
    """Run /admin oversight add and submit its form."""
    opened = await fake.slash("admin oversight add", user=user, guild=user.guild, options=options)
    assert opened.modal is not None, opened.content
    return await fake.submit_modal(opened, values=values or {"question": TEXT})


# ---------------------------------------------------------------- viewers


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("admin oversight add", {"asked_by": "Rep. Rivera"}),
        ("admin oversight answer", {"question": "OQ-1", "summary": "They answered."}),
        ("admin oversight update", {"question": "OQ-1", "status": "acknowledged"}),
        ("admin oversight close", {"question": "OQ-1", "status": "withdrawn"}),
    ],
)
async def test_a_viewer_is_refused_and_nothing_changes(
    fake: FakeDiscord, office: Office, bot: OversightBot, command: str, options: dict[str, Any]
) -> None:
    """A staffer without Manage Server (who can see /admin through a server override) gets a
    private refusal, no form, and no revision is written."""
    before = await revision_count(bot)
    reply = await fake.slash(command, user=office.staffer, options=options)
    assert reply.ephemeral and reply.modal is None
    assert reply.content.startswith(REFUSED)
    assert await revision_count(bot) == before
    assert (await question_in(bot, office.guild.id, "OQ-1")).status == "pending"


async def test_a_member_who_lost_the_editor_role_cannot_submit_the_form(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The permission is checked again when the form comes back: an editor role removed in the
    meantime means a refusal and no question."""
    role = office.guild.add_role("Staff editors")
    editor = office.guild.add_member("editor", roles=[role])
    await add_editor_role(bot.database, office.guild.id, role.id, office.admin.id)
    opened = await fake.slash(
        "admin oversight add", user=editor, asked_by="Rep. Rivera", addressed_to="ICE"
    )
    await remove_editor_role(bot.database, office.guild.id, role.id)
    before = await revision_count(bot)
    reply = await fake.submit_modal(opened, values={"question": TEXT})
    assert reply.ephemeral and reply.content.startswith(REFUSED)
    assert await revision_count(bot) == before


# ---------------------------------------------------------------- add (the form)


async def test_add_opens_a_form_for_the_text_with_names_filled_in(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The form has a 4,000-character question box, the asker and addressee from the options
    (editable) and optional notes."""
    opened = await fake.slash(
        "admin oversight add", user=office.admin, asked_by="Rep. Rivera", addressed_to="ICE"
    )
    assert opened.modal is not None
    inputs = {row["component"]["custom_id"]: row["component"] for row in opened.modal["components"]}
    assert inputs["question"]["max_length"] == 4000 and inputs["question"]["style"] == 2
    assert (inputs["asked_by"]["value"], inputs["addressed_to"]["value"]) == ("Rep. Rivera", "ICE")
    assert inputs["notes"]["required"] is False


async def test_an_editor_adds_a_question_through_the_form(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The question gets the office's first id GQ-1 with every option stored, and the private
    reply names the id and lists the fields."""
    reply = await add_question(
        fake,
        office.admin,
        {"question": TEXT, "addressed_to": "ICE Office of Congressional Relations", "notes": "Hi"},
        asked_by="Rep. Rivera",
        component="ICE-ERO",
        vehicle="qfr",
        sent="Nov 2 2026",
        due="2026-12-15",
        source_url="https://example.org/letter",
    )
    assert reply.ephemeral
    assert reply.content.startswith("Added oversight question **GQ-1** to this server's records.")
    assert "• due: Dec 15, 2026" in reply.content
    question = await question_in(bot, office.guild.id, "GQ-1")
    assert (question.question, question.asked_by, question.vehicle) == (TEXT, "Rep. Rivera", "qfr")
    assert (question.sent_date, question.due_date) == (dt.date(2026, 11, 2), dt.date(2026, 12, 15))
    assert (question.notes, question.as_of, question.guild_id) == (
        "Hi",
        dt.date(2026, 11, 28),
        office.guild.id,
    )
    assert question.sources == [
        {"outlet": "example.org", "url": "https://example.org/letter", "published": None}
    ]
    revision = await last_revision(bot)
    assert (revision.action, revision.record_key, revision.actor_id) == (
        "create",
        "GQ-1",
        office.admin.id,
    )
    assert revision.actor_name == f"admin ({office.admin.id})"
    assert revision.changes["question"] == [None, TEXT]


async def test_a_due_rule_sets_the_due_date_from_the_bills_enactment(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """'60 days after enactment of H.R. 7147' (enacted 2026-04-30) makes the question due on
    2026-06-29."""
    await add_question(
        fake,
        office.admin,
        {"question": TEXT, "addressed_to": "DHS"},
        asked_by="Statute",
        due_rule_bill="H.R. 7147",
        due_rule_days=60,
    )
    question = await question_in(bot, office.guild.id, "GQ-1")
    assert (question.due_rule_measure_key, question.due_rule_days) == ("119-hr7147", 60)
    assert question.due_date == dt.date(2026, 6, 29)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"sent": "someday"}, "sent: Could not read 'someday' as a date. Accepted: 2026-02-13"),
        ({"due": "31/31/2026"}, "due: Could not read '31/31/2026' as a date"),
        ({"due_rule_days": 30}, "due_rule_days: give the measure and the number of days"),
        ({"due_rule_bill": "H.R. 99999"}, "due_rule_bill: No bill matches 'H.R. 99999'"),
        (
            {"due_rule_bill": "H.R. 7147", "due_rule_days": 5000},
            "due_rule_days: Input should be less than or equal to 3650",
        ),
        ({"asked_by": "R" * 201}, "asked_by: String should have at most 200 characters"),
        ({"component": "C" * 41}, "component: String should have at most 40 characters"),
        ({"source_url": "ftp://example.org/x"}, "source_url: must be an http:// or https://"),
        ({"source_url": "   "}, "source_url: give an http:// or https:// address"),
        ({"addressed_to": "ICE\x00"}, "addressed_to: must not contain control characters"),
    ],
)
async def test_bad_options_are_refused_before_the_form_opens(
    fake: FakeDiscord, office: Office, bot: OversightBot, options: dict[str, Any], message: str
) -> None:
    """Each bad option gets a private error naming it and what is accepted; no form, no write."""
    before = await revision_count(bot)
    reply = await fake.slash("admin oversight add", user=office.admin, options=options)
    assert reply.modal is None and reply.ephemeral
    assert reply.content.startswith(message), reply.content
    assert await revision_count(bot) == before


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"question": "   "}, "question: must not be blank"),
        ({"question": TEXT, "asked_by": "Rep.\x07 Rivera"}, "asked_by: must not contain control"),
        ({"question": TEXT, "addressed_to": " "}, "addressed_to: must not be blank"),
    ],
)
async def test_a_form_with_bad_values_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, values: dict[str, str], message: str
) -> None:
    """Blank text or control characters in the form: a private error naming the field; no
    question is added."""
    opened = await fake.slash(
        "admin oversight add", user=office.admin, asked_by="Rep. Rivera", addressed_to="ICE"
    )
    before = await revision_count(bot)
    reply = await fake.submit_modal(opened, values=values)
    assert reply.ephemeral and reply.content.startswith(message), reply.content
    assert await revision_count(bot) == before
    async with bot.database.session() as session:
        assert await find_question(session, Scope(office.guild.id), "GQ-1") is None


async def test_mentions_in_the_text_are_stored_as_typed_and_never_ping(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """@everyone, a role and a user in the question are kept verbatim; the confirmation and
    /oversight show display them defanged, and nothing the bot sent could ping."""
    role = office.guild.add_role("Press")
    typed = f"@everyone and <@&{role.id}>: did <@{office.staffer.id}> get the footage?"
    reply = await add_question(
        fake, office.admin, {"question": typed, "addressed_to": "@here ICE"}, asked_by="Rep. Rivera"
    )
    assert "@\u200beveryone" in reply.content and "@everyone" not in reply.content
    assert (await question_in(bot, office.guild.id, "GQ-1")).question == typed
    shown = await fake.slash("oversight show", question="GQ-1", user=office.staffer)
    description = shown.embeds[0]["description"]
    assert description.split("\n\n", 1)[1].startswith("@\u200beveryone and <\u200b@\u200b&")
    assert "<@&" not in description and "@here" not in str(shown.embeds)


async def test_the_asker_and_component_options_suggest_what_exists(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Autocomplete offers askers and components of the questions this server sees."""
    askers = await fake.autocomplete(
        "admin oversight add", focused="asked_by", value="statute", user=office.admin
    )
    components = await fake.autocomplete(
        "admin oversight update",
        focused="component",
        value="cb",
        question="OQ-1",
        user=office.admin,
    )
    assert askers and all("statute" in c["name"].lower() for c in askers)
    assert [c["value"] for c in components] == ["CBP"]


# ---------------------------------------------------------------- answer


async def test_an_editor_answers_a_question(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The answer is appended as a response with its source, the status becomes answered, and
    the reply lists status and the new response."""
    await add_question(fake, office.admin, {"question": TEXT, "addressed_to": "ICE"}, asked_by="R")
    reply = await fake.slash(
        "admin oversight answer",
        user=office.admin,
        question="GQ-1",
        summary="ICE says 40 of 52 officers wear cameras.",
        answered_on="Nov 25 2026",
        source_url="https://example.org/ice-reply.pdf",
        source_outlet="ICE letter",
    )
    assert reply.ephemeral
    assert reply.content.splitlines()[:4] == [
        "Updated oversight question **GQ-1** in this server's records.",
        "• status: pending → answered",
        "• responses: + Nov 25, 2026: “ICE says 40 of 52 officers wear cameras.”",
    ]
    question = await question_in(bot, office.guild.id, "GQ-1")
    assert question.status == "answered"
    assert question.responses == [
        {
            "received_on": "2026-11-25",
            "summary": "ICE says 40 of 52 officers wear cameras.",
            "source": {
                "outlet": "ICE letter",
                "url": "https://example.org/ice-reply.pdf",
                "published": None,
            },
        }
    ]
    revision = await last_revision(bot)
    assert (revision.action, revision.actor_id, revision.reason) == (
        "update",
        office.admin.id,
        "/admin oversight answer",
    )
    assert revision.changes["status"] == ["pending", "answered"]


async def test_a_partial_answer_keeps_earlier_responses(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """OQ-3 already has a response; a partial answer (dated today by default) comes after it."""
    before = (await question_in(bot, office.guild.id, "OQ-3")).responses
    await fake.slash(
        "admin oversight answer",
        user=office.admin,
        question="OQ-3",
        summary="More pages released.",
        status="Partially answered",
    )
    question = await question_in(bot, office.guild.id, "OQ-3")
    assert question.status == "partially_answered" and question.guild_id == office.guild.id
    assert question.responses[:-1] == before
    assert question.responses[-1]["received_on"] == "2026-11-28"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"question": "ZZ-9"}, "question: No question 'ZZ-9'. Use its id"),
        ({"answered_on": "tomorrow"}, "answered_on: must not be after today"),
        ({"answered_on": "Feb 30 2026"}, "answered_on: Could not read 'Feb 30 2026' as a date"),
        ({"summary": "S" * 2001}, "summary: String should have at most 2000 characters"),
        ({"summary": "  "}, "summary: must not be blank"),
        ({"source_url": "example.org/reply"}, "source_url: must be an http:// or https://"),
        ({"source_outlet": "O" * 121}, "source_outlet: String should have at most 120 characters"),
        ({"status": "pending"}, "status: must be 'answered' or 'partially_answered'"),
    ],
)
async def test_a_bad_answer_names_the_option_and_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, options: dict[str, Any], message: str
) -> None:
    """Unknown question, a future or unreadable date, overlong or blank text, a bad address: a
    private error naming the option; OQ-1 keeps no response."""
    before = await revision_count(bot)
    values = {"question": "OQ-1", "summary": "Answered.", **options}
    reply = await fake.slash("admin oversight answer", user=office.admin, options=values)
    assert reply.ephemeral and reply.content.startswith(message), reply.content
    assert await revision_count(bot) == before
    assert (await question_in(bot, office.guild.id, "OQ-1")).responses == []


# ---------------------------------------------------------------- update and close


async def test_an_editor_updates_fields_and_clears_one(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """New asker, due date and notes are stored, the component emptied; the reply shows each
    field old → new."""
    await add_question(
        fake, office.admin, {"question": TEXT, "addressed_to": "ICE"}, asked_by="R", component="ICE"
    )
    reply = await fake.slash(
        "admin oversight update",
        user=office.admin,
        question="GQ-1",
        asked_by="Rep. Rivera",
        due="in 30 days",
        notes="Follow up by phone.",
        clear="component",
    )
    lines = reply.content.splitlines()
    assert "• asked by: “R” → “Rep. Rivera”" in lines
    assert "• due: — → Dec 28, 2026" in lines
    assert "• component: ICE → —" in lines
    question = await question_in(bot, office.guild.id, "GQ-1")
    assert (question.asked_by, question.due_date, question.component) == (
        "Rep. Rivera",
        dt.date(2026, 12, 28),
        None,
    )
    assert question.notes == "Follow up by phone."
    revision = await last_revision(bot)
    assert (revision.action, revision.actor_id, revision.actor_name) == (
        "update",
        office.admin.id,
        f"admin ({office.admin.id})",
    )
    assert revision.changes["component"] == ["ICE", None]
    assert revision.changes["due_date"] == [None, "2026-12-28"]


async def test_an_update_that_changes_nothing_says_so_and_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Setting OQ-1's status to what it is already: 'Nothing changed', no copy, no revision."""
    before = await revision_count(bot)
    reply = await fake.slash(
        "admin oversight update", user=office.admin, question="OQ-1", status="pending"
    )
    assert (
        reply.content
        == "Nothing changed: oversight question **OQ-1** already says that. Nothing was written."
    )
    assert await revision_count(bot) == before
    assert (await question_in(bot, office.guild.id, "OQ-1")).guild_id is None


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({}, "Nothing to change: give at least one option"),
        ({"due": "next blue moon"}, "due: Could not read 'next blue moon' as a date"),
        ({"component": "C" * 41}, "component: String should have at most 40 characters"),
        ({"notes": "N" * 2001}, "notes: String should have at most 2000 characters"),
        ({"due_rule_days": -1}, "due_rule_days: Input should be greater than or equal to 0"),
        ({"due": "today", "clear": "due"}, "clear: cannot empty a field you are also setting"),
        (
            {"clear": "everything"},
            "clear: must be one of component, sent, due, due_rule, repeat, trigger, notes",
        ),
        ({"status": "lost"}, "status: Input should be 'pending', 'acknowledged', "),
        ({"vehicle": "fax"}, "vehicle: Input should be 'letter', 'qfr', "),
        ({"question": "GQ-404"}, "question: No question 'GQ-404'"),
    ],
)
async def test_a_bad_update_names_the_option_and_writes_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot, options: dict[str, Any], message: str
) -> None:
    """Each bad option is refused privately, named; OQ-1 stays as it was."""
    before = await revision_count(bot)
    reply = await fake.slash(
        "admin oversight update", user=office.admin, options={"question": "OQ-1", **options}
    )
    assert reply.ephemeral and reply.content.startswith(message), reply.content
    assert await revision_count(bot) == before


async def test_closing_needs_a_closing_status(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """'pending' is not a way to close a question: refused, named, nothing written; the status
    option suggests the three that are."""
    offered = await fake.autocomplete(
        "admin oversight close", focused="status", question="OQ-1", user=office.admin
    )
    assert [c["value"] for c in offered] == ["answered", "refused", "withdrawn"]
    before = await revision_count(bot)
    reply = await fake.slash(
        "admin oversight close", user=office.admin, question="OQ-1", status="pending"
    )
    assert reply.content == "status: must be 'answered', 'refused' or 'withdrawn'"
    assert await revision_count(bot) == before


async def test_an_editor_closes_a_question(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Closing GQ-1 as withdrawn stores the status; closing it again changes nothing."""
    await add_question(fake, office.admin, {"question": TEXT, "addressed_to": "ICE"}, asked_by="R")
    reply = await fake.slash(
        "admin oversight close", user=office.admin, question="GQ-1", status="withdrawn"
    )
    assert "• status: pending → withdrawn" in reply.content.splitlines()
    assert (await question_in(bot, office.guild.id, "GQ-1")).status == "withdrawn"
    revision = await last_revision(bot)
    assert (revision.actor_id, revision.reason) == (office.admin.id, "/admin oversight close")
    assert revision.changes == {"status": ["pending", "withdrawn"]}
    before = await revision_count(bot)
    again = await fake.slash(
        "admin oversight close", user=office.admin, question="GQ-1", status="withdrawn"
    )
    assert again.content.startswith("Nothing changed")
    assert await revision_count(bot) == before


# ---------------------------------------------------------------- scope


async def test_closing_a_shared_question_in_one_server_leaves_other_servers_alone(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The office gets its own copy of OQ-2 marked refused; another office and the shared
    dataset still see it pending."""
    other = fake.add_guild("Office of Sen. Other")
    colleague = other.add_member("colleague")
    reply = await fake.slash(
        "admin oversight close",
        user=office.admin,
        guild=office.guild,
        question="OQ-2",
        status="refused",
    )
    assert reply.content.startswith(
        "Saved as this server's own version of the shared oversight question"
    )
    assert (await question_in(bot, office.guild.id, "OQ-2")).status == "refused"
    assert (await question_in(bot, other.id, "OQ-2")).status == "pending"
    assert (await question_in(bot, None, "OQ-2")).status == "pending"
    shown = await fake.slash("oversight show", question="OQ-2", guild=other, user=colleague)
    assert "Pending" in shown.embeds[0]["title"]


async def test_a_server_editor_cannot_write_to_the_shared_dataset(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """dataset: shared is for the bot's owners; an admin's try is refused and changes nothing."""
    before = await revision_count(bot)
    reply = await fake.slash(
        "admin oversight close",
        user=office.admin,
        question="OQ-2",
        status="refused",
        dataset="shared",
    )
    assert reply.content.startswith("Only the bot's owners can change the shared dataset")
    assert await revision_count(bot) == before


async def test_an_owner_adds_and_answers_in_the_shared_dataset(
    fake: FakeDiscord, office: Office, owner: FakeMember, bot: OversightBot
) -> None:
    """An owner's new shared question is OQ-8 and every server sees it; the owner's answer to
    OQ-2 changes the shared record itself."""
    other = fake.add_guild("Office of Sen. Other")
    reply = await add_question(
        fake, owner, {"question": TEXT, "addressed_to": "ICE"}, asked_by="R", dataset="shared"
    )
    assert reply.content.startswith("Added oversight question **OQ-8** to the shared dataset.")
    assert (await question_in(bot, other.id, "OQ-8")).guild_id is None
    await fake.slash(
        "admin oversight answer",
        user=owner,
        guild=office.guild,
        question="OQ-2",
        summary="Released.",
        dataset="shared",
    )
    assert (await question_in(bot, other.id, "OQ-2")).status == "answered"
    assert (await last_revision(bot)).guild_id is None


# ---------------------------------------------------------------- the story


async def test_the_story_viewer_refused_editor_adds_answers_and_reads_the_history(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A viewer is refused; an editor adds a question through the form, answers it; its history
    holds the create and the answer, each with the editor's id and the field changes."""
    refused = await add_question_attempt(fake, office.staffer)
    assert refused.content.startswith(REFUSED)
    added = await add_question(
        fake,
        office.admin,
        {"question": TEXT, "addressed_to": "ICE Office of Congressional Relations"},
        asked_by="Rep. Rivera",
        due="Dec 15 2026",
    )
    assert added.content.startswith("Added oversight question **GQ-1**")
    await fake.slash(
        "admin oversight answer", user=office.admin, question="GQ-1", summary="40 of 52 officers."
    )
    async with bot.database.session() as session:
        revisions = await history(session, Scope(office.guild.id), "question", "GQ-1")
    assert [(r.action, r.actor_id, r.reason) for r in revisions] == [
        ("create", office.admin.id, "/admin oversight add"),
        ("update", office.admin.id, "/admin oversight answer"),
    ]
    assert revisions[1].changes["status"] == ["pending", "answered"]
    assert revisions[1].changes["responses"][1][0]["summary"] == "40 of 52 officers."


async def add_question_attempt(fake: FakeDiscord, user: FakeMember) -> Reply:
    return await fake.slash("admin oversight add", user=user, asked_by="Rep. Rivera")


# ---------------------------------------------------------------- random options

SUCCESS = ("Updated ", "Saved as ", "Nothing changed")
texts = st.one_of(st.none(), st.text(min_size=1, max_size=60))
days = st.one_of(st.none(), st.sampled_from(["today", "tomorrow", "bogus", "2/30/2026", "+3d"]))


@RANDOM
@given(
    question=st.sampled_from(["OQ-1", "OQ-4", "oq-7", "GQ-1", "nope", "@everyone"]),
    asked_by=texts,
    component=texts,
    notes=st.one_of(texts, st.text(min_size=1990, max_size=2010)),
    due=days,
    due_rule_days=st.one_of(st.none(), st.integers(-5, 5000)),
    status=st.one_of(st.none(), st.sampled_from(["answered", "Withdrawn", "pending"]), texts),
    clear=st.one_of(st.none(), st.sampled_from(["component", "due", "due rule", "notes"]), texts),
)
async def test_random_update_options_never_break_and_rejected_ones_write_nothing(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    question: str,
    asked_by: str | None,
    component: str | None,
    notes: str | None,
    due: str | None,
    due_rule_days: int | None,
    status: str | None,
    clear: str | None,
) -> None:
    """Whatever is typed, the answer is a private message, never 'Something went wrong', and a
    refused update writes no revision."""
    options = {
        "question": question,
        "asked_by": asked_by,
        "component": component,
        "notes": notes,
        "due": due,
        "due_rule_days": due_rule_days,
        "status": status,
        "clear": clear,
    }
    given_options = {name: value for name, value in options.items() if value is not None}
    before = await revision_count(bot)
    reply = await fake.slash("admin oversight update", user=office.admin, options=given_options)
    assert reply.ephemeral and "Something went wrong" not in reply.content
    if not reply.content.startswith(SUCCESS):
        assert await revision_count(bot) == before, reply.content


@RANDOM
@given(
    summary=st.text(min_size=1, max_size=80),
    answered_on=days,
    source_url=st.one_of(st.none(), st.text(max_size=30), st.just("https://example.org/a")),
    source_outlet=texts,
    asked_by=st.text(min_size=1, max_size=30),
    sent=days,
)
async def test_random_add_and_answer_options_never_break(
    fake: FakeDiscord,
    office: Office,
    bot: OversightBot,
    summary: str,
    answered_on: str | None,
    source_url: str | None,
    source_outlet: str | None,
    asked_by: str,
    sent: str | None,
) -> None:
    """Random text through the form and the answer: private replies, no unhandled error, and no
    revision for a refused one."""
    add_options = {"asked_by": asked_by, "sent": sent, "source_url": source_url}
    before = await revision_count(bot)
    opened = await fake.slash(
        "admin oversight add",
        user=office.admin,
        options={k: v for k, v in add_options.items() if v is not None},
    )
    if opened.modal is not None:
        added = await fake.submit_modal(opened, values={"question": summary, "addressed_to": "ICE"})
        assert "Something went wrong" not in added.content
        if not added.content.startswith("Added "):
            assert await revision_count(bot) == before, added.content
    else:
        assert "Something went wrong" not in opened.content
        assert await revision_count(bot) == before
    answer_options = {
        "question": "OQ-5",
        "summary": summary,
        "answered_on": answered_on,
        "source_url": source_url,
        "source_outlet": source_outlet,
    }
    before = await revision_count(bot)
    reply = await fake.slash(
        "admin oversight answer",
        user=office.admin,
        options={k: v for k, v in answer_options.items() if v is not None},
    )
    assert reply.ephemeral and "Something went wrong" not in reply.content
    if not reply.content.startswith(SUCCESS):
        assert await revision_count(bot) == before, reply.content


# ---------------------------------------------------------------- honest deadlines


async def test_a_new_rule_on_an_unenacted_bill_waits_then_resolves_on_signing(
    fake: FakeDiscord, office: Office, owner: FakeMember, bot: OversightBot
) -> None:
    """OQ-4 re-ruled to '30 days after enactment of H.R. 9002' (not enacted) loses its May 30
    date and its OVERDUE marker and waits for enactment; the President's signing on 2026-11-20
    makes it due Dec 20, 2026."""

    async def show() -> tuple[str, str]:
        reply = await fake.slash("oversight show", question="OQ-4", user=office.staffer)
        return reply.embeds[0]["title"], fields(reply)["Due"]

    async def run(command: str, **options: Any) -> None:
        reply = await fake.slash(command, user=owner, options={**options, "dataset": "shared"})
        assert "Something went wrong" not in reply.content, reply.content

    await run("admin approps measure", bill="H.R. 9002", title="A test act", fiscal_year=2027)
    await run("admin oversight update", question="OQ-4", due_rule_bill="H.R. 9002")
    title, due = await show()
    assert title == "OQ-4 · ⏳ Pending"
    assert due == "Waiting for enactment of H.R. 9002 (30 days after enactment of H.R. 9002)."
    await run(
        "admin approps action",
        bill="H.R. 9002",
        date="2026-11-20",
        chamber="president",
        text="Signed by the President.",
        stage_after="enacted",
    )
    title, due = await show()
    assert title == "OQ-4 · ⏳ Pending"
    assert due.startswith(ts(2026, 12, 20))
    assert "30 days after enactment of H.R. 9002 (enacted " in due


async def test_a_servers_copy_with_a_new_rule_drops_the_old_derived_date(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """An office re-ruling the shared OQ-4 to an unenacted bill gets its own copy with no date
    (not the stale May 30), listed as waiting for enactment; other servers keep May 30."""
    await fake.slash(
        "admin approps measure",
        user=office.admin,
        options={"bill": "H.R. 9002", "title": "A test act", "fiscal_year": 2027},
    )
    reply = await fake.slash(
        "admin oversight update",
        user=office.admin,
        options={"question": "OQ-4", "due_rule_bill": "H.R. 9002"},
    )
    assert "due: May 30, 2026 → —" in (reply.content or "")
    copy = await question_in(bot, office.guild.id, "OQ-4")
    assert (copy.due_rule_measure_key, copy.due_date) == ("119-hr9002", None)
    assert (await question_in(bot, None, "OQ-4")).due_date == dt.date(2026, 5, 30)
    listed = await fake.slash("oversight list", user=office.staffer)
    entries = {f["name"]: f["value"] for e in listed.embeds for f in e.get("fields", [])}
    assert entries["OQ-4 · ⏳ Pending"].endswith(
        "Due 30 days after enactment: waiting for enactment of H.R. 9002"
    )


# ---------------------------------------------------------------- recurring duties and triggers


async def test_a_quarterly_duty_is_added_reported_and_shown_with_its_next_dates(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """'Due Sep 1, then quarterly': /oversight show says a report is overdue (Sep 1, today Nov
    28); a report received moves the duty to Dec 1 and keeps it open, and show then says
    when the next report is due and the dates after it."""
    added = await add_question(
        fake, office.admin, {"question": TEXT, "addressed_to": "ICE"}, asked_by="Statute",
        due="2026-09-01", repeat=3,
    )  # fmt: skip
    assert "• repeats every (months): 3" in added.content, added.content
    before = await fake.slash("oversight show", question="GQ-1", user=office.staffer)
    assert before.embeds[0]["description"].startswith(
        "GQ-1 is pending and 1 report is overdue (Sep 1, 2026): it is due quarterly from "
        "Sep 1, 2026."
    )
    reply = await fake.slash(
        "admin oversight answer", user=office.admin, question="GQ-1",
        summary="First quarterly plan.", answered_on="Sep 3 2026",
    )  # fmt: skip
    assert "• due: Sep 1, 2026 → Dec 1, 2026" in reply.content, reply.content
    assert "status" not in reply.content  # a report does not close the duty
    after = await fake.slash("oversight show", question="GQ-1", user=office.staffer)
    assert after.embeds[0]["description"].startswith(
        "GQ-1 is pending; its next report is due Dec 1, 2026, in 3 days (quarterly from "
        "Sep 1, 2026)."
    )
    due = fields(after)["Due"]
    assert due.startswith(f"Next report: {ts(2026, 12, 1)}") and "quarterly from" in due
    assert "Then Mar 1, 2027, Jun 1, 2027. 1 report received." in due
    question = await question_in(bot, office.guild.id, "GQ-1")
    assert (question.status, question.due_date) == ("pending", dt.date(2026, 12, 1))


async def test_typing_a_due_date_on_a_recurring_duty_says_what_to_change(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The due date of a duty follows its first date and the reports: a typed one is refused
    with the reason and the way, and nothing is written."""
    await add_question(
        fake, office.admin, {"question": TEXT, "addressed_to": "ICE"}, asked_by="Statute",
        due="2026-09-01", repeat=3,
    )  # fmt: skip
    count = await revision_count(bot)
    reply = await fake.slash(
        "admin oversight update", user=office.admin, question="GQ-1", due="2027-01-15"
    )
    assert reply.ephemeral and reply.content.startswith(
        "due: GQ-1 is a recurring duty (every 3 months): its next due date follows "
        "first_due_date and the reports received (now Sep 1, 2026)."
    ), reply.content
    assert await revision_count(bot) == count


async def test_a_trigger_date_reads_as_a_condition_not_a_deadline(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """OQ-5 (starter data): July 1 decides which hearings count. Show says it has no due date
    and what the date decides; an editor can give a question a trigger, and clear it."""
    shown = await fake.slash("oversight show", question="OQ-5", user=office.staffer)
    assert shown.embeds[0]["description"].startswith(
        "OQ-5 is pending; it has no due date (Jul 1, 2026 is a condition, not a deadline)."
    )
    assert fields(shown)["Due"] == "No due date."
    assert fields(shown)["Trigger date"].startswith(
        "Jul 1, 2026 is a condition, not a deadline: FY2027 budget hearings held before it count"
    )
    assert "overdue" not in str(shown.embeds).lower()
    await add_question(fake, office.admin, {"question": TEXT, "addressed_to": "ICE"}, asked_by="R")
    set_ = await fake.slash(
        "admin oversight update", user=office.admin, question="GQ-1", trigger="2027-03-01",
        trigger_note="Money is withheld until then",
    )  # fmt: skip
    assert "• trigger date: — → Mar 1, 2027" in set_.content, set_.content
    await fake.slash("admin oversight update", user=office.admin, question="GQ-1", clear="trigger")
    question = await question_in(bot, office.guild.id, "GQ-1")
    assert (question.trigger_date, question.trigger_note) == (None, None)
