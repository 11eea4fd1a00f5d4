"""What /calendar events says: whether the server's deadlines are its scheduled events, how many,
and why not when paused. Plain text, well under a message's 2,000 characters."""

from __future__ import annotations

import datetime as dt

from bot.render.common import clip, defang, when
from db.calendar_events import MAX_EVENTS, WINDOW_DAYS, CalendarStatus
from db.dates import format_date

PERMISSION_HELP = (
    "Give the bot's role Manage Events (Server Settings → Roles); it resumes by itself."
)


def events_phrase(count: int) -> str:
    return f"{count} scheduled event{'s' if count != 1 else ''}"


def status_text(status: CalendarStatus, next_run: dt.datetime | None) -> str:
    """The answer to /calendar events show (and the end of on/off's answers)."""
    if not status.enabled:
        text = (
            "**Calendar events are off.** `/calendar events on` (Manage Events) makes the "
            f"deadlines of the next {WINDOW_DAYS} days this server's scheduled events."
        )
        if status.scheduled or status.pending:
            text += f"\nThe bot is removing the {events_phrase(status.scheduled)} it made."
            if status.paused_reason:
                text += f" It cannot yet: {status.paused_reason}. {PERMISSION_HELP}"
        return text
    if status.paused_reason:
        return f"**Calendar events are paused**: {status.paused_reason}. {PERMISSION_HELP}"
    lines = [
        f"**Calendar events are on.** Deadlines of the next {WINDOW_DAYS} days are this "
        f"server's scheduled events: {events_phrase(status.scheduled)}."
    ]
    if status.next_day is not None and status.next_name:
        lines.append(f"Next: {format_date(status.next_day)}, {defang(status.next_name)}.")
    if status.pending:
        lines.append(f"{status.pending} change{'s' if status.pending != 1 else ''} to make.")
    if status.held_back:
        lines.append(
            f"{status.held_back} later deadline{'s wait' if status.held_back != 1 else ' waits'} "
            f"for room: Discord allows {MAX_EVENTS} scheduled events per server, and the "
            "soonest come first."
        )
    if status.last_error:
        lines.append(
            f"The last sync failed ({clip(defang(status.last_error), 300)}); "
            f"it is tried again {when(status.retry_at, 'R')}."
        )
    lines.append(sync_times(status, next_run))
    return "\n".join(lines)


def sync_times(status: CalendarStatus, next_run: dt.datetime | None) -> str:
    last = f"Last sync {when(status.synced_at, 'R')}" if status.synced_at else "Not synced yet"
    return last + (f"; next {when(next_run, 'R')}." if next_run else ".")
