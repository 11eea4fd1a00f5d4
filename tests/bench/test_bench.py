"""`make bench` itself: the quick mode runs every scenario end to end (real bot process, fake
Discord, tiny data) and reports every figure BENCHMARKS.md shows; the summary arithmetic."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bench.report import spread, summarize, table
from bench.scenarios import percentiles

PROJECT = Path(__file__).resolve().parents[2]
COMMANDS = [
    "noop (baseline)",
    "/approps status",
    "/bodycam city",
    "/oversight list",
    "/search",
    "autocomplete (/bodycam city)",
]


def test_quick_benchmark_measures_every_scenario(tmp_path: Path) -> None:
    out = tmp_path / "quick.json"
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--out", str(out)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    assert results["machine"]["cores"] >= 1 and results["command"].startswith("python -m bench")
    for part in results["results"]:
        assert part["violations"] == []  # nothing the bot sent broke a Discord limit
        [run] = part["runs"]
        assert run["exit_code"] == 0  # the bot stopped cleanly on SIGTERM
        for name in COMMANDS:
            figures = run["latency"][name]
            assert figures["samples"] == 5 and 0 < figures["p50_ms"] <= figures["p99_ms"]
        # Every command answered for real: no error, no "unknown city".
        answers = {name: " ".join(run["latency"][name]["answers"]) for name in COMMANDS}
        assert "DHS funding" in answers["/approps status"]
        assert "·" in answers["/bodycam city"] and "No record" not in answers["/bodycam city"]
        assert "choices" in answers["autocomplete (/bodycam city)"]
        assert "0 choices" not in answers["autocomplete (/bodycam city)"]
        assert run["fan_out"]["channels"] == 10 and run["fan_out"]["deliveries_per_s"] > 0
        assert run["digests"]["channels"] == 6 and run["digests"]["seconds_after_due"] > 0
        assert 0 < run["memory"]["idle_rss_mb"] <= run["memory"]["peak_rss_mb"]
        assert 0 < run["cold_start"]["connected_s"] <= run["cold_start"]["first_answer_s"]
    [imported] = [i for part in results["results"] for i in part["imports"]]
    assert (imported["created"], imported["revisions_written"], imported["events_written"]) == (
        200,
        200,
        200,
    )
    assert "| /search |" in done.stdout and "Fan-out: deliveries per second" in done.stdout


def test_percentiles_are_nearest_rank_in_milliseconds() -> None:
    figures = percentiles([n / 1000 for n in range(1, 101)])  # 1 … 100 ms
    assert (figures["p50_ms"], figures["p95_ms"], figures["p99_ms"]) == (50.0, 95.0, 99.0)
    assert figures["mean_ms"] == pytest.approx(50.5) and figures["samples"] == 100


def test_summary_is_median_min_and_max_over_runs() -> None:
    runs = [{"fan_out": {"deliveries_per_s": v}} for v in (600.0, 500.0, 700.0)]
    results = {"results": [{"backend": "sqlite", "dataset": "large", "runs": runs}]}
    summary = summarize(results)["sqlite"]["large"]["fan_out.deliveries_per_s"]
    assert summary == spread([600.0, 500.0, 700.0]) == {"median": 600.0, "min": 500.0, "max": 700.0}


def test_the_table_says_which_targets_are_met() -> None:
    """Judged on the median: a 600/s fan-out meets ≥ 500/s; a 40 ms autocomplete misses 30 ms."""
    latency = {
        "noop (baseline)": {"p50_ms": 1.0, "p95_ms": 1.5, "p99_ms": 2.0, "p99_vs_baseline": 1.0},
        "autocomplete (/bodycam city)": {
            "p50_ms": 20.0,
            "p95_ms": 30.0,
            "p99_ms": 40.0,
            "p99_vs_baseline": 20.0,
        },
    }
    run = {"latency": latency, "fan_out": {"deliveries_per_s": 600.0}}
    results = {
        "options": {"runs": 1},
        "results": [{"backend": "sqlite", "dataset": "large", "runs": [run]}],
    }
    lines = table(results).splitlines()
    autocomplete = next(line for line in lines if line.startswith("| autocomplete"))
    fan_out = next(line for line in lines if line.startswith("| Fan-out: deliveries"))
    assert "**40.0** (40.0–40.0)" in autocomplete and autocomplete.endswith("| **missed** |")
    assert "**600.00**" in fan_out and fan_out.endswith("| met |")
