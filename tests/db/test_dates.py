"""Tests for db.dates: strict parsing of typed dates and their display forms."""

import datetime
import pickle
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from db.dates import (
    ACCEPTED_FORMS,
    DateParseError,
    DateRangeError,
    add_days,
    days_between,
    discord_timestamp,
    format_date,
    format_relative,
    parse_date,
)

TODAY = datetime.date(2026, 2, 13)
D = datetime.date
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-02-13", D(2026, 2, 13)),
        ("2026-2-3", D(2026, 2, 3)),
        ("Feb 13 2026", D(2026, 2, 13)),
        ("Feb 13, 2026", D(2026, 2, 13)),
        ("February 13 2026", D(2026, 2, 13)),
        ("feb. 13, 2026", D(2026, 2, 13)),
        ("SEPT 1 2026", D(2026, 9, 1)),
        ("2/13/2026", D(2026, 2, 13)),
        ("02/13/2026", D(2026, 2, 13)),
        ("2-13-2026", D(2026, 2, 13)),
        ("2/13/26", D(2026, 2, 13)),
        ("12/31/99", D(2099, 12, 31)),
        ("13 February 2026", D(2026, 2, 13)),
        ("13 Feb 2026", D(2026, 2, 13)),
        ("2/29/2028", D(2028, 2, 29)),
        ("1900-01-01", D(1900, 1, 1)),
        ("2100-12-31", D(2100, 12, 31)),
        ("  Today ", TODAY),
        ("yesterday", D(2026, 2, 12)),
        ("TOMORROW", D(2026, 2, 14)),
        ("in 30 days", D(2026, 3, 15)),
        ("in 1 day", D(2026, 2, 14)),
        ("in 2 weeks", D(2026, 2, 27)),
        ("in 3 months", D(2026, 5, 13)),
        ("in 1 year", D(2027, 2, 13)),
        ("in   2\tweeks", D(2026, 2, 27)),
        ("30 days ago", D(2026, 1, 14)),
        ("2 weeks ago", D(2026, 1, 30)),
        ("+2w", D(2026, 2, 27)),
        ("+30d", D(2026, 3, 15)),
        ("-3d", D(2026, 2, 10)),
        ("+1m", D(2026, 3, 13)),
        ("+1Y", D(2027, 2, 13)),
        ("+0d", TODAY),
        ("+100y", D(2126, 2, 13)),
    ],
)
def test_parse_accepted_forms(text: str, expected: datetime.date) -> None:
    """Every documented form parses to the expected date."""
    assert parse_date(text, today=TODAY) == expected


def test_month_arithmetic_clamps_to_month_end() -> None:
    """'+1m' from Jan 31 lands on the last day of February, not in March."""
    assert parse_date("+1m", today=D(2026, 1, 31)) == D(2026, 2, 28)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "foo",
        "13",
        "feb",
        "2026",
        "feb 2026",
        "feb 13",
        "2/13",
        "2/30/2026",
        "2/29/2026",
        "2026-02-30",
        "2026-13-01",
        "0/13/2026",
        "13/2/2026",
        "2/13-2026",
        "next tuesday",
        "in a week",
        "tomorrow morning",
        "1899-12-31",
        "2101-01-01",
        "Feb 13 1899",
        "2/13/2101",
        "Febtober 13 2026",
        "2026-02-13T10:00",
        "Feb 13 2026 5pm",
        "+1000000d",
        "+101y",
        "in 1201 months",
        "5300 weeks ago",
        "+9999999y",
        "in -3 days",
        "+3",
        "2/13/２０２６",
        "٢/١٣/٢٠٢٦",
    ],
)
def test_parse_rejects(text: str) -> None:
    """Incomplete, ambiguous, invalid or out-of-range input raises DateParseError."""
    with pytest.raises(DateParseError) as excinfo:
        parse_date(text, today=TODAY)
    assert ACCEPTED_FORMS in str(excinfo.value)
    assert excinfo.value.text == text


