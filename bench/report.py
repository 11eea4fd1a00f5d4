"""Results → summary (median, min and max over runs) → the Markdown table BENCHMARKS.md shows."""

from __future__ import annotations

import statistics
from collections.abc import Iterator
from typing import Any

BASELINE = "noop (baseline)"
AUTOCOMPLETE = "autocomplete (/bodycam city)"
COMMAND_P99_MS = 50.0
AUTOCOMPLETE_P99_MS = 30.0
BASELINE_RATIO = 2.0
CONGRESS = "congress"  # the summary's key, beside the datasets, for the Congress.gov sync
RESOLVER = "resolver"  # and for the resolver's probes (bench/resolver.py)
RESOLVER_P99_MS = 50.0
CHARTS = "charts"  # and for the charts (bench/charts.py)


def _numbers(prefix: str, value: Any) -> Iterator[tuple[str, float]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _numbers(f"{prefix}.{key}" if prefix else key, inner)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield prefix, float(value)


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarize(results: dict[str, Any]) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """backend → dataset → metric path (e.g. 'latency./search.p99_ms') → median/min/max; the
    Congress.gov sync's figures sit beside the datasets under CONGRESS."""
    summary: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for part in results["results"]:
        runs = [*part["runs"], *({"import": i} for i in part.get("imports", []))]
        summary.setdefault(part["backend"], {})[part["dataset"]] = _spreads(runs)
    for part in results.get("congress", []):
        summary.setdefault(part["backend"], {})[CONGRESS] = _spreads(part["runs"])
    for part in results.get(RESOLVER, []):
        summary.setdefault(part["backend"], {})[RESOLVER] = _spreads(part["runs"])
    for part in results.get(CHARTS, []):
        summary.setdefault(part["backend"], {})[CHARTS] = _spreads(part["runs"])
    return summary


def _spreads(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    collected: dict[str, list[float]] = {}
    for run in runs:
        for path, number in _numbers("", run):
            collected.setdefault(path, []).append(number)
    return {path: spread(values) for path, values in collected.items()}


def _cell(figures: dict[str, float] | None, digits: int = 1) -> str:
    if figures is None:
        return "—"
    median, low, high = (f"{figures[k]:,.{digits}f}" for k in ("median", "min", "max"))
    return f"**{median}** ({low}–{high})"


def _verdict(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**missed**")


def latency_table(figures: dict[str, dict[str, float]], check: bool) -> list[str]:
    names = sorted(
        {path.split(".")[1] for path in figures if path.startswith("latency.")},
        key=lambda n: (n != BASELINE, n),
    )
    lines = [
        "| Command | p50 ms | p95 ms | p99 ms | p99 ÷ baseline | Target (p99) | |",
        "|---|---|---|---|---|---|---|",
    ]
    for name in names:
        p99 = figures.get(f"latency.{name}.p99_ms")
        ratio = figures.get(f"latency.{name}.p99_vs_baseline")
        if name == BASELINE:
            target, met = "(the baseline)", None
        elif name == AUTOCOMPLETE:
            target = f"< {AUTOCOMPLETE_P99_MS:.0f} ms"
            met = p99 is not None and p99["median"] < AUTOCOMPLETE_P99_MS
        else:
            target = f"< {COMMAND_P99_MS:.0f} ms and ≤ {BASELINE_RATIO:.0f}× baseline"
            met = (
                p99 is not None
                and ratio is not None
                and p99["median"] < COMMAND_P99_MS
                and ratio["median"] <= BASELINE_RATIO
            )
        lines.append(
            f"| {name} | {_cell(figures.get(f'latency.{name}.p50_ms'))} "
            f"| {_cell(figures.get(f'latency.{name}.p95_ms'))} | {_cell(p99)} "
            f"| {_cell(ratio, 2)} | {target} | {_verdict(met if check else None)} |"
        )
    return lines


_COMPARE = {
    "below": lambda value, limit: value < limit,
    "at most": lambda value, limit: value <= limit,
    "at least": lambda value, limit: value >= limit,
}


def other_table(per_dataset: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    large = per_dataset.get("large", {})
    rows: list[tuple[str, str, str, float | None, str]] = [
        # label, metric path, target text, limit, how the median must compare with the limit
        ("Cold start: spawn → first command answered, s", "cold_start.first_answer_s",
         "< 3 s", 3.0, "below"),
        ("Cold start: spawn → logged in, s", "cold_start.connected_s", "", None, ""),
        ("Fan-out: deliveries per second", "fan_out.deliveries_per_s", "≥ 500/s", 500.0,
         "at least"),
        ("Fan-out: seconds until the last post", "fan_out.seconds", "", None, ""),
        ("Fan-out: bot CPU ms per delivery", "fan_out.cpu_ms_per_delivery", "", None, ""),
        ("Digests due at once: s from due to the last post", "digests.seconds_after_due",
         "≤ 5 s", 5.0, "at most"),
        ("Import 10,000 rows: validate + apply, s", "import.total", "≤ 5 s", 5.0, "at most"),
        ("RSS idle after start, MB", "memory.idle_rss_mb", "< 200 MB", 200.0, "below"),
        ("RSS after the latency runs, MB", "memory.after_latency_rss_mb", "", None, ""),
        ("RSS after the fan-out, MB", "memory.after_fan_out_rss_mb", "", None, ""),
        ("RSS after the digests, MB", "memory.after_digests_rss_mb", "", None, ""),
        ("RSS peak under load, MB", "memory.peak_rss_mb", "< 200 MB", 200.0, "below"),
    ]  # fmt: skip
    datasets = list(per_dataset)
    lines = [
        "| Measure | " + " | ".join(datasets) + " | Target (large) | |",
        "|---|" + "---|" * len(datasets) + "---|---|",
    ]
    for label, path, target, limit, compare in rows:
        cells = [_cell(per_dataset[d].get(path), 2) for d in datasets]
        figure = large.get(path)
        met = None
        if limit is not None and figure is not None:
            met = _COMPARE[compare](figure["median"], limit)
        lines.append(f"| {label} | {' | '.join(cells)} | {target} | {_verdict(met)} |")
    return lines


def congress_table(figures: dict[str, dict[str, float]], sizes: dict[str, Any]) -> list[str]:
    span = f"sync {sizes.get('baseline_sync', '?')} → {sizes.get('syncs', '?')}"
    rows: list[tuple[str, str, str, float | None, str]] = [
        ("Discovery: bills listed", "discovery.listed", "", None, ""),
        ("Discovery: list pages requested", "discovery.list_pages", "", None, ""),
        ("Discovery: all requests (list + kept bills' details)", "discovery.requests", "", None,
         ""),
        ("Discovery: bills kept (DHS appropriations)", "discovery.kept", "", None, ""),
        ("Discovery: one sync run from empty, s", "discovery.seconds", "< 10 s", 10.0, "below"),
        ("Refresh, nothing new: requests per followed bill", "refresh.requests_per_bill", "≤ 1",
         1.0, "at most"),
        ("Refresh: all requests ÷ bills (with the list page)", "refresh.all_requests_per_bill",
         "", None, ""),
        ("Refresh: revisions written", "refresh.revisions_written", "0", 0.0, "at most"),
        ("Refresh: one sync run, s", "refresh.seconds", "", None, ""),
        (f"Memory: Python heap growth, {span}, MB", "memory.heap_growth_mb", "< 5 MB", 5.0,
         "below"),
        ("Memory: Python heap growth per sync, KB", "memory.heap_growth_kb_per_sync", "", None,
         ""),
        (f"Memory: RSS growth, {span}, %", "memory.rss_growth_percent", "", None, ""),
        ("Memory: RSS after the last sync, MB", "memory.rss_mb_at_end", "", None, ""),
        ("Memory: s per sync (traced by tracemalloc)", "memory.seconds_per_sync", "", None, ""),
    ]  # fmt: skip
    lines = ["| Measure | Median (min–max) | Target | |", "|---|---|---|---|"]
    for label, path, target, limit, compare in rows:
        figure = figures.get(path)
        met = None
        if limit is not None and figure is not None:
            met = _COMPARE[compare](figure["median"], limit)
        digits = 0 if path.endswith(("listed", "pages", "requests", "kept", "written")) else 2
        lines.append(f"| {label} | {_cell(figure, digits)} | {target} | {_verdict(met)} |")
    return lines


def table(results: dict[str, Any]) -> str:
    summary = results.get("summary") or summarize(results)
    runs = results["options"]["runs"]
    out = [f"Median of {runs} run(s), with (min–max). Latency: until the user sees the answer."]
    for backend, per_part in summary.items():
        per_dataset = {
            name: figures
            for name, figures in per_part.items()
            if name not in (CONGRESS, RESOLVER, CHARTS)
        }
        for dataset, figures in per_dataset.items():
            out += ["", f"#### {backend} · {dataset} dataset: command latency", ""]
            out += latency_table(figures, check=dataset == "large")
        if per_dataset:
            out += ["", f"#### {backend}: throughput, import, memory, start", ""]
            out += other_table(per_dataset)
        if CONGRESS in per_part:
            out += ["", f"#### {backend}: Congress.gov sync", ""]
            out += congress_table(per_part[CONGRESS], results["options"].get("congress", {}))
    resolver = {backend: parts[RESOLVER] for backend, parts in summary.items() if RESOLVER in parts}
    if resolver:
        out += ["", "#### Resolver: each probe's latency, ms", ""]
        out += resolver_table(resolver)
    charts = {backend: parts[CHARTS] for backend, parts in summary.items() if CHARTS in parts}
    if charts:
        out += ["", "#### Charts: each command's read, drawing and words, ms", ""]
        out += charts_table(charts)
    return "\n".join(out)


def resolver_table(per_backend: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """One row per probe (shape, what was typed, where), p50 and p99 per backend, and whether
    the p99 is under RESOLVER_P99_MS on each."""
    probes = list(
        dict.fromkeys(
            path.split(".")[1]
            for figures in per_backend.values()
            for path in figures
            if path.startswith("probes.")
        )
    )
    backends = list(per_backend)
    head = " | ".join(f"{b} p50 | {b} p99" for b in backends)
    lines = [
        f"| Probe | {head} | p99 < {RESOLVER_P99_MS:.0f} ms |",
        "|---|" + "---|---|" * len(backends) + "---|",
    ]
    for probe in probes:
        cells, met = [], True
        for backend in backends:
            figures = per_backend[backend]
            p99 = figures.get(f"probes.{probe}.p99_ms")
            cells += [_cell(figures.get(f"probes.{probe}.p50_ms")), _cell(p99)]
            met = met and p99 is not None and p99["median"] < RESOLVER_P99_MS
        lines.append(f"| {probe} | {' | '.join(cells)} | {_verdict(met)} |")
    return lines


def charts_table(per_backend: dict[str, dict[str, dict[str, float]]]) -> list[str]:
    """One row per part of each chart command (read, draw, words, total) and the event loop's
    lag while the renderer draws: p50 and p99 per backend; then the figures measured once per
    run (the PNGs' size, the first chart's matplotlib load)."""
    parts = list(
        dict.fromkeys(
            path.split(".")[1]
            for figures in per_backend.values()
            for path in figures
            if path.startswith("probes.")
        )
    )
    backends = list(per_backend)
    head = " | ".join(f"{b} p50 | {b} p99" for b in backends)
    lines = [f"| Part | {head} |", "|---|" + "---|---|" * len(backends)]
    for part in parts:
        cells = []
        for backend in backends:
            figures = per_backend[backend]
            cells += [
                _cell(figures.get(f"probes.{part}.p50_ms")),
                _cell(figures.get(f"probes.{part}.p99_ms")),
            ]
        lines.append(f"| {part} | {' | '.join(cells)} |")
    once = sorted({path for figures in per_backend.values() for path in figures if "." not in path})
    for fact in once:
        cells = [_cell(per_backend[backend].get(fact)) for backend in backends]
        lines.append(f"| {fact} | {' | '.join(f'{cell} | —' for cell in cells)} |")
    return lines
