"""/approps chart and /bodycam timeline end to end through the fake Discord, on the starter data:
an answer first, the figures in words, the PNG attached and shown in the embed, the source and
as-of date in the footer; bad options refused; nothing to chart said plainly; guilds apart."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from PIL import Image

from bot.client import OversightBot
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, FakeGuild, FakeMember, Reply
from tests.cogs.test_option_checks import refused, send
from tests.conftest import Office

Json = dict[str, Any]
EDITOR = Actor("test editor", 1)
SOURCE = [{"outlet": "Test Gazette", "url": "https://example.org/gazette"}]
MEGABYTE = 1024 * 1024


async def write(bot: OversightBot, kind: str, values: Json, scope: Scope, **when: Any) -> None:
    async with bot.database.writer(scope, EDITOR, **when) as writer:
        await writer.create(kind, values)


def attached(reply: Reply) -> tuple[str, bytes]:
    """The one file the answer carries, shown as the embed's image: its name and bytes."""
    assert reply.message is not None, reply.describe()
    [attachment] = reply.message.attachments
    name = attachment["filename"]
    assert reply.embeds[0]["image"]["url"] == f"attachment://{name}"
    return name, reply.message.files[name]


def picture(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) < MEGABYTE
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


def lines_of(reply: Reply) -> list[str]:
    return str(reply.embeds[0].get("description", "")).split("\n")


def other_office(fake: FakeDiscord) -> tuple[FakeGuild, FakeMember]:
    guild = fake.add_guild("Office of Sen. Other")
    return guild, guild.add_member("colleague")


# ---------------------------------------------------------------- /approps chart


