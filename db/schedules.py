"""Digest schedules: what people say ("weekdays 8:30") as RFC 5545 rules, and when they fire.

Slots are computed as naive wall-clock times (dateutil rrule), then placed in the schedule's zone
with zoneinfo and converted to UTC, so 09:00 New York stays 09:00 local across DST changes.
DST choices, which are zoneinfo's fold=0 reading and RFC 5545 §3.3.5's rule for DTSTART:
- a slot in the spring-forward gap (02:30 on the March change) is read with the offset from before
  the change, so it fires at 03:30 local. RFC 5545 §3.3.10 would skip it; a late digest beats none.
- a slot in the repeated fall-back hour fires once, at its first occurrence (daylight time).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import cast
from zoneinfo import ZoneInfo, available_timezones

from dateutil.rrule import DAILY, HOURLY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from db.errors import DomainError

EXAMPLES: tuple[str, ...] = ("daily 9:00", "weekdays 8:30", "mondays 9am", "every friday 16:00",
                             "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0")  # fmt: skip
_TRY = f"try {', '.join(repr(e) for e in EXAMPLES[:-1])}, or an RRULE such as {EXAMPLES[-1]!r}"
_MAX_CHARS = 200  # a Discord option; anything longer is not a schedule
_SHOWN_CHARS = 60  # the input is echoed back in a reply; keep it short
# 1 Jan 2001 was a Monday: a period start for every FREQ, so INTERVAL counts from a fixed origin.
_EPOCH = datetime(2001, 1, 1)
_LATE = datetime(9970, 1, 1)  # 28+ years with no century year: every kind of year occurs
_MARGIN = timedelta(days=2)  # wider than any UTC offset change (Samoa skipped a whole day in 2011)
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_PLURALS = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
_DAY_WORDS = {w: i for i, ws in enumerate(
    ("monday mon", "tuesday tue tues", "wednesday wed", "thursday thu thur thurs", "friday fri",
     "saturday sat", "sunday sun")) for w in ws.split()}  # fmt: skip
_NAMED_DAYS = {"MO,TU,WE,TH,FR": "weekdays", "SA,SU": "weekends", ",".join(_DAYS): "every day"}
_PLAIN = {"FREQ", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND"}  # rules that read as a sentence
_GROUPS = {"daily": (), "day": (), "everyday": (), "weekday": (0, 1, 2, 3, 4), "weekend": (5, 6)}
_FREQS = {"HOURLY": HOURLY, "DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}
# Integer parts and their RFC 5545 ranges (0 itself is never valid for the signed ones).
_RANGES = {"INTERVAL": (1, 1000), "BYSECOND": (0, 59), "BYMINUTE": (0, 59), "BYHOUR": (0, 23),
           "BYMONTHDAY": (-31, 31), "BYYEARDAY": (-366, 366), "BYWEEKNO": (-53, 53),
           "BYMONTH": (1, 12), "BYSETPOS": (-366, 366)}  # fmt: skip
_PARTS = {"FREQ", "WKST", "BYDAY", *_RANGES}
_DAY_PARTS = ("BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
_TIME = r"(?P<h>\d{1,2})(?::(?P<m>\d{2}))?(?: ?(?P<ap>[ap])\.?m\.?)?|(?P<word>noon|midnight)"
_SPOKEN = re.compile(
    rf"(?a)(?:(?:every|on) )?(?P<days>[a-z][a-z,&/ -]*?)(?: at)? (?P<time>{_TIME})"
)


class ScheduleError(DomainError):
    """A schedule or time zone that can't be used; the message says why and what works."""

    def __init__(self, reason: str, hint: str = _TRY) -> None:
        super().__init__(f"{reason}; {hint}")


@dataclass(frozen=True)
class Schedule:
    rule: str  # canonical RRULE, no DTSTART: 'FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0'
    timezone: str  # IANA name
    description: str  # 'weekdays at 8:30 AM (America/New_York)'


def parse_schedule(text: str, timezone: str = "America/New_York") -> Schedule:
    """A Schedule from what people type, or a raw RRULE; ScheduleError for anything else."""
    zone = _zone_name(timezone)
    spoken = " ".join(text.lower().split())
    if not spoken:
        raise ScheduleError("the schedule is empty")
    if len(spoken) > _MAX_CHARS:
        raise ScheduleError(f"a schedule is at most {_MAX_CHARS} characters")
    rule = _compile(spoken.upper() if "=" in spoken else _from_words(spoken))[0]
    return Schedule(rule, zone, _describe(rule, zone))


def describe(schedule: Schedule) -> str:
    """'weekdays at 8:30 AM (America/New_York)'; rules without a plain reading are shown as is."""
    return _describe(_compile(schedule.rule)[0], _zone_name(schedule.timezone))


