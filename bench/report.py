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
LOAD = "load"  # the load scenario's results (bench/load.py): one run, not summarized
LOAD_P99_MS = 100.0  # the saturation rate: where the answer p99 passes this
LOAD_NOOP_SHARE = 0.25  # mixed commands saturate at ≥ this share of /noop's rate
LOAD_TWO_PROCESSES = 1.5  # two processes saturate at ≥ this many times one
LOAD_RECOVERY_S = 5.0  # after the overload's burst, answers are fast again within this


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
    if results.get(LOAD):
        out += ["", "#### Load: open-loop arrivals at rising rates (one run)", ""]
        out += load_table(results[LOAD])
        out += ["", f"#### Load: saturation (answer p99 passes {LOAD_P99_MS:.0f} ms)", ""]
        out += saturation_table(results[LOAD])
        overloads = overload_table(results[LOAD])
        if len(overloads) > 2:
            out += ["", "#### Load: overload (mixed commands: a burst, then the base rate)", ""]
            out += overloads
    return "\n".join(out)


def _ms(value: float | None, digits: int = 1, missing: str = "lost") -> str:
    return missing if value is None else f"{value:,.{digits}f}"


def load_table(configurations: list[dict[str, Any]]) -> list[str]:
    """One row per configuration × mix × rate (bench/load.py). Latency from the fake's dispatch;
    the ack is the first callback (a defer or the answer); missed: not acknowledged within 3 s."""
    lines = [
        "| Configuration | Mix | Rate /s | Achieved /s | Ack p50 / p99 ms | Answer p50 / p99 ms "
        "| CPU ms/command: bot, database | Missed 3 s | Launch lag p99 ms | Host busy % |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for part in configurations:
        for mix, figures in part["mixes"].items():
            for step in figures["steps"]:
                ack, answer = step["ack"], step["answer"]
                database = step.get("database_cpu_ms_per_command")
                lines.append(
                    f"| {part['configuration']} | {mix} | {step['rate']:g} "
                    f"| {step['throughput_per_s']:,.0f} "
                    f"| {_ms(ack['p50_ms'])} / {_ms(ack['p99_ms'])} "
                    f"| {_ms(answer['p50_ms'])} / **{_ms(answer['p99_ms'])}** "
                    f"| {step['cpu_ms_per_command']:.2f}, {_ms(database, 2, '—')} "
                    f"| {step['missed']} "
                    f"| {_ms(step['launch_lag']['p99_ms'])} | {step['host_busy_percent']:.0f} |"
                )
            for rate in figures["skipped_rates"]:
                lines.append(
                    f"| {part['configuration']} | {mix} | {rate:g} | not run: the rate before "
                    "passed the 3 s deadline | | | | | | |"
                )
    return lines


def _rate(saturation: dict[str, Any]) -> str:
    rate = saturation["rate"]
    if rate is None:
        return "—"
    if saturation["how"] == "interpolated":
        return f"{rate:,.0f}"
    return f"{rate:,.0f} ({saturation['how']})"


def saturation_table(configurations: list[dict[str, Any]]) -> list[str]:
    """Per configuration: both mixes' saturation rates, their ratio, the mixed p99 at 100/s, and
    for more than one process the ratio to the one-process configuration of the same backend."""
    lines = [
        "| Configuration | Mixed /s | /noop /s "
        f"| Mixed ÷ /noop (≥ {LOAD_NOOP_SHARE:.0%}) | Mixed p99 at 100/s (< {LOAD_P99_MS:.0f} ms) "
        f"| ÷ one process (≥ {LOAD_TWO_PROCESSES:.1f}×) |",
        "|---|---|---|---|---|---|",
    ]
    single = {p["backend"]: p for p in configurations if p["processes"] == 1}
    for part in configurations:
        mixes = part["mixes"]
        mixed, noop = (mixes[m]["saturation"]["rate"] for m in ("mixed", "noop"))
        exact = all(mixes[m]["saturation"]["how"] == "interpolated" for m in ("mixed", "noop"))
        share = f"{mixed / noop:.0%}{'' if exact else ' (a bound)'}" if mixed and noop else "—"
        met_share = _verdict(mixed / noop >= LOAD_NOOP_SHARE if mixed and noop else None)
        noop_how = mixes["noop"]["saturation"]["how"]
        if noop_how != "interpolated" and mixed and noop and mixed / noop >= LOAD_NOOP_SHARE:
            # /noop's rate is only a lower bound (it never saturated, or the step after the last
            # one under lost its answers): the share is at most this, so it shows no target met
            met_share = f"not shown (/noop: {noop_how})"
        at_100 = next((s for s in mixes["mixed"]["steps"] if s["rate"] == 100), None)
        p99 = None if at_100 is None else at_100["answer"]["p99_ms"]
        met_100 = None if at_100 is None else (p99 is not None and p99 < LOAD_P99_MS)
        scaling, met_scaling = "—", None
        how = mixes["mixed"]["saturation"]["how"]
        one = single.get(part["backend"])
        if part["processes"] > 1 and one is not None:
            alone = one["mixes"]["mixed"]["saturation"]["rate"]
            if mixed and alone:
                scaling, met_scaling = f"{mixed / alone:.2f}×", mixed / alone >= LOAD_TWO_PROCESSES
                if {one["mixes"]["mixed"]["saturation"]["how"], how} != {"interpolated"}:
                    scaling += " (a bound)"
        lines.append(
            f"| {part['configuration']} | {_rate(mixes['mixed']['saturation'])} "
            f"| {_rate(mixes['noop']['saturation'])} | {share} {met_share} "
            f"| {'—' if at_100 is None else f'{_ms(p99)} {_verdict(met_100)}'} "
            f"| {scaling} {_verdict(met_scaling) if met_scaling is not None else ''} |"
        )
    return lines


def overload_table(configurations: list[dict[str, Any]]) -> list[str]:
    """Per configuration with an overload step (bench/load.py): the rates, the launches and
    misses (commands + autocompletes) in the burst and after it, each phase's answer p50 / p99,
    the recovery, and the target: no miss, recovered within LOAD_RECOVERY_S."""
    lines = [
        "| Configuration | Base → burst /s (of) | Launched: burst, after "
        "| Missed in burst: commands + autocompletes | Missed after | Base: answer p50 / p99 ms "
        "| Burst: answer p50 / p99 ms | After: answer p50 / p99 ms "
        f"| Recovery s | 0 missed, recovery ≤ {LOAD_RECOVERY_S:.0f} s |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for part in configurations:
        found = part["mixes"].get("mixed", {}).get("overload")
        if not found:
            continue
        phases, recovery = found["phases"], found["recovery"]
        base, burst, after = (phases[name] for name in ("base", "burst", "after"))
        reference = found["reference"]
        of = f"{found['factor']:g}× {reference['rate']:,.0f}"
        if reference["how"] != "interpolated":
            of += f", {reference['note']}"
        missed = [sum(phases[name]["missed"].values()) for name in ("burst", "after")]
        seconds = recovery["seconds"]
        met = sum(missed) == 0 and recovery["recovered"] and seconds <= LOAD_RECOVERY_S
        lines.append(
            f"| {part['configuration']} | {base['rate']:,.0f} → {burst['rate']:,.0f} ({of}) "
            f"| {burst['launched']}, {after['launched']} "
            f"| {_kinds(burst['missed'])} | {_kinds(after['missed'])} "
            + " ".join(
                f"| {_ms(p['answer']['p50_ms'])} / **{_ms(p['answer']['p99_ms'])}**"
                for p in (base, burst, after)
            )
            + f" | {seconds:.1f}{'' if recovery['recovered'] else ' (not recovered)'} "
            f"| {_verdict(met)} |"
        )
    return lines


def _kinds(missed: dict[str, int]) -> str:
    return f"{missed['commands']} + {missed['autocompletes']}"


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
