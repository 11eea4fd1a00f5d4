"""/approps status, bill and lines end to end through the fake Discord: the starter data's facts
(FY2026's lapses, votes and the disputed law), a funded and a lapsed FY2027, pages walked by
clicks, privacy between guilds, 10,000 bills, and random options."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from bench.dataset import Sizes, _row, generate
from bot import views as views_module
from bot.client import OversightBot
from bot.cooldowns import lift
from bot.render.common import AMBER, BLUE, GREEN, GREY, RED
from db.models import FundingLine, Measure
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, FakeGuild, FakeMember, Reply
from tests.conftest import Office
from tests.support.replies import buttons, field_list, fields, ts, wait_until_disabled

Json = dict[str, Any]
EDITOR = Actor("test editor", 1)
SOURCE = [{"outlet": "Test Gazette", "url": "https://example.org/gazette"}]
HIDDEN = dict(suppress_health_check=[HealthCheck.function_scoped_fixture])


async def write(bot: OversightBot, *records: tuple[str, Json], scope: Scope | None = None) -> None:
    async with bot.database.writer(scope or Scope.shared(), EDITOR) as writer:
        for kind, values in records:
            await writer.create(kind, values)


def fy2027_bill(**over: Any) -> tuple[str, Json]:
    values = {
        "congress": 119,
        "fiscal_year": 2027,
        "bill_type": "hr",
        "bill_number": 9001,
        "title": "Continuing Appropriations, 2027",
        "measure_kind": "cr",
        "stage": "enacted",
        "public_law": "119-120",
        "enacted_on": dt.date(2026, 9, 30),
        "as_of": dt.date(2026, 10, 1),
        "sources": SOURCE,
    }
    return "measure", {**values, **over}


def period(kind: str, start: dt.date, end: dt.date | None, **over: Any) -> tuple[str, Json]:
    values = {"fiscal_year": 2027, "period_type": kind, "start_date": start, "end_date": end}
    return "funding_period", {**values, "as_of": start, "sources": SOURCE, **over}


def line(n: int, **over: Any) -> Json:
    values = {
        "fiscal_year": 2026,
        "component": "CBP",
        "account": f"Synthetic account {n:03}",
        "house": 1_000_000 * n,
        "as_of": dt.date(2026, 1, 22),
        "sources": SOURCE,
    }
    return {**values, **over}


async def bulk(bot: OversightBot, kind: str, rows: list[Json]) -> None:
    """Insert many shared records at once (the writer, one by one, would take minutes)."""
    table: Any = {"measure": Measure, "funding_line": FundingLine}[kind].__table__
    now = bot.database.clock.now()
    async with bot.database.sessions() as session, session.begin():
        await session.execute(insert(table), [_row(kind, row, None, now) for row in rows])


@pytest.fixture
async def big(bot: OversightBot, office: Office) -> OversightBot:
    """The starter data plus 500 cities, 5,000 questions, 10,000 FY2026 bills and 40 lines."""
    await generate(bot.database, Sizes(cities=500, questions=5000, guilds=(office.guild.id,)))
    bills = [
        {
            "congress": 118,
            "fiscal_year": 2026,
            "bill_type": "hr",
            "bill_number": 10_000 + n,
            "title": f"Synthetic Appropriations Act No. {n}",
            "as_of": dt.date(2025, 12, 1),
            "sources": SOURCE,
        }
        for n in range(10_000)
    ]
    await bulk(bot, "measure", bills)
    await bulk(bot, "funding_line", [line(n) for n in range(1, 41)])
    return bot


async def detail(fake: FakeDiscord, reply: Reply, office: Office) -> Reply:
    """The status's second page: what the first screen leaves out."""
    return await fake.click(reply, "page:next", user=office.staffer)


def first_screen(reply: Reply) -> int:
    """Characters of the first page, as Discord counts them toward its limits."""
    (embed,) = reply.embeds
    fields_text = sum(len(f["name"]) + len(f["value"]) for f in embed.get("fields", []))
    footer = len(embed.get("footer", {}).get("text", ""))
    return len(embed.get("title", "")) + len(embed.get("description", "")) + fields_text + footer


def sentence(reply: Reply) -> str:
    """The answer's opening sentence: the first line of the first embed."""
    return str(reply.embeds[0]["description"]).split("\n")[0]


def other_office(fake: FakeDiscord) -> tuple[FakeGuild, FakeMember]:
    guild = fake.add_guild("Office of Sen. Other")
    return guild, guild.add_member("colleague")


# ---------------------------------------------------------------- the commands as registered


