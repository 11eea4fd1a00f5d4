"""The command line, run in-process against a temporary SQLite database."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from bot.cli import main


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
