"""The load scenario (issue 15): where the bot saturates under open-loop arrivals.

For each configuration (SQLite, PostgreSQL, and PostgreSQL with two bot processes sharing the
guilds) and each mix (the staff commands with their autocompletes, and `/noop` alone), a fresh
fake Discord and fresh bot process(es) on the large dataset take interactions at rising rates
(bench/openloop.py: launched on schedule, never waiting for an answer), spread over the 100
guilds. Per rate: the acknowledgement's and the answer's p50 and p99, the throughput achieved,
the bot's CPU per command, the interactions Discord would have failed (not acknowledged within
3 s). The saturation rate is the lowest rate where the answer's p99 passes 100 ms, interpolated
linearly between steps. A rate whose p99 passes the 3 s deadline (or whose answers are not all in
`drain_s` after its last launch) ends the mix: higher rates would only queue more. `/noop` that
has not saturated by the highest rate goes on, 1.5× the last rate per step, up to `noop_beyond`
steps, until it does or the driver falls behind its schedule (`rate_beyond`): the mixed ÷ `/noop`
target needs `/noop`'s saturation measured, not bounded.

Two processes: each runs one of two shards (`[discord] shard_count = 2`, `shard_ids = [i]`)
against one fake Discord that sends each guild's interactions to its shard's session
(`mode="shards"`); or, where the fake cannot route by shard, each process has a fake Discord of
its own holding its half of the guilds (`mode="fakes"`). Guild ids are spread so that
(guild_id >> 22) % 2 alternates: each shard gets half the guilds either way.

Overload (issue 15's target: 2× the saturation rate for 10 s, no 3-second acknowledgement
missed, recovered within 5 s): after the mixed commands' rising rates, in the same deployment once
the bot is idle again, one open-loop schedule of three phases without a pause: `base` (half the
saturation rate) for 10 s, `burst` (`overload_factor` × the saturation rate) for `burst_s`, `base`
again (`after`) for 15 s. Never saturated in the run: the highest rate run stands in for the
saturation rate, and the result says so. Reported: per phase the launches, the misses (not
acknowledged within 3 s, or never: a skipped autocomplete counts) of commands and of
autocompletes, the answer p50/p99; the recovery: seconds from the burst's end to the scheduled
launch of the last interaction launched after it whose answer took more than max(100 ms, 2× the
base phase's p99) (capped at 3 s) or never came, 0 if none (bench/openloop.py `recovery_s`); and
per 0.5 s of launch time the launches, answer p99 and misses.

Also per backend: SQL statements and connection checkouts per command (bench/statements.py),
and with `profile` a pyinstrument profile of the bot at its saturation rate (mixed commands).
"""

from __future__ import annotations

import asyncio
import logging
import random
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import select
from sqlmodel import col

from db.engine import Database
from db.models import BodycamDeployment, Measure
from fakediscord import FakeDiscord, FakeGuild, Reply
from fakediscord.interactions import AUTOCOMPLETE, build_options, command_data, resolve_command

from .dataset import Sizes
from .harness import (
    FIRST_GUILD_ID,
    TOKEN,
    BotProcess,
    build_dataset,
    fresh_database,
)
from .load_profile import ProfiledBotProcess, summary_of
from .openloop import (
    DEADLINE_S,
    Operation,
    Phase,
    Route,
    Target,
    figures,
    outcomes,
    overload_figures,
    run_schedule,
    run_step,
    saturation,
)
from .pgcpu import sampling
from .report import LOAD_P99_MS as SATURATION_P99_MS
from .scenarios import SEARCH_TERMS, known_cities
from .statements import statements_per_command

RATES = (25.0, 50.0, 100.0, 200.0, 400.0)

ON_READY_WAIT = 2.5  # discord.py fires on_ready 2 s after the last GUILD_CREATE; services wait
PAUSE_S = 1.0  # between steps
# /noop past the rates listed: up to NOOP_BEYOND more steps, each BEYOND_FACTOR × the last, while
# it has not saturated and the driver kept its schedule (launch lag p99 within DRIVER_LAG_MS).
NOOP_BEYOND = 3
BEYOND_FACTOR = 1.5
DRIVER_LAG_MS = 50.0
TwoProcesses = Literal["shards", "fakes"]


