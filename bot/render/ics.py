"""Deadlines → an iCalendar file (RFC 5545) with the `icalendar` library.

All-day events (a date, not a time: a deadline is a day wherever the reader is), each with a UID
that stays the same while its date moves and a SEQUENCE that rises when it does, so calendar apps
update an event on re-import instead of adding a second one. The description carries the fact, its
confidence ('deadline uncertain' where the basis is disputed) and its sources; URL the best source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import icalendar

from bot.render.common import clip, defang
from db.calendar import Deadline
from db.dates import format_date

if TYPE_CHECKING:
    from bot.calendar_export import CalendarFile

PRODUCT = "-//Oversight Desk//DHS oversight deadlines//EN"
UID_DOMAIN = "oversight-desk"
KINDS = {
    "all": ("question", "funding_period"),
    "oversight": ("question",),
    "funding": ("funding_period",),
}
CATEGORY = {"question": "Oversight deadline", "funding_period": "DHS funding"}


def event_uid(deadline: Deadline) -> str:
    """Globally unique and stable: the deadline's UID in its scope (a server's GQ-1 is not
    another server's)."""
    scope = "shared" if deadline.guild_id is None else f"guild-{deadline.guild_id}"
    return f"{deadline.uid}@{scope}.{UID_DOMAIN}"


def chosen(deadlines: Iterable[Deadline], kinds: str) -> list[Deadline]:
    """The deadlines of `kinds` ('all', 'oversight', 'funding')."""
    wanted = KINDS[kinds]
    return [d for d in deadlines if d.record_kind in wanted]


def ics_calendar(
    deadlines: Sequence[Deadline], *, name: str, timezone: str, now: dt.datetime
) -> bytes:
    """The calendar file; `now` stamps it (DTSTAMP), so two exports differ only there."""
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", timezone)
    stamp = now.astimezone(dt.UTC)
    for deadline in deadlines:
        calendar.add_component(_event(deadline, stamp))
    return calendar.to_ical()


def _event(deadline: Deadline, stamp: dt.datetime) -> icalendar.Event:
    event = icalendar.Event()
    event.add("uid", event_uid(deadline))
    event.add("dtstamp", stamp)
    event.add("dtstart", deadline.day)  # a date: an all-day event
    event.add("dtend", deadline.day + dt.timedelta(days=1))
    event.add("sequence", deadline.sequence)
    event.add("summary", deadline.title)
    event.add("description", deadline.summary)
    event.add("location", deadline.location)
    event.add("categories", [CATEGORY.get(deadline.record_kind, "Deadline")])
    event.add("status", "TENTATIVE" if deadline.uncertain else "CONFIRMED")
    event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
    if deadline.url:
        event.add("url", deadline.url)
    return event


NEXT_TITLE = 160  # characters of the next deadline's title in the reply
KIND_WORDS = {
    "all": "deadlines",
    "oversight": "oversight deadlines",
    "funding": "funding deadlines",
}


def export_message(exported: CalendarFile, kinds: str, today: dt.date) -> str:
    """The reply above the file: how many, the next one, what TENTATIVE means, how to use it."""
    words = KIND_WORDS.get(kinds, "deadlines")
    window = f"{format_date(exported.start)} to {format_date(exported.end)}"
    if exported.events == 0:
        return f"No {words} from {window}: there is nothing to put in a calendar."
    lines = [f"**{exported.events:,} {words}** from {window}, in the attached calendar file."]
    if exported.next is not None:
        when = "today" if exported.next.day == today else format_date(exported.next.day)
        lines[0] += f" The next: **{when}**, {defang(clip(exported.next.title, NEXT_TITLE))}"
    if exported.uncertain:
        lines.append(
            f"{exported.uncertain:,} are marked tentative: their legal basis is disputed "
            "(deadline uncertain)."
        )
    lines.append(
        "Import it into Outlook, Google or Apple Calendar; importing a newer export updates "
        "these events instead of adding copies."
    )
    return "\n".join(lines)
