"""/calendar events on|off|show: Manage Events (checked by the bot) to switch, anyone to look;
and the /about line that says how the server's calendar events stand."""

from __future__ import annotations

import icalendar
import pytest

from bot.client import OversightBot
from db.calendar_events import get_setting
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, FakeMember, Perm, Reply
from tests.conftest import Office
from tests.support.commands import leaves
from tests.support.replies import fields


@pytest.fixture
def organiser(office: Office) -> FakeMember:
    """A member with Manage Events and nothing else."""
    return office.guild.add_member("organiser", permissions=Perm.MANAGE_EVENTS)


@pytest.mark.parametrize("switch", ["on", "off"])
async def test_switching_needs_manage_events(
    fake: FakeDiscord, office: Office, bot: OversightBot, switch: str
) -> None:
    """A staffer, and an admin with Manage Server alone, are refused; nothing is stored."""
    for member in (office.staffer, office.admin):
        reply = await fake.slash(f"calendar events {switch}", user=member)
        assert reply.ephemeral
        assert reply.content == (
            f"Turning calendar events {switch} needs the Manage Events permission. "
            "Ask a server admin."
        )
    assert await get_setting(bot.database, office.guild.id) is None


async def test_a_member_with_manage_events_switches_and_anyone_looks(
    fake: FakeDiscord, office: Office, bot: OversightBot, organiser: FakeMember
) -> None:
    show = await fake.slash("calendar events show", user=office.staffer)
    assert show.ephemeral and (show.content or "").startswith("**Calendar events are off.**")
    assert "Off" in fields(await fake.slash("about", user=office.staffer))["Calendar events"]

    on = await fake.slash("calendar events on", user=organiser)
    assert (on.content or "").startswith("Calendar events are on, but paused")  # bot lacks it
    again = await fake.slash("calendar events on", user=organiser)
    assert again.content == "Calendar events were already on; nothing changed."
    setting = await get_setting(bot.database, office.guild.id)
    assert setting is not None and setting.enabled and setting.updated_by == organiser.id

    off = await fake.slash("calendar events off", user=organiser)
    assert (off.content or "").startswith("Calendar events are off.")
    setting = await get_setting(bot.database, office.guild.id)
    assert setting is not None and not setting.enabled


async def test_the_calendar_group_is_guild_only_and_described(
    fake: FakeDiscord, bot: OversightBot
) -> None:
    """/calendar keeps one group (export joins it later); each command says what it does."""
    commands = leaves(fake.synced[None])
    assert {"calendar events on", "calendar events off", "calendar events show"} <= set(commands)
    root = next(c for c in fake.synced[None] if c["name"] == "calendar")
    assert root.get("contexts") == [0]
    assert commands["calendar events off"]["description"] == (
        "Remove the scheduled events the bot made"
    )


# ---------------------------------------------------------------- /calendar export


def ics_of(reply: Reply) -> tuple[str, icalendar.Calendar]:
    assert reply.message is not None and reply.message.attachments, reply.content
    name = reply.message.attachments[0]["filename"]
    return name, icalendar.Calendar.from_ical(reply.message.files[name])


async def test_export_sends_the_servers_deadlines_as_a_calendar_file(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Anyone may export: a private .ics with the starter data's deadlines and this office's own,
    the reply saying how many, the next one and why some are tentative."""
    question = {
        "key": "GQ-1", "question": "How many ERO officers in Duluth wear body cameras?",
        "asked_by": "Rep. Rivera", "addressed_to": "ICE", "due_date": "2026-12-09",
        "as_of": "2026-11-01",
    }  # fmt: skip
    async with bot.database.writer(Scope.guild(office.guild.id), Actor("t")) as writer:
        await writer.create("question", question)
    reply = await fake.slash("calendar export", user=office.staffer)
    assert reply.ephemeral
    name, calendar = ics_of(reply)
    assert name == "oversight-desk-all-2026-11-28.ics"
    uids = {str(event["UID"]) for event in calendar.walk("VEVENT")}
    assert f"question/GQ-1@guild-{office.guild.id}.oversight-desk" in uids
    assert "question/OQ-4@shared.oversight-desk" in uids
    lines = (reply.content or "").split("\n")
    assert lines[0].startswith(f"**{len(uids)} deadlines** from Nov 28, 2025 to Nov 27, 2028")
    assert "The next: **Dec 9, 2026**, GQ-1 due: How many ERO officers" in lines[0]
    assert lines[1].endswith(
        "are marked tentative: their legal basis is disputed (deadline uncertain)."
    )
    assert lines[2].startswith("Import it into Outlook, Google or Apple Calendar")
    assert str(calendar["X-WR-CALNAME"]) == f"Oversight Desk: {office.guild.name}"


async def test_export_of_one_kind_shared_in_the_channel(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    reply = await fake.slash("calendar export", kinds="funding", share=True, user=office.staffer)
    assert not reply.ephemeral
    name, calendar = ics_of(reply)
    assert name.startswith("oversight-desk-funding-")
    events = calendar.walk("VEVENT")
    assert events and all(str(e["UID"]).startswith("funding_period/") for e in events)


async def test_export_with_nothing_in_it_says_so_and_sends_no_file(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    async with bot.database.writer(Scope.shared(), Actor("t")) as writer:
        for key in ("OQ-4", "OQ-7"):
            await writer.remove("question", key)
    reply = await fake.slash("calendar export", kinds="oversight", user=office.staffer)
    assert reply.content == (
        "No oversight deadlines from Nov 28, 2025 to Nov 27, 2028: there is nothing to put in a "
        "calendar."
    )
    assert reply.message is None or not reply.message.attachments
