"""/bodycam city and /bodycam list end to end through the fake Discord: the starter data's facts,
as-of dates, typos, filters, pages walked by clicks, privacy between guilds, and 500 cities."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.dataset import Sizes, generate
from bot import views as views_module
from bot.client import OversightBot
from bot.render.bodycam import STATUS_STYLES
from bot.render.common import AMBER, GREEN, GREY, PURPLE
from db.bodycam import list_bodycams
from db.models import CameraStatus, Component
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, Reply
from tests.conftest import Office
from tests.support.replies import buttons, fields, titles, ts, wait_until_disabled
from tests.support.statements import interaction_statements

Json = dict[str, Any]
EDITOR = Actor("test editor", 1)


def bodycam(city: str, state: str, **over: Any) -> Json:
    values = {"city": city, "state": state, "component": "ICE-ERO", "status": "announced"}
    return {**values, "as_of": dt.date(2026, 3, 1), "sources": [{"outlet": "Test"}], **over}


async def write(bot: OversightBot, *records: Json, scope: Scope | None = None) -> None:
    async with bot.database.writer(scope or Scope.shared(), EDITOR) as writer:
        for values in records:
            await writer.create("bodycam", values)


async def all_records(bot: OversightBot, scope: Scope, **filters: Any) -> list[Any]:
    async with bot.database.session() as session:
        return (await list_bodycams(session, scope, per_page=100_000, **filters)).records


def name_of(record: Any) -> str:
    where = "Nationwide" if record.state == "US" else f"{record.city}, {record.state}"
    return f"{where} · {record.component}"


async def answer(
    fake: FakeDiscord, office: Office, **options: Any
) -> tuple[list[Json], list[Json]]:
    """/bodycam city: the first page's embeds (the answer) and every embed of the pages after
    it (one component per page), walked by clicking 'next' on the one message."""
    reply = await fake.slash("bodycam city", user=office.staffer, options=options)
    pages = await walk(fake, reply, office)
    return pages[0], [embed for page in pages[1:] for embed in page]


def first_page_length(embeds: list[Json]) -> int:
    """Characters Discord counts on a page: titles, descriptions, fields and footers."""
    total = 0
    for embed in embeds:
        total += len(embed.get("title", "")) + len(embed.get("description", ""))
        total += len(embed.get("footer", {}).get("text", ""))
        total += sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    return total


async def walk(fake: FakeDiscord, reply: Reply, office: Office) -> list[list[Json]]:
    """The embeds of every page, clicking 'next' until it is disabled (or absent: one page).
    Copied as they are shown: the message is one, edited on each click."""
    pages = [list(reply.embeds)]
    while "page:next" in buttons(reply) and not buttons(reply)["page:next"].get("disabled"):
        reply = await fake.click(reply, "page:next", user=office.staffer)
        pages.append(list(reply.embeds))
    return pages


@pytest.fixture
async def big(bot: OversightBot, office: Office) -> OversightBot:
    """The starter data plus 500 generated cities (~1,263 records) and 5,000 questions."""
    await generate(bot.database, Sizes(cities=500, questions=5000, guilds=(office.guild.id,)))
    return bot


# ---------------------------------------------------------------- /bodycam city: the facts


MINNEAPOLIS_ANSWER = (
    "Minneapolis, MN: CBP U.S. Border Patrol and ICE ERO cameras announced for every officer, "
    "in effect Feb 2, 2026 (how many are worn is not counted); activation, retention and "
    "release rules not published."
)


async def test_minneapolis_answers_first_announced_not_worn(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """The first page answers in one plain sentence: cameras announced for every officer, in
    effect Feb 2, 2026, not counted, rules not published; one line per component; private."""
    reply = await fake.slash("bodycam city", city="Minneapolis", user=office.staffer)
    assert reply.ephemeral
    page, detail = await answer(fake, office, city="Minneapolis")
    (first,) = page
    assert first["title"] == "Body cameras · Minneapolis, MN"
    assert first["description"].startswith(MINNEAPOLIS_ANSWER + "\n\n")
    lines = first["description"].splitlines()[2:]
    assert lines[0] == (
        f"🟢 **CBP-USBP** Full · since {ts(2026, 2, 2)} · announced, not counted · ✅ Confirmed"
    )
    assert lines[-1] == "Each component in full, with sources, on the next pages."
    assert first["footer"]["text"] == "as of Feb 2, 2026 · 2 sources · page 1 of 3"
    assert first_page_length(page) <= 2000
    # The sources say announced: no word of ours says cameras are worn there.
    ours = first["description"].replace("how many are worn is not counted", "")
    assert not {"worn", "wear", "wears"} & set(ours.lower().replace(",", " ").split())
    assert [e["title"] for e in detail] == [
        "Minneapolis, MN · CBP-USBP",
        "Minneapolis, MN · ICE-ERO",
    ]


async def test_minneapolis_detail_is_one_component_per_page(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Page 3, ICE-ERO: Full 'announced, not counted' since 2026-02-02, green, with sources,
    the linked policy question, the $20M camera funding, a confidence that says what it
    confirms, and an as-of footer."""
    _, detail = await answer(fake, office, city="Minneapolis")
    ero = detail[1]
    facts = fields(ero)
    assert ero["color"] == GREEN.value
    assert facts["Status"] == "🟢 Full (announced, not counted)"
    assert facts["Effective"].startswith(ts(2026, 2, 2))
    assert f"**Full** since {ts(2026, 2, 2)} — announced, not counted" in ero["description"]
    assert facts["Operation"] == "Operation Metro Surge"
    assert facts["Confidence"].startswith("✅ Confirmed")
    assert facts["Confidence"].endswith(
        "The sources confirm the announcement; cameras in use are not counted."
    )
    assert "Star Tribune" in facts["Sources"] and "The New York Times" in facts["Sources"]
    assert "OQ-6: Minneapolis body-camera policy" in facts["Open questions"]
    assert "$20,000,000" in facts["Funding"]
    assert ero["footer"]["text"] == "as of Feb 2, 2026 · 2 sources · page 3 of 3"


