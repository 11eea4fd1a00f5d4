"""Parsing and formatting of the dates people type into commands.

Deliberately strict: a deadline built on a guessed date is worse than an error, so anything
ambiguous or incomplete is rejected with a message that lists what is accepted.
"""

import datetime
import re
from collections.abc import Callable

from dateutil.parser import parserinfo
from dateutil.relativedelta import relativedelta

__all__ = [
    "ACCEPTED_FORMS",
    "DateParseError",
    "DateRangeError",
    "add_days",
    "days_between",
    "discord_timestamp",
    "format_date",
    "format_relative",
    "parse_date",
]

ACCEPTED_FORMS: str = (
    "2026-02-13, Feb 13 2026, 2/13/2026 (month first), 13 February 2026, "
    "today, yesterday, tomorrow, in 30 days, +2w, -3d"
)
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_RELATIVE = relativedelta(years=100)
DISCORD_STYLES = frozenset("tTdDfFR")

# Hard-coded rather than strftime("%b"), which follows the process locale.
_MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# dateutil's English month table (Jan, January, Sept, ...) without its permissive parser.
_MONTH_NAMES = parserinfo()
_SHOWN_CHARS = 60  # the input is echoed back in a Discord reply; keep it short
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)

# All patterns run with re.ASCII on lowercased, space-collapsed text: \d must not match
# Arabic-Indic or other Unicode digits, which int() would otherwise happily accept.
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_US = re.compile(r"(\d{1,2})([/-])(\d{1,2})\2(\d{4}|\d{2})", re.ASCII)
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.? ?(\d{1,2})(?:, ?| )(\d{4})", re.ASCII)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2}) ([a-z]+)\.?,? (\d{4})", re.ASCII)
_IN_N_UNITS = re.compile(r"in (\d{1,7}) (day|week|month|year)s?", re.ASCII)
_N_UNITS_AGO = re.compile(r"(\d{1,7}) (day|week|month|year)s? ago", re.ASCII)
_SHORT = re.compile(r"([+-])(\d{1,7})([dwmy])", re.ASCII)
_UNITS: dict[str, Callable[[int], relativedelta]] = {
    "d": lambda n: relativedelta(days=n),
    "w": lambda n: relativedelta(weeks=n),
    "m": lambda n: relativedelta(months=n),
    "y": lambda n: relativedelta(years=n),
}
_KEYWORDS = {"today": 0, "tomorrow": 1, "yesterday": -1}


class DateParseError(ValueError):
    """A typed date could not be read; the message names the input and the accepted forms."""

    def __init__(self, text: str, reason: str | None = None) -> None:
        self.text = text
        self.reason = reason
        shown = text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"
        detail = f" ({reason})" if reason else ""
        super().__init__(f"Could not read {shown!r} as a date{detail}. Accepted: {ACCEPTED_FORMS}")

    def __reduce__(self) -> tuple[type["DateParseError"], tuple[str, str | None]]:
        # The default would re-call __init__ with the message as `text`.
        return (type(self), (self.text, self.reason))


class DateRangeError(ValueError):
    """A date computed from another (a deadline, the day after) would leave the calendar."""


def add_days(start: datetime.date, days: int) -> datetime.date:
    """start + days for derived dates (a due rule's deadline, an alert's next day): a
    DateRangeError saying so, not OverflowError, when the result is past year 1 or 9999."""
    try:
        return start + datetime.timedelta(days=days)
    except OverflowError:  # from timedelta (|days| > 999,999,999) or from the addition
        raise DateRangeError(
            f"{days:,} days from {format_date(start)} is outside the calendar (years 1–9999)"
        ) from None


def add_months(start: datetime.date, months: int) -> datetime.date:
    """start + months, the day clipped to the month's last (Jan 31 + 1 month = Feb 28); a
    DateRangeError when the result is past year 9999."""
    try:
        return start + relativedelta(months=months)
    except (OverflowError, ValueError):  # relativedelta's year out of range
        raise DateRangeError(
            f"{months:,} months from {format_date(start)} is outside the calendar (years 1–9999)"
        ) from None


