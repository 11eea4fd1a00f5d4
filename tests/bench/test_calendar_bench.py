"""The calendar export benchmark (bench/calendar.py) on tiny data: each sample is a real export
of a guild's deadlines, and the table reports it per backend."""

from __future__ import annotations

from pathlib import Path

from bench.calendar import bench_calendar, table
from bench.dataset import Sizes
from bench.resolver import guild_ids


async def test_the_export_is_measured_and_tabled(tmp_path: Path) -> None:
    tiny = Sizes(40, 300, guild_ids(3), camera_records=60, revisions=900)
    result = await bench_calendar("sqlite", 1, 3, 1, tmp_path, tiny)
    [run] = result["runs"]
    assert run["export"]["samples"] == 3
    assert 0 < run["export"]["p50_ms"] <= run["export"]["p99_ms"]
    assert run["events_median"] > 0 and run["kb_median"] > 0
    lines = table([result]).split("\n")
    assert lines[0].startswith("| backend | p50 ms |") and lines[2].startswith("| sqlite | ")
