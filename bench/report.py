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


def _numbers(prefix: str, value: Any) -> Iterator[tuple[str, float]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _numbers(f"{prefix}.{key}" if prefix else key, inner)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        yield prefix, float(value)


def spread(values: list[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def summarize(results: dict[str, Any]) -> dict[str, dict[str, dict[str, dict[str, float]]]]:
    """backend → dataset → metric path (e.g. 'latency./search.p99_ms') → median/min/max."""
    summary: dict[str, dict[str, dict[str, dict[str, float]]]] = {}
    for part in results["results"]:
        collected: dict[str, list[float]] = {}
        runs = [*part["runs"], *({"import": i} for i in part.get("imports", []))]
        for run in runs:
            for path, number in _numbers("", run):
                collected.setdefault(path, []).append(number)
        summary.setdefault(part["backend"], {})[part["dataset"]] = {
            path: spread(values) for path, values in collected.items()
        }
    return summary


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


def table(results: dict[str, Any]) -> str:
    summary = results.get("summary") or summarize(results)
    runs = results["options"]["runs"]
    out = [f"Median of {runs} run(s), with (min–max). Latency: until the user sees the answer."]
    for backend, per_dataset in summary.items():
        for dataset, figures in per_dataset.items():
            out += ["", f"#### {backend} · {dataset} dataset: command latency", ""]
            out += latency_table(figures, check=dataset == "large")
        out += ["", f"#### {backend}: throughput, import, memory, start", ""]
        out += other_table(per_dataset)
    return "\n".join(out)
