"""The command line, run in-process against a temporary SQLite database."""

from __future__ import annotations

import asyncio
import io
import json
import os
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main
from db import migrations
from fakecongress import FakeCongress


@pytest.fixture(autouse=True)
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Each test runs in an empty folder with its own database and no token or config file."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path}/cli.db")
    for name in ("DISCORD_TOKEN", "OVERSIGHT_DESK_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_seed_twice_changes_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """`db seed` loads the starter data; a second run reports nothing created or updated."""
    assert main(["db", "seed"]) == 0
    first = capsys.readouterr().out
    assert main(["db", "seed"]) == 0
    second = capsys.readouterr().out
    assert "0 created" not in first
    assert "0 created, 0 updated" in second


def test_export_prints_the_starter_data(capsys: pytest.CaptureFixture[str]) -> None:
    """`export` on a seeded database prints every kind of starter record as JSON."""
    main(["db", "seed"])
    capsys.readouterr()
    assert main(["export"]) == 0
    document = json.loads(capsys.readouterr().out)
    kinds = {record["kind"] for record in document["records"]}
    assert kinds >= {"measure", "action", "funding_line", "funding_period", "bodycam", "question"}
    keys = {record.get("key") for record in document["records"]}
    assert {"minneapolis-mn-ice-ero", "119-hr7147", "OQ-4"} <= keys


def test_export_import_round_trip_changes_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exported CSV imports back into the same database with every record unchanged."""
    main(["db", "seed"])
    out = workdir / "bodycams.csv"
    assert main(["export", "--kind", "bodycam", "--format", "csv", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["import", str(out)]) == 0
    assert " 0 new, 0 changed" in capsys.readouterr().out


def test_bad_import_lists_problems_and_writes_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CSV with a bad row is refused by row and column, and no record is added."""
    main(["db", "seed"])
    bad = workdir / "bad.csv"
    bad.write_text(
        "kind,city,state,component,status,as_of\n"
        "bodycam,Denver,CO,ICE-ERO,full,2026-03-01\n"
        "bodycam,Austin,TX,ICE-ERO,everywhere,2026-03-01\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    assert main(["import", str(bad)]) == 1
    error = capsys.readouterr().err
    assert "row 2" in error and "status" in error
    assert main(["export", "--kind", "bodycam"]) == 0
    assert "Denver" not in capsys.readouterr().out


def test_history_shows_field_changes(capsys: pytest.CaptureFixture[str]) -> None:
    """`history` lists a record's revisions with old → new values."""
    main(["db", "seed"])
    capsys.readouterr()
    assert main(["history", "bodycam", "minneapolis-mn-ice-ero"]) == 0
    out = capsys.readouterr().out
    assert "create by seed" in out and "status:" in out


def test_history_of_unknown_record_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """`history` of a key that never existed says so and exits 1."""
    assert main(["history", "bodycam", "atlantis-xx-ice-ero"]) == 1
    assert "No history for bodycam 'atlantis-xx-ice-ero'" in capsys.readouterr().err


def test_run_without_token_opens_the_console(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`run` with no token migrates and seeds, says it opens the offline console, and answers
    the commands piped to it."""
    monkeypatch.setattr("sys.stdin", io.StringIO("/about\n"))
    assert main(["run"]) == 0
    captured = capsys.readouterr()
    assert "Loaded the starter dataset" in captured.out
    assert "offline console" in captured.err and "DISCORD_TOKEN" in captured.err
    assert "> /about" in captured.out and "Records (67)" in captured.out


def test_sync_without_token_explains_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """`sync` needs a token: without one it says how to set it and exits 2."""
    assert main(["sync"]) == 2
    assert "DISCORD_TOKEN" in capsys.readouterr().err


def test_bad_config_is_one_line_and_exit_2(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A config file with an unknown time zone stops with one line naming the key; exit 2."""
    config = workdir / "bad.toml"
    config.write_text('[bot]\ntimezone = "Mars/Base"\n', encoding="utf-8")
    assert main(["--config", str(config), "db", "upgrade"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1
    assert "bot.timezone" in error and "bad.toml" in error


def test_guild_reimport_of_its_export_keeps_shared_records_shared(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A guild's export imported back into that guild changes nothing and copies nothing."""
    main(["db", "seed"])
    out = workdir / "guild.json"
    assert main(["export", "--guild", "42", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main(["import", str(out), "--guild", "42"]) == 0
    assert "0 new, 0 changed, 67 unchanged" in capsys.readouterr().out


# ------------------------------------------------ every failure is one line (issue 11, item 6)

ROOT = Path(__file__).resolve().parents[2]
NEWER = "9999"  # a migration this program has never heard of
COMMANDS_THAT_OPEN_THE_DATABASE = [
    ["run"],
    ["console"],
    ["sync"],
    ["db", "upgrade"],
    ["db", "seed"],
    ["import", "records.json"],
    ["export"],
    ["history", "bodycam", "minneapolis-mn-ice-ero"],
]


def one_line(err: str) -> str:
    """stderr, which must be exactly one line and no traceback."""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def stamp(path: Path, revision: str) -> None:
    """Mark a database as migrated to `revision`, as a newer Oversight Desk would."""
    with sqlite3.connect(path) as connection:
        connection.execute("UPDATE alembic_version SET version_num = ?", (revision,))


def stamped(path: Path) -> str:
    with sqlite3.connect(path) as connection:
        return str(connection.execute("SELECT version_num FROM alembic_version").fetchone()[0])


def test_the_newest_revision_is_read_from_the_migration_scripts() -> None:
    """The revisions known are the scripts' own, oldest first, so a new migration counts at once."""
    files = sorted(p.name.split("_")[0] for p in (ROOT / "db/migrations/versions").glob("0*.py"))
    assert migrations.known_revisions() == files
    assert migrations.newest_revision() == files[-1]


@pytest.mark.parametrize("argv", COMMANDS_THAT_OPEN_THE_DATABASE, ids=" ".join)
def test_a_file_that_is_not_a_database_is_one_line_for_every_command(
    argv: list[str],
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Every command that opens the database stops with one line saying the file is not a
    database and what to do; exit 2, and the file is left as it was."""
    notes = workdir / "notes.db"
    notes.write_text("meeting notes, not a database\n", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{notes}")
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    assert main(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert f"{notes} is not a SQLite database" in line and "point DATABASE_URL" in line
    assert notes.read_text(encoding="utf-8") == "meeting notes, not a database\n"


def test_a_folder_as_the_database_is_one_line(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """DATABASE_URL naming a folder says so and suggests a file inside it; exit 2."""
    folder = workdir / "data"
    folder.mkdir()
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{folder}")
    assert main(["db", "upgrade"]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"The database {folder} is a folder, not a file" in line
    assert f"sqlite+aiosqlite:///{folder}/oversight-desk.db" in line


def test_a_database_under_a_file_is_one_line(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database path whose folder is really a file names that file; exit 2."""
    (workdir / "data").write_text("", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{workdir}/data/x.db")
    assert main(["export"]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"({workdir / 'data'} is a file, not a folder)" in line


@pytest.mark.parametrize("argv", [["db", "upgrade"], ["export"], ["db", "seed"]], ids=" ".join)
def test_a_database_from_a_newer_version_is_refused_untouched(
    argv: list[str], workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A database a newer Oversight Desk migrated is named with its migration and the newest
    this one knows; nothing is migrated or written (exit 2)."""
    assert main(["db", "upgrade"]) == 0
    stamp(workdir / "cli.db", NEWER)
    capsys.readouterr()
    assert main(argv) == 2
    line = one_line(capsys.readouterr().err)
    assert line == (
        f"error: The database {workdir / 'cli.db'} was made by a newer Oversight Desk (migration "
        f"{NEWER}; this one knows up to {migrations.newest_revision()}): upgrade the program or "
        "point DATABASE_URL at another database."
    )
    assert stamped(workdir / "cli.db") == NEWER


def test_a_damaged_database_fails_in_one_line_and_saves_nothing(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A table gone missing fails `db seed` mid-way: one line naming the database and the
    problem, exit 2, and none of the seed's other writes are kept."""
    database = workdir / "cli.db"
    assert main(["db", "upgrade"]) == 0
    with sqlite3.connect(database) as connection:
        connection.execute("DROP TABLE bodycam")
    capsys.readouterr()
    assert main(["db", "seed"]) == 2
    line = one_line(capsys.readouterr().err)
    assert line.startswith(f"error: the database {database} failed (no such table: bodycam)")
    assert "was not saved" in line
    with sqlite3.connect(database) as connection:
        assert connection.execute("SELECT count(*) FROM revision").fetchone() == (0,)


def test_an_unreachable_postgresql_is_one_line_without_the_password(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nothing listens on port 1: one line naming the server (password hidden); exit 2."""
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://postgres:hunter2@127.0.0.1:1/test")
    assert main(["history", "bodycam", "minneapolis-mn-ice-ero"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "Cannot connect to the database postgresql+asyncpg://postgres:***@127.0.0.1:1/" in line
    assert "check that PostgreSQL is running" in line and "hunter2" not in line


@pytest.mark.parametrize(
    ("out", "says"),
    [
        ("{workdir}", "is a folder; give a file name inside it"),
        ("{workdir}/missing/records.json", "the folder {workdir}/missing does not exist"),
        ("/proc/records.json", "Cannot write /proc/records.json (No such file or directory)"),
    ],
    ids=["folder", "missing folder", "write fails"],
)
def test_an_unwritable_out_is_one_line(
    out: str, says: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`export --out` somewhere that cannot be written says where and why; exit 2."""
    assert main(["export", "--out", out.format(workdir=workdir)]) == 2
    line = one_line(capsys.readouterr().err)
    assert says.format(workdir=workdir) in line and "out" in line


@pytest.mark.parametrize("guild", ["-5", "0", "99999999999999999999999", "9223372036854775808"])
@pytest.mark.parametrize(
    "argv", [["export"], ["history", "bodycam", "x"], ["import", "x.json"]], ids=" ".join
)
def test_a_guild_that_is_not_a_discord_id_is_one_line(
    argv: list[str], guild: str, workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--guild must be a positive 64-bit id: anything else is refused before the database is
    opened, with what is accepted; exit 2."""
    assert main([*argv, "--guild", guild]) == 2
    line = one_line(capsys.readouterr().err)
    assert f"argument --guild: '{guild}' is not a Discord server id" in line
    assert "a whole number from 1 to 9223372036854775807" in line
    assert not (workdir / "cli.db").exists()


def test_the_largest_discord_id_is_accepted(capsys: pytest.CaptureFixture[str]) -> None:
    """The top of the range is a valid guild id: its (empty) export works."""
    assert main(["export", "--guild", str(2**63 - 1), "--kind", "question"]) == 0
    assert json.loads(capsys.readouterr().out)["records"] == []


def test_an_unreachable_discord_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`sync` with a token but no way to Discord (nothing listens on port 1): one line saying
    Discord cannot be reached and what to check; exit 2."""
    monkeypatch.setenv("DISCORD_TOKEN", "MTIz.not.real")
    monkeypatch.setattr("discord.http.Route.BASE", "http://127.0.0.1:1/api/v10")
    assert main(["sync"]) == 2
    err = capsys.readouterr().err  # with a token, discord.py's own log lines come first
    assert "Traceback" not in err and "MTIz.not.real" not in err
    errors = [line for line in err.splitlines() if line.startswith("error:")]
    assert errors == [err.strip().splitlines()[-1]]
    assert errors[0].startswith("error: Cannot reach Discord (") and "network" in errors[0]


def test_a_usage_error_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown command is one line pointing at --help; exit 2."""
    assert main(["frobnicate"]) == 2
    line = one_line(capsys.readouterr().err)
    assert "invalid choice: 'frobnicate'" in line and "--help" in line


@pytest.mark.parametrize(
    ("case", "argv"),
    [
        ("folder", ["db", "upgrade"]),
        ("text", ["run"]),
        ("newer", ["export"]),
        ("postgres", ["db", "seed"]),
        ("ok", ["export", "--out", "/proc/records.json"]),
        ("ok", ["export", "--guild", "-5"]),
    ],
)
def test_the_real_program_fails_in_one_line_without_a_traceback(
    case: str, argv: list[str], workdir: Path
) -> None:
    """`python -m bot` as a user runs it: stderr is exactly one line, no traceback, exit 2."""
    url = f"sqlite+aiosqlite:///{workdir}/cli.db"
    if case == "folder":
        (workdir / "data").mkdir()
        url = f"sqlite+aiosqlite:///{workdir}/data"
    elif case == "text":
        (workdir / "notes.db").write_text("notes\n", encoding="utf-8")
        url = f"sqlite+aiosqlite:///{workdir}/notes.db"
    elif case == "newer":
        assert main(["db", "upgrade"]) == 0
        stamp(workdir / "cli.db", NEWER)
    elif case == "postgres":
        url = "postgresql+asyncpg://postgres@127.0.0.1:1/test"
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    env.pop("DISCORD_TOKEN", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=workdir,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,  # a hang guard, not a measurement
    )
    assert done.returncode == 2, done.stderr
    assert one_line(done.stderr).startswith(("error: ", "oversight-desk export: "))


def test_congress_sync_without_a_key_is_one_line_and_exit_2(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """No key: one line saying where to put one; nothing synced."""
    monkeypatch.delenv("CONGRESS_API_KEY", raising=False)
    assert main(["congress", "sync"]) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "CONGRESS_API_KEY" in error


def test_congress_sync_prints_what_changed(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`congress sync --bill 119/hr/5371` against the fake API follows the bill, writes it and
    prints each record written; a second run prints that nothing changed."""
    fixtures = Path(__file__).parents[1] / "fixtures" / "congress"
    port = _free_port()
    config = workdir / "config.toml"
    config.write_text(f'[congress]\napi_base = "http://127.0.0.1:{port}/v3"\n')
    monkeypatch.setenv("CONGRESS_API_KEY", "cli-test-key")

    async def serve_and_run(args: list[str]) -> int:
        async with FakeCongress(fixtures, api_key="cli-test-key", port=port):
            return await asyncio.to_thread(main, ["--config", str(config), *args])

    assert asyncio.run(serve_and_run(["congress", "sync", "--bill", "119/hr/5371"])) == 0
    first = capsys.readouterr().out
    assert first.startswith("Congress.gov: 0 listed, 0 newly followed, 1 refreshed")
    assert "119-hr5371: created" in first
    assert "fy2026-funded-2025-11-12: source added" in first  # the seed agrees with the API
    assert asyncio.run(serve_and_run(["congress", "sync", "--bill", "119/hr/5371"])) == 0
    again = capsys.readouterr().out
    assert "1 unchanged, 0 records written" in again
    assert "cli-test-key" not in first + again


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