def next_run(schedule: Schedule, after: datetime) -> datetime:
    """The first slot strictly after `after` (aware), in UTC."""
    best: datetime | None = None
    best_naive = datetime.max
    for naive, instant in _slots(schedule, after):
        if naive - _MARGIN > best_naive:  # slots this far on can no longer land before `best`
            break
        if instant > after and (best is None or instant < best):
            best, best_naive = instant, naive
    if best is None:
        raise ScheduleError("this schedule never fires again", "set a new one with /digest set")
    return best


def due_slots(schedule: Schedule, last_run: datetime | None, now: datetime) -> list[datetime]:
    """Slots in (last_run, now], oldest first, for ONE catch-up digest covering them all.

    A schedule that never ran has nothing due: the caller stores the time it was set as last_run,
    so a new digest does not post for slots that passed before it existed.
    """
    if last_run is None or last_run >= now:
        return []
    end = now.astimezone(ZoneInfo(_zone_name(schedule.timezone))).replace(tzinfo=None)
    due: set[datetime] = set()
    for naive, instant in _slots(schedule, last_run):
        if naive - _MARGIN > end:
            break
        if last_run < instant <= now:
            due.add(instant)  # a set: a gap slot can land on the same instant as the next one
    return sorted(due)


def _slots(schedule: Schedule, since: datetime) -> Iterator[tuple[datetime, datetime]]:
    """(naive local slot, UTC instant) pairs from a margin before `since`, in local order."""
    if since.tzinfo is None:
        raise ValueError("schedules need an aware datetime")
    zone = ZoneInfo(_zone_name(schedule.timezone))
    rule, freq, interval = _compile(schedule.rule)
    start = since.astimezone(zone).replace(tzinfo=None) - _MARGIN
    for naive in _build(rule, _anchor(freq, interval, start)):
        if naive >= start:
            # fold=0: the first of a repeated hour; a gap time is read with the earlier offset.
            yield naive, naive.replace(tzinfo=zone).astimezone(UTC)