def test_rejection_message_names_input() -> None:
    """The error message quotes what was typed."""
    with pytest.raises(DateParseError, match="Could not read 'foo' as a date"):
        parse_date("foo", today=TODAY)


def test_day_first_numeric_explains_month_first() -> None:
    """'13/2/2026' is not silently swapped; the error says numeric dates are month/day/year."""
    with pytest.raises(DateParseError, match="month/day/year"):
        parse_date("13/2/2026", today=TODAY)


def test_impossible_day_is_explained() -> None:
    """'2/30/2026' says that February has no such day."""
    with pytest.raises(DateParseError, match="Feb 2026 has no day 30"):
        parse_date("2/30/2026", today=TODAY)


def test_long_input_is_truncated_in_message() -> None:
    """A huge paste is shortened in the message but kept whole on .text."""
    text = "x" * 5000
    with pytest.raises(DateParseError) as excinfo:
        parse_date(text, today=TODAY)
    assert len(str(excinfo.value)) < 400
    assert excinfo.value.text == text


def test_date_parse_error_is_value_error() -> None:
    """Callers catching ValueError also catch DateParseError."""
    with pytest.raises(ValueError):
        parse_date("foo", today=TODAY)


def test_date_parse_error_pickles() -> None:
    """The error survives a pickle round trip with its text and message intact."""
    err = DateParseError("foo", "why")
    copy = pickle.loads(pickle.dumps(err))
    assert (copy.text, copy.reason, str(copy)) == ("foo", "why", str(err))


def test_today_near_datetime_limits_raises_parse_error() -> None:
    """Relative input near date.max gives DateParseError, not OverflowError."""
    with pytest.raises(DateParseError):
        parse_date("+1d", today=datetime.date.max)


def _renderings(d: datetime.date) -> list[str]:
    """The ways a person (or this module) might write d."""
    return [
        d.isoformat(),
        f"{MONTHS[d.month - 1][:3]} {d.day} {d.year}",
        f"{d.month}/{d.day}/{d.year}",
        f"{d.month:02}-{d.day:02}-{d.year}",
        f"{d.day} {MONTHS[d.month - 1]} {d.year}",
        format_date(d),
    ]


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_renderings_round_trip(d: datetime.date) -> None:
    """Every rendering of a date in 1900..2100 parses back to that date."""
    for text in _renderings(d):
        assert parse_date(text, today=TODAY) == d, text


@given(st.text(), st.dates())
def test_any_text_returns_date_or_parse_error(text: str, today: datetime.date) -> None:
    """For arbitrary text and any today, parse_date returns a date or raises DateParseError."""
    try:
        result = parse_date(text, today=today)
    except DateParseError as err:
        assert err.text == text
    else:
        assert type(result) is datetime.date


@given(st.text(alphabet="+-0123456789dwmy inagoseklthr/,.", max_size=20))
def test_date_like_text_returns_date_or_parse_error(text: str) -> None:
    """Text built from date-ish characters returns a date or raises DateParseError."""
    try:
        result = parse_date(text, today=TODAY)
    except DateParseError as err:
        assert err.text == text
    else:
        assert type(result) is datetime.date


@given(st.integers(min_value=0, max_value=36_500))
def test_plus_n_days_is_today_plus_n(n: int) -> None:
    """'+Nd' equals today + N days."""
    assert parse_date(f"+{n}d", today=TODAY) == TODAY + datetime.timedelta(days=n)


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (D(2026, 2, 13), "Feb 13, 2026"),
        (D(2026, 2, 3), "Feb 3, 2026"),
        (D(1900, 12, 31), "Dec 31, 1900"),
    ],
)
def test_format_date(d: datetime.date, expected: str) -> None:
    """format_date gives 'Mon D, YYYY' with no leading zero on the day."""
    assert format_date(d) == expected


