"""/oversight list, show and due end to end through the fake Discord: the starter data's deadlines,
statuses and askers, filters, pages walked by clicks, a 4,000-character question, 5,000 generated
questions, and privacy between guilds."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.dataset import Sizes, generate
from bot import views as views_module
from bot.client import OversightBot
from bot.render.common import AMBER, BRAND, PURPLE
from db.models import QuestionStatus
from db.oversight import find_question, list_questions
from db.scope import Actor, Scope
from fakediscord import FakeDiscord
from tests.conftest import Office
from tests.support.replies import buttons, field_list, fields, ts, wait_until_disabled

Json = dict[str, Any]
HIDDEN = dict(suppress_health_check=[HealthCheck.function_scoped_fixture])
EDITOR = Actor("test editor", 1)
STARTER_ORDER = ["OQ-4", "OQ-7", "OQ-1", "OQ-2", "OQ-3", "OQ-5", "OQ-6"]


def keys_listed(embeds: list[Json]) -> list[str]:
    """The question ids of a list page, in order (each entry's name starts with its id)."""
    return [f["name"].split(" · ")[0] for embed in embeds for f in embed.get("fields", [])]


def question(key: str, **over: Any) -> Json:
    values = {
        "key": key,
        "question": "How many ERO officers in Duluth wear body cameras?",
        "asked_by": "Rep. Rivera",
        "addressed_to": "ICE",
        "component": "ICE",
        "sent_date": dt.date(2026, 11, 1),
        "as_of": dt.date(2026, 11, 1),
        "sources": [{"outlet": "Office letter", "url": "https://example.org/letter"}],
    }
    return {**values, **over}


async def write(bot: OversightBot, guild_id: int, *records: Json) -> None:
    async with bot.database.writer(Scope.guild(guild_id), EDITOR) as writer:
        for values in records:
            await writer.create("question", values)


@pytest.fixture
async def big(bot: OversightBot, office: Office) -> OversightBot:
    """The starter data plus 500 cities and 5,000 questions of the office (GQ-1 … GQ-5000)."""
    await generate(bot.database, Sizes(cities=500, questions=5000, guilds=(office.guild.id,)))
    return bot


# ---------------------------------------------------------------- /oversight list


async def test_list_puts_the_overdue_statutory_questions_first(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """OQ-4 and OQ-7 lead, oldest deadline first: they follow H.R. 7147, whose enacted content
    is disputed, so their deadline is uncertain, not counted overdue. OQ-5's July 1 is a
    trigger (which hearings count), not a deadline: it has no due date and is not overdue.
    OQ-7 is a recurring duty: its entry says the next report and 'quarterly'."""
    reply = await fake.slash("oversight list", user=office.staffer)
    [embed] = reply.embeds
    assert embed["description"].startswith(
        "**7 questions · 0 overdue · 2 deadline uncertain (basis disputed)**"
    )
    assert keys_listed(reply.embeds) == STARTER_ORDER
    entries = fields(reply)
    assert "OQ-4 · ⏳ Pending · ⚠️ Deadline uncertain (basis disputed)" in entries
    assert entries["OQ-4 · ⏳ Pending · ⚠️ Deadline uncertain (basis disputed)"].endswith(
        f"Due {ts(2026, 5, 30)} ({ts(2026, 5, 30, 'R')})"
    )
    assert entries["OQ-5 · ⏳ Pending"].endswith(
        "No due date · condition date Jul 1, 2026, not a deadline"
    )
    assert entries["OQ-7 · ⏳ Pending · ⚠️ Deadline uncertain (basis disputed)"].endswith(
        f"Next report due {ts(2026, 7, 29)} ({ts(2026, 7, 29, 'R')}) (quarterly)"
    )
    assert not any("OVERDUE" in name for name in entries)
    assert reply.ephemeral and embed["color"] == BRAND.value
    assert reply.components == []  # one page: no buttons


async def test_list_entry_says_who_asked_whom(fake: FakeDiscord, office: Office, bot) -> None:
    """OQ-2's entry: the Senate Homeland Security committee → CBP's commissioner, no due date."""
    reply = await fake.slash("oversight list", user=office.staffer)
    assert fields(reply)["OQ-2 · ⏳ Pending"].split("\n")[1:] == [
        "Senate Homeland Security and Governmental Affairs Committee → "
        "CBP Commissioner Rodney Scott",
        "No due date",
    ]


async def test_list_filters_by_status(fake: FakeDiscord, office: Office, bot) -> None:
    """Status 'Partially answered' lists OQ-3 alone."""
    reply = await fake.slash("oversight list", status="partially_answered", user=office.staffer)
    assert keys_listed(reply.embeds) == ["OQ-3"]
    assert "Filtered by status Partially answered" in reply.embeds[0]["description"]
    assert "OQ-3 · 🌓 Partially answered" in fields(reply)


async def test_list_filters_by_part_of_the_askers_name(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'homeland security' finds OQ-2, asked by the Senate Homeland Security committee."""
    reply = await fake.slash("oversight list", asked_by="homeland security", user=office.staffer)
    assert keys_listed(reply.embeds) == ["OQ-2"]


async def test_list_filters_by_component_in_any_case(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Component 'cbp' lists OQ-2 and OQ-3 (neither has a deadline)."""
    reply = await fake.slash("oversight list", component="cbp", user=office.staffer)
    assert keys_listed(reply.embeds) == ["OQ-2", "OQ-3"]
    assert reply.embeds[0]["description"].startswith("**2 questions · 0 overdue**")


async def test_an_empty_list_says_which_statuses_exist(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """No question is answered yet: the reply says so and counts the statuses that do exist."""
    reply = await fake.slash("oversight list", status="answered", user=office.staffer)
    [embed] = reply.embeds
    assert embed["description"].startswith("No question matches status Answered.")
    assert fields(reply)["Statuses"] == "🌓 Partially answered: 1\n⏳ Pending: 6"
    assert fields(reply)["Components"] == "CBP, DHS, ICE"


async def test_list_is_posted_for_everyone_when_shared(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """share:true posts the list in the channel, not privately."""
    reply = await fake.slash("oversight list", share=True, user=office.staffer)
    assert not reply.ephemeral and keys_listed(reply.embeds) == STARTER_ORDER


async def test_asker_and_component_autocomplete_offer_what_exists(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'senate' offers the Senate committee (its name starts so) before the House and Senate
    committees; '' offers the three components."""
    askers = await fake.autocomplete(
        "oversight list", focused="asked_by", value="senate", user=office.staffer
    )
    components = await fake.autocomplete(
        "oversight list", focused="component", value="", user=office.staffer
    )
    assert [c["value"] for c in askers] == [
        "Senate Homeland Security and Governmental Affairs Committee",
        "House and Senate committees",
    ]
    assert [c["value"] for c in components] == ["CBP", "DHS", "ICE"]


async def test_5000_questions_page_count_first_and_last_pages(
    fake: FakeDiscord, office: Office, big
) -> None:
    """5,007 questions make 501 pages; page 1, page 2, the last and the one before it match the
    database, and 'next' is disabled on the last."""
    scope = Scope.guild(office.guild.id)
    today = big.database.today()

    async def expected(page: int) -> list[str]:
        async with big.database.session() as session:
            found = await list_questions(session, scope, today=today, page=page)
        return [q.key for q in found.questions]

    reply = await fake.slash("oversight list", user=office.staffer)
    assert buttons(reply)["page:at"]["label"] == "1 / 501"
    assert keys_listed(reply.embeds) == await expected(0)
    assert reply.embeds[0]["description"].startswith(
        "**5,007 questions · 1,019 overdue · 2 deadline uncertain (basis disputed)**"
    )
    await fake.click(reply, "page:next")
    assert keys_listed(reply.message.embeds) == await expected(1)
    await fake.click(reply, "page:last")
    assert keys_listed(reply.message.embeds) == await expected(500)
    assert len(keys_listed(reply.message.embeds)) == 7
    assert buttons(reply)["page:next"]["disabled"] and buttons(reply)["page:last"]["disabled"]
    assert reply.message.embeds[-1]["footer"]["text"].endswith("page 501 of 501")
    await fake.click(reply, "page:prev")
    assert keys_listed(reply.message.embeds) == await expected(499)


async def test_a_filtered_list_is_walked_page_by_page(
    fake: FakeDiscord, office: Office, big
) -> None:
    """Rep. Chen's pending questions: every page, clicked through, shows exactly the database's
    questions for that page, overdue first; the last page disables 'next'."""
    scope = Scope.guild(office.guild.id)
    async with big.database.session() as session:
        everything = await list_questions(
            session,
            scope,
            today=big.database.today(),
            status=QuestionStatus.pending,
            asked_by="Rep. Chen",
            per_page=10_000,
        )
    wanted = [q.key for q in everything.questions]
    reply = await fake.slash(
        "oversight list", status="pending", asked_by="Rep. Chen", user=office.staffer
    )
    seen = [keys_listed(reply.embeds)]
    while not buttons(reply)["page:next"].get("disabled"):
        await fake.click(reply, "page:next")
        seen.append(keys_listed(reply.message.embeds))
    assert [key for page in seen for key in page] == wanted
    assert len(seen) == -(-len(wanted) // 10) > 3
    assert all(len(page) == 10 for page in seen[:-1])


async def test_another_member_cannot_turn_the_pages(fake: FakeDiscord, office: Office, big) -> None:
    """A colleague's click on a shared list is refused privately; the page stays put."""
    reply = await fake.slash("oversight list", share=True, user=office.staffer)
    first = keys_listed(reply.embeds)
    refused = await fake.click(reply, "page:next", user=office.admin)
    assert refused.ephemeral and "Only the person who ran this command" in (refused.content or "")
    assert keys_listed(reply.message.embeds) == first


async def test_the_buttons_go_quiet_after_the_timeout(
    fake: FakeDiscord, office: Office, big, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the view times out, every button of the list is disabled."""
    monkeypatch.setattr(views_module, "PAGE_TIMEOUT", 0.2)
    reply = await fake.slash("oversight list", user=office.staffer)
    assert not buttons(reply)["page:next"].get("disabled")
    await wait_until_disabled(fake, reply)
    assert all(b.get("disabled") for b in buttons(reply).values())


# ---------------------------------------------------------------- /oversight show


async def test_show_gives_the_spend_plans_due_rule_and_date(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """OQ-4 is due May 30, 2026: 30 days after H.R. 7147's enactment on Apr 30, 2026. What H.R.
    7147 enacted is disputed, so the deadline is uncertain (in amber), not '182 days overdue'."""
    reply = await fake.slash("oversight show", question="OQ-4", user=office.staffer)
    first = reply.embeds[0]
    assert first["title"] == "OQ-4 · ⏳ Pending · ⚠️ Deadline uncertain (basis disputed)"
    assert first["description"] == (
        "OQ-4 is pending; deadline uncertain (basis disputed): the recorded due date was May 30, "
        "2026 (30 days after enactment of H.R. 7147).\n\n"
        "Spend plan for the $20,000,000 provided for body-worn cameras for ICE and CBP officers."
    )
    assert fields(reply)["Due"] == (
        f"{ts(2026, 5, 30)} ({ts(2026, 5, 30, 'R')})\n"
        f"30 days after enactment of H.R. 7147 (enacted {ts(2026, 4, 30)})\n"
        "⚠️ Deadline uncertain (basis disputed)"
    )
    assert "overdue" not in str(reply.embeds).lower()
    assert all(embed["color"] == AMBER.value for embed in reply.embeds)


@pytest.mark.parametrize(
    ("key", "sentence"),
    [
        (
            "OQ-5",
            "OQ-5 is pending; it has no due date (Jul 1, 2026 is a condition, not a deadline).",
        ),
        ("OQ-6", "OQ-6 is pending; no due date is recorded."),
        (
            "OQ-7",
            "OQ-7 is pending; deadline uncertain (basis disputed): 2 reports would be past due "
            "(Jul 29, 2026 and Oct 29, 2026): it is due 90 days after enactment of H.R. 7147, "
            "then quarterly.",
        ),
    ],
)
async def test_show_opens_with_a_sentence_giving_status_and_deadline(
    fake: FakeDiscord, office: Office, bot, key: str, sentence: str
) -> None:
    """The first line answers where a question stands, before its text."""
    reply = await fake.slash("oversight show", question=key, user=office.staffer)
    assert reply.embeds[0]["description"].split("\n\n")[0] == sentence


@pytest.mark.parametrize(
    ("over", "sentence"),
    [
        ({"due_date": "2026-12-13"}, "GQ-1 is acknowledged and due Dec 13, 2026, in 15 days."),
        ({"due_date": "2026-11-28"}, "GQ-1 is acknowledged and due today, Nov 28, 2026."),
        (
            {"due_date": "2026-11-01", "status": "answered"},
            "GQ-1 is answered: nothing is outstanding.",
        ),
        (
            {"due_rule_measure_key": "119-hr4213", "due_rule_days": 30},
            "GQ-1 is acknowledged, waiting for enactment of H.R. 4213: it is due 30 days after "
            "enactment of H.R. 4213.",
        ),
    ],
)
async def test_show_sentence_for_future_today_closed_and_waiting_deadlines(
    fake: FakeDiscord, office: Office, bot, over: Json, sentence: str
) -> None:
    """Due in 15 days, due today (not overdue), closed, and waiting for a bill's enactment."""
    await write(bot, office.guild.id, question("GQ-1", **({"status": "acknowledged"} | over)))
    reply = await fake.slash("oversight show", question="GQ-1", user=office.staffer)
    assert reply.embeds[0]["description"].split("\n\n")[0] == sentence


async def test_show_lists_the_facts_sources_and_related_records(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """OQ-4: asked by statute of DHS, a statute vehicle, reported, the Deseret News source as a
    link, H.R. 7147 and the $20M camera line related, and an as-of footer."""
    reply = await fake.slash("oversight show", question="oq-4", user=office.staffer)
    facts = fields(reply)
    assert facts["Asked by"] == "Statute: FY2026 DHS appropriations (H.R. 7147)"
    assert facts["Addressed to"] == "DHS, to the House and Senate Appropriations Committees"
    assert facts["Vehicle"] == "Statute (reporting requirement)"
    assert facts["Status"] == "⏳ Pending"
    assert facts["Confidence"] == "🟡 Reported (one secondary source)"
    assert facts["Responses"] == "No response recorded."
    assert facts["Related records"] == (
        "• Funding line FY2026 ICE and CBP: Body-worn cameras for officers\n• Bill H.R. 7147"
    )
    assert facts["Sources"] == (
        "• [Deseret News](https://deseret.com/politics/2026/01/20/"
        "dhs-increased-guardrails-funding-bill) · Jan 20, 2026"
    )
    assert reply.embeds[-1]["footer"]["text"] == "as of Jan 20, 2026 · 1 source"


async def test_show_the_pretti_footage_question(fake: FakeDiscord, office: Office, bot) -> None:
    """OQ-2 was asked by the Senate Homeland Security committee of CBP's commissioner at a
    hearing on Feb 12, 2026, and has been outstanding 289 days, with no due date."""
    reply = await fake.slash("oversight show", question="OQ-2", user=office.staffer)
    facts = fields(reply)
    assert facts["Asked by"] == "Senate Homeland Security and Governmental Affairs Committee"
    assert facts["Addressed to"] == "CBP Commissioner Rodney Scott"
    assert facts["Vehicle"] == "Hearing"
    assert facts["Sent"] == f"{ts(2026, 2, 12)} ({ts(2026, 2, 12, 'R')})"
    assert facts["Days outstanding"] == "289 days"
    assert facts["Due"] == "No due date."
    assert reply.embeds[0]["color"] == AMBER.value


async def test_show_a_partially_answered_question(fake: FakeDiscord, office: Office, bot) -> None:
    """OQ-3 is partially answered, in purple, not overdue."""
    reply = await fake.slash("oversight show", question="OQ-3", user=office.staffer)
    assert reply.embeds[0]["title"] == "OQ-3 · 🌓 Partially answered"
    assert fields(reply)["Status"] == "🌓 Partially answered"
    assert reply.embeds[0]["color"] == PURPLE.value


async def test_show_a_rule_whose_bill_is_not_enacted_waits_for_its_enactment(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """A question due 30 days after enactment of H.R. 4213 (never enacted) has no date yet: it
    waits for the enactment."""
    gid = office.guild.id
    await write(bot, gid, question("GQ-1", due_rule_measure_key="119-hr4213", due_rule_days=30))
    reply = await fake.slash("oversight show", question="GQ-1", user=office.staffer)
    assert fields(reply)["Due"] == (
        "Waiting for enactment of H.R. 4213 (30 days after enactment of H.R. 4213)."
    )


async def test_show_lists_each_response_with_its_date_and_source(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Two responses show in order, each with its date, summary and source link."""
    responses = [
        {"received_on": "2026-11-10", "summary": "ICE acknowledged the letter."},
        {
            "received_on": "2026-11-20",
            "summary": "ICE says 40 officers carry cameras.",
            "source": {"outlet": "ICE letter", "url": "https://example.org/ice"},
        },
    ]
    await write(
        bot, office.guild.id, question("GQ-1", status="partially_answered", responses=responses)
    )
    reply = await fake.slash("oversight show", question="GQ-1", user=office.staffer)
    assert fields(reply)["Responses"] == (
        f"• {ts(2026, 11, 10)}: ICE acknowledged the letter.\n"
        f"• {ts(2026, 11, 20)}: ICE says 40 officers carry cameras. "
        "([ICE letter](https://example.org/ice))"
    )


async def test_fifty_long_responses_are_paged_not_cut(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Fifty 2,000-character responses need several pages; walked by clicks, every response
    appears whole, in order, and no page breaks a limit."""
    responses = [
        {"received_on": "2026-11-01", "summary": f"Response {n:02}: " + "word " * 395}
        for n in range(50)
    ]
    await write(bot, office.guild.id, question("GQ-1", responses=responses))
    reply = await fake.slash("oversight show", question="GQ-1", user=office.staffer)
    pages = [field_list(reply.embeds)]
    while not buttons(reply)["page:next"].get("disabled"):
        await fake.click(reply, "page:next")
        pages.append(field_list(reply.message.embeds))
    text = " ".join(v for page in pages for n, v in page if n.startswith("Responses"))
    assert len(pages) > 3
    assert [int(part[:2]) for part in text.split("Response ")[1:]] == list(range(50))
    assert text.count("word") == 50 * 395


async def test_a_4000_character_question_shows_whole(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Every one of 4,000 characters is shown, across descriptions if need be, within limits;
    mentions inside it are defanged."""
    text = ("Why were cameras off? @everyone " * 200)[:4000].strip()
    assert len(text) >= 3990
    await write(bot, office.guild.id, question("GQ-1", question=text))
    reply = await fake.slash("oversight show", question="GQ-1", share=True, user=office.staffer)
    joined = " ".join(
        embed.get("description", "") for embed in reply.embeds if embed.get("description")
    )
    lead, _, shown = joined.partition("\n\n")
    assert lead == "GQ-1 is pending; no due date is recorded."
    assert " ".join(shown.replace("@\u200beveryone", "@everyone").split()) == " ".join(text.split())
    assert "@everyone" not in shown


async def test_show_an_unknown_question_says_how_to_name_one(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """OQ-99 does not exist: a private message says to use an id such as OQ-4."""
    reply = await fake.slash("oversight show", question="OQ-99", user=office.staffer)
    assert reply.ephemeral and reply.content == (
        "No question 'OQ-99'. Use its id (such as OQ-4) or pick one from the list."
    )


async def test_show_autocomplete_ranks_ids_and_stays_fast_with_5000_questions(
    fake: FakeDiscord, office: Office, big
) -> None:
    """'OQ-4' offers OQ-4 first; 'GQ-1' offers at most 25, all starting GQ-1, within a second."""
    offered = await fake.autocomplete(
        "oversight show", focused="question", value="OQ-4", user=office.staffer
    )
    assert offered[0]["value"] == "OQ-4"
    started = time.perf_counter()
    many = await fake.autocomplete(
        "oversight show", focused="question", value="GQ-1", user=office.staffer
    )
    assert time.perf_counter() - started < 1.0
    assert len(many) == 25 and all(c["value"].startswith("GQ-1") for c in many)


# ---------------------------------------------------------------- /oversight due


async def test_due_groups_the_three_overdue_and_says_nothing_is_due(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """With 14 days: OQ-4 and OQ-7 (whose bill's enacted content is disputed) listed as
    'deadline uncertain', not counted overdue; OQ-5's July 1 is a trigger, not a deadline, so
    nothing is overdue; nothing due soon and no later deadline."""
    reply = await fake.slash("oversight due", user=office.staffer)
    assert reply.embeds[0]["title"] == "Oversight questions due within 14 days"
    assert reply.embeds[0]["description"].startswith(
        "**0 overdue · 2 deadline uncertain (basis disputed) · 0 due by Dec 12, 2026**"
    )
    assert fields(reply)["Overdue (0)"] == "Nothing is overdue."
    assert "OQ-5" not in str(reply.embeds)
    uncertain = fields(reply)["Deadline uncertain (basis disputed) (2)"].split("\n")
    assert [line.split("`")[1] for line in uncertain] == ["OQ-4", "OQ-7"]
    assert uncertain[0].endswith(
        f"due {ts(2026, 5, 30)} ({ts(2026, 5, 30, 'R')}) · **deadline uncertain (basis disputed)**"
    )
    assert ts(2026, 7, 29) in uncertain[1] and "overdue" not in uncertain[1]
    assert "(quarterly)" in uncertain[1]
    assert fields(reply)["Due within 14 days (0)"] == (
        "Nothing is due in the next 14 days, and no open question is due later."
    )


async def test_due_says_when_the_next_deadline_is(fake: FakeDiscord, office: Office, bot) -> None:
    """With a question due Dec 20: 7 days ahead says the next due date is Dec 20; 30 days ahead
    lists it as due."""
    await write(bot, office.guild.id, question("GQ-1", due_date=dt.date(2026, 12, 20)))
    week = await fake.slash("oversight due", days=7, user=office.staffer)
    month = await fake.slash("oversight due", days=30, share=True, user=office.staffer)
    assert fields(week)["Due within 7 days (0)"].startswith(
        f"Nothing is due in the next 7 days. The next due date is {ts(2026, 12, 20)}"
    )
    soon = fields(month)["Due within 30 days (1)"]
    assert soon.startswith("`GQ-1`") and ts(2026, 12, 20) in soon
    assert week.ephemeral and not month.ephemeral


async def test_due_with_nothing_overdue_says_so(fake: FakeDiscord, office: Office, bot) -> None:
    """In an office that answered the three statutory questions, 'Overdue' says nothing is."""
    async with bot.database.session() as session:
        rows = [await find_question(session, Scope.shared(), k) for k in ("OQ-4", "OQ-5", "OQ-7")]
    async with bot.database.writer(Scope.guild(office.guild.id), EDITOR) as writer:
        for row in rows:
            await writer.edit(row, {"status": "answered"})
    reply = await fake.slash("oversight due", user=office.staffer)
    assert fields(reply)["Overdue (0)"] == "Nothing is overdue."


async def test_due_at_scale_pages_and_counts_what_it_cannot_show(
    fake: FakeDiscord, office: Office, big
) -> None:
    """1,019 overdue questions (and the starter data's 2 uncertain): 200 are listed over pages,
    the rest counted and pointed to /oversight list; every page stays within Discord's limits."""
    reply = await fake.slash("oversight due", user=office.staffer)
    assert reply.embeds[0]["description"].startswith(
        "**1,019 overdue · 2 deadline uncertain (basis disputed) · 50 due by Dec 12, 2026**"
    )
    pages = [reply.embeds]
    while not buttons(reply)["page:next"].get("disabled"):
        await fake.click(reply, "page:next")
        pages.append(reply.message.embeds)
    text = "\n".join(f["value"] for page in pages for e in page for f in e.get("fields", []))
    assert text.count("overdue**") == 200
    assert "… and 819 more: `/oversight list` shows them all." in text


# ---------------------------------------------------------------- privacy


async def test_a_guilds_private_question_never_reaches_another_guild(
    fake: FakeDiscord, office: Office, big
) -> None:
    """The office's 5,000 GQ questions appear in no other office's list, due, show or
    autocomplete."""
    other = fake.add_guild("Office of Sen. Other")
    colleague = other.add_member("colleague")
    where = {"guild": other, "user": colleague}
    listed = await fake.slash("oversight list", **where)
    due = await fake.slash("oversight due", days=365, **where)
    shown = await fake.slash("oversight show", question="GQ-1", **where)
    offered = await fake.autocomplete("oversight show", focused="question", value="GQ", **where)
    assert listed.embeds[0]["description"].startswith(
        "**7 questions · 0 overdue · 2 deadline uncertain (basis disputed)**"
    )
    assert "GQ-" not in str(due.embeds)
    assert (
        shown.content == "No question 'GQ-1'. Use its id (such as OQ-4) or pick one from the list."
    )
    assert offered == []


# ---------------------------------------------------------------- random options


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(
    status=st.one_of(st.none(), st.sampled_from([s.value for s in QuestionStatus])),
    asked_by=st.one_of(st.none(), st.text(min_size=1, max_size=100)),
    component=st.one_of(st.none(), st.text(min_size=1, max_size=40)),
)
async def test_random_list_options_never_break(
    fake: FakeDiscord,
    office: Office,
    bot,
    status: str | None,
    asked_by: str | None,
    component: str | None,
) -> None:
    """Any filters answer with questions or with what exists."""
    chosen = {"status": status, "asked_by": asked_by, "component": component}
    options = {k: v for k, v in chosen.items() if v is not None}
    reply = await fake.slash("oversight list", options=options, user=office.staffer)
    assert reply.embeds and reply.embeds[0]["title"] == "Oversight questions"


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(question=st.text(min_size=1, max_size=100), days=st.integers(1, 365))
async def test_random_questions_and_days_never_break(
    fake: FakeDiscord, office: Office, bot, question: str, days: int
) -> None:
    """Any typed question shows one or says none matches; any window answers with groups."""
    shown = await fake.slash("oversight show", question=question, user=office.staffer)
    due = await fake.slash("oversight due", days=days, user=office.staffer)
    assert shown.embeds or (shown.content or "").startswith("No question")
    assert due.embeds and not (due.content or "").startswith("Something went wrong")
    offered = await fake.autocomplete(
        "oversight show", focused="question", value=question, user=office.staffer
    )
    assert len(offered) <= 25
