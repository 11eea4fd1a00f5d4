"""The charts (issue 14): what /approps chart and /bodycam timeline cost on the large dataset,
SQLite and PostgreSQL, in this process, without Discord.

Each sample is one command's work, in three parts timed apart: reading the data (db/charts.py,
in its own session as the cogs open one), drawing the PNG (bot.charts.draw_funding and
draw_timeline, in this thread: the bot's renderer would reuse a drawing of equal data) and
writing its words (bot/render/chart_embeds.py). The large dataset holds 2,000 city × component
camera records, so the timeline reads every camera revision and draws the 12 that changed last;
for the funding chart, EXTRA_LINES synthetic FY2026 lines are added to the starter data's eight
(the chart draws the 8 largest, the words list what fits).

Also measured once per run: how long the event loop waits while the bot's ChartRenderer draws
in its worker thread (the lag of a 5 ms ticker), and, in a fresh process, what loading
matplotlib costs the first chart after start-up.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from bot.charts import ChartRenderer, draw_funding, draw_timeline
from bot.render.chart_embeds import camera_embed, funding_embed
from db.charts import camera_history, funding_series
from db.engine import Database
from db.models import FundingLine, table_of
from db.scope import Scope

from .dataset import SOURCE, Sizes, _row
from .harness import PROJECT, build_dataset, fresh_database
from .scenarios import percentiles

EXTRA_LINES = 300
TICK = 0.005  # seconds: the ticker whose lateness is the loop's lag
FIRST_CHART = (
    "import time, discord, sqlalchemy; started = time.perf_counter(); "
    "import bot.render.charts; print(time.perf_counter() - started)"
)


async def add_lines(url: str, count: int = EXTRA_LINES) -> None:
    """`count` shared FY2026 lines with one to four amounts each, in one insert."""
    database = Database.from_url(url)
    try:
        now = database.clock.now()
        rows = []
        for n in range(count):
            amounts = [1_000_000 * (n + 1) * (k + 1) if (n + k) % 3 else None for k in range(4)]
            values = {"fiscal_year": 2026, "component": ("ICE", "CBP", "DHS")[n % 3],
                      "account": f"Synthetic account {n:03}", "as_of": dt.date(2026, 6, 1),
                      "requested": amounts[0], "house": amounts[1], "senate": amounts[2],
                      "enacted": amounts[3], "sources": [SOURCE]}  # fmt: skip
            rows.append(_row("funding_line", values, None, now))
        async with database.sessions() as session, session.begin():
            await session.execute(insert(table_of(FundingLine)), rows)
    finally:
        await database.close()


async def bench_charts(
    backend: str, sizes: Sizes, runs: int, samples: int, warmup: int, workdir: Path
) -> dict[str, Any]:
    """Build the large dataset once (plus EXTRA_LINES), then `runs` runs, each with a new
    Database (a new connection pool)."""
    url = await fresh_database(backend, workdir)
    built = await build_dataset(url, sizes)
    await add_lines(url)
    scopes = [Scope.guild(guild_id) for guild_id in sizes.guilds] or [Scope.shared()]
    results = [await one_run(url, scopes, samples, warmup) for _ in range(runs)]
    return {
        "backend": backend,
        "sizes": {"camera_records": sizes.camera_records or 0, "extra_lines": EXTRA_LINES},
        "build": built,
        "runs": results,
    }


Part = Callable[[Any], Awaitable[Any]]


async def one_run(url: str, scopes: list[Scope], samples: int, warmup: int) -> dict[str, Any]:
    """Each chart `samples` times after `warmup`, each sample in the next guild's scope; then
    the loop's lag while the renderer draws, and the first chart's matplotlib load."""
    database = Database.from_url(url)
    today = database.today()
    taken: dict[str, list[float]] = {}
    facts: dict[str, float] = {}
    try:

        async def funding(scope: Scope) -> Any:
            async with database.session() as session:
                return await funding_series(session, scope, 2026, today=today)

        async def timeline(scope: Scope) -> Any:
            async with database.session() as session:
                return await camera_history(session, scope, today=today)

        charts: dict[str, tuple[Part, Callable[[Any], bytes], Callable[..., Any]]] = {
            "/approps chart": (funding, draw_funding, funding_embed),
            "/bodycam timeline": (timeline, draw_timeline, camera_embed),
        }
        for name, (read, draw, words) in charts.items():
            for index in range(samples + warmup):
                scope = scopes[index % len(scopes)]
                started = time.perf_counter()
                data = await read(scope)
                read_at = time.perf_counter()
                png = draw(data)
                drawn_at = time.perf_counter()
                words(data, "chart.png")
                done = time.perf_counter()
                if index >= warmup:
                    for part, seconds in (
                        ("read", read_at - started),
                        ("draw", drawn_at - read_at),
                        ("words", done - drawn_at),
                        ("total", done - started),
                    ):
                        taken.setdefault(f"{name} · {part}", []).append(seconds)
            facts[f"{name} · png_kb"] = len(png) / 1024
        taken["loop lag while drawing"] = await loop_lag(await funding(scopes[0]))
    finally:
        await database.close()
    facts["first chart · matplotlib load_ms"] = first_chart_load() * 1000
    return {"probes": {name: percentiles(values) for name, values in taken.items()}, **facts}


async def loop_lag(series: Any, drawings: int = 10) -> list[float]:
    """How late a 5 ms ticker wakes while the renderer draws `drawings` charts in its worker
    (a drawing kept from reuse: `kept=0`)."""
    renderer = ChartRenderer(kept=0)
    late: list[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            asked = time.perf_counter()
            await asyncio.sleep(TICK)
            late.append(max(0.0, time.perf_counter() - asked - TICK))

    task = asyncio.create_task(ticker())
    try:
        for _ in range(drawings):
            await renderer.draw(draw_funding, series)
    finally:
        done.set()
        await task
        renderer.close()
    return late


def first_chart_load() -> float:
    """Seconds a fresh process (discord and SQLAlchemy loaded, as in the bot) takes to load the
    drawing code: what the first chart after start-up pays once."""
    found = subprocess.run(
        [sys.executable, "-c", FIRST_CHART], capture_output=True, text=True, cwd=PROJECT, check=True
    )
    return float(found.stdout.strip())
