"""Tests for db.schedules: spoken schedules → RFC 5545 rules, and their slots across DST."""

import contextlib
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from db.errors import DomainError
from db.schedules import (
    EXAMPLES,
    Schedule,
    ScheduleError,
    describe,
    due_slots,
    next_run,
    parse_schedule,
)

NY = "America/New_York"
WEEKDAYS = "BYDAY=MO,TU,WE,TH,FR"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("daily 9:00", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"),
        ("every day at 9am", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"),
        ("weekdays 8:30", f"FREQ=WEEKLY;{WEEKDAYS};BYHOUR=8;BYMINUTE=30;BYSECOND=0"),
        ("every weekday 8:30am", f"FREQ=WEEKLY;{WEEKDAYS};BYHOUR=8;BYMINUTE=30;BYSECOND=0"),
        ("weekends 10:00", "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=0;BYSECOND=0"),
        ("mondays 9am", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0"),
        ("monday 9:00", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0"),
        ("every friday 16:00", "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0;BYSECOND=0"),
        ("tuesdays and thursdays 7:45", "FREQ=WEEKLY;BYDAY=TU,TH;BYHOUR=7;BYMINUTE=45;BYSECOND=0"),
        ("mon,wed,fri 12:00", "FREQ=WEEKLY;BYDAY=MO,WE,FR;BYHOUR=12;BYMINUTE=0;BYSECOND=0"),
        ("mon-fri 8:30", f"FREQ=WEEKLY;{WEEKDAYS};BYHOUR=8;BYMINUTE=30;BYSECOND=0"),
        ("hourly", "FREQ=HOURLY;BYMINUTE=0;BYSECOND=0"),
        ("daily 9", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"),
        ("daily 09:00", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"),
        ("daily 9:00 pm", "FREQ=DAILY;BYHOUR=21;BYMINUTE=0;BYSECOND=0"),
        ("daily 21:00", "FREQ=DAILY;BYHOUR=21;BYMINUTE=0;BYSECOND=0"),
        ("daily noon", "FREQ=DAILY;BYHOUR=12;BYMINUTE=0;BYSECOND=0"),
        ("daily 12am", "FREQ=DAILY;BYHOUR=0;BYMINUTE=0;BYSECOND=0"),
        ("  Every   FRIDAY  at  4 PM ", "FREQ=WEEKLY;BYDAY=FR;BYHOUR=16;BYMINUTE=0;BYSECOND=0"),
        (
            "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0",
            "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
        ),
        ("rrule:freq=daily;byhour=9", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0;BYSECOND=0"),
        (
            "FREQ=MONTHLY; BYDAY=1MO; BYHOUR=9",
            "FREQ=MONTHLY;BYDAY=+1MO;BYHOUR=9;BYMINUTE=0;BYSECOND=0",
        ),
    ],
)
def test_accepted_form_gives_canonical_rule(text: str, rule: str) -> None:
    """Each accepted way of saying a schedule becomes the expected canonical RRULE."""
    assert parse_schedule(text).rule == rule


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("daily 9:00", "every day at 9:00 AM (America/New_York)"),
        ("weekdays 8:30", "weekdays at 8:30 AM (America/New_York)"),
        ("weekends 10:00", "weekends at 10:00 AM (America/New_York)"),
        ("mondays 9am", "Mondays at 9:00 AM (America/New_York)"),
        ("every friday 16:00", "Fridays at 4:00 PM (America/New_York)"),
        ("tuesdays and thursdays 7:45", "Tuesdays and Thursdays at 7:45 AM (America/New_York)"),
        ("mon,wed,fri 12:00", "Mondays, Wednesdays and Fridays at 12:00 PM (America/New_York)"),
        ("hourly", "every hour on the hour (America/New_York)"),
        ("FREQ=HOURLY;BYMINUTE=30", "every hour at :30 (America/New_York)"),
        ("FREQ=DAILY;BYHOUR=9,17", "every day at 9:00 AM and 5:00 PM (America/New_York)"),
        ("daily midnight", "every day at 12:00 AM (America/New_York)"),
    ],
)
def test_accepted_form_gives_description(text: str, description: str) -> None:
    """Each accepted form is described in words with its time zone."""
    assert parse_schedule(text).description == description


def test_rule_without_a_sentence_is_described_by_its_rule() -> None:
    """A rule with INTERVAL or month positions is shown as the rule itself."""
    schedule = parse_schedule("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=16", "UTC")
    assert schedule.description == f"on the rule {schedule.rule} (UTC)"


def test_describe_matches_the_stored_description() -> None:
    """describe() recomputes the description from the rule and zone."""
    schedule = parse_schedule("weekdays 8:30", "Europe/London")
    assert describe(schedule) == "weekdays at 8:30 AM (Europe/London)" == schedule.description


def test_every_day_of_the_week_is_daily() -> None:
    """Naming all seven days gives the same rule as 'daily'."""
    assert parse_schedule("mon-sun 9:00").rule == parse_schedule("daily 9:00").rule


def test_time_zone_spelling_is_normalised() -> None:
    """A zone typed in any case is stored with its IANA spelling."""
    assert parse_schedule("daily 9:00", " europe/london ").timezone == "Europe/London"


def test_unknown_time_zone_is_named_with_an_example() -> None:
    """An unknown zone is refused, naming it and giving a valid example."""
    with pytest.raises(ScheduleError, match=r"Mars/Base.*America/New_York"):
        parse_schedule("daily 9:00", "Mars/Base")


def test_schedule_error_is_a_domain_error() -> None:
    """ScheduleError is a user-facing DomainError."""
    assert issubclass(ScheduleError, DomainError)


@pytest.mark.parametrize(
    "text",
    ["", "   ", "blah", "daily", "9:00", "daily 25:00", "daily 9:75", "daily 0am", "13pm daily",
     "someday 9:00", "mon-tue-wed 9:00", "fortnightly 9:00", "x" * 300],
)  # fmt: skip
def test_junk_is_refused_with_the_examples(text: str) -> None:
    """Unreadable text is refused with a message listing every example."""
    with pytest.raises(ScheduleError) as error:
        parse_schedule(text)
    assert all(example in str(error.value) for example in EXAMPLES)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("FREQ=MINUTELY;BYSECOND=0", "more often than once an hour"),
        ("FREQ=SECONDLY", "more often than once an hour"),
        ("FREQ=HOURLY;BYMINUTE=0,30", "more often than once an hour"),
        ("FREQ=DAILY;BYHOUR=9;BYSECOND=0,30", "more often than once an hour"),
        ("FREQ=DAILY;BYHOUR=9;COUNT=3", "COUNT would make the digest stop"),
        ("FREQ=DAILY;BYHOUR=9;UNTIL=20300101T000000Z", "UNTIL would make the digest stop"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;BYHOUR=9", "never fires"),
        ("FREQ=HOURLY;BYMONTH=4;BYMONTHDAY=31", "never fires"),
        ("FREQ=DAILY", "BYHOUR"),
        ("FREQ=WEEKLY;BYHOUR=9", "BYDAY"),
        ("FREQ=DAILY;BYHOUR=24", "BYHOUR takes whole numbers from 0 to 23"),
        ("FREQ=DAILY;BYHOUR=9;INTERVAL=0", "INTERVAL takes whole numbers from 1"),
        ("FREQ=DAILY;BYHOUR=9;BYDAY=XX", "not valid"),
        ("FREQ=DAILY;BYHOUR=9;BYEASTER=0", "BYEASTER is not supported"),
        ("FREQ=DAILY;BYHOUR=9;BYHOUR=10", "BYHOUR is repeated"),
        ("FREQ=FORTNIGHTLY;BYHOUR=9", "FREQ must be"),
        ("BYHOUR=9", "FREQ must be"),
        ("DTSTART:20270101T090000\nRRULE:FREQ=DAILY", "not a NAME=VALUE rule part"),
    ],
)
def test_bad_rrule_is_refused_with_its_reason(text: str, reason: str) -> None:
    """An RRULE that can't drive a digest is refused, saying why, with the examples."""
    with pytest.raises(ScheduleError, match=reason) as error:
        parse_schedule(text)
    assert EXAMPLES[-1] in str(error.value)


def test_next_run_before_the_march_change_is_9_est() -> None:
    """'daily 9:00' New York on 2027-03-13 fires at 14:00 UTC (09:00 EST)."""
    schedule = parse_schedule("daily 9:00", NY)
    assert next_run(schedule, utc(2027, 3, 13)) == utc(2027, 3, 13, 14)


def test_next_run_after_the_march_change_is_9_edt() -> None:
    """The slot after 2027-03-13 14:00 UTC is 2027-03-14 13:00 UTC: still 09:00 local."""
    schedule = parse_schedule("daily 9:00", NY)
    assert next_run(schedule, utc(2027, 3, 13, 14)) == utc(2027, 3, 14, 13)


def test_next_run_after_the_november_change_is_9_est_again() -> None:
    """On 2027-11-07, after the fall change, 09:00 New York is 14:00 UTC again."""
    schedule = parse_schedule("daily 9:00", NY)
    assert next_run(schedule, utc(2027, 11, 6, 13)) == utc(2027, 11, 7, 14)


def test_next_run_is_strictly_after() -> None:
    """A slot equal to `after` is not returned; the next one is."""
    schedule = parse_schedule("daily 9:00", "UTC")
    assert next_run(schedule, utc(2027, 1, 4, 9)) == utc(2027, 1, 5, 9)


def test_next_run_returns_utc_for_any_aware_input() -> None:
    """An aware non-UTC input gives the same instant back in UTC."""
    schedule = parse_schedule("daily 9:00", NY)
    result = next_run(schedule, datetime(2027, 1, 4, 8, tzinfo=ZoneInfo(NY)))
    assert (result, result.tzinfo) == (utc(2027, 1, 4, 14), UTC)


def test_next_run_refuses_a_naive_datetime() -> None:
    """A naive `after` is a programming error, not a guess at a zone."""
    with pytest.raises(ValueError, match="aware"):
        next_run(parse_schedule("daily 9:00"), datetime(2027, 1, 4))


def test_weekdays_skip_the_weekend() -> None:
    """After Friday's slot, 'weekdays 8:30' next fires on Monday."""
    schedule = parse_schedule("weekdays 8:30", NY)
    assert next_run(schedule, utc(2027, 1, 8, 13, 30)) == utc(2027, 1, 11, 13, 30)


def test_every_other_week_keeps_its_phase() -> None:
    """INTERVAL=2 counts from a fixed origin, so consecutive slots are two weeks apart."""
    schedule = parse_schedule("FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=16", "UTC")
    first = next_run(schedule, utc(2027, 1, 1))
    assert next_run(schedule, first) - first == timedelta(weeks=2)


def test_first_monday_of_the_month() -> None:
    """A monthly BYDAY=1MO rule fires on the first Monday."""
    schedule = parse_schedule("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9", "UTC")
    assert next_run(schedule, utc(2027, 1, 5)) == utc(2027, 2, 1, 9)


def test_spring_gap_slot_fires_an_hour_late() -> None:
    """02:30 does not exist on 2027-03-14 in New York; the slot fires at 03:30 EDT."""
    schedule = parse_schedule("daily 2:30", NY)
    assert next_run(schedule, utc(2027, 3, 14, 5)) == utc(2027, 3, 14, 7, 30)


def test_spring_gap_does_not_shift_the_next_day() -> None:
    """The day after the gap, 'daily 2:30' fires at 02:30 EDT again."""
    schedule = parse_schedule("daily 2:30", NY)
    assert next_run(schedule, utc(2027, 3, 14, 7, 30)) == utc(2027, 3, 15, 6, 30)


def test_fall_repeat_fires_at_the_first_occurrence() -> None:
    """01:30 happens twice on 2027-11-07 in New York; the slot is the first, 01:30 EDT."""
    schedule = parse_schedule("daily 1:30", NY)
    assert next_run(schedule, utc(2027, 11, 7, 4)) == utc(2027, 11, 7, 5, 30)


def test_fall_repeat_fires_only_once() -> None:
    """After 01:30 EDT the next slot is the following day, not 01:30 EST."""
    schedule = parse_schedule("daily 1:30", NY)
    assert next_run(schedule, utc(2027, 11, 7, 5, 30)) == utc(2027, 11, 8, 6, 30)


def test_hourly_has_no_duplicate_across_the_spring_gap() -> None:
    """Hourly slots around the March change are distinct UTC instants, an hour apart."""
    schedule = parse_schedule("hourly", NY)
    slots = due_slots(schedule, utc(2027, 3, 14, 5), utc(2027, 3, 14, 9))
    assert slots == [utc(2027, 3, 14, h) for h in (6, 7, 8, 9)]


def test_due_slots_after_a_three_day_outage() -> None:
    """Three days offline returns the three missed slots, for one catch-up digest."""
    schedule = parse_schedule("daily 9:00", NY)
    slots = due_slots(schedule, utc(2027, 1, 4, 14), utc(2027, 1, 7, 15))
    assert slots == [utc(2027, 1, 5, 14), utc(2027, 1, 6, 14), utc(2027, 1, 7, 14)]


def test_due_slots_empty_when_nothing_is_due() -> None:
    """Before the next slot nothing is due."""
    schedule = parse_schedule("daily 9:00", NY)
    assert due_slots(schedule, utc(2027, 1, 4, 14), utc(2027, 1, 5, 13, 59)) == []


def test_due_slots_includes_now_and_excludes_last_run() -> None:
    """The window is (last_run, now]: a slot at `now` is due, the one at `last_run` is not."""
    schedule = parse_schedule("daily 9:00", "UTC")
    assert due_slots(schedule, utc(2027, 1, 4, 9), utc(2027, 1, 5, 9)) == [utc(2027, 1, 5, 9)]


def test_due_slots_empty_for_a_schedule_that_never_ran() -> None:
    """With no last run nothing from the past is due (a new digest doesn't backfill)."""
    assert due_slots(parse_schedule("daily 9:00"), None, utc(2027, 1, 5)) == []


def test_stored_schedule_with_a_broken_rule_raises_schedule_error() -> None:
    """A Schedule loaded with an invalid rule fails with ScheduleError, not a dateutil error."""
    with pytest.raises(ScheduleError):
        next_run(Schedule("FREQ=DAILY;BYHOUR=99", "UTC", ""), utc(2027, 1, 1))


# Property tests ---------------------------------------------------------------------------------

ZONES = [NY, "Europe/London", "Australia/Lord_Howe", "Asia/Kolkata", "UTC", "Pacific/Apia",
         "America/Santiago"]  # fmt: skip
DAY_SPECS = ["daily", "weekdays", "weekends", "mondays", "tuesdays and thursdays", "mon,wed,fri"]
RULES = ["hourly", "FREQ=HOURLY;BYMINUTE=30", "FREQ=DAILY;BYHOUR=1,2,3;BYMINUTE=30",
         "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR;BYHOUR=2;BYMINUTE=30",
         "FREQ=MONTHLY;BYDAY=1SU;BYHOUR=2", "FREQ=YEARLY;BYMONTH=3,10;BYMONTHDAY=-1;BYHOUR=1",
         "FREQ=DAILY;BYHOUR=0"]  # fmt: skip
WORDS = ["every", "daily", "weekdays", "mon", "tuesdays", "and", ",", "at", "9", "9:30", "25:00",
         "12am", "pm", "noon", "hourly", "mon-fri", "-", "rrule:", "FREQ=DAILY", "FREQ=HOURLY",
         "BYHOUR=9", "BYMINUTE=0,30", "BYDAY=MO", "BYDAY=1MO", "COUNT=2", "INTERVAL=0",
         "BYMONTHDAY=31", "BYSETPOS=-1", "WKST=SU", "=", ";"]  # fmt: skip

spoken_schedules = st.builds(
    lambda days, hour, minute, zone: parse_schedule(f"{days} {hour}:{minute:02d}", zone),
    st.sampled_from(DAY_SPECS),
    st.integers(0, 23),
    st.integers(0, 59),
    st.sampled_from(ZONES),
)
rule_schedules = st.builds(parse_schedule, st.sampled_from(RULES), st.sampled_from(ZONES))
schedules = spoken_schedules | rule_schedules
# UTC instants of offset changes in ZONES: New York, London, Lord Howe (30 minutes), Santiago
# (at local midnight), and Samoa skipping 30 December 2011.
CHANGES = [utc(2027, 3, 14, 7), utc(2027, 11, 7, 6), utc(2027, 3, 28, 1), utc(2027, 10, 31, 1),
           utc(2027, 4, 3, 15), utc(2027, 10, 2, 15, 30), utc(2027, 4, 4, 3), utc(2027, 9, 5, 4),
           utc(2011, 12, 30, 10)]  # fmt: skip
near_changes = st.builds(
    lambda change, delta: change + delta,
    st.sampled_from(CHANGES),
    st.timedeltas(-timedelta(days=2), timedelta(days=2)),
)
instants = near_changes | st.datetimes(
    datetime(2000, 1, 1), datetime(2060, 12, 31), timezones=st.just(UTC)
)
texts = st.text(max_size=60) | st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)
texts |= st.lists(st.sampled_from(WORDS), max_size=5).map(";".join)


def _wall_clock_matches(schedule: Schedule, slot: datetime) -> bool:
    """The slot's local time is the rule's, or the rule's time fell in a DST gap."""
    zone = ZoneInfo(schedule.timezone)
    part = dict(pair.split("=") for pair in schedule.rule.split(";"))
    hours = {int(h) for h in part["BYHOUR"].split(",")} if "BYHOUR" in part else set(range(24))
    local = slot.astimezone(zone)
    if local.hour in hours and local.minute == int(part["BYMINUTE"]):
        return True
    # In a gap the wall-clock time was read with the offset from before the change.
    before = (slot - timedelta(days=1)).astimezone(zone).utcoffset()
    assert before is not None
    wall = (slot + before).replace(tzinfo=None)
    missing = wall.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    return wall.hour in hours and wall.minute == int(part["BYMINUTE"]) and missing != wall


@settings(deadline=None)
@given(texts, st.sampled_from([*ZONES, "Mars/Base", ""]) | st.text(max_size=20))
def test_any_text_gives_a_schedule_or_schedule_error(text: str, zone: str) -> None:
    """For any text and zone, parse_schedule returns a Schedule or raises ScheduleError."""
    with contextlib.suppress(ScheduleError):
        assert isinstance(parse_schedule(text, zone), Schedule)


@settings(deadline=None)
@given(schedules, instants)
def test_next_run_is_after(schedule: Schedule, after: datetime) -> None:
    """next_run(s, t) is strictly after t."""
    assert next_run(schedule, after) > after


@settings(deadline=None)
@given(schedules, instants)
def test_next_run_keeps_local_wall_clock_time(schedule: Schedule, after: datetime) -> None:
    """The slot's local hour:minute is the rule's BYHOUR:BYMINUTE unless it fell in a gap."""
    assert _wall_clock_matches(schedule, next_run(schedule, after))


@settings(deadline=None)
@given(schedules, instants)
def test_next_run_is_the_first_slot(schedule: Schedule, after: datetime) -> None:
    """Asking again from just before the slot gives the same slot: none was skipped."""
    slot = next_run(schedule, after)
    assert next_run(schedule, slot - timedelta(microseconds=1)) == slot


@settings(deadline=None)
@given(schedules, instants)
def test_due_slots_up_to_next_run_is_that_slot(schedule: Schedule, after: datetime) -> None:
    """due_slots from t to next_run(s, t) is exactly that one slot."""
    slot = next_run(schedule, after)
    assert due_slots(schedule, after, slot) == [slot]