@pytest.mark.parametrize(
    ("d", "expected"),
    [
        (TODAY, "today"),
        (D(2026, 2, 14), "tomorrow"),
        (D(2026, 2, 12), "yesterday"),
        (D(2026, 2, 16), "in 3 days"),
        (D(2026, 2, 1), "12 days ago"),
        (D(2027, 2, 13), "in 365 days"),
    ],
)
def test_format_relative(d: datetime.date, expected: str) -> None:
    """format_relative speaks in days, with words for -1, 0 and +1."""
    assert format_relative(d, today=TODAY) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [(TODAY, D(2026, 3, 15), 30), (D(2026, 3, 15), TODAY, -30), (TODAY, TODAY, 0)],
)
def test_days_between(start: datetime.date, end: datetime.date, expected: int) -> None:
    """days_between is end minus start, signed."""
    assert days_between(start, end) == expected


def test_discord_timestamp_date_is_noon_utc() -> None:
    """A date renders as 12:00 UTC that day, in style D by default."""
    assert discord_timestamp(TODAY) == "<t:1770984000:D>"


def test_discord_timestamp_date_in_zone() -> None:
    """With tz, a date renders as noon in that zone."""
    noon_ny = int(datetime.datetime(2026, 2, 13, 17, tzinfo=datetime.UTC).timestamp())
    assert discord_timestamp(TODAY, "R", tz=ZoneInfo("America/New_York")) == f"<t:{noon_ny}:R>"


def test_discord_timestamp_aware_datetime_kept() -> None:
    """An aware datetime keeps its own instant; tz does not move it."""
    moment = datetime.datetime(2026, 2, 13, 8, 30, tzinfo=datetime.UTC)
    expected = f"<t:{int(moment.timestamp())}:f>"
    assert discord_timestamp(moment, "f", tz=ZoneInfo("Asia/Tokyo")) == expected


def test_discord_timestamp_naive_datetime_uses_tz() -> None:
    """A naive datetime is read in tz (UTC by default)."""
    assert discord_timestamp(datetime.datetime(1970, 1, 1, 0, 1), "T") == "<t:60:T>"


def test_discord_timestamp_before_epoch() -> None:
    """Dates before 1970 give negative Unix times."""
    assert discord_timestamp(D(1969, 12, 31)) == "<t:-43200:D>"


@pytest.mark.parametrize("style", list("tTdDfFR"))
def test_discord_timestamp_accepts_styles(style: str) -> None:
    """Each of Discord's seven styles is accepted."""
    assert discord_timestamp(TODAY, style).endswith(f":{style}>")


@pytest.mark.parametrize("style", ["", "x", "DD", "r", "<"])
def test_discord_timestamp_rejects_unknown_style(style: str) -> None:
    """Any other style raises ValueError."""
    with pytest.raises(ValueError, match="style"):
        discord_timestamp(TODAY, style)


@given(st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
def test_noon_utc_is_same_day_from_utc_minus_11_to_plus_11(d: datetime.date) -> None:
    """A date's timestamp shows that same calendar day for offsets UTC-11..UTC+11."""
    unix = int(discord_timestamp(d)[3:].split(":")[0])
    for hours in range(-11, 12):
        zone = datetime.timezone(datetime.timedelta(hours=hours))
        assert datetime.datetime.fromtimestamp(unix, zone).date() == d


def test_add_days_counts_days_forward_and_back() -> None:
    assert add_days(D(2026, 2, 13), 30) == D(2026, 3, 15)
    assert add_days(D(2026, 2, 13), -13) == D(2026, 1, 31)
    assert add_days(D(2100, 12, 31), 3650) == D(2110, 12, 29)


@pytest.mark.parametrize(
    ("start", "days"),
    [(D(9999, 12, 1), 3650), (D(9999, 12, 31), 1), (D(1, 1, 1), -1), (D(2026, 1, 1), 10**10)],
)
def test_add_days_past_the_calendar_says_so_instead_of_overflowing(start: D, days: int) -> None:
    """A due rule's 3,650 days after an enactment in 9999, the day after 9999-12-31, a
    billion-day rule: a DateRangeError (a ValueError) naming both, never OverflowError."""
    with pytest.raises(DateRangeError) as caught:
        add_days(start, days)
    assert f"{days:,} days from {format_date(start)} is outside the calendar" in str(caught.value)
    assert isinstance(caught.value, ValueError)
