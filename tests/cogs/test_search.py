"""/search and /cite end to end through the fake Discord: hits across kinds that name their
command, pages walked by clicks, memo-ready citations with absolute dates and sources, the
autocomplete across every kind, 5,000 generated questions, and privacy between guilds."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.dataset import Sizes, generate
from bot.client import OversightBot
from bot.cooldowns import lift
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, Reply
from tests.conftest import Office
from tests.support.replies import buttons
from tests.support.statements import interaction_statements

Json = dict[str, Any]
HIDDEN = dict(suppress_health_check=[HealthCheck.function_scoped_fixture])
EDITOR = Actor("test editor", 1)


def hits(embeds: list[Json]) -> list[str]:
    """Hit headings of a results page: '1. Bill · H.R. 7147 — …'."""
    return [f["name"] for embed in embeds for f in embed.get("fields", [])]


def cited(reply: Reply) -> list[str]:
    """The lines of a citation, checked to be one code block and nothing else."""
    content = reply.content or ""
    assert content.startswith("```\n") and content.endswith("\n```"), content
    assert reply.embeds == [] and len(content) <= 2000
    return content[4:-4].split("\n")


async def write(bot: OversightBot, guild_id: int, kind: str, values: Json) -> None:
    async with bot.database.writer(Scope.guild(guild_id), EDITOR) as writer:
        await writer.create(kind, values)


@pytest.fixture
async def big(bot: OversightBot, office: Office) -> OversightBot:
    """The starter data plus 500 cities and 5,000 questions of the office (GQ-1 … GQ-5000)."""
    await generate(bot.database, Sizes(cities=500, questions=5000, guilds=(office.guild.id,)))
    return bot


# ---------------------------------------------------------------- /search


async def test_search_finds_every_kind_and_names_the_command(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'7147' finds the bill first, then its questions and funding lines, each pointing at the
    command that shows it."""
    reply = await fake.slash("search", query="7147", user=office.staffer)
    [embed] = reply.embeds
    assert embed["description"].startswith("**11 results**, best match first.")
    first = embed["fields"][0]
    assert (
        first["name"]
        == "1. Bill · H.R. 7147 — Department of Homeland Security Appropriations Act, 2026"
    )
    assert first["value"].endswith("→ `/approps bill bill:119-hr7147`")
    commands = [f["value"].rsplit("→ ", 1)[1] for f in embed["fields"]]
    assert "`/oversight show question:OQ-4`" in commands
    assert "`/approps lines fiscal_year:2026`" in commands
    assert reply.ephemeral