def parse_date(text: str, *, today: datetime.date) -> datetime.date:
    """Read a date a person typed; `today` is injected so results are deterministic."""
    s = " ".join(text.lower().split())
    if not s:
        raise DateParseError(text, "it is empty")
    if s in _KEYWORDS:
        return _shift(text, today, relativedelta(days=_KEYWORDS[s]))
    if (delta := _relative(s)) is not None:
        return _shift(text, today, delta)
    if m := _ISO.fullmatch(s):
        return _build(text, int(m[1]), int(m[2]), int(m[3]))
    if m := _US.fullmatch(s):
        month, day, year = int(m[1]), int(m[3]), int(m[4])
        if month > 12:
            # Most likely day-first (13/2/2026); say so instead of silently swapping.
            raise DateParseError(text, "numeric dates are month/day/year")
        # Two-digit years are this century: deadlines, not birthdays.
        return _build(text, year + 2000 if len(m[4]) == 2 else year, month, day)
    if (m := _MONTH_DAY_YEAR.fullmatch(s)) and (named := _MONTH_NAMES.month(m[1])):
        return _build(text, int(m[3]), named, int(m[2]))
    if (m := _DAY_MONTH_YEAR.fullmatch(s)) and (named := _MONTH_NAMES.month(m[2])):
        return _build(text, int(m[3]), named, int(m[1]))
    raise DateParseError(text)


def _relative(s: str) -> relativedelta | None:
    """The offset described by 'in 3 weeks', '2 days ago' or '+1m', or None if not relative."""
    if m := _IN_N_UNITS.fullmatch(s):
        sign, amount, unit = 1, m[1], m[2][0]
    elif m := _N_UNITS_AGO.fullmatch(s):
        sign, amount, unit = -1, m[1], m[2][0]
    elif m := _SHORT.fullmatch(s):
        sign, amount, unit = (1 if m[1] == "+" else -1), m[2], m[3]
    else:
        return None
    return _UNITS[unit](sign * int(amount))


def _shift(text: str, today: datetime.date, delta: relativedelta) -> datetime.date:
    """today + delta, refusing offsets over 100 years (typos like +2000y, not intent)."""
    try:
        result = today + delta
        in_range = today - MAX_RELATIVE <= result <= today + MAX_RELATIVE
    except (OverflowError, ValueError):  # past datetime's limits, so far past ours too
        in_range = False
    if not in_range:
        raise DateParseError(text, "relative dates can be at most 100 years away")
    return result


def _build(text: str, year: int, month: int, day: int) -> datetime.date:
    """A calendar date from explicit parts, with a specific reason when it does not exist."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise DateParseError(text, f"the year must be between {MIN_YEAR} and {MAX_YEAR}")
    if not 1 <= month <= 12:
        raise DateParseError(text, f"there is no month {month}")
    try:
        return datetime.date(year, month, day)
    except ValueError:
        raise DateParseError(text, f"{_MONTH_ABBR[month - 1]} {year} has no day {day}") from None


def format_date(d: datetime.date) -> str:
    """'Feb 13, 2026': month by name so it can't be misread day-first."""
    return f"{_MONTH_ABBR[d.month - 1]} {d.day}, {d.year}"


def days_between(start: datetime.date, end: datetime.date) -> int:
    """end - start in whole days; negative when end is earlier."""
    return (end - start).days


def format_relative(d: datetime.date, *, today: datetime.date) -> str:
    """'today', 'tomorrow', 'yesterday', 'in 3 days' or '12 days ago'."""
    n = days_between(today, d)
    if n in (-1, 0, 1):
        return {-1: "yesterday", 0: "today", 1: "tomorrow"}[n]
    return f"in {n} days" if n > 0 else f"{-n} days ago"


def discord_timestamp(
    d: datetime.date | datetime.datetime, style: str = "D", *, tz: datetime.tzinfo | None = None
) -> str:
    """'<t:UNIX:STYLE>', which each Discord client renders in its reader's own time zone.

    A bare date becomes 12:00 noon in `tz` (default UTC), so readers from UTC-11 to UTC+11
    still see the same calendar day. Naive datetimes are taken to be in `tz` as well.
    """
    if style not in DISCORD_STYLES:
        raise ValueError(f"Discord timestamp style must be one of t T d D f F R, not {style!r}")
    zone = tz or datetime.UTC
    if isinstance(d, datetime.datetime):  # check first: datetime is a subclass of date
        moment = d if d.tzinfo is not None else d.replace(tzinfo=zone)
    else:
        moment = datetime.datetime.combine(d, datetime.time(12), tzinfo=zone)
    # Floor division, not int(timestamp()), so pre-1970 times round down like Unix time.
    unix = (moment - _EPOCH) // datetime.timedelta(seconds=1)
    return f"<t:{unix}:{style}>"