@dataclass(frozen=True)
class LoadSettings:
    rates: tuple[float, ...] = RATES
    seconds: float = 30.0  # per rate
    warmup_s: float = 3.0  # at the lowest rate, before the first step; not reported
    drain_s: float = 15.0  # after a step's last launch, the longest wait for its answers
    two_processes: TwoProcesses = "shards"
    statement_samples: int = 20
    profile: Path | None = None  # a folder: a profile of the bot at its saturation rate
    overload: bool = True  # after the mixed commands' rising rates, the overload step
    overload_factor: float = 2.0  # the burst's rate: this × the saturation rate
    burst_s: float = 10.0
    base_s: float = 10.0  # at the base rate before the burst
    after_s: float = 15.0  # at the base rate after it
    base_rate: float | None = None  # None: half the saturation rate
    noop_beyond: int = NOOP_BEYOND  # /noop steps past the rates listed (rate_beyond)

    @classmethod
    def quick(cls, profile: Path | None = None) -> LoadSettings:
        return cls(
            seconds=5.0,
            warmup_s=1.0,
            drain_s=5.0,
            statement_samples=3,
            profile=profile,
            burst_s=2.0,
            base_s=2.0,
            after_s=3.0,
            base_rate=5.0,
            noop_beyond=1,
        )


def load_guild_ids(count: int) -> list[int]:
    """Guild ids whose shard ((id >> 22) % 2) alternates, all owning generated records."""
    return [FIRST_GUILD_ID + (index << 22) for index in range(count)]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# ---------------------------------------------------------------- what staff send


@dataclass(frozen=True)
class Inputs:
    """Realistic values for the options: what autocomplete would have offered."""

    cities: list[str]
    bills: list[str]  # shared measures' keys
    cameras: list[str]  # shared camera records' keys
    questions_per_guild: int  # each guild's questions are GQ-1 … GQ-n

    def question(self, rng: random.Random) -> str:
        return f"GQ-{rng.randint(1, max(1, self.questions_per_guild))}"

    def cited(self, rng: random.Random) -> str:
        kind = rng.choice(("question", "measure", "bodycam"))
        if kind == "question":
            return f"question:{self.question(rng)}"
        return f"{kind}:{rng.choice(self.bills if kind == 'measure' else self.cameras)}"


async def read_inputs(url: str, sizes: Sizes) -> Inputs:
    database = Database.from_url(url)
    try:
        async with database.session() as session:
            shared = col(Measure.guild_id).is_(None)
            bills = list(await session.scalars(select(col(Measure.key)).where(shared)))
            cameras = await session.scalars(
                select(col(BodycamDeployment.key))
                .where(col(BodycamDeployment.guild_id).is_(None))
                .order_by(col(BodycamDeployment.key))
            )
            camera_keys = list(cameras)
    finally:
        await database.close()
    return Inputs(
        cities=await known_cities(url),
        bills=sorted(bills),
        cameras=random.Random(3).sample(camera_keys, min(50, len(camera_keys))),
        questions_per_guild=sizes.questions // max(1, len(sizes.guilds)),
    )


async def autocomplete_now(
    fake: FakeDiscord, path: str, guild: FakeGuild, focused: str, value: str
) -> Reply:
    """As FakeDiscord.autocomplete_reply, but without waiting for the choices (it has no `wait`
    argument; an open loop must not wait)."""
    command, chain, is_guild = resolve_command(fake.synced, guild.id, path)
    options, resolved = build_options(command, chain, {focused: value}, guild, focused=focused)
    data = command_data(command, options, resolved, guild.id if is_guild else None)
    label = f"/{path} autocomplete {focused}={value!r}"
    return await fake._interact(  # the same path autocomplete_reply takes
        AUTOCOMPLETE, label, guild, guild.channel, guild.owner, data, None, "none", None
    )


