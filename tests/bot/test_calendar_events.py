"""Deadlines as the server's Discord scheduled events, end to end: the real bot, its calendar
service and the fake Discord. Created once, moved once, cancelled once; paused without Manage
Events and resumed when it comes back; never more than Discord's 100; no duplicate after a crash
between Discord's answer and the commit; every text inside Discord's limits (the fake checks
each request, and any violation fails the test)."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import pytest

from bot.calendar_events import CalendarEventsService, calendar_service
from bot.client import OversightBot
from db.calendar_events import MARKER, calendar_status
from db.clock import FixedClock
from db.models import GuildEvent
from db.oversight import close_question, create_question, update_question
from db.scope import Actor, Scope
from fakediscord import FakeDiscord, FakeScheduledEvent
from tests.conftest import Office
from tests.support.replies import fields

NEW_YORK = dt.timezone(dt.timedelta(hours=-5))  # EST: every day in these tests is in winter
TODAY = dt.date(2026, 11, 28)  # the clock fixture's date in New York (10:00)


@pytest.fixture(autouse=True)
def same_clock(fake: FakeDiscord, clock: FixedClock) -> None:
    """The fake judges "in the past" by the bot's clock."""
    fake.clock = clock.now


def service(bot: OversightBot) -> CalendarEventsService:
    found = calendar_service(bot)
    assert found is not None
    return found


async def sync(bot: OversightBot, office: Office) -> str:
    """One complete sync of the guild, after any round the service is running on its own (its
    lease is in the database: no in-process event says when that round ends)."""
    while (outcome := await service(bot).sync_guild(office.guild.id)) == "busy":  # noqa: ASYNC110
        await asyncio.sleep(0.01)
    return outcome


async def ask(bot: OversightBot, office: Office, text: str, due: dt.date, **more: Any) -> str:
    values = {"question": text, "asked_by": "Rep. Example", "addressed_to": "ICE", **more}
    async with bot.database.writer(Scope.guild(office.guild.id), Actor("staffer", 1)) as writer:
        change = await create_question(writer, {**values, "due_date": due})
    return change.key


async def edit(bot: OversightBot, office: Office, key: str, **changes: Any) -> None:
    async with bot.database.writer(Scope.guild(office.guild.id), Actor("staffer", 1)) as writer:
        await update_question(writer, key, changes)


async def turn_on(fake: FakeDiscord, office: Office, bot: OversightBot) -> None:
    office.guild.allow_manage_events()
    guild = bot.get_guild(office.guild.id)
    assert guild is not None
    await fake.wait_until(lambda: guild.me.guild_permissions.manage_events)
    reply = await fake.slash("calendar events on")
    assert (reply.content or "").startswith("Calendar events are on: the deadlines of the next")


def requests(fake: FakeDiscord, method: str) -> list[str]:
    return [r.path for r in fake.requests if r.method == method and "/scheduled-events" in r.path]


def day_of(event: FakeScheduledEvent) -> dt.date:
    return event.start.astimezone(NEW_YORK).date()