async def test_search_by_question_id_points_at_oversight_show(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'OQ-2' finds the Pretti footage question: the Senate committee → CBP's commissioner."""
    reply = await fake.slash("search", query="OQ-2", user=office.staffer)
    [field] = reply.embeds[0]["fields"]
    assert field["name"] == (
        "1. Question · OQ-2: Senate Homeland Security and Governmental Affairs Committee → "
        "CBP Commissioner Rodney Scott"
    )
    assert field["value"].endswith("→ `/oversight show question:OQ-2`")


async def test_search_with_no_hit_suggests_broader_words(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'zeppelin' finds nothing: the reply says so, suggests broader words and says what exists."""
    reply = await fake.slash("search", query="zeppelin", user=office.staffer)
    [embed] = reply.embeds
    assert embed["description"].startswith("No record matches “zeppelin”.")
    assert "try fewer or broader words" in embed["description"]
    assert embed["fields"][0]["value"] == (
        "7 bills · 12 bill actions · 12 funding lines · 6 funding periods · "
        "10 body-camera records · 7 oversight questions"
    )


async def test_a_query_without_a_word_is_refused_with_what_is_accepted(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'!!' has nothing to search for: a private message says what to type."""
    reply = await fake.slash("search", query="!!", user=office.staffer)
    assert reply.ephemeral and (reply.content or "").startswith(
        "query: give at least one word of two or more letters or digits"
    )


async def test_search_is_posted_for_everyone_when_shared(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """share:true posts the results in the channel."""
    reply = await fake.slash("search", query="Minneapolis", share=True, user=office.staffer)
    assert not reply.ephemeral and reply.embeds[0]["fields"]


async def test_many_hits_are_walked_page_by_page(fake: FakeDiscord, office: Office, big) -> None:
    """'body cameras' over 5,000 questions: the best 100, ten a page, numbered 1 … 100 across
    ten pages clicked through; the last disables 'next'."""
    reply = await fake.slash("search", query="body cameras", user=office.staffer)
    assert reply.embeds[0]["description"].startswith("**the best 100 results**")
    assert buttons(reply)["page:at"]["label"] == "1 / 10"
    pages = [hits(reply.embeds)]
    while not buttons(reply)["page:next"].get("disabled"):
        await fake.click(reply, "page:next")
        pages.append(hits(reply.message.embeds))
    numbers = [int(name.split(".")[0]) for page in pages for name in page]
    assert len(pages) == 10 and numbers == list(range(1, 101))
    assert reply.message.embeds[-1]["footer"]["text"] == "Searched Nov 28, 2026 · page 10 of 10"


async def test_another_member_cannot_page_the_results(
    fake: FakeDiscord, office: Office, big
) -> None:
    """A colleague's click on shared results is refused privately."""
    reply = await fake.slash("search", query="body cameras", share=True, user=office.staffer)
    refused = await fake.click(reply, "page:next", user=office.admin)
    assert refused.ephemeral and "Only the person who ran this command" in (refused.content or "")
    assert hits(reply.message.embeds)[0].startswith("1. ")


# ---------------------------------------------------------------- /cite


async def test_cite_the_spend_plan_with_its_deadline_and_source(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """OQ-4's citation: its text, who owes it, pending with its deadline uncertain (what H.R.
    7147 enacted is disputed), due May 30, 2026 (30 days after H.R. 7147's enactment on Apr 30,
    2026), the Deseret News source, as of and confidence, in absolute dates."""
    reply = await fake.slash("cite", record="question:OQ-4", user=office.staffer)
    assert cited(reply) == [
        'Oversight question OQ-4: "Spend plan for the $20,000,000 provided for body-worn cameras '
        'for ICE and CBP officers."',
        "Asked by: Statute: FY2026 DHS appropriations (H.R. 7147). Addressed to: DHS, to the "
        "House and Senate Appropriations Committees. Vehicle: statute.",
        "Status: pending; deadline uncertain (basis disputed).",
        "Due: May 30, 2026 (30 days after enactment of H.R. 7147; enacted Apr 30, 2026).",
        "Source: Deseret News, https://deseret.com/politics/2026/01/20/"
        "dhs-increased-guardrails-funding-bill, published Jan 20, 2026",
        "As of Jan 20, 2026.",
        "Confidence: reported.",
    ]
    assert reply.ephemeral and "<t:" not in (reply.content or "")


async def test_cite_an_undisputed_overdue_question_counts_its_days(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """An office question due Nov 1 on no disputed basis: a plain count of days overdue."""
    values = {
        "key": "GQ-1",
        "question": "How many ERO officers in Duluth wear body cameras?",
        "asked_by": "Rep. Rivera",
        "addressed_to": "ICE",
        "due_date": dt.date(2026, 11, 1),
        "as_of": dt.date(2026, 10, 1),
    }
    await write(bot, office.guild.id, "question", values)
    reply = await fake.slash("cite", record="question:GQ-1", user=office.staffer)
    assert "Status: pending; overdue by 27 days." in cited(reply)
    assert "Due: Nov 1, 2026." in cited(reply)


async def test_cite_says_a_trigger_date_is_not_a_deadline(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """OQ-5's July 1 decides which hearings count: no due date, no overdue count."""
    reply = await fake.slash("cite", record="question:OQ-5", user=office.staffer)
    lines = cited(reply)
    assert "Status: pending." in lines and "Due: no due date recorded." in lines
    assert (
        "Trigger date: Jul 1, 2026 is a condition, not a deadline: FY2027 budget hearings held "
        "before it count; the $5,000,000 stays withheld until all their questions for the "
        "record are answered."
    ) in lines


async def test_cite_a_disputed_law_says_what_conflicts(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """H.R. 7147: enacted as Public Law 119-86 on Apr 30, 2026, its newest action, four sources,
    and what the sources dispute."""
    reply = await fake.slash("cite", record="measure:119-hr7147", user=office.staffer)
    lines = cited(reply)
    assert lines[:2] == [
        "H.R. 7147, Department of Homeland Security Appropriations Act, 2026 (119th Congress).",
        "Stage: enacted; Public Law 119-86, enacted Apr 30, 2026.",
    ]
    assert lines[2].startswith("Latest action: Apr 30, 2026, President: Signed into law")
    assert sum(line.startswith("Source: ") for line in lines) == 4
    assert "Source: Punchbowl News" in lines  # a home page is no address: outlet alone
    assert lines[-2] == "As of Apr 30, 2026."
    assert lines[-1].startswith(
        "Confidence: disputed. What conflicts: Sources conflict on what the law funds."
    )


async def test_cite_a_city_record_with_its_court_order(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Chicago's Border Patrol record: court ordered since Oct 17, 2025, 232 officers, the case."""
    reply = await fake.slash("cite", record="bodycam:chicago-il-cbp-usbp", user=office.staffer)
    lines = cited(reply)
    assert lines[:4] == [
        "Body cameras: Chicago, IL, CBP-USBP (Operation Midway Blitz)",
        "Status: court ordered, effective Oct 17, 2025.",
        "Officers equipped: 232.",
        "Court: Chicago Headline Club v. Noem, 1:25-cv-12173, N.D. Ill., Judge Sara L. Ellis; "
        "order Oct 17, 2025.",
    ]
    assert lines[-1] == "Confidence: confirmed."


async def test_cite_the_camera_funding_line(fake: FakeDiscord, office: Office, bot) -> None:
    """The $20,000,000 camera line: the House amount, its bill and the Deseret News source."""
    reply = await fake.slash(
        "cite",
        record="funding_line:fy2026-ice-and-cbp-body-worn-cameras-for-officers",
        user=office.staffer,
    )
    lines = cited(reply)
    assert lines[1] == (
        "Requested: not reported; House: $20,000,000; Senate: not reported; Enacted: not reported."
    )
    assert lines[2] == "In: H.R. 7147, Department of Homeland Security Appropriations Act, 2026."
    assert lines[3].startswith("Source: Deseret News, https://deseret.com/")


async def test_cite_the_dhs_lapse_and_a_house_vote(fake: FakeDiscord, office: Office, bot) -> None:
    """The DHS-only lapse ran Feb 14 to Apr 30, 2026; H.R. 7147 passed the House 220-207."""
    lapse = await fake.slash(
        "cite", record="funding_period:fy2026-lapse-2026-02-14", user=office.staffer
    )
    vote = await fake.slash(
        "cite", record="action:119-hr7147/2026-01-22/house", user=office.staffer
    )
    assert cited(lapse)[0] == (
        "FY2026 Lapse in appropriations: Feb 14, 2026 to Apr 30, 2026 (75 days)."
    )
    assert cited(vote)[:2] == [
        "H.R. 7147: Passed the House.",
        "Date: Jan 22, 2026; chamber: House; vote: 220-207; stage after: passed house.",
    ]


async def test_cite_accepts_an_id_typed_by_hand_and_shares(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'oq-4' typed by hand cites OQ-4 (due May 30, 2026); share:true posts it in the channel."""
    reply = await fake.slash("cite", record="oq-4", share=True, user=office.staffer)
    assert cited(reply)[0].startswith("Oversight question OQ-4:")
    assert any(line.startswith("Due: May 30, 2026 (30 days after") for line in cited(reply))
    assert not reply.ephemeral


async def test_cite_an_unknown_record_says_what_to_type(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'OQ-99' is not a record: a private message says how to pick one."""
    reply = await fake.slash("cite", record="OQ-99", user=office.staffer)
    assert reply.ephemeral and (reply.content or "").startswith(
        "No record 'OQ-99'. Type part of its name"
    )


async def test_a_citation_with_too_many_sources_counts_the_rest(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Twenty sources with long addresses: the citation stays within 2,000 characters, says how
    many sources it left out, and still ends with the as-of date and confidence."""
    sources = [
        {"outlet": f"Outlet {n}", "url": f"https://example.org/{n}/" + "a" * 300} for n in range(20)
    ]
    line = {
        "fiscal_year": 2027,
        "component": "ICE",
        "account": "Body cameras",
        "as_of": dt.date(2026, 11, 1),
        "sources": sources,
    }
    await write(bot, office.guild.id, "funding_line", line)
    reply = await fake.slash("cite", record="fy2027-ice-body-cameras", user=office.staffer)
    lines = cited(reply)
    shown = sum(line.startswith("Source: ") for line in lines)
    assert 0 < shown < 20 and f"… and {20 - shown} more sources" in lines
    assert lines[-2:] == ["As of Nov 1, 2026.", "Confidence: reported."]


async def test_cite_autocomplete_offers_every_kind_prefix_first(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'minn' offers the Minneapolis camera records before the questions that mention it; an
    empty box offers a record of each kind."""
    offered = await fake.autocomplete("cite", focused="record", value="minn", user=office.staffer)
    assert [c["name"] for c in offered[:2]] == [
        "Body cameras Minneapolis, MN · CBP-USBP",
        "Body cameras Minneapolis, MN · ICE-ERO",
    ]
    assert {c["value"] for c in offered[2:]} == {"question:OQ-2", "question:OQ-6"}
    empty = await fake.autocomplete("cite", focused="record", value="", user=office.staffer)
    kinds = {c["value"].split(":")[0] for c in empty}
    assert len(empty) == 25
    assert kinds == {"question", "measure", "bodycam", "funding_line", "funding_period", "action"}


async def test_cite_autocomplete_is_fast_with_5000_questions(
    fake: FakeDiscord, office: Office, big
) -> None:
    """With 5,000 questions and 1,263 city records, 'GQ-12' offers GQ-12 first, at most 25, well
    within the deadline; the choice it offers cites."""
    started = time.perf_counter()
    offered = await fake.autocomplete("cite", focused="record", value="GQ-12", user=office.staffer)
    assert time.perf_counter() - started < 1.0
    assert len(offered) == 25 and offered[0]["value"] == "question:GQ-12"
    assert offered[0]["name"].startswith("Question GQ-12: Question 11: what is the status")
    reply = await fake.slash("cite", record=offered[0]["value"], user=office.staffer)
    assert cited(reply)[0].startswith('Oversight question GQ-12: "Question 11:')


# ---------------------------------------------------------------- privacy


async def test_a_guilds_private_question_is_never_found_or_cited_elsewhere(
    fake: FakeDiscord, office: Office, big
) -> None:
    """The office's GQ questions are never searched, offered or cited in another office."""
    other = fake.add_guild("Office of Sen. Other")
    where = {"guild": other, "user": other.add_member("colleague")}
    found = await fake.slash("search", query="footage retention", **where)
    offered = await fake.autocomplete("cite", focused="record", value="GQ-1", **where)
    typed = await fake.slash("cite", record="GQ-1", **where)
    picked = await fake.slash("cite", record="question:GQ-1", **where)
    assert "GQ-" not in str(found.embeds)
    assert not any(c["value"].startswith("question:GQ") for c in offered)
    assert (typed.content or "").startswith("No record 'GQ-1'.")
    assert picked.content == (
        "No question 'GQ-1' here. Type part of its name and pick it from the list."
    )
    mine = await fake.slash(
        "search", query="footage retention", guild=office.guild, user=office.staffer
    )
    assert mine.embeds[0]["description"].startswith("**the best 100 results**")
    assert "Question · GQ-" in str(mine.embeds)


# ---------------------------------------------------------------- random input


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(query=st.text(min_size=2, max_size=100), share=st.booleans())
async def test_random_queries_never_break(
    fake: FakeDiscord, office: Office, bot, query: str, share: bool
) -> None:
    """Any query answers with results, with 'no record matches', or with what to type."""
    lift(bot)  # 20 searches by one staffer on purpose, not a flood to refuse
    reply = await fake.slash("search", query=query, share=share, user=office.staffer)
    content = reply.content or ""
    assert reply.embeds or content.startswith("query: give at least one word")
    assert not content.startswith("Something went wrong")


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(record=st.text(min_size=1, max_size=100))
async def test_random_records_never_break(
    fake: FakeDiscord, office: Office, bot, record: str
) -> None:
    """Any typed record cites one or says none matches; autocomplete offers at most 25."""
    reply = await fake.slash("cite", record=record, user=office.staffer)
    assert (reply.content or "").startswith(("```", "No record", "No question", "No bill", "No "))
    assert not (reply.content or "").startswith("Something went wrong")
    offered = await fake.autocomplete("cite", focused="record", value=record, user=office.staffer)
    assert len(offered) <= 25


# ---------------------------------------------------------------- what people type (db.resolve)


async def test_search_finds_a_committee_by_its_acronym(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'HSGAC' finds OQ-2, asked by the Senate Homeland Security and Governmental Affairs
    Committee."""
    reply = await fake.slash("search", query="HSGAC", user=office.staffer)
    assert hits(reply.embeds) == [
        "1. Question · OQ-2: Senate Homeland Security and Governmental Affairs Committee → CBP "
        "Commissioner Rodney Scott"
    ]


async def test_search_with_a_typo_says_did_you_mean(fake: FakeDiscord, office: Office, bot) -> None:
    """'minneapols' finds nothing as typed: the reply offers the spelling and the Minneapolis
    records."""
    reply = await fake.slash("search", query="minneapols", user=office.staffer)
    [embed] = reply.embeds
    assert embed["description"].startswith("No record matches “minneapols”.")
    assert embed["fields"][0]["name"] == "Did you mean “minneapolis”?"
    assert "Minneapolis, MN" in embed["fields"][0]["value"]


@pytest.mark.parametrize(
    ("typed", "first_line"),
    [
        ("oq2", "Oversight question OQ-2: "),
        ("2", "Oversight question OQ-2: "),
        ("7147", "H.R. 7147, Department of Homeland Security Appropriations Act, 2026"),
        ("P.L. 119-86", "H.R. 7147, Department of Homeland Security Appropriations Act, 2026"),
    ],
)
async def test_cite_by_what_people_type(
    fake: FakeDiscord, office: Office, bot, typed: str, first_line: str
) -> None:
    """/cite reads a loose question id, a bare bill number and a public law."""
    reply = await fake.slash("cite", record=typed, user=office.staffer)
    assert cited(reply)[0].startswith(first_line)


@pytest.mark.parametrize("typed", ["7147", "HR7147", "H.R. 7147", "P.L. 119-86"])
async def test_bill_option_reads_every_spelling(
    fake: FakeDiscord, office: Office, bot, typed: str
) -> None:
    """/approps bill finds H.R. 7147 by bare number, any spelling and its public law, and its
    autocomplete offers the same bill first."""
    reply = await fake.slash("approps bill", bill=typed, user=office.staffer)
    assert reply.embeds[0]["title"].startswith("H.R. 7147 — ")
    offered = await fake.autocomplete("approps bill", focused="bill", value=typed)
    assert offered[0]["value"] == "119-hr7147"


async def test_question_option_reads_loose_ids_and_says_did_you_mean(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'oq2' and '2' show OQ-2; an unknown bill's message lists the closest bills."""
    for typed in ("oq2", "OQ 2", "2"):
        reply = await fake.slash("oversight show", question=typed, user=office.staffer)
        assert reply.embeds[0]["title"].startswith("OQ-2 "), typed
    missing = await fake.slash(
        "approps bill", bill="homeland appropriation 2026", user=office.staffer
    )
    assert (missing.content or "").startswith("No bill matches 'homeland appropriation 2026'.")
    close = (missing.content or "").split("Did you mean ", 1)[1]
    assert "“H.R. 7147 — Department of Homeland Security Appropriations Act, 2026" in close


# -------------------------------------------------------- autocomplete offers what /cite reads

OQ_2 = "Question OQ-2: When will CBP release the body-camera footage of the shooting of Alex Pretti"


@pytest.mark.parametrize("typed", ["oq2", "OQ 2", "2", "HSGAC"])
async def test_cite_autocomplete_offers_what_cite_and_search_find(
    fake: FakeDiscord, office: Office, bot, typed: str
) -> None:
    """A question id typed loosely, or the acronym of the committee that asked it: /cite's
    autocomplete offers OQ-2 first, the record /cite resolves the text to and /search finds."""
    offered = await fake.autocomplete("cite", focused="record", value=typed, user=office.staffer)
    assert offered[0]["value"] == "question:OQ-2"
    assert offered[0]["name"].startswith(OQ_2)
    if typed != "HSGAC":  # an acronym names no record: /cite asks which
        assert cited(await fake.slash("cite", record=typed, user=office.staffer))[0].startswith(
            "Oversight question OQ-2: "
        )


async def test_every_record_option_reads_acronyms_and_loose_ids(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """The other options that take a record read the same: /track add's record and /oversight
    show's question offer OQ-2 for 'HSGAC' and 'oq2'; typing 'HSGAC' into /oversight show
    names it in the refusal."""
    channel = office.guild.add_channel("alerts")
    for typed in ("HSGAC", "oq2"):
        tracked = await fake.autocomplete(
            "track add",
            focused="record",
            value=typed,
            user=office.admin,
            channel=channel,
            kind="oversight",
        )
        assert tracked[0]["value"] == "question:OQ-2", typed
        shown = await fake.autocomplete(
            "oversight show", focused="question", value=typed, user=office.staffer
        )
        assert shown[0]["value"] == "OQ-2", typed
    refused = await fake.slash("oversight show", question="HSGAC", user=office.staffer)
    assert (refused.content or "").startswith("No question 'HSGAC'.")
    assert "Did you mean “OQ-2: When will CBP release" in (refused.content or "")


async def test_cite_autocomplete_puts_the_bill_typed_before_its_actions(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'7147' and 'HR 7147' offer H.R. 7147 itself first, then its actions: what /cite cites."""
    for typed in ("7147", "HR 7147"):
        offered = await fake.autocomplete(
            "cite", focused="record", value=typed, user=office.staffer
        )
        assert offered[0] == {
            "name": "Bill H.R. 7147 — Department of Homeland Security Appropriations Act, 2026",
            "value": "measure:119-hr7147",
        }
        actions = [c["name"] for c in offered[1:4]]
        assert all(name.startswith("Action ") and "· H.R. 7147 ·" in name for name in actions)


async def test_a_misspelled_title_is_corrected_by_every_word(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'homland apropriations' names the three DHS appropriations bills (H.R. 7147 among them),
    not the Consolidated Appropriations Act (H.R. 7148), in the bill option's refusal, its
    autocomplete, /cite's and /search's "did you mean"."""
    refused = await fake.slash("approps bill", bill="homland apropriations", user=office.staffer)
    close = (refused.content or "").split("Did you mean ", 1)[1]
    assert "“H.R. 7147 — Department of Homeland Security Appropriations Act, 2026”" in close
    assert "7148" not in close
    offered = await fake.autocomplete(
        "approps bill", focused="bill", value="homland apropriations", user=office.staffer
    )
    assert [o["value"] for o in offered] == ["119-hr4213", "119-hr7147", "119-hr7481"]
    cite = await fake.autocomplete(
        "cite", focused="record", value="homland apropriations", user=office.staffer
    )
    assert "measure:119-hr7147" in [c["value"] for c in cite[:3]]
    assert "measure:119-hr7148" not in [c["value"] for c in cite]
    searched = await fake.slash("search", query="homland apropriations", user=office.staffer)
    [field] = [f for f in searched.embeds[0]["fields"] if f["name"].startswith("Did you mean")]
    assert field["name"] == "Did you mean “homeland appropriations”?"
    assert "H.R. 7147 — Department of Homeland Security" in field["value"]


async def test_a_typo_of_a_word_in_a_questions_text_or_notes_is_corrected(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'retension' is in no record: /search says "did you mean 'retention'" with OQ-6, whose
    notes hold the word; an office question whose text holds it is offered for 'footage
    retension' by the question option, /cite's autocomplete and both refusals."""
    searched = await fake.slash("search", query="retension", user=office.staffer)
    [field] = [f for f in searched.embeds[0]["fields"] if f["name"].startswith("Did you mean")]
    assert field["name"] == "Did you mean “retention”?"
    assert field["value"].startswith("• Question OQ-6: Minneapolis body-camera policy")
    values = {
        "key": "GQ-1",
        "question": "How long does ICE keep body-camera footage under its retention policy?",
        "asked_by": "Rep. Example",
        "addressed_to": "ICE",
        "as_of": dt.date(2026, 11, 1),
    }
    await write(bot, office.guild.id, "question", values)
    typo = "footage retension"
    shown = await fake.autocomplete(
        "oversight show", focused="question", value=typo, user=office.staffer
    )
    assert [c["value"] for c in shown] == ["GQ-1"]
    offered = await fake.autocomplete("cite", focused="record", value=typo, user=office.staffer)
    assert [c["value"] for c in offered] == ["question:GQ-1"]
    refused = await fake.slash("oversight show", question=typo, user=office.staffer)
    assert "Did you mean “GQ-1: How long does ICE keep body-camera footage" in (
        refused.content or ""
    )
    not_cited = await fake.slash("cite", record=typo, user=office.staffer)
    assert "Did you mean “Question GQ-1: How long does ICE keep" in (not_cited.content or "")


# ---------------------------------------------------------------- statements per interaction


@pytest.mark.parametrize(
    "typed", ["minneapols", "homland apropriations", "retension", "7147", "HR 7147", "oq2", "HSGAC"]
)
async def test_an_autocomplete_runs_few_statements(
    fake: FakeDiscord, office: Office, bot, typed: str
) -> None:
    """Each autocomplete of /cite, a bill or a question costs at most 6 SQL statements, a typo
    included (it cost 12 for /cite: every kind queried twice); /search and /cite answering a
    typo with "did you mean" at most 6 (24 and 20)."""
    for path, focused in (
        ("cite", "record"),
        ("approps bill", "bill"),
        ("oversight show", "question"),
    ):
        with interaction_statements(bot) as statements:
            await fake.autocomplete(path, focused=focused, value=typed, user=office.staffer)
        # 0 once the guild's candidates are in memory (tests/cogs/test_autocomplete_memory.py)
        assert len(statements) <= 6, (path, statements)
    with interaction_statements(bot) as statements:
        await fake.slash("cite", record=typed, user=office.staffer)
    assert 0 < len(statements) <= 6, statements
    with interaction_statements(bot) as statements:
        await fake.slash("search", query=typed, user=office.staffer)
    assert 0 < len(statements) <= 6, statements
