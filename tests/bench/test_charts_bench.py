"""The charts benchmark (bench/charts.py) on tiny data: each chart's parts are measured, the
drawings are real PNGs, and the table shows every part per backend."""

from __future__ import annotations

from pathlib import Path

from bench.charts import EXTRA_LINES, bench_charts
from bench.dataset import Sizes
from bench.report import charts_table, summarize
from bench.resolver import guild_ids

PARTS = [
    f"{chart} · {part}"
    for chart in ("/approps chart", "/bodycam timeline")
    for part in ("read", "draw", "words", "total")
]


async def test_every_part_of_both_charts_is_measured(tmp_path: Path) -> None:
    tiny = Sizes(40, 300, guild_ids(3), camera_records=60, revisions=900)
    result = await bench_charts("sqlite", tiny, runs=1, samples=3, warmup=1, workdir=tmp_path)
    assert result["sizes"] == {"camera_records": 60, "extra_lines": EXTRA_LINES}
    [run] = result["runs"]
    assert list(run["probes"]) == [*PARTS, "loop lag while drawing"]
    for part in PARTS:
        figures = run["probes"][part]
        assert figures["samples"] == 3 and 0 < figures["p50_ms"] <= figures["p99_ms"]
    assert run["probes"]["loop lag while drawing"]["samples"] > 0
    assert 20 < run["/approps chart · png_kb"] < 1024
    assert 20 < run["/bodycam timeline · png_kb"] < 1024
    assert run["first chart · matplotlib load_ms"] > 0
    summary = summarize({"results": [], "charts": [result]})
    lines = charts_table({"sqlite": summary["sqlite"]["charts"]})
    assert lines[0] == "| Part | sqlite p50 | sqlite p99 |"
    assert lines[2].startswith("| /approps chart · read | **")
    assert len(lines) == 2 + len(PARTS) + 1 + 3  # the lag, then the three measured once
    assert lines[-1].startswith("| first chart · matplotlib load_ms | **")