def _anchor(freq: int, interval: int, near: datetime) -> datetime:
    """The last period start at or before `near` that is a whole number of INTERVALs from _EPOCH.

    DTSTART is not stored, so it is derived: fixed phase for INTERVAL, and close to `near` so
    dateutil does not iterate from 2001 on every call.
    """
    if freq in (YEARLY, MONTHLY):
        months = (near.year - _EPOCH.year) * 12 + near.month - 1
        step = interval * (12 if freq == YEARLY else 1)
        months -= months % step
        return datetime(_EPOCH.year + months // 12, months % 12 + 1, 1)
    unit = {WEEKLY: timedelta(weeks=1), DAILY: timedelta(days=1), HOURLY: timedelta(hours=1)}[freq]
    return _EPOCH + (near - _EPOCH) // (unit * interval) * (unit * interval)


def _build(rule: str, start: datetime) -> rrule:
    # WKST explicit: dateutil's default follows calendar.firstweekday(), which is process state.
    built = rrulestr(rule if "WKST=" in rule else f"{rule};WKST=MO", dtstart=start)
    return cast(rrule, built)  # one RRULE and no forceset: dateutil returns an rrule, not a set


def _from_words(spoken: str) -> str:
    """RRULE text for 'weekdays 8:30', 'every day at 9am', 'mon,wed,fri noon', 'hourly'."""
    if spoken in ("hourly", "every hour"):
        return "FREQ=HOURLY;BYMINUTE=0"
    m = _SPOKEN.fullmatch(spoken)
    days = _days(m["days"]) if m else None
    if m is None or days is None:
        raise ScheduleError(f"couldn't read '{spoken[:_SHOWN_CHARS]}' as a schedule")
    if m["word"]:
        hour, minute = (12, 0) if m["word"] == "noon" else (0, 0)
    else:
        hour, minute = int(m["h"]), int(m["m"] or 0)
        if m["ap"] and 1 <= hour <= 12:
            hour = hour % 12 + (12 if m["ap"] == "p" else 0)
        elif m["ap"] or hour > 23 or minute > 59:
            raise ScheduleError(f"'{m['time']}' is not a time of day")
    byday = f";BYDAY={','.join(_DAYS[d] for d in days)}" if days else ""
    return f"FREQ={'WEEKLY' if days else 'DAILY'}{byday};BYHOUR={hour};BYMINUTE={minute}"


def _days(words: str) -> tuple[int, ...] | None:
    """Weekdays (Monday 0) in 'weekdays', 'tuesdays and thursdays', 'mon-fri'; () is daily."""
    tokens = [t for t in re.split(r"(?:[\s,&/]|\band\b)+", words) if t]
    if len(tokens) == 1 and (group := _GROUPS.get(tokens[0].removesuffix("s"))) is not None:
        return group
    days: set[int] = set()
    for token in tokens:
        named = token.split("-")
        found = [_DAY_WORDS.get(w, _DAY_WORDS.get(w.removesuffix("s"))) for w in named]
        ends = [d for d in found if d is not None]
        if not ends or len(named) > 2 or len(ends) != len(named):
            return None
        first, last = ends[0], ends[-1]
        days.update(d % 7 for d in range(first, last + (7 if last < first else 0) + 1))
    return () if len(days) == 7 else tuple(sorted(days))


@lru_cache(maxsize=512)
def _compile(text: str) -> tuple[str, int, int]:
    """Validate RRULE text (upper case); return its canonical form, FREQ and INTERVAL."""
    parts: dict[str, str] = {}
    for pair in filter(None, re.sub(r"\s+", "", text).removeprefix("RRULE:").split(";")):
        name, _, value = pair.partition("=")
        if not re.fullmatch(r"[A-Z]+=[A-Z0-9,+-]+", pair):
            raise ScheduleError(f"'{pair[:_SHOWN_CHARS]}' is not a NAME=VALUE rule part")
        if name in ("COUNT", "UNTIL"):
            raise ScheduleError(f"{name} would make the digest stop; it runs until /digest off")
        if name not in _PARTS or name in parts:
            raise ScheduleError(f"{name} is {'repeated' if name in parts else 'not supported'}")
        low, high = _RANGES.get(name, (0, 0))
        if name in _RANGES and not all(_in_range(v, low, high) for v in value.split(",")):
            raise ScheduleError(f"{name} takes whole numbers from {low} to {high}")
        parts[name] = value
    # One minute and one second per slot: any two slots then differ by an hour or more.
    several = "," in parts.get("BYMINUTE", "") + parts.get("BYSECOND", "")
    if several or parts.get("FREQ") in ("MINUTELY", "SECONDLY"):
        raise ScheduleError("that rule fires more often than once an hour")
    if (freq := _FREQS.get(parts.get("FREQ", ""))) is None:
        raise ScheduleError("FREQ must be HOURLY, DAILY, WEEKLY, MONTHLY or YEARLY")
    if freq != HOURLY and "BYHOUR" not in parts:
        raise ScheduleError("say at what hour with BYHOUR")
    if freq in (WEEKLY, MONTHLY, YEARLY) and not any(p in parts for p in _DAY_PARTS):
        raise ScheduleError("say on which days with BYDAY or BYMONTHDAY")
    parts = {"BYMINUTE": "0", "BYSECOND": "0", **parts}
    rule_text = ";".join(f"{k}={v}" for k, v in parts.items())
    interval = int(parts.get("INTERVAL", 1))
    try:
        rule, late = _build(rule_text, _EPOCH), _anchor(freq, interval, _LATE)
        # dateutil searches to the year 9999 for a rule that never matches (30 February), which
        # takes seconds; from 9970 it is quick, and the calendar repeats every 28 years there.
        fires = _build(rule_text, late).after(late, inc=True) is not None
    except Exception as error:  # dateutil raises assorted types for malformed rules
        raise ScheduleError(f"that RRULE is not valid ({error})") from None
    if not fires:
        raise ScheduleError("that rule never fires")
    return str(rule).partition("RRULE:")[2], freq, interval


def _in_range(value: str, low: int, high: int) -> bool:
    number = int(value) if re.fullmatch(r"[+-]?\d{1,4}", value) else None
    return number is not None and low <= number <= high and (number != 0 or low == 0)


@cache
def _zones() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}


def _zone_name(name: str) -> str:
    """The IANA name as spelled in the database; any case accepted."""
    if found := _zones().get(name.strip().lower()):
        return found
    hint = "use an IANA name such as 'America/New_York'"
    raise ScheduleError(f"unknown time zone '{name[:_SHOWN_CHARS]}'", hint)


def _describe(rule: str, zone: str) -> str:
    """A sentence for days-at-times and hourly rules; anything else is shown as its rule."""
    part = dict(pair.partition("=")[::2] for pair in rule.split(";"))
    minute, byday = int(part["BYMINUTE"]), part.get("BYDAY", ",".join(_DAYS))
    when = f"on the rule {rule}"
    plain = part["BYSECOND"] == "0" and set(part) <= _PLAIN  # no INTERVAL, months, positions
    if plain and part["FREQ"] == "HOURLY" and set(part) == {"FREQ", "BYMINUTE", "BYSECOND"}:
        when = f"every hour at :{minute:02d}" if minute else "every hour on the hour"
    elif plain and "BYHOUR" in part and byday.replace(",", "").isalpha():
        days = _NAMED_DAYS.get(byday) or _and([_PLURALS[_DAYS.index(d)] for d in byday.split(",")])
        times = [f"{(h - 1) % 12 + 1}:{minute:02d} {'AM' if h < 12 else 'PM'}"
                 for h in map(int, part["BYHOUR"].split(","))]  # fmt: skip
        when = f"{days} at {_and(times)}"
    return f"{when} ({zone})"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"
