"""The .ics export, parsed back with `icalendar`: all-day events with UIDs stable across exports,
SEQUENCE raised when a date moves, every report of a recurring duty, the fact, its confidence and
sources in the description; and `python -m bot calendar export`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pytest

from bot.calendar_export import export_calendar
from bot.cli import main
from db.engine import Database
from db.scope import Scope
from db.seed import load_seed
from tests.db.records import SHARED, D, add, change, question

NAME = "Oversight Desk deadlines (test)"
ZONE = "America/New_York"


async def exported(db: Database, scope: Scope = SHARED, kinds: str = "all") -> icalendar.Calendar:
    file = await export_calendar(db, scope, kinds=kinds, name=NAME, timezone=ZONE)
    calendar = icalendar.Calendar.from_ical(file.data)
    assert len(calendar.walk("VEVENT")) == file.events
    return calendar


def events(calendar: icalendar.Calendar) -> dict[str, icalendar.Event]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


async def test_the_starter_data_exports_as_all_day_events_with_their_facts(db: Database) -> None:
    await load_seed(db)
    calendar = await exported(db)
    assert str(calendar["X-WR-CALNAME"]) == NAME and str(calendar["X-WR-TIMEZONE"]) == ZONE
    found = events(calendar)
    for event in found.values():
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is dt.date and end == start + dt.timedelta(days=1)  # all day
        assert int(event["SEQUENCE"]) == 0 and str(event["DESCRIPTION"])
    oq4 = found["question/OQ-4@shared.oversight-desk"]
    assert oq4.decoded("DTSTART") == D(2026, 5, 30)
    assert str(oq4["SUMMARY"]).startswith("OQ-4 due · deadline uncertain: Spend plan")
    description = str(oq4["DESCRIPTION"])
    assert "deadline uncertain (basis disputed)" in description
    assert "Due 30 days after enactment of H.R. 7147." in description
    assert str(oq4["STATUS"]) == "TENTATIVE"
    assert str(oq4["LOCATION"]).startswith("DHS, to the House and Senate Appropriations")
    reports = sorted(
        (event.decoded("DTSTART"), uid) for uid, event in found.items() if "/OQ-7/" in uid
    )
    assert reports[:3] == [
        (D(2026, 7, 29), "question/OQ-7/1@shared.oversight-desk"),
        (D(2026, 10, 29), "question/OQ-7/2@shared.oversight-desk"),
        (D(2027, 1, 29), "question/OQ-7/3@shared.oversight-desk"),
    ]
    assert len(reports) == 10  # quarterly, Jul 29, 2026 to Oct 29, 2028 (two years from Nov 28)
    assert not any("OQ-5" in uid for uid in found)  # a trigger date, not a deadline
    cr = found["funding_period/fy2026-funded-2025-11-12/end@shared.oversight-desk"]
    assert str(cr["SUMMARY"]) == "DHS CR expires (H.R. 5371)"
    assert str(cr["LOCATION"]) == "U.S. Capitol" and str(cr["STATUS"]) == "CONFIRMED"


async def test_uids_are_stable_and_a_moved_date_raises_the_sequence(db: Database) -> None:
    await add(db, "question", question(key="OQ-1", due_date=D(2026, 12, 15)))
    await add(db, "question", question(key="OQ-2", due_date=D(2027, 1, 15), question="Other?"))
    first = events(await exported(db))
    again = events(await exported(db))
    assert (
        set(first)
        == set(again)
        == {
            "question/OQ-1@shared.oversight-desk",
            "question/OQ-2@shared.oversight-desk",
        }
    )
    await change(db, "question", "OQ-1", {"due_date": D(2026, 12, 18)})
    moved = events(await exported(db))
    assert set(moved) == set(first)
    one = moved["question/OQ-1@shared.oversight-desk"]
    assert (one.decoded("DTSTART"), int(one["SEQUENCE"])) == (D(2026, 12, 18), 1)
    assert int(moved["question/OQ-2@shared.oversight-desk"]["SEQUENCE"]) == 0


async def test_kinds_choose_what_is_exported_and_a_server_sees_its_own(db: Database) -> None:
    await load_seed(db)
    await add(db, "question", question(key="GQ-1", due_date=D(2026, 12, 9)), scope=Scope.guild(5))
    funding = events(await exported(db, kinds="funding"))
    oversight = events(await exported(db, kinds="oversight"))
    assert funding and all(uid.startswith("funding_period/") for uid in funding)
    assert oversight and all(uid.startswith("question/") for uid in oversight)
    mine = events(await exported(db, Scope.guild(5), kinds="oversight"))
    assert "question/GQ-1@guild-5.oversight-desk" in mine
    assert "question/GQ-1@guild-5.oversight-desk" not in events(await exported(db, Scope.guild(6)))


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    for name in ("DISCORD_TOKEN", "OVERSIGHT_DESK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_the_command_line_writes_a_file_and_says_what_it_holds(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["db", "seed"])
    capsys.readouterr()
    out = workdir / "deadlines.ics"
    assert main(["calendar", "export", "--kinds", "oversight", "--out", str(out)]) == 0
    said = capsys.readouterr().err
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    count = len(calendar.walk("VEVENT"))
    assert said.startswith(f"Wrote {out}: {count} deadlines from ") and count > 0
    assert str(calendar["X-WR-CALNAME"]) == "Oversight Desk deadlines (shared dataset)"


def test_the_command_line_refuses_an_unknown_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["calendar", "export", "--kinds", "hearings"]) == 2
    assert "invalid choice: 'hearings'" in capsys.readouterr().err
