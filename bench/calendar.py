"""The calendar export (issue 14): what `/calendar export` costs on the large dataset (100 guilds,
50,000 questions, 200,000 revisions), SQLite and PostgreSQL, in this process, without Discord.

Each sample is one guild's whole export (bot.calendar_export.export_calendar: the deadlines a year
back and two ahead, their revisions for SEQUENCE, the .ics bytes), the next guild each time.
Reported: p50/p95/p99 of the export, the events per file and the file's size.

    python -m bench.calendar [--backends sqlite,postgres] [--runs 3] [--samples 50]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bot.calendar_export import export_calendar
from db.engine import Database
from db.scope import Scope

from .dataset import Sizes
from .harness import build_dataset, fresh_database, large_sizes
from .scenarios import percentiles

GUILDS = tuple(10_000 + n for n in range(100))


async def one_run(
    url: str, samples: int, warmup: int, guilds: tuple[int, ...] = GUILDS
) -> dict[str, Any]:
    database = Database.from_url(url)
    taken: list[float] = []
    events: list[int] = []
    sizes: list[int] = []
    try:
        for index in range(samples + warmup):
            scope = Scope.guild(guilds[index % len(guilds)])
            started = time.perf_counter()
            exported = await export_calendar(
                database, scope, name="bench", timezone="America/New_York"
            )
            if index >= warmup:
                taken.append(time.perf_counter() - started)
                events.append(exported.events)
                sizes.append(len(exported.data))
    finally:
        await database.close()
    return {
        "export": percentiles(taken),
        "events_median": statistics.median(events),
        "kb_median": statistics.median(sizes) / 1024,
    }


async def bench_calendar(
    backend: str,
    runs: int,
    samples: int,
    warmup: int,
    workdir: Path,
    sizes: Sizes | None = None,
) -> dict[str, Any]:
    """The large dataset (or `sizes`) built once, then `runs` runs, each with a new pool."""
    sizes = sizes or large_sizes(GUILDS)
    url = await fresh_database(backend, workdir)
    built = await build_dataset(url, sizes)
    guilds = tuple(sizes.guilds) or GUILDS
    return {
        "backend": backend,
        "build": built,
        "runs": [await one_run(url, samples, warmup, guilds) for _ in range(runs)],
    }


def table(results: list[dict[str, Any]]) -> str:
    lines = [
        "| backend | p50 ms | p95 ms | p99 ms | events per file | file KB |",
        "|---|---|---|---|---|---|",
    ]
    for result in results:
        runs = result["runs"]

        def median(key: str, runs: list[dict[str, Any]] = runs) -> float:
            return statistics.median(run["export"][key] for run in runs)

        lines.append(
            f"| {result['backend']} | {median('p50_ms'):.0f} | {median('p95_ms'):.0f} | "
            f"{median('p99_ms'):.0f} | {runs[0]['events_median']:.0f} | "
            f"{runs[0]['kb_median']:.1f} |"
        )
    return "\n".join(lines)


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calendar")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--samples", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for backend in args.backends.split(","):
            print(f"[{backend}/calendar] building the large dataset", file=sys.stderr)
            results.append(
                await bench_calendar(backend, args.runs, args.samples, args.warmup, Path(folder))
            )
    print(json.dumps(results, indent=1), file=sys.stderr)
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