BILL_TYPED = ["7147", "H.R. 7", "appropriations", "hr 53", "continuing"]
QUESTION_TYPED = ["GQ-1", "gq2", "body cameras", "OQ", "footage"]
RECORD_TYPED = ["Minneapolis", "7147", "GQ-3", "Chicago", "body cam"]


def mixed(inputs: Inputs) -> list[Operation]:
    """The staff commands the issue names, and the autocompletes behind their options: 60 %
    commands, 40 % autocompletes (a few keystrokes per picked option)."""

    def slash(path: str, weight: float, **values: Callable[[random.Random], str]) -> Operation:
        return Operation(
            f"/{path}",
            weight,
            lambda fake, guild, rng: fake.slash(
                path, guild=guild, wait="none", options={k: v(rng) for k, v in values.items()}
            ),
        )

    def typing(
        path: str, focused: str, weight: float, typed: Callable[[random.Random], str]
    ) -> Operation:
        return Operation(
            f"autocomplete /{path}",
            weight,
            lambda fake, guild, rng: autocomplete_now(fake, path, guild, focused, typed(rng)),
        )

    cities, bills = inputs.cities, inputs.bills
    return [
        slash("approps status", 8),
        slash("approps bill", 8, bill=lambda r: r.choice(bills)),
        slash("oversight due", 8),
        slash("oversight show", 10, question=inputs.question),
        slash("bodycam city", 10, city=lambda r: r.choice(cities)),
        slash("search", 8, query=lambda r: r.choice(SEARCH_TERMS)),
        slash("cite", 8, record=inputs.cited),
        typing("bodycam city", "city", 12, lambda r: r.choice(cities)[:3]),
        typing("approps bill", "bill", 8, lambda r: r.choice(BILL_TYPED)),
        typing("oversight show", "question", 10, lambda r: r.choice(QUESTION_TYPED)),
        typing("cite", "record", 10, lambda r: r.choice(RECORD_TYPED)),
    ]


NOOP = [
    Operation("/noop", 1, lambda fake, guild, rng: fake.slash("noop", guild=guild, wait="none"))
]


# ---------------------------------------------------------------- the bot process(es)


def write_config(path: Path, url: str, shard: tuple[int, int] | None) -> Path:
    sharding = f"shard_count = {shard[1]}\nshard_ids = [{shard[0]}]\n" if shard else ""
    path.write_text(
        f'[discord]\ntoken = "{TOKEN}"\n{sharding}\n[database]\nurl = "{url}"\n\n'
        '[bot]\nlog_level = "WARNING"\n'
    )
    return path


def shard_of(guild_id: int, count: int) -> int:
    return (guild_id >> 22) % count


@asynccontextmanager
async def deployment(
    url: str,
    guild_ids: list[int],
    processes: int,
    mode: TwoProcesses,
    workdir: Path,
    label: str,
    profile: Path | None = None,
) -> AsyncIterator[Target]:
    """Fake Discord(s) holding the guilds and `processes` bot processes answering them, each
    proven to answer a /noop in one of its guilds; stopped (and the fakes closed) on exit."""
    async with AsyncExitStack() as stack:
        own_fakes = processes > 1 and mode == "fakes"
        fakes = [
            await stack.enter_async_context(FakeDiscord(token=TOKEN, timeout=30))
            for _ in range(processes if own_fakes else 1)
        ]
        routes = []
        for index, guild_id in enumerate(guild_ids):
            fake = fakes[shard_of(guild_id, processes) if own_fakes else 0]
            routes.append(Route(fake, fake.add_guild(f"Office {index}", guild_id=guild_id)))
        bots: list[BotProcess] = []
        for index in range(processes):
            sharded = processes > 1 and mode == "shards"
            config = write_config(
                workdir / f"{label}-{index}.toml", url, (index, processes) if sharded else None
            )
            fake = fakes[index if own_fakes else 0]
            log = (profile.parent if profile else workdir) / f"{label}-bot{index}.log"
            if profile is not None and index == 0:
                bot: BotProcess = ProfiledBotProcess(fake, config, log, profile)
            else:
                bot = BotProcess(fake, config, log)
            stack.push_async_callback(bot.stop)
            await bot.start()
            bots.append(bot)
            mine = [r for r in routes if r.fake is fake]
            if processes > 1:
                mine = [r for r in mine if shard_of(r.guild.id, processes) == index]
            await first_answer(bot, mine[0])
        await asyncio.sleep(ON_READY_WAIT)
        database = await stack.enter_async_context(sampling(url))
        clocks = [bot.cpu_seconds for bot in bots]
        yield Target(routes, clocks, None if database is None else database.seconds)


