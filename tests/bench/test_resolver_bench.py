"""The resolver benchmark (bench/resolver.py) on tiny data: every probe is measured and takes the
path it is named for (its outcome is checked), and the table shows each probe per backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import resolver
from bench.dataset import Sizes
from bench.harness import build_dataset, fresh_database
from bench.report import resolver_table, summarize
from bench.resolver import PROBES, Probe, bench_resolver, guild_ids, one_run
from db.scope import Scope


@pytest.fixture
def tiny() -> Sizes:
    return Sizes(40, 300, guild_ids(3), camera_records=60, revisions=900)


async def test_every_probe_is_measured_on_its_path(tiny: Sizes, tmp_path: Path) -> None:
    result = await bench_resolver("sqlite", tiny, runs=1, samples=4, warmup=1, workdir=tmp_path)
    [run] = result["runs"]
    assert list(run["probes"]) == [probe.name for probe in PROBES]
    for probe in PROBES:
        figures = run["probes"][probe.name]
        assert figures["samples"] == 4 and 0 < figures["p50_ms"] <= figures["p99_ms"]
    outcomes = {name: figures["outcome"] for name, figures in run["probes"].items()}
    assert outcomes["bare number “7147” · bill option: resolve"] == "found 119-hr7147"
    assert outcomes["question id “oq2” · question option: resolve"] == "found OQ-2"
    typo = outcomes["misspelling “minneapols” · /search"]
    assert typo.startswith("no hits. Did you mean “Body cameras Minneapolis, MN")
    summary = summarize({"results": [], "resolver": [result]})
    lines = resolver_table({"sqlite": summary["sqlite"]["resolver"]})
    assert lines[0] == "| Probe | sqlite p50 | sqlite p99 | p99 < 50 ms |"
    assert len(lines) == 2 + len(PROBES)
    assert lines[2].startswith("| bare number “7147” · bill option: autocomplete | **")


async def test_a_probe_on_the_wrong_path_stops_the_benchmark(
    tiny: Sizes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A figure must never be that of a path nobody takes: a bill number that finds no bill."""
    url = await fresh_database("sqlite", tmp_path)
    await build_dataset(url, tiny)
    wrong = Probe("bare number", "99999", "bill option: resolve", "found 119-hr7147")
    monkeypatch.setattr(resolver, "PROBES", [wrong])
    with pytest.raises(RuntimeError, match=r"expected 'found 119-hr7147', got 'not found\."):
        await one_run(url, [Scope.shared()], samples=1, warmup=0, seed=0)
