"""`make bench`: every benchmark of the benchmarks issue, on SQLite and PostgreSQL, written to
bench/results/ as JSON and printed as the table BENCHMARKS.md shows.

    python -m bench [--backends sqlite,postgres] [--datasets starter,large] [--runs 3] [--quick]
                    [--only bot|congress|resolver|charts|load] [--rates 25,50] [--step-seconds 30]
                    [--overload-factor 2] [--burst-seconds 10] [--no-overload]

"bot" is the bot process against the fake Discord (latency, fan-out, digests, import, memory);
"congress" the Congress.gov sync against the fake Congress.gov, in this process (bench/congress.py);
"resolver" what autocomplete and typed options cost per shape of input, in this process, on the
large dataset (bench/resolver.py); only with --only resolver. "charts" what /approps chart and
/bodycam timeline cost to read, draw and put in words, in this process, on the large dataset
(bench/charts.py); only with --only charts. "load" the bot under open-loop arrivals at rising rates,
mixed commands and /noop (past the highest rate until it saturates, up to 3 more steps), SQLite,
PostgreSQL and PostgreSQL with two processes (bench/load.py, ~30 minutes; --quick: 5 s steps,
with --only load). After the mixed commands' rates, each
configuration takes an overload: half the saturation rate for 10 s, --overload-factor × it for
--burst-seconds, half again for 15 s (--quick: 5/s for 2 s, a 2 s burst, 5/s for 3 s);
--no-overload skips it.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import text

from db.engine import Database
from fakediscord import FakeDiscord

from .charts import bench_charts
from .congress import CongressSizes, bench_congress
from .dataset import Sizes
from .harness import (
    POSTGRES_ADMIN,
    PROJECT,
    TOKEN,
    Arrivals,
    BotProcess,
    World,
    build_dataset,
    build_world,
    fresh_database,
    large_sizes,
    write_config,
)
from .importing import import_csv, measure_import
from .load import RATES, LoadSettings, bench_load, load_guild_ids
from .report import summarize, table
from .resolver import bench_resolver, guild_ids
from .scenarios import (
    add_digests,
    cold_start,
    commands,
    current_status,
    digests_due,
    fan_out,
    follow_record,
    known_cities,
    latency,
)

RESULTS = PROJECT / "bench" / "results"
SCENARIOS = ("bot", "congress", "resolver", "charts", "load")
# What `make bench` runs (~30 minutes, most of it the load's rising rates): the resolver (~10
# minutes, its own large dataset) and the charts (~10: a drawing takes a fifth of a second) are
# asked for by name.
DEFAULT_SCENARIOS = ("bot", "congress", "load")
# --quick checks the harness: the load's own quick run is tests/bench/test_load_bench.py's.
QUICK_SCENARIOS = ("bot", "congress")
CHART_SAMPLES, CHART_WARMUP = 100, 5  # per chart per run: 100 samples give a p99
ON_READY_WAIT = 2.5  # discord.py fires on_ready 2 s after the last GUILD_CREATE; services wait


@dataclass(frozen=True)
class Options:
    backends: tuple[str, ...] = ("sqlite", "postgres")
    datasets: tuple[str, ...] = ("starter", "large")
    runs: int = 3
    samples: int = 200
    warmup: int = 20
    guilds: int = 100
    channels_per_guild: int = 10
    fanout_channels: int = 1000
    digest_channels: int = 500
    import_rows: int = 10_000
    quick: bool = False  # tiny sizes: proves the harness works, measures nothing useful
    profile: Path | None = None  # a folder: each bot process writes its pyinstrument profile there
    scenarios: tuple[str, ...] = DEFAULT_SCENARIOS
    congress: CongressSizes = field(default_factory=CongressSizes)
    load: LoadSettings = field(default_factory=LoadSettings)

    def sizes(self, guild_ids: tuple[int, ...]) -> Sizes:
        if self.quick:
            return Sizes(40, 300, guild_ids, camera_records=60, revisions=900)
        return large_sizes(guild_ids)


QUICK = Options(
    backends=("sqlite",),
    runs=1,
    samples=5,
    warmup=2,
    guilds=3,
    channels_per_guild=4,
    fanout_channels=10,
    digest_channels=6,
    import_rows=200,
    quick=True,
    congress=CongressSizes.quick(),
    load=LoadSettings.quick(),
)


@dataclass
class Stage:
    """One backend × dataset, built and ready for runs."""

    fake: FakeDiscord
    world: World
    arrivals: Arrivals
    config: Path
    workdir: Path
    options: Options
    large: bool
    url: str
    followers: list[int]
    digest_channels: list[int]
    status: str  # the fan-out record's status, kept as is (only officers change)
    label: str  # "sqlite-large"
    cities: list[str]  # places with camera records, for /bodycam city and its autocomplete


async def bench_dataset(
    backend: str, dataset: str, options: Options, workdir: Path
) -> dict[str, Any]:
    """One backend × dataset: build it, then `runs` times start a bot and measure everything."""
    url = await fresh_database(backend, workdir)
    async with FakeDiscord(token=TOKEN, timeout=30) as fake:
        world = build_world(fake, options.guilds, options.channels_per_guild)
        large = dataset == "large"
        sizes = options.sizes(tuple(g.id for g in world.guilds)) if large else None
        say(f"[{backend}/{dataset}] building the dataset")
        built = await build_dataset(url, sizes)
        stage = Stage(
            fake=fake,
            world=world,
            arrivals=Arrivals(fake),
            config=write_config(workdir / "bench.toml", url, world.owner_id),
            workdir=workdir,
            options=options,
            large=large,
            url=url,
            followers=await follow_record(url, world, options.fanout_channels),
            digest_channels=await add_digests(url, world, options.digest_channels),
            status=await current_status(url),
            label=f"{backend}-{dataset}",
            cities=await known_cities(url),
        )
        runs = []
        for run in range(options.runs):
            say(f"[{backend}/{dataset}] run {run + 1} of {options.runs}")
            runs.append(await one_run(stage, run))
        imports = await import_runs(url, options) if large else []
        return {
            "backend": backend,
            "dataset": dataset,
            "build": built,
            "runs": runs,
            "imports": imports,
            "violations": [str(v) for v in fake.violations],
        }


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


async def one_run(stage: Stage, run: int) -> dict[str, Any]:
    """A fresh bot process: cold start, latency, fan-out, digests, memory."""
    fake, world = stage.fake, stage.world
    profile = None
    if stage.options.profile is not None:
        stage.options.profile.mkdir(parents=True, exist_ok=True)
        profile = stage.options.profile / f"{stage.label}-run{run + 1}.txt"
    log = (stage.options.profile or stage.workdir) / f"{stage.label}-bot.log"
    bot = BotProcess(fake, stage.config, log, profile)
    await bot.start()
    try:
        start = await cold_start(fake, bot, world.guilds[0])
        await asyncio.sleep(ON_READY_WAIT)
        idle = bot.rss_mb()
        cpu_before = bot.cpu_seconds()
        figures = await latency(
            commands(fake, stage.cities),
            world.guilds,
            stage.options.samples,
            stage.options.warmup,
            seed=run,
        )
        latency_cpu = bot.cpu_seconds() - cpu_before
        after_latency = bot.rss_mb()["rss_mb"]
        fanned = await fan_out(fake, bot, world, stage.arrivals, stage.followers, stage.status, run)
        after_fan_out = bot.rss_mb()["rss_mb"]
        digests = await digests_due(stage.url, fake, stage.arrivals, stage.digest_channels)
        loaded = bot.rss_mb()
    finally:
        code = await bot.stop()
    await fake.wait_until(lambda: not fake.gateway.ready.is_set(), 15, "the bot to disconnect")
    return {
        "cold_start": start,
        "latency": figures,
        "latency_cpu_s": latency_cpu,
        "fan_out": fanned,
        "digests": digests,
        "memory": {
            "idle_rss_mb": idle["rss_mb"],
            "after_latency_rss_mb": after_latency,
            "after_fan_out_rss_mb": after_fan_out,
            "after_digests_rss_mb": loaded["rss_mb"],
            "peak_rss_mb": loaded["peak_rss_mb"],
        },
        "exit_code": code,
    }


async def import_runs(url: str, options: Options) -> list[dict[str, float]]:
    """The import, `runs` times, each into a new guild of the built database."""
    data = import_csv(options.import_rows)
    database = Database.from_url(url)
    try:
        return [
            await measure_import(database, data, guild_id=800_000_000_000_000_000 + run)
            for run in range(options.runs)
        ]
    finally:
        await database.close()


def host() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory_kb = int(Path("/proc/meminfo").read_text().split()[1])
    info: dict[str, Any] = {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024**2, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "kernel": platform.release(),
    }
    return info


async def machine(backends: tuple[str, ...]) -> dict[str, Any]:
    info = host()
    if "postgres" in backends:
        database = Database.from_url(POSTGRES_ADMIN)
        try:
            async with database.session() as session:
                version = (await session.execute(text("SHOW server_version"))).scalar_one()
            info["postgresql"] = version
        finally:
            await database.close()
    return info


def commit() -> str:
    found = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=PROJECT
    )
    return found.stdout.strip() or "unknown"


async def main(options: Options, argv: list[str]) -> dict[str, Any]:
    started = time.monotonic()
    results: dict[str, Any] = {
        "command": "python -m bench " + " ".join(argv),
        "commit": commit(),
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "options": asdict(options),
        "machine": await machine(options.backends),
        "results": [],
        "congress": [],
        "resolver": [],
        "charts": [],
        "load": [],
    }
    with tempfile.TemporaryDirectory(prefix="oversight-bench-") as folder:
        for backend in options.backends:
            for dataset in options.datasets if "bot" in options.scenarios else ():
                results["results"].append(
                    await bench_dataset(backend, dataset, options, Path(folder))
                )
            if "congress" in options.scenarios:
                say(f"[{backend}/congress] {options.runs} run(s) of the Congress.gov sync")
                results["congress"].append(
                    await bench_congress(backend, options.congress, options.runs, Path(folder))
                )
            if "resolver" in options.scenarios:
                say(f"[{backend}/resolver] building the large dataset, then {options.runs} run(s)")
                results["resolver"].append(
                    await bench_resolver(
                        backend,
                        options.sizes(guild_ids(options.guilds)),
                        options.runs,
                        options.samples,
                        options.warmup,
                        Path(folder),
                        options.profile,
                    )
                )
            if "charts" in options.scenarios:
                say(f"[{backend}/charts] building the large dataset, then {options.runs} run(s)")
                results["charts"].append(
                    await bench_charts(
                        backend,
                        options.sizes(guild_ids(options.guilds)),
                        options.runs,
                        min(options.samples, CHART_SAMPLES),
                        min(options.warmup, CHART_WARMUP),
                        Path(folder),
                    )
                )
            if "load" in options.scenarios:
                sizes = options.sizes(tuple(load_guild_ids(options.guilds)))
                load = dataclasses.replace(options.load, profile=options.profile)
                results["load"] += await bench_load(backend, sizes, load, Path(folder))
    results["seconds"] = time.monotonic() - started
    results["summary"] = summarize(results)
    return results


def positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number above 0, such as 30 or 2.5")
    return value


def rates(text: str) -> tuple[float, ...]:
    """'25,50,100' → (25.0, 50.0, 100.0): each a number of commands per second above 0."""
    try:
        return tuple(positive(part) for part in text.split(","))
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: give rates above 0 separated by commas, such as 25,50,100"
        ) from None


def parse_args(argv: list[str]) -> tuple[Options, Path | None]:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--backends", help="comma-separated (default: sqlite,postgres; with --quick: sqlite)"
    )
    parser.add_argument("--datasets", default="starter,large", help="comma-separated")
    parser.add_argument("--runs", type=int, default=3, help="bot processes per dataset")
    parser.add_argument("--samples", type=int, default=200, help="per command per run")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, to check the harness")
    parser.add_argument("--out", type=Path, help="results file (default bench/results/<time>.json)")
    parser.add_argument(
        "--profile",
        type=Path,
        help="a folder for profiles: the bot's (pyinstrument), slow resolver probes' (cProfile)",
    )
    parser.add_argument(
        "--only", choices=SCENARIOS, help="one group of scenarios (default: bot, congress and load)"
    )
    parser.add_argument(
        "--rates", type=rates, help="load: commands per second, comma-separated (25,50,100,200,400)"
    )
    parser.add_argument(
        "--step-seconds", type=positive, help="load: seconds per rate (default 30; --quick 5)"
    )
    parser.add_argument(
        "--overload-factor",
        type=positive,
        help="load: the overload burst's rate, times the saturation rate (default 2)",
    )
    parser.add_argument(
        "--burst-seconds", type=positive, help="load: the overload burst's length (default 10)"
    )
    parser.add_argument(
        "--no-overload", action="store_true", help="load: skip the overload after the rates"
    )
    args = parser.parse_args(argv)
    scenarios = (args.only,) if args.only else QUICK_SCENARIOS if args.quick else DEFAULT_SCENARIOS
    base = QUICK if args.quick else Options()
    load = dataclasses.replace(
        base.load,
        rates=args.rates or RATES,
        seconds=args.step_seconds or base.load.seconds,
        overload=not args.no_overload,
        overload_factor=args.overload_factor or base.load.overload_factor,
        burst_s=args.burst_seconds or base.load.burst_s,
    )
    if args.quick:
        quick = dataclasses.replace(QUICK, profile=args.profile, scenarios=scenarios, load=load)
        if args.backends:
            quick = dataclasses.replace(quick, backends=tuple(args.backends.split(",")))
        return quick, args.out
    options = Options(
        scenarios=scenarios,
        backends=tuple(args.backends.split(",")) if args.backends else Options.backends,
        datasets=tuple(args.datasets.split(",")),
        runs=args.runs,
        samples=args.samples,
        profile=args.profile,
        load=load,
    )
    return options, args.out


def cli(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    options, out = parse_args(argv)
    results = asyncio.run(main(options, argv))
    if out is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"{results['started'].replace(':', '')[:17]}.json"
    out.write_text(json.dumps(results, indent=1, sort_keys=True, default=str) + "\n")
    print(table(results))
    print(f"\nRaw results: {out} ({results['seconds']:.0f} s)")
    return 0 if all(not r["violations"] for r in results["results"]) else 1