async def first_answer(bot: BotProcess, route: Route, within: float = 90.0) -> None:
    """Until the bot answers a /noop in the route's guild (it has connected and synced)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        bot.check_alive()
        try:
            reply = await route.fake.slash("noop", guild=route.guild, within=2)
            if reply.shown_at is not None:
                return
        except (LookupError, AssertionError, RuntimeError):  # not connected or synced yet
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.2)


# ---------------------------------------------------------------- rising rates


async def rising_rates(
    target: Target,
    operations: list[Operation],
    settings: LoadSettings,
    label: str,
    *,
    beyond: int = 0,
) -> dict[str, Any]:
    """A warm-up, then one step per rate until the bot falls past the deadline; then up to
    `beyond` more steps (each BEYOND_FACTOR × the last) while it has not saturated and the
    driver kept up: /noop's saturation is measured, not bounded by the rates listed."""
    rates = sorted(settings.rates)
    warm = await run_step(
        target, operations, rates[0], settings.warmup_s, seed=0, drain_s=settings.drain_s
    )
    steps: list[dict[str, Any]] = []
    skipped: list[float] = []
    for number, rate in enumerate(rates, start=1):
        if steps and _past_deadline(steps[-1]):
            skipped.append(rate)
            continue
        await asyncio.sleep(PAUSE_S)
        step = await run_step(
            target, operations, rate, settings.seconds, seed=number, drain_s=settings.drain_s
        )
        steps.append(figures(step))
        say(f"[{label}] {rate:g}/s: {_line(steps[-1])}")
    beyond_rates: list[float] = []
    while len(beyond_rates) < beyond and (more := rate_beyond(steps)) is not None:
        beyond_rates.append(more)
        await asyncio.sleep(PAUSE_S)
        step = await run_step(
            target,
            operations,
            more,
            settings.seconds,
            seed=len(steps) + 1,
            drain_s=settings.drain_s,
        )
        steps.append(figures(step))
        say(f"[{label}] {more:g}/s (past the rates listed): {_line(steps[-1])}")
    return {
        "warmup": {
            "rate": rates[0],
            "answered": sum(1 for launch in warm.launches if launch.settled),
        },
        "steps": steps,
        "skipped_rates": skipped,
        "beyond_rates": beyond_rates,
        "saturation": saturation(steps, SATURATION_P99_MS),
    }


def rate_beyond(steps: list[dict[str, Any]]) -> float | None:
    """The next rate past the listed ones, or None: the last step saturated (answer p99 past
    SATURATION_P99_MS, or lost), or the driver fell behind its schedule (launch lag p99 past
    DRIVER_LAG_MS: a higher rate would measure the driver, not the bot)."""
    if not steps:
        return None
    last = steps[-1]
    p99, lag = last["answer"]["p99_ms"], last["launch_lag"]["p99_ms"]
    if p99 is None or p99 > SATURATION_P99_MS:
        return None
    if lag is None or lag > DRIVER_LAG_MS:
        return None
    return float(round(last["rate"] * BEYOND_FACTOR))


def _past_deadline(step: dict[str, Any]) -> bool:
    p99 = step["answer"]["p99_ms"]
    return not step["drained"] or p99 is None or p99 > DEADLINE_S * 1000