async def test_deadlines_become_events_once(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Turning it on makes each deadline of the next 60 days one external event, 9:00–17:00 New
    York time at its addressee; a question added later follows by itself (woken by the write)."""
    await ask(bot, office, "ICE execution plan", TODAY + dt.timedelta(days=3), addressed_to="ICE")
    await ask(bot, office, "Beyond the window", TODAY + dt.timedelta(days=61))
    await turn_on(fake, office, bot)
    await fake.wait_until(lambda: len(fake.scheduled_events(office.guild)) == 1)
    [event] = fake.scheduled_events(office.guild)
    assert event.name == "GQ-1 due: ICE execution plan"
    assert (event.location, event.entity_type, event.privacy_level) == ("ICE", 3, 2)
    assert event.start == dt.datetime(2026, 12, 1, 9, tzinfo=NEW_YORK)
    assert event.end == dt.datetime(2026, 12, 1, 17, tzinfo=NEW_YORK)
    assert event.description is not None
    assert event.description.startswith("GQ-1 (pending): ICE execution plan")
    assert event.description.endswith(f"{MARKER}question/GQ-1")

    await ask(bot, office, "CBP staffing data", TODAY + dt.timedelta(days=10), addressed_to="CBP")
    await fake.wait_until(lambda: len(fake.scheduled_events(office.guild)) == 2)
    assert await sync(bot, office) == "synced"
    assert await sync(bot, office) == "synced"
    assert len(requests(fake, "POST")) == 2  # once each, however many rounds
    assert [e.location for e in fake.scheduled_events(office.guild)] == ["ICE", "CBP"]


async def test_a_round_woken_for_nothing_asks_discord_nothing(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Between full rounds, a guild whose records changed nothing is not even listed."""
    key = await ask(bot, office, "ICE execution plan", TODAY + dt.timedelta(days=3))
    await turn_on(fake, office, bot)
    assert await sync(bot, office) == "synced"
    seen = len(fake.requests)
    assert await service(bot).sync_guild(office.guild.id, full=False) == "unchanged"
    assert len(fake.requests) == seen
    await edit(bot, office, key, addressed_to="ICE Office of Congressional Relations")
    # The write woke the service; its round (not a full one) sees the change and applies it.
    relocated = "ICE Office of Congressional Relations"
    await fake.wait_until(lambda: fake.scheduled_events(office.guild)[0].location == relocated)
    assert await sync(bot, office) == "synced"
    assert len(requests(fake, "PATCH")) == 1


async def test_a_moved_due_date_moves_its_event_exactly_once(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    key = await ask(bot, office, "ICE execution plan", TODAY + dt.timedelta(days=3))
    await turn_on(fake, office, bot)
    assert await sync(bot, office) == "synced"
    [before] = fake.scheduled_events(office.guild)
    await edit(bot, office, key, due_date=TODAY + dt.timedelta(days=20))
    assert await sync(bot, office) == "synced"
    assert await sync(bot, office) == "synced"
    [after] = fake.scheduled_events(office.guild)
    assert after is before and day_of(after) == TODAY + dt.timedelta(days=20)
    assert len(requests(fake, "PATCH")) == 1 and len(requests(fake, "POST")) == 1
    assert after.start == dt.datetime(2026, 12, 18, 9, tzinfo=NEW_YORK)


async def test_answered_or_deleted_questions_cancel_their_events(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    first = await ask(bot, office, "ICE execution plan", TODAY + dt.timedelta(days=3))
    second = await ask(bot, office, "CBP staffing data", TODAY + dt.timedelta(days=4))
    await turn_on(fake, office, bot)
    assert await sync(bot, office) == "synced"
    assert len(fake.scheduled_events(office.guild)) == 2
    scope = Scope.guild(office.guild.id)
    async with bot.database.writer(scope, Actor("staffer", 1)) as writer:
        await close_question(writer, first, "answered")
    async with bot.database.writer(scope, Actor("staffer", 1)) as writer:
        await writer.remove("question", second)
    assert await sync(bot, office) == "synced"
    assert await sync(bot, office) == "synced"
    assert fake.scheduled_events(office.guild) == []
    assert len(requests(fake, "DELETE")) == 2
    status = await calendar_status(bot.database, office.guild.id)
    assert (status.scheduled, status.pending) == (0, 0)


async def test_without_manage_events_it_pauses_and_resumes(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """No request is made without the permission: the guild is paused with the reason, shown
    by /calendar events show and /about; granting it resumes the sync by itself."""
    await ask(bot, office, "ICE execution plan", TODAY + dt.timedelta(days=3))
    reply = await fake.slash("calendar events on")
    assert reply.content == (
        "Calendar events are on, but paused: the bot lacks Manage Events. Give the bot's role "
        "Manage Events (Server Settings → Roles); it resumes by itself."
    )
    assert await sync(bot, office) == "paused"
    show = await fake.slash("calendar events show", user=office.staffer)
    assert (show.content or "").startswith(
        "**Calendar events are paused**: the bot lacks Manage Events."
    )
    about = await fake.slash("about", user=office.staffer)
    assert fields(about)["Calendar events"] == "Paused: the bot lacks Manage Events"
    assert requests(fake, "POST") == [] and requests(fake, "GET") == []

    office.guild.allow_manage_events()  # GUILD_ROLE_UPDATE wakes the service
    await fake.wait_until(lambda: len(fake.scheduled_events(office.guild)) == 1)
    assert await sync(bot, office) == "synced"
    show = await fake.slash("calendar events show", user=office.staffer)
    assert "this server's scheduled events: 1 scheduled event." in (show.content or "")
    assert "Next: Dec 1, 2026, GQ-1 due: ICE execution plan." in (show.content or "")
    about = await fake.slash("about", user=office.staffer)
    assert fields(about)["Calendar events"].startswith("On · 1 scheduled · next sync <t:")


async def test_only_the_soonest_fit_under_discords_100(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """97 members' events leave room for 3 of 5 deadlines: the soonest, and Discord refuses
    nothing. When a member's event goes, the next deadline takes its place."""
    start = dt.datetime(2026, 12, 20, 15, tzinfo=dt.UTC)
    hearings = [
        office.guild.add_scheduled_event(f"Hearing {n}", start + dt.timedelta(hours=n))
        for n in range(97)
    ]
    for n in range(5, 0, -1):
        await ask(bot, office, f"Report {n}", TODAY + dt.timedelta(days=n))
    await turn_on(fake, office, bot)
    assert await sync(bot, office) == "synced"
    ours = [e for e in fake.scheduled_events(office.guild) if e.creator.id == fake.bot_user.id]
    assert [e.name for e in ours] == [
        "GQ-5 due: Report 1",
        "GQ-4 due: Report 2",
        "GQ-3 due: Report 3",
    ]
    assert len(fake.scheduled_events(office.guild)) == 100
    show = await fake.slash("calendar events show")
    assert "2 later deadlines wait for room: Discord allows 100 scheduled events" in (
        show.content or ""
    )

    await bot.http.delete_scheduled_event(office.guild.id, hearings[0].id)  # as a member would
    assert await sync(bot, office) == "synced"
    ours = [e for e in fake.scheduled_events(office.guild) if e.creator.id == fake.bot_user.id]
    assert [e.name for e in ours][-1] == "GQ-2 due: Report 4"
    assert len(fake.scheduled_events(office.guild)) == 100


async def test_a_crash_after_discord_created_the_event_does_not_duplicate_it(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Discord creates the event but the answer is lost (the bot sees 503, as if it died before
    its commit): the row stays 'creating'; the next round finds the event by its marker."""
    await ask(bot, office, "ICE execution plan", TODAY + dt.timedelta(days=3))
    office.guild.allow_manage_events()
    fake.fail_scheduled_events(method="POST", lost=True)
    await turn_on(fake, office, bot)
    await fake.wait_until(lambda: len(requests(fake, "POST")) == 1)
    await fake.wait_until(lambda: len(fake.scheduled_events(office.guild)) == 1)
    assert await sync(bot, office) == "synced"
    assert await sync(bot, office) == "synced"
    assert len(fake.scheduled_events(office.guild)) == 1
    assert len(requests(fake, "POST")) == 1
    async with bot.database.session() as session:
        [row] = (await session.execute(GuildEvent.__table__.select())).all()
    assert row.state == "scheduled"
    assert row.discord_event_id == fake.scheduled_events(office.guild)[0].id


async def test_a_failed_call_is_retried_and_still_makes_one_event(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """Two refused creations (nothing made): the guild records the error and waits; the retry
    makes the event once."""
    await ask(bot, office, "ICE execution plan", TODAY + dt.timedelta(days=3))
    office.guild.allow_manage_events()
    fake.fail_scheduled_events(times=2, method="POST")
    await turn_on(fake, office, bot)
    await fake.wait_until(lambda: len(requests(fake, "POST")) >= 1)
    while await sync(bot, office) == "failed":
        pass
    show = await fake.slash("calendar events show")
    assert "1 scheduled event" in (show.content or "")
    assert [r.status for r in fake.requests if r.method == "POST" and "/scheduled" in r.path] == [
        503,
        503,
        200,
    ]
    assert len(fake.scheduled_events(office.guild)) == 1


async def test_long_records_fit_discords_limits(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A 4,000-character question addressed to a 200-character office: name, description and
    location are clipped inside Discord's limits (the fake would refuse them otherwise)."""
    text = "Provide every body-camera policy and the records of its review. " * 60
    addressee = "Office of the Chief Counsel, U.S. Immigration and Customs Enforcement, " * 3
    await ask(bot, office, text[:4000], TODAY + dt.timedelta(days=3), addressed_to=addressee[:200])
    await turn_on(fake, office, bot)
    assert await sync(bot, office) == "synced"
    [event] = fake.scheduled_events(office.guild)
    assert len(event.name) <= 100 and event.name.endswith("…")
    assert event.description is not None and len(event.description) <= 1000
    assert event.location is not None and len(event.location) <= 100
    assert event.description.endswith(f"{MARKER}question/GQ-1")


async def test_off_removes_only_the_bots_events(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    hearing = office.guild.add_scheduled_event(
        "Oversight hearing", dt.datetime(2026, 12, 2, 15, tzinfo=dt.UTC)
    )
    await ask(bot, office, "ICE execution plan", TODAY + dt.timedelta(days=3))
    await turn_on(fake, office, bot)
    assert await sync(bot, office) == "synced"
    assert len(fake.scheduled_events(office.guild)) == 2
    reply = await fake.slash("calendar events off")
    assert reply.content == (
        "Calendar events are off. The bot removes the 1 scheduled event it made; "
        "members' own events stay."
    )
    await fake.wait_until(lambda: fake.scheduled_events(office.guild) == [hearing])
    assert await sync(bot, office) == "synced"
    show = await fake.slash("calendar events show")
    assert (show.content or "").startswith("**Calendar events are off.**")
