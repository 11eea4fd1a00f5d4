"""`/calendar export` and `python -m bot calendar export`: a scope's deadlines as an .ics file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.render.ics import chosen, ics_calendar
from db.calendar import Deadline, deadlines
from db.engine import Database
from db.scope import Scope

PAST = dt.timedelta(days=365)  # the past year's deadlines, for the record
AHEAD = dt.timedelta(days=730)  # two years ahead: a recurring duty's reports, the next CRs


@dataclass(frozen=True)
class CalendarFile:
    data: bytes
    events: int
    start: dt.date
    end: dt.date
    next: Deadline | None = None  # the first on or after today
    uncertain: int = 0  # events whose basis is disputed (TENTATIVE)


async def export_calendar(
    database: Database, scope: Scope, *, kinds: str = "all", name: str, timezone: str
) -> CalendarFile:
    """Every deadline the scope sees from a year ago to two years ahead, as iCalendar bytes."""
    today = database.today()
    start, end = today - PAST, today + AHEAD
    async with database.session() as session:
        found = chosen(await deadlines(session, scope, start=start, end=end), kinds)
    data = ics_calendar(found, name=name, timezone=timezone, now=database.clock.now())
    upcoming = next((d for d in found if d.day >= today), None)
    uncertain = sum(d.uncertain for d in found)
    return CalendarFile(data, len(found), start, end, upcoming, uncertain)