def _ms(value: float | None) -> str:
    return "lost" if value is None else f"{value:.1f}"


def _database_cpu(value: float | None) -> str:
    """SQLite runs in the bot's process (its CPU is in the bot's): no separate figure."""
    return "" if value is None else f" (database {value:.2f})"


def _line(step: dict[str, Any]) -> str:
    return (
        f"answer p50 {_ms(step['answer']['p50_ms'])} p99 {_ms(step['answer']['p99_ms'])} ms, "
        f"{step['throughput_per_s']:.0f}/s, CPU {step['cpu_ms_per_command']:.2f} ms/cmd"
        f"{_database_cpu(step['database_cpu_ms_per_command'])}, "
        f"missed {step['missed']}, launch lag p99 {_ms(step['launch_lag']['p99_ms'])} ms, "
        f"host {step['host_busy_percent']:.0f}% busy"
    )


# ---------------------------------------------------------------- overload

QUIET_MS = 100.0  # idle: a /noop answered within this


async def overload(
    target: Target,
    operations: list[Operation],
    settings: LoadSettings,
    rising: dict[str, Any],
    label: str,
) -> dict[str, Any] | None:
    """The overload step (the module's docstring) on the rising rates' saturation rate; None if
    no step ran."""
    found = rising["saturation"]
    if found["rate"] is None:
        return None
    reference = found["rate"]
    if found["how"] == "above the highest rate":
        note = f"never saturated: the highest rate run ({reference:g}/s) stands in"
    else:
        note = f"the saturation rate ({found['how']})"
    base = settings.base_rate or reference / 2
    phases = (
        Phase("base", base, settings.base_s),
        Phase("burst", settings.overload_factor * reference, settings.burst_s),
        Phase("after", base, settings.after_s),
    )
    say(
        f"[{label}] overload: {base:.0f}/s for {settings.base_s:g} s, "
        f"{phases[1].rate:.0f}/s for {settings.burst_s:g} s, {base:.0f}/s for "
        f"{settings.after_s:g} s ({settings.overload_factor:g}× {note})"
    )
    idle_s = await idle(target, settings.drain_s)
    step = await run_schedule(
        target, operations, phases, seed=len(settings.rates) + 1, drain_s=settings.drain_s
    )
    result = {
        "reference": {"rate": reference, "how": found["how"], "note": note},
        "factor": settings.overload_factor,
        "idle_wait_s": idle_s,
        **overload_figures(outcomes(step), phases, SATURATION_P99_MS),
        "overall": figures(step),
    }
    say(f"[{label}] overload: {overload_line(result)}")
    return result


def overload_line(result: dict[str, Any]) -> str:
    phases, recovery = result["phases"], result["recovery"]
    missed = ", ".join(
        f"{name} {phases[name]['missed']['commands']} commands + "
        f"{phases[name]['missed']['autocompletes']} autocompletes"
        for name in ("burst", "after")
    )
    answers = ", ".join(
        f"{name} {_ms(p['answer']['p50_ms'])}/{_ms(p['answer']['p99_ms'])}"
        for name, p in phases.items()
    )
    recovered = "" if recovery["recovered"] else " (not recovered by the end)"
    return (
        f"missed: {missed}; answer p50/p99 ms: {answers}; "
        f"recovery {recovery['seconds']:.1f} s{recovered}"
    )


async def idle(target: Target, within: float) -> float:
    """Seconds until a /noop in each of the first two guilds (both shards, with two processes)
    is answered within QUIET_MS: what an earlier step left queued is done. Gives up after
    `within` seconds (the overload then starts anyway; its base phase shows it)."""
    loop = asyncio.get_running_loop()
    start = loop.time()
    for route in target.routes[:2]:
        while loop.time() - start < within:
            try:
                reply = await route.fake.slash("noop", guild=route.guild, within=within)
            except AssertionError:  # not answered within `within`
                break
            took = reply.until_shown
            if took is not None and took * 1000 <= QUIET_MS:
                break
            await asyncio.sleep(PAUSE_S)
    return loop.time() - start


