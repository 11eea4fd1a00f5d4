"""Deadlines → an iCalendar file (RFC 5545) with the `icalendar` library.

All-day events (a date, not a time: a deadline is a day wherever the reader is), each with a UID
that stays the same while its date moves and a SEQUENCE that rises when it does, so calendar apps
update an event on re-import instead of adding a second one. The description carries the fact, its
confidence ('deadline uncertain' where the basis is disputed) and its sources; URL the best source.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

import icalendar

from db.calendar import Deadline

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