async def test_the_funding_chart_answers_with_its_figures_and_image(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """No year given: FY2027 has no lines, so FY2026, said first; every line's amount in
    words; the PNG attached, 1200 px wide; the source and as-of date in the footer; private."""
    reply = await fake.slash("approps chart", user=office.staffer)
    assert reply.ephemeral
    embed = reply.embeds[0]
    assert embed["title"] == "DHS funding lines · FY2026 · chart"
    lines = lines_of(reply)
    assert lines[:2] == [
        "No funding lines for FY2027; showing FY2026, the latest year with lines.",
        "FY2026 has 8 funding lines: House amounts for 6 and Senate amounts for 2; no requested "
        "or enacted amount is recorded.",
    ]
    assert lines[2] == (
        "**DHS · Total discretionary** (H.R. 7147): House $64,400,000,000; not recorded: "
        "Requested, Senate, Enacted; a total of other lines"
    )
    assert any(
        line.startswith("**DHS · Withheld until FY2027 hearing QFRs are answered** (H.R. 7147)")
        and line.endswith("part of Office of the Secretary, not extra")
        for line in lines
    )
    assert len([line for line in lines if line.startswith("**")]) == 8
    sums = {f["name"]: f["value"] for f in embed["fields"]}["Sums per bill"]
    assert sums.startswith(
        "H.R. 7147, 2 lines added: House $22,000,000 (leaves out 3 totals and 1 withheld"
    )
    assert embed["footer"]["text"].startswith("Source: Oversight Desk records (Punchbowl News")
    assert embed["footer"]["text"].endswith(" · as of Jun 5, 2026")
    name, data = attached(reply)
    assert name == "funding-fy2026.png"
    assert picture(data).size[0] == 1200
    assert reply.message is not None
    alt = reply.message.attachments[0]["description"]  # the picture, for a screen reader
    assert alt.startswith(
        "Bar chart of FY2026 funding lines, each: DHS · Total discretionary, House "
        "$64,400,000,000; ICE · June 2026 reconciliation bill, Senate $38,500,000,000; "
    )


async def test_share_posts_it_for_everyone_and_the_same_data_draws_the_same_png(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    private = await fake.slash("approps chart", fiscal_year=2025, user=office.staffer)
    shared = await fake.slash("approps chart", fiscal_year=2025, share=True, user=office.staffer)
    assert private.ephemeral and not shared.ephemeral
    assert attached(private) == attached(shared)
    assert attached(shared)[0] == "funding-fy2025.png"
    assert "Enacted about $45,000,000,000" in str(shared.embeds[0]["description"])
    assert bot.charts.drawings == 1  # the second answer reused the drawing


async def test_a_bad_fiscal_year_is_refused_before_anything_is_drawn(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    reply = await send(fake, "approps chart", user=office.staffer, raw={"fiscal_year": 1800})
    assert refused(reply) == "`fiscal_year` must be between 1990 and 2100; you sent 1800."
    assert reply.message is not None and not reply.message.attachments
    reply = await send(fake, "approps chart", user=office.staffer, raw={"share": "yes"})
    assert refused(reply) == "`share` must be true or false; you sent `yes`."
    assert bot.charts.drawings == 0


async def test_lines_without_amounts_are_said_not_drawn(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A guild's FY2030 holds one line with no amount: the answer says so, with no image."""
    line = {"fiscal_year": 2030, "component": "ICE", "account": "Detention", "as_of": "2026-11-01"}
    await write(bot, "funding_line", {**line, "sources": SOURCE}, Scope.guild(office.guild.id))
    reply = await fake.slash("approps chart", fiscal_year=2030, user=office.staffer)
    assert lines_of(reply)[0] == (
        "FY2030 has 1 funding line, and no amount is recorded for any of them."
    )
    assert lines_of(reply)[1] == "**ICE · Detention**: no amount recorded"
    assert reply.message is not None and not reply.message.attachments
    assert "image" not in reply.embeds[0]


async def test_no_funding_lines_at_all_is_said_plainly(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    async with bot.database.sessions() as session, session.begin():
        from sqlalchemy import delete

        from db.models import FundingLine

        await session.execute(delete(FundingLine))
    reply = await fake.slash("approps chart", user=office.staffer)
    assert reply.embeds[0]["description"] == (
        "No funding lines recorded yet, for any fiscal year: nothing to chart."
    )
    assert reply.message is not None and not reply.message.attachments


async def test_a_guilds_private_line_never_reaches_another_guilds_chart(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """The other office's own $900M line is in its chart only; this office's chart is the
    shared dataset's, byte for byte."""
    before = await fake.slash("approps chart", fiscal_year=2026, user=office.staffer)
    guild, colleague = other_office(fake)
    line = {
        "fiscal_year": 2026,
        "component": "CBP",
        "account": "Private docking stations",
        "house": 900_000_000,
        "as_of": "2026-11-01",
        "sources": SOURCE,
    }
    await write(bot, "funding_line", line, Scope.guild(guild.id))
    theirs = await fake.slash("approps chart", fiscal_year=2026, guild=guild, user=colleague)
    mine = await fake.slash(
        "approps chart", fiscal_year=2026, guild=office.guild, user=office.staffer
    )
    assert "Private docking stations" in str(theirs.embeds)
    assert "Private docking stations" not in str(mine.embeds)
    assert attached(mine) == attached(before) != attached(theirs)


# ---------------------------------------------------------------- /bodycam timeline


async def test_the_timeline_tells_every_status_change(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Minneapolis ICE-ERO: none known from Jan 24, then the announcement of Feb 2, which
    nobody counted; the rows in words, the PNG attached, the footer's source and date."""
    reply = await fake.slash("bodycam timeline", user=office.staffer)
    assert reply.ephemeral
    lines = lines_of(reply)
    assert lines[0] == (
        "Today, 10 city·component records: 3 None known, 3 Partial, 2 Court-ordered and 2 Full "
        "(announced, not counted). The latest change: Minneapolis, MN · ICE-ERO, Full "
        "(announced, not counted) from Feb 2, 2026."
    )
    assert (
        "**Minneapolis, MN · ICE-ERO**: None known from Jan 24, 2026 → Full (announced, not "
        "counted) from Feb 2, 2026"
    ) in lines
    assert "**Nationwide · CBP-USBP**: Partial from Dec 31, 2021" in lines
    assert len([line for line in lines if line.startswith("**")]) == 10
    assert reply.embeds[0]["footer"]["text"].endswith(" · as of Feb 2, 2026")
    name, data = attached(reply)
    assert name == "bodycam-timeline.png" and picture(data).size[0] == 1200
    assert reply.message is not None
    assert reply.message.attachments[0]["description"].startswith(
        "Timeline of body-camera status, one band per status: Charlotte, NC · CBP-USBP, None "
        "known from Nov 14, 2025; "
    )


async def test_state_and_component_narrow_the_timeline(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    reply = await fake.slash("bodycam timeline", state="mn", component="ICE-ERO", share=True)
    assert not reply.ephemeral
    assert reply.embeds[0]["title"] == "Body cameras over time · MN · ICE-ERO"
    rows = [line for line in lines_of(reply) if line.startswith("**")]
    assert [row.split("**")[1] for row in rows] == ["Minneapolis, MN · ICE-ERO"]
    attached(reply)


async def test_bad_timeline_options_are_refused(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A state that is no state code, one of three letters, a component not offered: each
    refused with what is accepted; nothing drawn."""
    reply = await fake.slash("bodycam timeline", state="ZZ", user=office.staffer)
    assert reply.ephemeral and reply.content == (
        "state: 'ZZ' is not a state code; use two letters such as MN or TX (DC, PR and other "
        "territories work too; US means nationwide)"
    )
    reply = await send(fake, "bodycam timeline", user=office.staffer, raw={"state": "MNX"})
    assert refused(reply) == "`state` must be exactly 2 characters long; you sent 3."
    reply = await send(fake, "bodycam timeline", user=office.staffer, raw={"component": "FBI"})
    assert refused(reply).startswith("`component` must be one of ICE-ERO (")
    assert bot.charts.drawings == 0


async def test_no_record_for_the_filters_is_said_plainly(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    reply = await fake.slash("bodycam timeline", state="TX", component="ICE-HSI")
    assert reply.embeds[0]["description"] == (
        "No body-camera record for state TX and component ICE-HSI: nothing to chart. Try "
        "without one of the filters, or see /bodycam list."
    )
    assert reply.message is not None and not reply.message.attachments


async def test_a_guilds_private_city_never_reaches_another_guilds_timeline(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    guild, colleague = other_office(fake)
    city = {
        "city": "Secretville",
        "state": "CO",
        "component": "ICE-ERO",
        "status": "partial",
        "as_of": "2026-11-01",
        "sources": SOURCE,
    }
    await write(bot, "bodycam", city, Scope.guild(guild.id), effective_on=dt.date(2026, 11, 1))
    theirs = await fake.slash("bodycam timeline", guild=guild, user=colleague)
    mine = await fake.slash("bodycam timeline", guild=office.guild, user=office.staffer)
    assert "**Secretville, CO · ICE-ERO**: Partial from Nov 1, 2026" in lines_of(theirs)
    assert "Secretville" not in str(mine.embeds)
    assert attached(mine) != attached(theirs)


async def test_the_new_commands_are_guild_only_and_private_unless_shared(
    fake: FakeDiscord, bot: OversightBot
) -> None:
    from tests.support.commands import leaves

    synced = leaves(fake.synced[None])
    top = {command["name"]: command for command in fake.synced[None]}
    for name in ("approps chart", "bodycam timeline"):
        options = {option["name"]: option for option in synced[name].get("options", [])}
        assert options["share"]["type"] == 5 and not options["share"].get("required")
        root = top[name.split()[0]]
        assert root.get("contexts") == [0] or root.get("dm_permission") is False