# ---------------------------------------------------------------- configurations


@dataclass
class Stage:
    backend: str
    url: str
    guild_ids: list[int]
    inputs: Inputs
    settings: LoadSettings
    workdir: Path
    results: list[dict[str, Any]] = field(default_factory=list)


async def bench_load(
    backend: str, sizes: Sizes, settings: LoadSettings, workdir: Path
) -> list[dict[str, Any]]:
    """Every configuration of `backend`: one process, and on PostgreSQL also two."""
    # Past saturation the fake logs every late acknowledgement; the figures count them.
    logging.getLogger("fakediscord.fake").setLevel(logging.ERROR)
    url = await fresh_database(backend, workdir)
    say(f"[{backend}/load] building the dataset")
    built = await build_dataset(url, sizes)
    stage = Stage(
        backend, url, list(sizes.guilds), await read_inputs(url, sizes), settings, workdir
    )
    for processes in (1, 2) if backend == "postgres" else (1,):
        stage.results.append(await configuration(stage, processes, built))
    return stage.results


async def configuration(stage: Stage, processes: int, built: dict[str, float]) -> dict[str, Any]:
    settings = stage.settings
    name = stage.backend if processes == 1 else f"{stage.backend} ×{processes}"
    label = f"{stage.backend}-load-{processes}"
    result: dict[str, Any] = {
        "configuration": name,
        "backend": stage.backend,
        "processes": processes,
        "two_processes": settings.two_processes if processes > 1 else None,
        "guilds": len(stage.guild_ids),
        "build": built,
        "mixes": {},
    }
    for mix, operations in (("mixed", mixed(stage.inputs)), ("noop", NOOP)):
        say(f"[{name}/load] {mix}: rates {', '.join(f'{r:g}' for r in settings.rates)}/s")
        async with deployment(
            stage.url,
            stage.guild_ids,
            processes,
            settings.two_processes,
            stage.workdir,
            f"{label}-{mix}",
        ) as target:
            beyond = settings.noop_beyond if mix == "noop" else 0
            measured = await rising_rates(
                target, operations, settings, f"{name} {mix}", beyond=beyond
            )
            if mix == "mixed" and settings.overload:
                measured["overload"] = await overload(
                    target, operations, settings, measured, f"{name} {mix}"
                )
            result["mixes"][mix] = measured
    if processes == 1:
        say(f"[{name}/load] SQL statements per command")
        result["statements"] = await statements_per_command(
            stage.url, stage.guild_ids, mixed(stage.inputs), settings.statement_samples
        )
        if settings.profile is not None:
            result["profile"] = await profile_at_saturation(stage, result, label)
    return result


async def profile_at_saturation(stage: Stage, result: dict[str, Any], label: str) -> dict[str, Any]:
    """One step of the mixed commands at their saturation rate, the bot under pyinstrument (which
    slows it: read the profile for shares, not for speed)."""
    settings = stage.settings
    assert settings.profile is not None
    settings.profile.mkdir(parents=True, exist_ok=True)
    found = result["mixes"]["mixed"]["saturation"]["rate"] or min(settings.rates)
    rate = max(1.0, round(found))
    path = settings.profile / f"{label}-mixed-{rate:g}-per-s.txt"
    say(f"[{result['configuration']}/load] profiling the mixed commands at {rate:g}/s")
    async with deployment(
        stage.url,
        stage.guild_ids,
        1,
        settings.two_processes,
        stage.workdir,
        f"{label}-profile",
        profile=path,
    ) as target:
        operations = mixed(stage.inputs)
        await run_step(
            target, operations, rate, settings.warmup_s, seed=0, drain_s=settings.drain_s
        )
        step = figures(
            await run_step(
                target, operations, rate, settings.seconds, seed=1, drain_s=settings.drain_s
            )
        )
    return {"rate": rate, "file": str(path), "step": step, "self_time": summary_of(path)}
