"""/digest set, show, off and preview end to end through the fake Discord, on the starter data."""

from __future__ import annotations

import datetime as dt

import pytest

from db.dates import discord_timestamp
from db.digests import get_digest
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, FakeMember, Perm
from tests.conftest import NOW, Office

NEXT_NINE = dt.datetime(2026, 11, 29, 14, 0, tzinfo=dt.UTC)  # 09:00 New York


async def test_set_replies_with_the_schedule_and_next_run(
    fake: FakeDiscord, office: Office, bot, keeper: FakeMember
) -> None:
    reply = await fake.slash("digest set", schedule="daily 9:00", user=keeper)
    assert reply.ephemeral
    assert "every day at 9:00 AM (America/New_York)" in (reply.content or "")
    assert discord_timestamp(NEXT_NINE, "F") in (reply.content or "")
    row = await get_digest(bot.database, reply.channel.id)
    assert row is not None and row.next_run_at == NEXT_NINE and row.guild_id == office.guild.id


@pytest.fixture
def keeper(office: Office) -> FakeMember:
    """A member with Manage Channels (and nothing else): who sets up digests."""
    return office.guild.add_member("keeper", permissions=Perm.MANAGE_CHANNELS)


async def test_manage_server_alone_is_not_enough(fake: FakeDiscord, office: Office, bot) -> None:
    """Digests post into channels: Manage Server without Manage Channels is refused."""
    reply = await fake.slash("digest set", schedule="daily 9:00", user=office.admin)
    assert reply.ephemeral and "needs the Manage Channels permission" in (reply.content or "")


async def test_manage_channels_is_enough(fake: FakeDiscord, office: Office, bot) -> None:
    keeper = office.guild.add_member("keeper2", permissions=Perm.MANAGE_CHANNELS)
    reply = await fake.slash("digest set", schedule="weekdays 8:30", timezone="Europe/Berlin",
                             post_empty=True, user=keeper)  # fmt: skip
    assert "weekdays at 8:30 AM (Europe/Berlin)" in (reply.content or "")
    assert "even when there is nothing new" in (reply.content or "")


async def test_a_staffer_is_refused(fake: FakeDiscord, office: Office, bot) -> None:
    reply = await fake.slash("digest set", schedule="daily 9:00", user=office.staffer)
    assert reply.ephemeral
    assert "Manage Channels" in (reply.content or "")
    assert await get_digest(bot.database, reply.channel.id) is None


async def test_a_bad_schedule_says_what_works(
    fake: FakeDiscord, office: Office, bot, keeper: FakeMember
) -> None:
    reply = await fake.slash("digest set", schedule="sometimes", user=keeper)
    assert reply.ephemeral
    assert "couldn't read 'sometimes' as a schedule" in (reply.content or "")
    assert "'daily 9:00'" in (reply.content or "")
    bad_zone = await fake.slash("digest set", schedule="daily 9:00", timezone="Mars/Olympus",
                                user=keeper)  # fmt: skip
    assert "unknown time zone 'Mars/Olympus'" in (bad_zone.content or "")


async def test_show_and_off(fake: FakeDiscord, office: Office, bot, keeper: FakeMember) -> None:
    none = await fake.slash("digest show", user=keeper)
    assert "This channel has no digest" in (none.content or "")
    await fake.slash("digest set", schedule="mondays 9am", user=keeper)
    shown = await fake.slash("digest show", user=keeper)
    assert "Mondays at 9:00 AM (America/New_York)" in (shown.content or "")
    off = await fake.slash("digest off", user=keeper)
    assert off.content == "Digest turned off for this channel."
    assert await get_digest(bot.database, off.channel.id) is None
    again = await fake.slash("digest off", user=keeper)
    assert again.content == "This channel has no digest."


async def test_preview_shows_the_facts_privately(
    fake: FakeDiscord, office: Office, bot, keeper: FakeMember
) -> None:
    await fake.slash("digest set", schedule="daily 9:00", user=keeper)
    reply = await fake.slash("digest preview", user=keeper)
    assert reply.ephemeral
    [embed] = reply.embeds
    assert embed["title"] == "Oversight digest (preview)"
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    # OQ-5's July 1 is a trigger (which hearings count), not a deadline: nothing is overdue
    assert not any("Overdue" in name for name in fields)
    assert "OQ-5" not in str(embed)
    # OQ-4 and OQ-7 follow H.R. 7147, whose enacted content is disputed: no days-late count
    uncertain = fields["⚠️ Deadline uncertain, basis disputed (2)"]
    assert [line.split(":")[0] for line in uncertain.split("\n")] == ["• **OQ-4**", "• **OQ-7**"]
    assert uncertain.startswith("• **OQ-4**: Spend plan for the $20,000,000")
    assert "deadline uncertain (basis disputed)" in uncertain and "late" not in uncertain
    assert fields["Funding"].startswith("No FY2027 records yet; the latest year is FY2026. ")
    # FY2026's last recorded period: funded by H.R. 7147 through May 22, 2026 (disputed)
    assert "ended <t:" in fields["Funding"] and fields["Funding"].endswith("(disputed).")
    assert any(name.startswith("🕰️ Not updated in 30 days") for name in fields)


async def test_a_new_bill_action_reads_in_the_digest_as_in_its_post(
    fake: FakeDiscord, office: Office, bot, keeper: FakeMember
) -> None:
    """Congress.gov records H.R. 7147 passing the Senate 71-29: the digest's change line tells it
    in the sentence its change post opens with, by its day, not as 'added'."""
    async with bot.database.writer(Scope.shared(), Actor("Congress.gov")) as writer:
        await writer.create("action", {
            "measure_key": "119-hr7147", "action_date": "2026-11-20", "chamber": "senate",
            "text": "Passed Senate by Yea-Nay Vote. 71 - 29. Record Vote Number: 47.",
            "vote": "71-29", "stage_after": "passed_senate", "as_of": "2026-11-20",
        })  # fmt: skip
    reply = await fake.slash("digest preview", user=keeper)
    changes = next(f["value"] for f in reply.embeds[0]["fields"] if f["name"].startswith("Chang"))
    [line] = [line for line in changes.split("\n") if "Nov 20, 2026" in line]
    assert line == (
        f"• {discord_timestamp(NOW, 'f')} **Nov 20, 2026**: H.R. 7147 passed the Senate 71-29 "
        "(roll call 47) · by Congress.gov · shared"
    )