async def test_an_announced_status_never_reads_as_worn(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Status Announced: 'announced, not confirmed in use'; a counted Full says worn."""
    await write(
        bot,
        bodycam("Duluth", "MN", effective_date=dt.date(2026, 3, 1)),
        bodycam("Fargo", "ND", status="full", effective_date=dt.date(2026, 3, 1)),
    )
    (duluth,), _ = await answer(fake, office, city="Duluth")
    (fargo,), _ = await answer(fake, office, city="Fargo")
    assert duluth["description"].startswith(
        "Duluth, MN: ICE ERO cameras announced, effective Mar 1, 2026, not confirmed in use; "
        "activation, retention and release rules not published.\n\n"
    )
    assert fargo["description"].startswith(
        "Fargo, ND: ICE ERO cameras worn by every officer since Mar 1, 2026; activation, "
        "retention and release rules not published.\n\n"
    )


async def test_chicago_shows_the_court_order(fake: FakeDiscord, office: Office, bot) -> None:
    """Chicago is court-ordered (purple): Chicago Headline Club v. Noem, No. 1:25-cv-12173,
    Judge Sara L. Ellis, order of 2025-10-17; CBP had 232 officers equipped."""
    first, detail = await answer(fake, office, city="chicago")
    assert first[0]["description"].startswith(
        "Chicago, IL: CBP U.S. Border Patrol and ICE ERO cameras required on by court order "
        "since Oct 17, 2025 (Chicago Headline Club v. Noem); 232 CBP U.S. Border Patrol officers "
        "equipped; retention and release rules not published.\n\n"
    )
    assert first_page_length(first) <= 2000
    cbp, ice = detail
    for embed in (cbp, ice):
        court = fields(embed)["Court order"]
        assert embed["color"] == PURPLE.value
        assert "*Chicago Headline Club v. Noem*, No. 1:25-cv-12173 (N.D. Ill.)" in court
        assert "Judge Sara L. Ellis" in court and f"Order of {ts(2025, 10, 17)}" in court
        assert "must turn them on" in fields(embed)["Activation (when cameras are on)"]
    assert fields(cbp)["Officers equipped"] == "232"
    assert fields(ice)["Officers equipped"] == "not published"
    assert "OQ-1" in fields(ice)["Open questions"]
    assert "CBS News Chicago (October-November 2025)" in fields(cbp)["Sources"]


async def test_nationwide_cbp_is_partial(fake: FakeDiscord, office: Office, bot) -> None:
    """Nationwide: CBP's two components and ICE are partial (amber); ICE's policy dates from
    2024-01-12 and cites ice.gov."""
    first, detail = await answer(fake, office, city="Nationwide")
    assert first[0]["description"].startswith(
        "Nationwide: CBP OFO and CBP U.S. Border Patrol cameras for some officers; ICE ERO "
        "cameras for some officers since Jan 12, 2024; activation, retention and release rules "
        "not published.\n\n"
    )
    assert [e["title"] for e in detail] == [
        "Nationwide · CBP-OFO",
        "Nationwide · CBP-USBP",
        "Nationwide · ICE-ERO",
    ]
    assert {fields(e)["Status"] for e in detail} == {"🟠 Partial"}
    assert {e["color"] for e in detail} == {AMBER.value}
    ice = detail[2]
    assert fields(ice)["Effective"].startswith(ts(2024, 1, 12))
    assert "U.S. Immigration and Customs Enforcement" in fields(ice)["Sources"]
    assert "7,000 cameras" in detail[1]["description"]


async def test_a_city_without_camera_reporting_is_grey(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Portland, ME: none known, reported by one outlet, no camera rules on record."""
    first, (embed,) = await answer(fake, office, city="Portland, ME")
    assert first[0]["description"].startswith("Portland, ME: no ICE ERO cameras known.\n")
    assert embed["title"] == "Portland, ME · ICE-ERO" and embed["color"] == GREY.value
    assert fields(embed)["Confidence"] == "🟡 Reported (one secondary source)"
    assert fields(embed)["Camera rules"].endswith("none on record.")
    assert embed["footer"]["text"] == "as of Jan 22, 2026 · 1 source · page 2 of 2"


async def test_a_disputed_record_says_what_conflicts(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """A disputed record shows the ⚠️ marker with the conflict in its own words."""
    conflict = "The city says 40 cameras; the union says none are in use."
    await write(bot, bodycam("Duluth", "MN", confidence="disputed", confidence_note=conflict))
    _, detail = await answer(fake, office, city="Duluth")
    assert fields(detail[0])["Confidence"].startswith(f"⚠️ Disputed: {conflict}")


async def test_share_posts_the_answer_in_the_channel(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """With share, the answer is visible to everyone in the channel."""
    reply = await fake.slash("bodycam city", city="Chicago", share=True, user=office.staffer)
    assert not reply.ephemeral and titles(reply) == ["Body cameras · Chicago, IL"]


# ---------------------------------------------------------------- /bodycam city: as of a date


@pytest.mark.parametrize("typed", ["2026-01-30", "Jan 30 2026", "1/30/2026"])
async def test_as_of_shows_minneapolis_before_the_announcement(
    fake: FakeDiscord, office: Office, bot, typed: str
) -> None:
    """On 2026-01-30 (however typed) Minneapolis had only its ICE record, with none known."""
    first, (embed,) = await answer(fake, office, city="Minneapolis", as_of=typed)
    assert first[0]["title"] == "Body cameras · Minneapolis, MN — as of Jan 30, 2026"
    assert first[0]["description"].startswith(
        "As of Jan 30, 2026 — Minneapolis, MN: no ICE ERO cameras known.\n"
    )
    assert embed["title"] == "Minneapolis, MN · ICE-ERO — as of Jan 30, 2026"
    assert f"Status on {ts(2026, 1, 30)}" in embed["description"]
    assert fields(embed)["Status"] == "⚪ None known"
    assert embed["color"] == GREY.value
    assert embed["footer"]["text"] == "as of Jan 24, 2026 · 2 sources · page 2 of 2"


async def test_as_of_after_the_announcement_is_full(fake: FakeDiscord, office: Office, bot) -> None:
    """On 2026-02-02 both Minneapolis records are full."""
    _, detail = await answer(fake, office, city="Minneapolis", as_of="2026-02-02")
    assert [fields(e)["Status"] for e in detail] == ["🟢 Full (announced, not counted)"] * 2


async def test_as_of_before_any_record_says_when_the_first_starts(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """On 2026-01-01 there was no Minneapolis record yet; the first starts 2026-01-24."""
    reply = await fake.slash(
        "bodycam city", city="Minneapolis", as_of="2026-01-01", user=office.staffer
    )
    (embed,) = reply.embeds
    assert embed["title"] == "Minneapolis, MN — as of Jan 1, 2026"
    assert f"**no record yet** for Minneapolis, MN on {ts(2026, 1, 1)}" in embed["description"]
    assert f"The first record starts {ts(2026, 1, 24)}" in embed["description"]


async def test_as_of_after_a_removal_says_the_record_was_gone(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Duluth's record ran from March to June 2026: as of July there was none any more."""
    async with bot.database.writer(Scope.shared(), EDITOR, effective_on=dt.date(2026, 3, 1)) as w:
        row = await w.create("bodycam", bodycam("Duluth", "MN"))
    async with bot.database.writer(Scope.shared(), EDITOR, effective_on=dt.date(2026, 6, 1)) as w:
        await w.delete(row)
    _, april = await answer(fake, office, city="Duluth", as_of="2026-04-01")
    july = await fake.slash("bodycam city", city="Duluth", as_of="2026-07-01", user=office.staffer)
    assert fields(april[0])["Status"] == "🟠 Announced"
    assert july.embeds[0]["title"] == "Duluth — as of Jul 1, 2026"
    assert (
        f"the records that started {ts(2026, 3, 1)} had been removed"
        in (july.embeds[0]["description"])
    )


async def test_an_unreadable_date_is_refused_privately(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """A day-first date is refused, privately even when shared, naming the accepted forms."""
    reply = await fake.slash(
        "bodycam city", city="Chicago", as_of="30/01/2026", share=True, user=office.staffer
    )
    assert reply.ephemeral and reply.embeds == []
    assert reply.content is not None and "Could not read '30/01/2026' as a date" in reply.content
    assert "2026-02-13" in reply.content


# ---------------------------------------------------------------- /bodycam city: finding a city


async def test_a_typo_suggests_the_nearest_city(fake: FakeDiscord, office: Office, bot) -> None:
    """'Minneapols' → "No record for 'Minneapols'. Did you mean Minneapolis, MN?"."""
    reply = await fake.slash("bodycam city", city="Minneapols", user=office.staffer)
    assert reply.content == "No record for 'Minneapols'. Did you mean Minneapolis, MN?"
    assert reply.ephemeral


async def test_a_citys_statements_do_not_grow_with_its_records(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """A city with a record for each of five components is read in as many statements as a
    city with one: links and camera funding are read once for all its records (they were read
    per record: 2 more statements each)."""
    await write(bot, bodycam("Onerecord", "TX"))
    await write(bot, *(bodycam("Fiverecords", "TX", component=c.value) for c in Component))
    counts = []
    for city in ("Onerecord", "Fiverecords"):
        with interaction_statements(bot) as seen:
            reply = await fake.slash("bodycam city", city=city, user=office.staffer)
        assert city in (reply.embeds[0]["title"] or ""), reply.embeds[0]
        counts.append(len(seen))
    assert counts[0] == counts[1] > 0, counts


async def test_a_name_near_no_city_counts_the_known_ones(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """A name like no other says how many cities are known and points to /bodycam list."""
    reply = await fake.slash("bodycam city", city="Xyzzyq", user=office.staffer)
    assert reply.content is not None
    assert reply.content.startswith("No record for 'Xyzzyq', and no known city is close to it.")
    assert "records for 6 cities" in reply.content and "`/bodycam list`" in reply.content


async def test_st_paul_finds_saint_paul_and_a_state_narrows(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'St. Paul' finds Saint Paul; 'Portland, ME' leaves out Portland, OR; 'Portland' has both."""
    await write(bot, bodycam("Saint Paul", "MN"), bodycam("Portland", "OR", status="full"))
    _, saint = await answer(fake, office, city="St. Paul")
    _, maine = await answer(fake, office, city="Portland, ME")
    both, detail = await answer(fake, office, city="portland")
    assert [e["title"] for e in saint] == ["Saint Paul, MN · ICE-ERO"]
    assert [e["title"] for e in maine] == ["Portland, ME · ICE-ERO"]
    assert [e["title"] for e in detail] == ["Portland, ME · ICE-ERO", "Portland, OR · ICE-ERO"]
    assert [e["title"] for e in both] == ["Body cameras · Portland (2 places)"]
    assert both[0]["description"].startswith(
        "Portland, ME: no ICE ERO cameras known. Portland, OR: ICE ERO cameras worn by every "
        "officer; activation, retention and release rules not published.\n"
    )


async def test_user_text_never_pings(fake: FakeDiscord, office: Office, bot) -> None:
    """Mentions typed as a city, or stored in a record, are shown broken, not as pings."""
    await write(bot, bodycam("Springfield", "IL", notes="Ask @everyone and <@123>."))
    typed = await fake.slash("bodycam city", city="@everyone", user=office.staffer)
    _, stored = await answer(fake, office, city="Springfield")
    assert typed.content is not None and "@\u200beveryone" in typed.content
    assert "@\u200beveryone and <\u200b@\u200b123>" in stored[0]["description"]


async def test_a_record_too_long_for_one_embed_continues_in_the_next(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """A record with every text at its longest spills into '(continued)'; nothing is cut."""
    long = {
        "notes": "N" * 2000,
        "activation_policy": "A" * 999 + "!",
        "retention_policy": "R" * 999 + "!",
        "release_policy": "L" * 999 + "!",
        "court_case": "C" * 200,
        "court_judge": "J" * 120,
        "sources": [{"outlet": f"Outlet {n}", "url": f"https://e.org/{n}"} for n in range(20)],
    }
    await write(bot, bodycam("Longtown", "TX", **long))
    _, embeds = await answer(fake, office, city="Longtown")
    assert [e["title"] for e in embeds] == [
        "Longtown, TX · ICE-ERO",
        "Longtown, TX · ICE-ERO (continued)",
    ]
    shown = {**fields(embeds[0]), **fields(embeds[1])}
    assert shown["Release (who can see footage)"] == "L" * 999 + "!"
    assert "N" * 2000 in embeds[0]["description"]
    assert "[Outlet 19](https://e.org/19)" in shown["Sources"]


async def test_a_city_in_many_states_pages_through_every_record(
    fake: FakeDiscord, office: Office, big
) -> None:
    """'Springfield' is on file in 25 states: its records come in pages, each record once."""
    scope = Scope.guild(office.guild.id)
    expected = [name_of(r) for r in await all_records(big, scope) if r.city == "Springfield"]
    page, detail = await answer(fake, office, city="Springfield")
    seen = [embed["title"] for embed in detail]
    assert sorted(seen) == sorted(expected) and len(expected) > 25
    places = {title.split(" · ")[0] for title in seen}
    (first,) = page
    assert first["title"] == f"Body cameras · Springfield ({len(places)} places)"
    assert first["description"].startswith("Springfield, ")
    assert "more places on the next pages." in first["description"]
    assert first_page_length(page) <= 2000


# ---------------------------------------------------------------- /bodycam list


async def test_list_counts_statuses_and_sorts_by_city(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """The starter list: counts by status on top, ten records sorted by city, one page."""
    reply = await fake.slash("bodycam list", user=office.staffer)
    (embed,) = reply.embeds
    assert reply.ephemeral and reply.message is not None and not reply.message.components
    assert embed["description"].startswith(
        "**10 records**: 🟢 Full **2** · 🟠 Partial **3** · "
        "🟣 Court-ordered **2** · ⚪ None known **3**"
    )
    assert list(fields(embed)) == [
        "Charlotte, NC · CBP-USBP",
        "Chicago, IL · CBP-USBP",
        "Chicago, IL · ICE-ERO",
        "Minneapolis, MN · CBP-USBP",
        "Minneapolis, MN · ICE-ERO",
        "Nationwide · CBP-OFO",
        "Nationwide · CBP-USBP",
        "Nationwide · ICE-ERO",
        "New Orleans, LA · CBP-USBP",
        "Portland, ME · ICE-ERO",
    ]
    chicago = fields(embed)["Chicago, IL · CBP-USBP"]
    assert f"🟣 Court-ordered · since {ts(2025, 10, 17)} · 232 officers equipped" in chicago
    assert embed["footer"]["text"] == "as of Feb 2, 2026 · 8 sources"


async def test_list_says_minneapolis_was_announced_not_counted(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """A list line opens with the status as the sources give it: announced, not counted."""
    reply = await fake.slash("bodycam list", user=office.staffer)
    minneapolis = fields(reply.embeds[0])["Minneapolis, MN · ICE-ERO"]
    assert minneapolis.startswith(f"🟢 Full (announced, not counted) · since {ts(2026, 2, 2)}\n")


async def test_list_filters_by_status(fake: FakeDiscord, office: Office, bot) -> None:
    """status Partial: the three nationwide records, in amber."""
    reply = await fake.slash("bodycam list", status="partial", user=office.staffer)
    (embed,) = reply.embeds
    assert embed["title"] == "Body cameras by city — status Partial"
    assert embed["color"] == AMBER.value
    assert list(fields(embed)) == [
        "Nationwide · CBP-OFO",
        "Nationwide · CBP-USBP",
        "Nationwide · ICE-ERO",
    ]
    assert embed["description"].startswith("**3 records**: 🟠 Partial **3**")


async def test_list_filters_by_state_in_any_case(fake: FakeDiscord, office: Office, bot) -> None:
    """state 'il': Chicago's two records."""
    reply = await fake.slash("bodycam list", state="il", user=office.staffer)
    embed = reply.embeds[0]
    assert embed["title"] == "Body cameras by city — state IL"
    assert list(fields(embed)) == ["Chicago, IL · CBP-USBP", "Chicago, IL · ICE-ERO"]


async def test_list_filters_by_component(fake: FakeDiscord, office: Office, bot) -> None:
    """component CBP-USBP: the five Border Patrol records."""
    reply = await fake.slash("bodycam list", component="CBP-USBP", user=office.staffer)
    names = list(fields(reply.embeds[0]))
    assert names == [
        "Charlotte, NC · CBP-USBP",
        "Chicago, IL · CBP-USBP",
        "Minneapolis, MN · CBP-USBP",
        "Nationwide · CBP-USBP",
        "New Orleans, LA · CBP-USBP",
    ]


async def test_list_refuses_an_unknown_state(fake: FakeDiscord, office: Office, bot) -> None:
    """'ZZ' is no state: the answer says so and what is accepted, privately."""
    reply = await fake.slash("bodycam list", state="ZZ", share=True, user=office.staffer)
    assert reply.ephemeral and reply.content is not None
    assert reply.content.startswith("state: 'ZZ' is not a state code")
    assert "such as MN" in reply.content


async def test_an_empty_list_says_what_exists(fake: FakeDiscord, office: Office, bot) -> None:
    """No full deployment in Illinois: Illinois has court orders; 'full' exists in Minnesota."""
    reply = await fake.slash("bodycam list", status="full", state="IL", user=office.staffer)
    (embed,) = reply.embeds
    assert embed["title"] == "No body-camera records match"
    assert embed["description"] == "Nothing on record for status Full, state IL."
    assert fields(embed) == {
        "Statuses on record with state IL": "🟣 Court-ordered 2",
        "States on record with status Full": "MN 2",
    }


async def test_an_empty_status_lists_the_statuses_on_record(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Nothing is suspended: the statuses that do exist are listed with their counts."""
    reply = await fake.slash("bodycam list", status="suspended", user=office.staffer)
    assert fields(reply.embeds[0]) == {
        "Statuses on record": "🟢 Full 2 · 🟠 Partial 3 · 🟣 Court-ordered 2 · ⚪ None known 3"
    }


async def test_a_page_of_the_longest_records_stays_within_limits(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Ten records with 100-character names, long operations, disputed notes and 20 long source
    links still make one valid page each, the cut sources counted."""
    url = "https://example.org/" + "x" * 400
    longest = {
        "operation": "O" * 200,
        "officers_equipped": 999_999,
        "effective_date": dt.date(2026, 1, 1),
        "confidence": "disputed",
        "confidence_note": "W" * 500,
        "sources": [{"outlet": "S" * 120, "url": f"{url}{n}"} for n in range(20)],
    }
    await write(bot, *(bodycam(f"{n:02}" + "Q" * 98, "TX", **longest) for n in range(11)))
    reply = await fake.slash("bodycam list", state="TX", user=office.staffer)
    pages = await walk(fake, reply, office)
    assert [len(page[0]["fields"]) for page in pages] == [10, 1]
    value = pages[0][0]["fields"][0]["value"]
    assert "⚠️ Disputed: WWW" in value and value.endswith("… and 20 more")


async def test_list_walks_every_page_of_500_cities(fake: FakeDiscord, office: Office, big) -> None:
    """With 500 generated cities every page is reached by clicking: ten records a page in city
    order, the same counts on top of each, 'page N of M', and 'next' disabled on the last."""
    records = await all_records(big, Scope.guild(office.guild.id))
    pages = math.ceil(len(records) / 10)
    reply = await fake.slash("bodycam list", user=office.staffer)
    header = reply.embeds[0]["description"].split("\n")[0]
    assert header.startswith(f"**{len(records):,} records**")
    for status, count in Counter(r.status for r in records).items():
        assert f"{STATUS_STYLES[status].label} **{count:,}**" in header
    seen: list[str] = []
    for index in range(pages):
        if index:
            reply = await fake.click(reply, "page:next", user=office.staffer)
        embed = reply.embeds[0]
        assert embed["description"].split("\n")[0] == header
        assert embed["footer"]["text"].endswith(f"page {index + 1} of {pages}")
        assert buttons(reply)["page:at"]["label"] == f"{index + 1} / {pages}"
        seen += list(fields(embed))
    assert buttons(reply)["page:next"]["disabled"] and buttons(reply)["page:last"]["disabled"]
    assert seen == [name_of(r) for r in records]


async def test_first_and_last_jump_across_the_list(fake: FakeDiscord, office: Office, big) -> None:
    """« and » jump to the first and the last page."""
    records = await all_records(big, Scope.guild(office.guild.id))
    reply = await fake.slash("bodycam list", user=office.staffer)
    last = await fake.click(reply, "page:last", user=office.staffer)
    assert list(fields(last.embeds[0])) == [
        name_of(r) for r in records[-(len(records) % 10 or 10) :]
    ]
    first = await fake.click(last, "page:first", user=office.staffer)
    assert list(fields(first.embeds[0])) == [name_of(r) for r in records[:10]]
    assert buttons(first)["page:prev"]["disabled"]


async def test_another_member_cannot_turn_the_pages(fake: FakeDiscord, office: Office, big) -> None:
    """A shared list's buttons answer only the asker; anyone else is told so privately."""
    reply = await fake.slash("bodycam list", share=True, user=office.staffer)
    before = reply.embeds[0]["fields"]
    refused = await fake.click(reply, "page:next", user=office.admin)
    assert refused.ephemeral and refused.content is not None
    assert refused.content.startswith("Only the person who ran this command")
    assert reply.embeds[0]["fields"] == before


async def test_the_buttons_go_quiet_after_the_timeout(
    fake: FakeDiscord, office: Office, big, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the view times out, every button of the list is disabled."""
    monkeypatch.setattr(views_module, "PAGE_TIMEOUT", 0.2)
    reply = await fake.slash("bodycam list", user=office.staffer)
    assert not buttons(reply)["page:next"].get("disabled")
    await wait_until_disabled(fake, reply)
    assert all(b.get("disabled") for b in buttons(reply).values())


async def test_list_filters_combine_at_scale(fake: FakeDiscord, office: Office, big) -> None:
    """status, state and component together list exactly the matching generated records."""
    scope = Scope.guild(office.guild.id)
    ended = await all_records(big, scope, status=CameraStatus.ended, component="ICE-HSI")
    state = ended[0].state
    expected = [r for r in ended if r.state == state]
    reply = await fake.slash(
        "bodycam list",
        status="ended",
        state=state.lower(),
        component="ICE-HSI",
        user=office.staffer,
    )
    assert list(fields(reply.embeds[0])) == [name_of(r) for r in expected][:10]
    assert reply.embeds[0]["description"].startswith(f"**{len(expected)} record")


# ---------------------------------------------------------------- autocomplete


async def test_autocomplete_offers_the_city_for_a_prefix(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'Minn' offers Minneapolis, MN; a typo still finds it."""
    prefix = await fake.autocomplete(
        "bodycam city", focused="city", value="Minn", user=office.staffer
    )
    typo = await fake.autocomplete(
        "bodycam city", focused="city", value="Minneapols", user=office.staffer
    )
    assert prefix[0] == {"name": "Minneapolis, MN", "value": "Minneapolis, MN"}
    assert typo[0]["name"] == "Minneapolis, MN"


async def test_autocomplete_puts_names_starting_with_the_text_first(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'Chicago' offers Chicago, IL before West Chicago, IL (a later word)."""
    await write(bot, bodycam("West Chicago", "IL"))
    offered = await fake.autocomplete(
        "bodycam city", focused="city", value="chicago", user=office.staffer
    )
    assert [choice["name"] for choice in offered] == ["Chicago, IL", "West Chicago, IL"]


async def test_autocomplete_ranks_prefixes_first_at_scale(
    fake: FakeDiscord, office: Office, big
) -> None:
    """Among 500 cities 'Spring' offers 25 choices, every one starting with 'Spring'."""
    spring = await fake.autocomplete(
        "bodycam city", focused="city", value="Spring", user=office.staffer
    )
    assert len(spring) == 25
    assert all(choice["name"].startswith("Spring") for choice in spring)


async def test_autocomplete_answers_quickly_with_10000_records(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """With over 10,000 city records autocomplete still answers at once with at most 25."""
    written = await generate(bot.database, Sizes(cities=4100, questions=0))
    assert written["bodycam"] >= 10_000
    for typed in ("Map", "Maplewod", ""):
        choices = await fake.autocomplete(
            "bodycam city", focused="city", value=typed, user=office.staffer, within=1.0
        )
        assert 0 < len(choices) <= 25


# ---------------------------------------------------------------- privacy between guilds


async def test_a_guilds_private_record_stays_in_that_guild(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """An office's own Duluth record answers there, and nowhere else: not in city, list, counts
    or autocomplete of another office."""
    other = fake.add_guild("Office of Sen. Other")
    colleague = other.add_member("colleague")
    await write(bot, bodycam("Duluth", "MN"), scope=Scope.guild(other.id))
    mine = await fake.slash("bodycam city", city="Duluth", guild=other, user=colleague)
    assert titles(mine) == ["Body cameras · Duluth, MN"]
    detail = await fake.click(mine, "page:next", user=colleague)
    theirs = await fake.slash(
        "bodycam city", city="Duluth", guild=office.guild, user=office.staffer
    )
    listed = await fake.slash("bodycam list", state="MN", guild=office.guild, user=office.staffer)
    offered = await fake.autocomplete(
        "bodycam city", focused="city", value="Dul", guild=office.guild, user=office.staffer
    )
    assert titles(detail) == ["Duluth, MN · ICE-ERO"]
    assert theirs.content is not None and theirs.content.startswith("No record for 'Duluth'")
    assert "Duluth" not in str(listed.embeds)
    assert listed.embeds[0]["description"].startswith("**2 records**")
    assert offered == []


# ---------------------------------------------------------------- nothing breaks


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    city=st.text(min_size=1, max_size=100),
    as_of=st.one_of(st.none(), st.text(min_size=1, max_size=40), st.dates().map(str)),
)
async def test_random_city_and_date_never_break(
    fake: FakeDiscord, office: Office, bot, city: str, as_of: str | None
) -> None:
    """Any typed city and date gets an answer or a clear refusal, never an unhandled error."""
    options = {"city": city} | ({"as_of": as_of} if as_of is not None else {})
    reply = await fake.slash("bodycam city", user=office.staffer, options=options)
    assert reply.embeds or reply.content
    assert not (reply.content or "").startswith("Something went wrong")


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    status=st.one_of(st.none(), st.sampled_from([s.value for s in CameraStatus])),
    state=st.one_of(st.none(), st.text(min_size=2, max_size=2)),
    component=st.one_of(st.none(), st.sampled_from([c.value for c in Component])),
)
async def test_random_list_filters_never_break(
    fake: FakeDiscord,
    office: Office,
    bot,
    status: str | None,
    state: str | None,
    component: str | None,
) -> None:
    """Any mix of filters gets a page, an empty-result hint or a clear refusal."""
    chosen = {"status": status, "state": state, "component": component}
    options = {name: value for name, value in chosen.items() if value is not None}
    reply = await fake.slash("bodycam list", user=office.staffer, options=options)
    assert reply.embeds or reply.content
    assert not (reply.content or "").startswith("Something went wrong")