async def test_the_approps_group_is_guild_only_and_described(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """/approps status|bill|lines|chart work in servers only; every option is described, the
    years are bounded to 1990-2100 and the search to 100 characters."""
    group = next(c for c in fake.synced[None] if c["name"] == "approps")
    commands = {c["name"]: {o["name"]: o for o in c["options"]} for c in group["options"]}
    assert group["contexts"] == [0]
    assert {name: list(options) for name, options in commands.items()} == {
        "status": ["fiscal_year", "as_of", "share"],
        "bill": ["bill", "share"],
        "lines": ["fiscal_year", "search", "share"],
        "chart": ["fiscal_year", "share"],
    }
    assert all(o["description"] for options in commands.values() for o in options.values())
    for command in ("status", "chart"):
        year = commands[command]["fiscal_year"]
        assert (year["min_value"], year["max_value"]) == (1990, 2100)
    assert commands["lines"]["search"]["max_length"] == 100
    assert commands["bill"]["bill"]["autocomplete"] is True
    assert bot.user is not None and not fake.violations


# ---------------------------------------------------------------- /approps status: FY2026


async def test_status_falls_back_from_fy2027_to_fy2026(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """On 2026-11-28 the current year, FY2027, has no records: the answer says so and shows
    FY2026, privately."""
    reply = await fake.slash("approps status", user=office.staffer)
    (embed,) = reply.embeds
    assert reply.ephemeral
    assert embed["title"] == "DHS funding · FY2026"
    assert sentence(reply) == "No FY2027 funding recorded; FY2026 ended Sep 30, 2026."
    assert first_screen(reply) <= 2000


async def test_fy2026_is_over_and_no_period_covers_its_end(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """FY2026 ended on Sep 30; no period covers that day; the last one was P.L. 119-86's funding
    from Apr 30 to May 22, 2026, disputed. Grey: the year is over."""
    reply = await fake.slash("approps status", fiscal_year=2026, user=office.staffer)
    embed = reply.embeds[0]
    text = embed["description"]
    assert sentence(reply) == (
        "FY2026 ended Sep 30, 2026, and no recorded funding period covers its last day."
    )
    assert (
        f"🟢 Funded {ts(2026, 4, 30)} – {ts(2026, 5, 22)} by H.R. 7147 (P.L. 119-86) · ⚠️ disputed"
        in text
    )
    assert "No FY" not in text
    assert embed["color"] == GREY.value
    assert fields(reply)["Last recorded period"].startswith("DHS funded by Public Law 119-86")


async def test_status_shows_the_dispute_over_the_last_period(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """The last period's confidence is disputed, and the marker says what conflicts."""
    reply = await fake.slash("approps status", user=office.staffer)
    confidence = fields(reply)["Confidence"]
    assert confidence.startswith("⚠️ Disputed: CRS summary: a DHS continuing resolution")
    assert "Press (Punchbowl News): full-year funding except ICE and CBP" in confidence


async def test_status_says_what_each_chamber_has_done(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Each FY2026 bill with its stage: H.R. 7147 enacted as P.L. 119-86 after the House's
    220-207; H.R. 7148's House concurrence 217-214 on Feb 3; H.R. 4213 only reported."""
    reply = await detail(fake, await fake.slash("approps status", user=office.staffer), office)
    chambers = fields(reply)["What each chamber has done"]
    assert (
        "**H.R. 7147** Department of Homeland Security Appropriations Act, 2026 — Enacted "
        f"{ts(2026, 4, 30)} (P.L. 119-86)\n  House {ts(2026, 1, 22)} passed 220-207 · "
        f"Senate {ts(2026, 3, 27)} passed voice vote · President {ts(2026, 4, 30)}"
    ) in chambers
    assert (
        f"House {ts(2026, 2, 3)} House concurred in the Senate amendment 217-214 · "
        f"Senate {ts(2026, 1, 30)} passed 71-29"
    ) in chambers
    assert (
        "**H.R. 4213** Department of Homeland Security Appropriations Act, 2026 — Reported by"
        in (chambers)
    )
    assert "**Reconciliation bill for ICE and CBP (June 2026)** — Introduced" in chambers
    # The motion to proceed 53-46 says what was voted on: it never reads as passage.
    assert f"Senate {ts(2026, 6, 3)} motion to proceed (procedural, not passage) 53-46" in chambers
    assert chambers.index("H.R. 7147") < chambers.index("H.R. 4213")  # furthest along first
    assert reply.embeds and not fake.violations


async def test_status_names_the_components_of_the_dhs_only_lapse(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """The latest lapse, from 2026-02-14 to 2026-04-30: TSA, Coast Guard, Secret Service, FEMA
    and CISA worked unpaid; ICE and CBP kept operating."""
    affected = fields(await fake.slash("approps status", user=office.staffer))[
        "Components affected"
    ]
    assert affected.startswith(
        f"Latest lapse, {ts(2026, 2, 14)} – {ts(2026, 4, 30)}: TSA, Coast Guard, Secret Service, "
        "FEMA, CISA."
    )
    assert "staff worked unpaid; ICE and CBP kept operating" in affected


async def test_status_lists_the_five_newest_actions(fake: FakeDiscord, office: Office, bot) -> None:
    """Newest first: the June reconciliation vote 53-46, the signing of P.L. 119-86, the Senate's
    voice vote, H.R. 7481's introduction, and H.R. 7148's signing."""
    reply = await detail(fake, await fake.slash("approps status", user=office.staffer), office)
    newest = fields(reply)["Newest actions"]
    lines = newest.split("\n")
    assert len(lines) == 5
    assert lines[0].startswith(f"{ts(2026, 6, 3)} · Reconciliation bill for ICE and CBP")
    assert lines[0].endswith("**53-46** (procedural vote, not passage)")
    assert lines[1].startswith(f"{ts(2026, 4, 30)} · H.R. 7147 · President: Signed into law")
    assert lines[2].startswith(f"{ts(2026, 3, 27)} · H.R. 7147 · Senate:")
    assert lines[2].endswith("**voice vote**")
    assert lines[4].startswith(f"{ts(2026, 2, 3)} · H.R. 7148 · President:")


async def test_status_shows_the_body_camera_line(fake: FakeDiscord, office: Office, bot) -> None:
    """$20,000,000 for body-worn cameras in the House column, the other columns empty."""
    camera = fields(await fake.slash("approps status", user=office.staffer))["Body-camera funding"]
    assert camera == (
        "**ICE and CBP · Body-worn cameras for officers** (H.R. 7147)\n"
        "Requested — · House **$20,000,000** · Senate — · Enacted — · "
        "🟡 Reported (one secondary source)"
    )


async def test_status_lays_out_the_years_periods(fake: FakeDiscord, office: Office, bot) -> None:
    """FY2026 as a timeline: three lapses and three funded periods, in order."""
    reply = await detail(fake, await fake.slash("approps status", user=office.staffer), office)
    timeline = fields(reply)["FY2026 funding periods"]
    assert timeline.split("\n") == [
        f"🔴 Lapse {ts(2025, 10, 1)} – {ts(2025, 11, 12)}",
        f"🟢 Funded {ts(2025, 11, 12)} – {ts(2026, 1, 30)} by H.R. 5371 (continuing resolution)",
        f"🔴 Lapse {ts(2026, 1, 31)} – {ts(2026, 2, 3)}",
        f"🟢 Funded {ts(2026, 2, 3)} – {ts(2026, 2, 13)} by H.R. 7148 (omnibus, DHS division)",
        f"🔴 Lapse {ts(2026, 2, 14)} – {ts(2026, 4, 30)} (TSA, Coast Guard, Secret Service, "
        "FEMA, CISA) · ⚠️ disputed",
        f"🟢 Funded {ts(2026, 4, 30)} – {ts(2026, 5, 22)} by H.R. 7147 (P.L. 119-86) · ⚠️ disputed",
    ]


async def test_status_cites_its_sources(fake: FakeDiscord, office: Office, bot) -> None:
    """The first screen cites what its answer rests on (the law, the press that disputes it);
    the detail, every source as a link (the lapse's reporting, the camera line's); an as-of
    footer on both."""
    first = await fake.slash("approps status", user=office.staffer)
    assert fields(first)["Sources"].startswith(
        "• [GovInfo: Public Law 119-86 (PLAW-119publ86)](https://www.govinfo.gov/app"
    )
    # Punchbowl's only address on file was its home page: outlet without a link, never that.
    assert "\n• Punchbowl News\n" in fields(first)["Sources"]
    assert "punchbowl.news" not in fields(first)["Sources"]
    assert first.embeds[-1]["footer"]["text"] == "as of Jun 5, 2026 · 7 sources · page 1 of 2"
    reply = await detail(fake, first, office)
    sources = fields(reply)["All sources"]
    assert "[GovInfo: Public Law 119-86 (PLAW-119publ86)](https://www.govinfo.gov/app" in sources
    assert "• LeadingAge\n" in sources and "leadingage.org" not in sources
    assert "[Deseret News](https://deseret.com/politics/2026/01/20/dhs-increased-guardrails" in (
        sources
    )
    assert reply.embeds[-1]["footer"]["text"] == "as of Jun 5, 2026 · 7 sources · page 2 of 2"


async def test_status_of_a_year_with_bills_but_no_periods(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """FY2025 holds only the reconciliation law: no period is recorded, the law is enacted, and
    the answer cites the law's sources."""
    reply = await fake.slash("approps status", fiscal_year=2025, user=office.staffer)
    assert sentence(reply) == "FY2025 ended Sep 30, 2025; no funding periods are recorded for it."
    assert fields(reply)["Components affected"] == "No lapse recorded in FY2025."
    assert "• VisaVerge (July 2025)" in fields(reply)["Sources"]
    assert "visaverge.com" not in fields(reply)["Sources"]
    assert reply.embeds[-1]["footer"]["text"] == "as of Jul 4, 2025 · 2 sources · page 1 of 2"
    more = await detail(fake, reply, office)
    assert (
        f"**H.R. 1** One Big Beautiful Bill Act — Enacted {ts(2025, 7, 4)}"
        in (fields(more)["What each chamber has done"])
    )


async def test_a_far_year_falls_back_to_the_latest(fake: FakeDiscord, office: Office, bot) -> None:
    """FY2100 has no records yet: FY2026 is shown instead."""
    reply = await fake.slash("approps status", fiscal_year=2100, user=office.staffer)
    assert sentence(reply) == "No FY2100 funding recorded; FY2026 ended Sep 30, 2026."


async def test_status_can_be_shared(fake: FakeDiscord, office: Office, bot) -> None:
    """With share, the status is posted for everyone in the channel."""
    reply = await fake.slash("approps status", share=True, user=office.staffer)
    assert not reply.ephemeral and reply.embeds[0]["title"] == "DHS funding · FY2026"


@pytest.mark.parametrize("share", [False, True])
async def test_status_and_bill_answer_in_one_callback(
    fake: FakeDiscord, office: Office, bot, share: bool
) -> None:
    """/approps status and /approps bill answer with the message itself (callback type 4), not
    a defer and then an edit: one request to Discord, private unless shared (a slow build is
    still deferred in time by the watchdog, tests/bot/test_deadline.py)."""
    for path, options in (("approps status", {}), ("approps bill", {"bill": "7147"})):
        for _ in range(2):  # built, then from memory
            reply = await fake.slash(path, share=share, user=office.staffer, **options)
            assert (reply.type, reply.original_edits, reply.followups) == (4, 0, []), path
            assert reply.ephemeral is not share and reply.embeds, path


# ---------------------------------------------------------------- /approps status: as_of


async def test_status_as_of_march_1_answers_for_that_day(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """ "Was DHS funded on March 1?": no, the DHS-only lapse, on its 16th day, red, with the
    lapse as the period then in force; all on a first screen of at most 2,000 characters."""
    reply = await fake.slash("approps status", as_of="March 1, 2026", user=office.staffer)
    assert sentence(reply) == (
        "On Mar 1, 2026, DHS funding had lapsed for TSA, Coast Guard, Secret Service, FEMA, CISA "
        "since Feb 14, 2026 — day 16."
    )
    assert reply.embeds[0]["color"] == RED.value
    assert fields(reply)["Period in force on Mar 1, 2026"].startswith("DHS-only shutdown")
    assert first_screen(reply) <= 2000
    assert reply.embeds[0]["footer"]["text"].endswith("page 1 of 2")


async def test_status_as_of_a_funded_day_in_the_past(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """On Dec 1, 2025 the CR H.R. 5371 funded DHS through Jan 30: 60 days left then. A date typed
    loosely (12/1/2025) picks its fiscal year, FY2026."""
    reply = await fake.slash("approps status", as_of="12/1/2025", user=office.staffer)
    assert reply.embeds[0]["title"] == "DHS funding · FY2026"
    assert reply.embeds[0]["description"] == (
        "On Dec 1, 2025, DHS was funded through Jan 30, 2026 by H.R. 5371 (continuing "
        "resolution) — 60 days left then."
    )
    assert reply.embeds[0]["color"] == GREEN.value


async def test_status_as_of_a_day_no_period_covers(fake: FakeDiscord, office: Office, bot) -> None:
    """On Jul 1, 2026 no recorded period covers DHS; the last one, P.L. 119-86's, ended May 22."""
    reply = await fake.slash("approps status", as_of="2026-07-01", user=office.staffer)
    assert sentence(reply) == (
        "On Jul 1, 2026, no recorded funding covered DHS; the last period ended May 22, 2026."
    )
    assert reply.embeds[0]["color"] == AMBER.value


async def test_status_as_of_an_unreadable_date_is_refused(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """A day-first date is refused privately, even when shared, naming the accepted forms."""
    reply = await fake.slash("approps status", as_of="30/01/2026", share=True, user=office.staffer)
    assert reply.ephemeral and reply.embeds == []
    assert reply.content is not None and "Could not read '30/01/2026' as a date" in reply.content
    assert "2026-02-13" in reply.content


async def test_the_first_screen_answers_and_the_detail_follows(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """Page 1 is the answer (period, confidence, who is affected, camera money, its sources),
    under 2,000 characters where the whole picture ran to 4,000; page 2 holds the bills, the
    newest actions and the year's periods."""
    reply = await fake.slash("approps status", user=office.staffer)
    assert list(fields(reply)) == [
        "Last recorded period",
        "Confidence",
        "Components affected",
        "Body-camera funding",
        "Sources",
    ]
    assert first_screen(reply) <= 2000
    more = await detail(fake, reply, office)
    assert more.embeds[0]["title"] == "DHS funding · FY2026 · the detail"
    assert list(fields(more)) == [
        "What each chamber has done",
        "Newest actions",
        "FY2026 funding periods",
        "All sources",
    ]
    back = await fake.click(more, "page:prev", user=office.staffer)
    assert sentence(back) == "No FY2027 funding recorded; FY2026 ended Sep 30, 2026."


# ---------------------------------------------------------------- /approps status: FY2027


async def test_a_funded_year_counts_down(fake: FakeDiscord, office: Office, bot) -> None:
    """Under a CR through 2026-12-19, on 2026-11-28 DHS is funded, green, with 21 days left."""
    await write(
        bot,
        fy2027_bill(),
        period("lapse", dt.date(2026, 10, 1), dt.date(2026, 10, 3), components=["TSA"]),
        period("funded", dt.date(2026, 10, 4), dt.date(2026, 12, 19), measure_key="119-hr9001"),
    )
    reply = await fake.slash("approps status", user=office.staffer)
    embed = reply.embeds[0]
    assert embed["title"] == "DHS funding · FY2027" and embed["color"] == GREEN.value
    assert embed["description"] == (
        "DHS is funded through Dec 19, 2026 by P.L. 119-120 — 21 days left.\n"
        f"Ends {ts(2026, 12, 19)} ({ts(2026, 12, 19, 'R')})."
    )
    assert first_screen(reply) <= 2000
    assert fields(reply)["Confidence"] == "🟡 Reported (one secondary source)"
    assert fields(reply)["Components affected"].startswith(
        f"No lapse in force. Latest lapse, {ts(2026, 10, 1)} – {ts(2026, 10, 3)}: TSA."
    )
    assert fields(reply)["Body-camera funding"] == "No body-camera line recorded for FY2027."


async def test_a_lapse_counts_its_days(fake: FakeDiscord, office: Office, bot) -> None:
    """A lapse since 2026-10-01 is on day 59 on 2026-11-28: red, with who is affected."""
    description = "FEMA and TSA staff work unpaid."
    await write(
        bot,
        period(
            "lapse", dt.date(2026, 10, 1), None, components=["FEMA", "TSA"], description=description
        ),
    )
    reply = await fake.slash("approps status", user=office.staffer)
    embed = reply.embeds[0]
    assert embed["color"] == RED.value
    assert embed["description"] == (
        "DHS funding has lapsed for FEMA, TSA since Oct 1, 2026 — day 59."
    )
    assert fields(reply)["Components affected"] == f"FEMA, TSA\n{description}"
    assert fields(reply)["Period in force"] == description


async def test_no_period_covers_today(fake: FakeDiscord, office: Office, bot) -> None:
    """A CR that ran out on 2026-11-20 with nothing recorded since: amber, saying no period
    covers today and what the last one was."""
    await write(
        bot,
        fy2027_bill(),
        period("funded", dt.date(2026, 10, 1), dt.date(2026, 11, 20), measure_key="119-hr9001"),
    )
    embed = (await fake.slash("approps status", user=office.staffer)).embeds[0]
    assert embed["color"] == AMBER.value
    assert embed["description"] == (
        "No recorded funding covers DHS today, Nov 28, 2026; the last period ended Nov 20, 2026."
        f"\nThe last recorded period: 🟢 Funded {ts(2026, 10, 1)} – {ts(2026, 11, 20)} by "
        "H.R. 9001 (P.L. 119-120)."
    )


async def test_a_year_that_has_not_started(fake: FakeDiscord, office: Office, bot) -> None:
    """FY2028, asked about in November 2026, begins on 2027-10-01: blue, with its bill."""
    await write(bot, fy2027_bill(fiscal_year=2028, stage="introduced", public_law=None))
    reply = await fake.slash("approps status", fiscal_year=2028, user=office.staffer)
    embed = reply.embeds[0]
    assert embed["color"] == BLUE.value
    assert embed["description"] == (
        f"FY2028 has not started: it begins Oct 1, 2027.\nBegins {ts(2027, 10, 1)} "
        f"({ts(2027, 10, 1, 'R')})."
    )
    assert (
        "**H.R. 9001** Continuing Appropriations, 2027 — Introduced"
        in (fields(await detail(fake, reply, office))["What each chamber has done"])
    )


async def test_another_guilds_period_stays_there(fake: FakeDiscord, office: Office, bot) -> None:
    """An office's own FY2027 CR funds DHS in its answers only; this office still sees FY2026."""
    guild, colleague = other_office(fake)
    await write(
        bot,
        fy2027_bill(),
        period("funded", dt.date(2026, 10, 1), dt.date(2026, 12, 19), measure_key="119-hr9001"),
        scope=Scope.guild(guild.id),
    )
    theirs = await fake.slash("approps status", guild=guild, user=colleague)
    mine = await fake.slash("approps status", guild=office.guild, user=office.staffer)
    assert theirs.embeds[0]["title"] == "DHS funding · FY2027"
    assert mine.embeds[0]["title"] == "DHS funding · FY2026"
    assert "H.R. 9001" not in str(mine.embeds)
    assert "H.R. 9001" not in str((await detail(fake, mine, office)).embeds)


# ---------------------------------------------------------------- /approps bill


async def test_bill_shows_the_stage_timeline(fake: FakeDiscord, office: Office, bot) -> None:
    """H.R. 7147: passed the House 220-207 on Jan 22, the Senate by voice vote on Mar 27, signed
    as P.L. 119-86 on Apr 30, 2026 (green: enacted)."""
    reply = await fake.slash("approps bill", bill="119-hr7147", user=office.staffer)
    embed = reply.embeds[0]
    assert reply.ephemeral
    assert embed["title"] == "H.R. 7147 — Department of Homeland Security Appropriations Act, 2026"
    assert embed["url"] == "https://www.congress.gov/bill/119th-congress/house-bill/7147"
    assert embed["color"] == GREEN.value
    assert embed["description"].startswith(
        f"**Enacted** {ts(2026, 4, 30)} ({ts(2026, 4, 30, 'R')}) as **Public Law 119-86**."
    )
    assert fields(reply)["Stage timeline"].split("\n") == [
        f"{ts(2026, 1, 22)} · House: Passed the House. **220-207** → Passed the House",
        f"{ts(2026, 3, 27)} · Senate: Passed the Senate with an amendment funding DHS except ICE "
        "and parts of CBP. **voice vote** → Passed the Senate",
        f"{ts(2026, 4, 30)} · President: Signed into law as Public Law 119-86, ending the "
        "DHS-only lapse. → Enacted",
    ]


async def test_an_enacted_bill_without_a_date_says_the_date_is_unknown(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Enacted with no enactment date recorded reads 'Enacted (date unknown)', not 'unknown'."""
    async with bot.database.writer(Scope.shared(), Actor("editor", 1)) as writer:
        await writer.change("measure", "119-hr4213", {"stage": "enacted"})
    reply = await fake.slash("approps bill", bill="119-hr4213", user=office.staffer)
    assert reply.embeds[0]["description"].startswith("**Enacted** (date unknown).")


async def test_bill_shows_its_disputed_confidence_and_sources(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """The law's content is disputed (CRS against the press); four sources, as links."""
    reply = await fake.slash("approps bill", bill="119-hr7147", user=office.staffer)
    assert fields(reply)["Confidence"].startswith("⚠️ Disputed: Sources conflict on what the law")
    assert "• Punchbowl News\n" in fields(reply)["Sources"]
    assert "punchbowl.news" not in fields(reply)["Sources"]
    assert reply.embeds[-1]["footer"]["text"] == "as of Apr 30, 2026 · 4 sources"


async def test_bill_lists_its_lines_and_questions(fake: FakeDiscord, office: Office, bot) -> None:
    """H.R. 7147 carries the $20,000,000 camera line; OQ-4 (spend plan, due 30 days after
    enactment: May 30), OQ-5 and OQ-7 follow it."""
    reply = await fake.slash("approps bill", bill="119-hr7147", user=office.staffer)
    lines = fields(reply)["Funding lines"]
    assert "**ICE and CBP · Body-worn cameras for officers** (FY2026): House **$20,000,000**" in (
        lines
    )
    assert "**DHS · Total discretionary** (FY2026): House **$64,400,000,000**" in lines
    questions = fields(reply)["Oversight questions"].split("\n")
    assert [q.split("**")[1] for q in questions] == ["OQ-4", "OQ-5", "OQ-7"]
    assert questions[0].endswith(f"— pending · due {ts(2026, 5, 30)}")


async def test_a_bill_typed_by_hand(fake: FakeDiscord, office: Office, bot) -> None:
    """'hr7148' typed by hand finds H.R. 7148: the House concurred 217-214 on Feb 3, 2026, and
    no public law number is on file."""
    reply = await fake.slash("approps bill", bill="hr7148", user=office.staffer)
    assert reply.embeds[0]["title"] == "H.R. 7148 — Consolidated Appropriations Act, 2026"
    assert reply.embeds[0]["description"].startswith(
        f"**Enacted** {ts(2026, 2, 3)} ({ts(2026, 2, 3, 'R')}). "
        "Public law number not on our sources."
    )
    assert (
        f"{ts(2026, 2, 3)} · House: House concurred in the Senate amendment. **217-214**"
        in fields(reply)["Stage timeline"]
    )
    assert fields(reply)["Oversight questions"] == "No questions linked."


async def test_a_bill_not_yet_enacted(fake: FakeDiscord, office: Office, bot) -> None:
    """H.R. 4213 was only reported by committee (grey), with its report number."""
    reply = await fake.slash("approps bill", bill="H.R. 4213", user=office.staffer)
    embed = reply.embeds[0]
    assert embed["description"] == (
        "**Reported by committee** · not enacted.\nFY2026 · regular bill · 119th Congress · "
        "H. Rept. 119-173"
    )
    assert embed["color"] == GREY.value


async def test_an_unknown_bill_is_refused_privately(fake: FakeDiscord, office: Office, bot) -> None:
    """'H.R. 1234' is on no record: a private message says how to pick one, even when shared."""
    reply = await fake.slash("approps bill", bill="H.R. 1234", share=True, user=office.staffer)
    assert reply.ephemeral and reply.embeds == []
    assert reply.content is not None and reply.content.startswith("No bill matches 'H.R. 1234'")


async def test_a_bill_can_be_shared(fake: FakeDiscord, office: Office, bot) -> None:
    """With share, the bill is posted for everyone."""
    reply = await fake.slash("approps bill", bill="119-hr7147", share=True, user=office.staffer)
    assert not reply.ephemeral and "H.R. 7147" in reply.embeds[0]["title"]


async def test_a_long_timeline_is_paged_not_cut(fake: FakeDiscord, office: Office, bot) -> None:
    """A bill with 60 actions shows every one of them, over fields and pages."""
    await write(
        bot,
        ("measure", {**fy2027_bill(stage="introduced", public_law=None, enacted_on=None)[1]}),
        *[
            (
                "action",
                {
                    "measure_key": "119-hr9001",
                    "action_date": dt.date(2026, 10, 1) + dt.timedelta(days=n),
                    "chamber": "house",
                    "text": f"Step {n:02}: " + "procedural motion considered at length. " * 3,
                    "as_of": dt.date(2026, 11, 1),
                    "sources": SOURCE,
                },
            )
            for n in range(60)
        ],
    )
    reply = await fake.slash("approps bill", bill="H.R. 9001", user=office.staffer)
    seen = field_list(reply)
    pages = 1
    while not buttons(reply)["page:next"].get("disabled"):
        reply = await fake.click(reply, "page:next", user=office.staffer)
        seen += field_list(reply)
        pages += 1
    timeline = "\n".join(value for name, value in seen if name.startswith("Stage timeline"))
    assert [line.split(" · House: ")[1][:7] for line in timeline.split("\n")] == [
        f"Step {n:02}" for n in range(60)
    ]
    assert pages > 1 and [name for name, _ in seen].count("Sources") == 1


async def test_long_text_stays_within_limits_and_whole(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """2,000 characters of notes (with @everyone) arrive whole and defanged over fields; a
    4,000-character question following the bill is listed, shortened visibly."""
    notes = ("@everyone " + "The committee report explains the funding at length. " * 40)[:2000]
    await write(
        bot,
        fy2027_bill(notes=notes),
        (
            "question",
            {
                "key": "OQ-99",
                "question": "Why " + "and how " * 499,
                "asked_by": "Rep. Example",
                "addressed_to": "DHS",
                "due_rule_measure_key": "119-hr9001",
                "due_rule_days": 30,
                "as_of": dt.date(2026, 10, 2),
            },
        ),
    )
    reply = await fake.slash("approps bill", bill="H.R. 9001", user=office.staffer)
    shown = [value for name, value in field_list(reply) if name.startswith("Notes")]
    defanged = notes.replace("@everyone", "@\u200beveryone")
    assert len(shown) == 2 and " ".join(" ".join(shown).split()) == " ".join(defanged.split())
    question = fields(reply)["Oversight questions"]
    assert question.startswith("**OQ-99** Why and how") and "…" in question
    assert question.endswith(f"— pending · due {ts(2026, 10, 30)}")


# ---------------------------------------------------------------- /approps bill: autocomplete


async def test_bill_autocomplete_ranks_by_number(fake: FakeDiscord, office: Office, bot) -> None:
    """'H.R. 714' offers H.R. 7147 and H.R. 7148, labelled with their titles."""
    offered = await fake.autocomplete(
        "approps bill", focused="bill", value="H.R. 714", user=office.staffer
    )
    assert offered == [
        {
            "name": "H.R. 7147 — Department of Homeland Security Appropriations Act, 2026",
            "value": "119-hr7147",
        },
        {"name": "H.R. 7148 — Consolidated Appropriations Act, 2026", "value": "119-hr7148"},
    ]


async def test_bill_autocomplete_by_title(fake: FakeDiscord, office: Office, bot) -> None:
    """'homeland' finds the three DHS bills and nothing else."""
    offered = await fake.autocomplete(
        "approps bill", focused="bill", value="homeland", user=office.staffer
    )
    assert [o["value"] for o in offered] == ["119-hr4213", "119-hr7147", "119-hr7481"]


async def test_bill_autocomplete_among_10000_bills(fake: FakeDiscord, office: Office, big) -> None:
    """With 10,000 more bills, 'H.R. 7147' still comes first, at most 25 choices, in time."""
    offered = await fake.autocomplete(
        "approps bill", focused="bill", value="H.R. 7147", user=office.staffer
    )
    assert offered[0]["value"] == "119-hr7147" and len(offered) <= 25
    many = await fake.autocomplete(
        "approps bill", focused="bill", value="Synthetic", user=office.staffer
    )
    assert len(many) == 25 and all("Synthetic Appropriations Act" in o["name"] for o in many)


async def test_another_guilds_bill_is_invisible(fake: FakeDiscord, office: Office, bot) -> None:
    """An office's own bill is offered and shown there, and neither offered nor found here."""
    guild, colleague = other_office(fake)
    await write(bot, fy2027_bill(title="Office draft on cameras"), scope=Scope.guild(guild.id))
    theirs = await fake.slash("approps bill", bill="H.R. 9001", guild=guild, user=colleague)
    offered = await fake.autocomplete(
        "approps bill", focused="bill", value="9001", guild=office.guild, user=office.staffer
    )
    mine = await fake.slash(
        "approps bill", bill="H.R. 9001", guild=office.guild, user=office.staffer
    )
    assert theirs.embeds[0]["title"] == "H.R. 9001 — Office draft on cameras"
    assert offered == []
    assert mine.content is not None and mine.content.startswith("No bill matches")


# ---------------------------------------------------------------- /approps lines


async def test_lines_default_to_fy2026_and_total_without_totals(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """FY2027 has no lines, so FY2026's eight are shown; sums are per bill and leave out the
    three 'Total' lines, so the reconciliation bill's Senate money is never added to H.R. 7147's."""
    reply = await fake.slash("approps lines", user=office.staffer)
    (embed,) = reply.embeds
    assert reply.ephemeral and embed["title"] == "DHS funding lines · FY2026"
    assert embed["description"].startswith(
        "No funding lines for FY2027; showing FY2026, the latest year with lines (years with "
        "lines: FY2025, FY2026).\n8 lines."
    )
    found = fields(reply)
    assert found["ICE and CBP · Body-worn cameras for officers"].startswith(
        "Requested — · House **$20,000,000** · Senate — · Enacted —"
    )
    assert found["DHS · Total discretionary (a total)"].startswith(
        "Requested — · House **$64,400,000,000**"
    )
    # $20M cameras + $2M training; the $5M withheld is inside the Office of the Secretary's
    # money, not extra, and the three 'Total' lines would count the others twice.
    assert found["Sum of 2 listed lines, H.R. 7147"] == (
        "Requested — · House **$22,000,000** · Senate — · Enacted —\n"
        "Leaves out 3 totals (would count lines twice) and 1 withheld within another line "
        "(not extra money)."
    )
    assert found["DHS · Withheld until FY2027 hearing QFRs are answered"].startswith(
        "Requested — · House **$5,000,000** · Senate — · Enacted — (part of Office of the "
        "Secretary, not extra)"
    )
    assert found["Sum of 2 listed lines, Reconciliation bill for ICE and CBP (June 2026)"] == (
        "Requested — · House — · Senate **$64,500,000,000** · Enacted —"
    )
    assert embed["footer"]["text"] == (
        "as of Jun 5, 2026 · 4 sources · sums are per bill, of the lines listed, leaving out "
        "totals and money withheld within another line"
    )


async def test_lines_of_fy2025_leave_out_the_reconciliation_total(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """FY2025's enacted reconciliation money: $45B + $29.9B + $46.5B; the $170B '(total)' line is
    listed but not added again."""
    reply = await fake.slash("approps lines", fiscal_year=2025, user=office.staffer)
    found = fields(reply)
    # The sources hedge every figure ("about $45 billion"): the sum keeps the "about".
    assert found["Sum of 3 listed lines, H.R. 1"] == (
        "Requested — · House — · Senate — · Enacted about **$121,400,000,000**\n"
        "Leaves out 1 total (would count lines twice).\n"
        "Some amounts are approximate, as the sources give them."
    )
    assert (
        "Enacted about **$170,000,000,000**"
        in (found["Multiple agencies · Immigration and border enforcement (total) (a total)"])
    )


async def test_lines_search_finds_the_camera_line(fake: FakeDiscord, office: Office, bot) -> None:
    """Searching 'camera' finds one line: $20,000,000 in the House column, from H.R. 7147."""
    reply = await fake.slash(
        "approps lines", fiscal_year=2026, search="camera", user=office.staffer
    )
    embed = reply.embeds[0]
    assert embed["description"].startswith("1 line matching “camera”.")
    found = fields(reply)
    assert found["ICE and CBP · Body-worn cameras for officers"] == (
        "Requested — · House **$20,000,000** · Senate — · Enacted —\n"
        "Account not named in our sources · H.R. 7147 · 🟡 Reported (one secondary source)"
    )
    assert found["Sum of 1 listed line, H.R. 7147"] == (
        "Requested — · House **$20,000,000** · Senate — · Enacted —"
    )
    assert "[Deseret News](https://deseret.com/politics/2026/01/20/" in found["Sources"]


async def test_a_search_that_finds_nothing_lists_the_years_lines(
    fake: FakeDiscord, office: Office, bot
) -> None:
    """'@everyone wall' matches no FY2026 line: the answer lists the eight that exist, and the
    search is shown defanged."""
    reply = await fake.slash(
        "approps lines", fiscal_year=2026, search="@everyone wall", user=office.staffer
    )
    (embed,) = reply.embeds
    assert embed["title"] == "No FY2026 funding line matches “@\u200beveryone wall”"
    listed = embed["description"].split("Lines for FY2026:\n")[1].split("\n")
    assert len(listed) == 8 and "• ICE and CBP · Body-worn cameras for officers" in listed


async def test_lines_can_be_shared(fake: FakeDiscord, office: Office, bot) -> None:
    """With share, the lines are posted for everyone."""
    reply = await fake.slash("approps lines", share=True, user=office.staffer)
    assert not reply.ephemeral and reply.embeds[0]["title"] == "DHS funding lines · FY2026"


async def test_another_guilds_line_stays_there(fake: FakeDiscord, office: Office, bot) -> None:
    """An office's own camera line shows in its search only."""
    guild, colleague = other_office(fake)
    await write(
        bot,
        ("funding_line", line(7, purpose="Camera docking stations")),
        scope=Scope.guild(guild.id),
    )
    theirs = await fake.slash("approps lines", search="camera", guild=guild, user=colleague)
    mine = await fake.slash(
        "approps lines", search="camera", guild=office.guild, user=office.staffer
    )
    assert "CBP · Camera docking stations" in fields(theirs)
    assert next(iter(fields(mine))) == "ICE and CBP · Body-worn cameras for officers"
    assert "docking" not in str(mine.embeds)


# ---------------------------------------------------------------- /approps lines: many pages


async def test_lines_walk_every_page(fake: FakeDiscord, office: Office, big) -> None:
    """48 FY2026 lines over 6 pages of 8: every line once, the same per-bill sums on every page,
    and 'next' disabled on the last."""
    reply = await fake.slash("approps lines", fiscal_year=2026, user=office.staffer)
    seen: list[str] = []
    unnamed_total = sum(1_000_000 * n for n in range(1, 41))
    for index in range(6):
        if index:
            reply = await fake.click(reply, "page:next", user=office.staffer)
        (embed,) = reply.embeds
        assert embed["footer"]["text"].endswith(f"page {index + 1} of 6")
        assert buttons(reply)["page:at"]["label"] == f"{index + 1} / 6"
        page = [name for name in fields(reply) if name != "Sources"]
        sums = [name for name in page if name.startswith("Sum of ")]
        assert sums == [
            "Sum of 2 listed lines, H.R. 7147",
            "Sum of 2 listed lines, Reconciliation bill for ICE and CBP (June 2026)",
            "Sum of 40 listed lines, lines naming no bill",
        ]
        assert f"House **${unnamed_total:,}**" in fields(reply)[sums[-1]]
        seen += [name for name in page if name not in sums]
    assert buttons(reply)["page:next"]["disabled"] and buttons(reply)["page:last"]["disabled"]
    assert len(seen) == len(set(seen)) == 48
    assert "CBP · Synthetic account 040" in seen


async def test_only_the_asker_turns_the_pages(fake: FakeDiscord, office: Office, big) -> None:
    """A colleague's click on a shared list is refused privately and changes nothing."""
    reply = await fake.slash("approps lines", fiscal_year=2026, share=True, user=office.staffer)
    before = reply.embeds[0]["fields"]
    refused = await fake.click(reply, "page:next", user=office.admin)
    assert refused.ephemeral and refused.content is not None
    assert refused.content.startswith("Only the person who ran this command")
    assert reply.embeds[0]["fields"] == before


async def test_the_buttons_go_quiet_after_the_timeout(
    fake: FakeDiscord, office: Office, big, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the view times out, every button of the lines is disabled."""
    monkeypatch.setattr(views_module, "PAGE_TIMEOUT", 0.2)
    reply = await fake.slash("approps lines", fiscal_year=2026, user=office.staffer)
    assert not buttons(reply)["page:next"].get("disabled")
    await wait_until_disabled(fake, reply)
    assert all(b.get("disabled") for b in buttons(reply).values())


async def test_status_with_10000_bills_keeps_its_facts(
    fake: FakeDiscord, office: Office, big
) -> None:
    """With 10,000 more FY2026 bills the status still leads with P.L. 119-86 and counts the bills
    it cannot list, all within one message."""
    reply = await fake.slash("approps status", fiscal_year=2026, user=office.staffer)
    assert "H.R. 7147 (P.L. 119-86)" in reply.embeds[0]["description"]
    assert fields(reply)["Body-camera funding"].startswith("**ICE and CBP · Body-worn cameras")
    assert first_screen(reply) <= 2000
    more = await detail(fake, reply, office)
    chambers = fields(more)["What each chamber has done"]
    assert chambers.startswith("**H.R. 5371**") and "**H.R. 7147**" in chambers
    assert chambers.endswith("more (see /approps bill)")
    assert buttons(more)["page:next"]["disabled"]  # the detail fits one more page


# ---------------------------------------------------------------- random options


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(year=st.one_of(st.none(), st.integers(1990, 2100)), share=st.booleans())
async def test_random_years_never_break_status(
    fake: FakeDiscord, office: Office, bot, year: int | None, share: bool
) -> None:
    """Any fiscal year in range answers with a status, never an unhandled error."""
    lift(bot)  # 20 statuses by one staffer on purpose, not a flood to refuse
    options = {"fiscal_year": year} if year is not None else {}
    reply = await fake.slash("approps status", share=share, user=office.staffer, **options)
    assert reply.embeds and reply.embeds[0]["title"].startswith("DHS funding · FY")


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(
    year=st.one_of(st.none(), st.integers(1990, 2100)),
    search=st.one_of(st.none(), st.text(min_size=1, max_size=100)),
)
async def test_random_lines_options_never_break(
    fake: FakeDiscord, office: Office, bot, year: int | None, search: str | None
) -> None:
    """Any year and any search text answer with lines or with what exists."""
    options = {k: v for k, v in {"fiscal_year": year, "search": search}.items() if v is not None}
    reply = await fake.slash("approps lines", user=office.staffer, **options)
    assert reply.embeds and not (reply.content or "").startswith("Something went wrong")


@settings(max_examples=20, deadline=None, **HIDDEN)
@given(bill=st.text(min_size=1, max_size=100))
async def test_random_bills_never_break(fake: FakeDiscord, office: Office, bot, bill: str) -> None:
    """Any typed bill either shows a bill or says none matches; autocomplete never fails."""
    reply = await fake.slash("approps bill", bill=bill, user=office.staffer)
    assert not (reply.content or "").startswith("Something went wrong")
    assert reply.embeds or (reply.content or "").startswith("No bill matches")
    offered = await fake.autocomplete(
        "approps bill", focused="bill", value=bill[:100], user=office.staffer
    )
    assert len(offered) <= 25


async def test_the_confidence_label_says_why(fake: FakeDiscord, office: Office, bot) -> None:
    """H.R. 4213 rests on Congress.gov (a primary source); H.R. 7148 on four reports that agree;
    the June reconciliation bill on one Punchbowl report; P.L. 119-86 says what conflicts."""
    confidence = {
        bill: fields(await fake.slash("approps bill", bill=bill, user=office.staffer))["Confidence"]
        for bill in (
            "119-hr4213",
            "119-hr7148",
            "119-reconciliation-bill-for-ice-and-cbp-june-2026",
        )
    }
    assert confidence == {
        "119-hr4213": "✅ Confirmed (primary source)",
        "119-hr7148": "✅ Confirmed (several sources)",
        "119-reconciliation-bill-for-ice-and-cbp-june-2026": "🟡 Reported (one secondary source)",
    }
    disputed = await fake.slash("approps bill", bill="119-hr7147", user=office.staffer)
    assert fields(disputed)["Confidence"].startswith("⚠️ Disputed: Sources conflict")
