"""Open-loop arrivals: interactions launched on a fixed schedule, never waiting for an answer.

Interaction i of a step goes at t0 + i / rate (each its own asyncio task, scheduled with
`loop.call_at` before the step begins), whatever happened to the ones before it: a slow bot gets
a queue, as it would from Discord, instead of a slower client (the closed-loop mistake that hides
saturation). Times are the fake Discord's own: when it sent INTERACTION_CREATE (`dispatched_at`),
took the first callback (`answered_at`: the acknowledgement, a defer or the answer itself) and
showed the answer (`shown_at`: the callback, or after a defer the follow-up or edit). Polling for
completion therefore costs nothing in precision.

An interaction not acknowledged within Discord's 3 seconds is missed: its late callback was
refused (`late_acks`) or none came before the drain ended (`never_acked`). Percentiles count
every launch; a missing time is infinite, so a p99 with more than 1 % missing is None ("lost").
An autocomplete without any callback 3 s after its dispatch is lost for good (the bot skips one
too old to answer in time, bot/deadline.py): the drain stops waiting for it.

A schedule may have phases of different rates, one after the other without a pause (`Phase`,
`run_schedule`): the overload step is a base rate, a burst and the base rate again, and
`overload_figures` says what each phase missed and how soon after the burst answers were fast
again (`recovery_s`).
"""

from __future__ import annotations

import asyncio
import gc
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fakediscord import FakeDiscord, FakeGuild, Reply
from fakediscord.interactions import AUTOCOMPLETE

DEADLINE_S = 3.0  # Discord fails an interaction not acknowledged within this
LEAD_S = 0.1  # from scheduling a step's launches to the first one
POLL_S = 0.05  # how often the drain looks for answers (the times are the fake's, not the poll's)
BUCKET_S = 0.5  # the overload's time series: launches grouped by this much launch time
QUIET_S = 1.0  # recovered: at least this long of launches after the last slow one, all fast

Send = Callable[[FakeDiscord, FakeGuild, random.Random], Awaitable[Reply]]


@dataclass(frozen=True)
class Operation:
    """One kind of interaction in a mix: its name, its share and how to send it (without waiting
    for the answer: `wait="none"`)."""

    name: str
    weight: float
    send: Send


@dataclass(frozen=True)
class Route:
    """A guild and the fake Discord that carries its interactions (its shard's, with two bots)."""

    fake: FakeDiscord
    guild: FakeGuild


@dataclass
class Target:
    """Where the load goes: the guilds, and the CPU clocks of the processes that answer them."""

    routes: list[Route]
    cpu_clocks: list[Callable[[], float]]
    database_clock: Callable[[], float] | None = None  # the database server's CPU seconds

    def database_seconds(self) -> float | None:
        return None if self.database_clock is None else self.database_clock()

    def cpu_seconds(self) -> list[float]:
        """Each process's CPU seconds so far."""
        return [clock() for clock in self.cpu_clocks]


@dataclass(frozen=True)
class Phase:
    """A stretch of a schedule at one rate."""

    name: str
    rate: float
    seconds: float


@dataclass
class Launch:
    operation: str
    due: float  # the loop time (time.monotonic) it was scheduled for
    reply: Reply | None = None
    error: str | None = None  # the driver could not send it (e.g. the command is not synced)
    phase: str = ""
    offset: float = 0.0  # seconds from the schedule's first launch to this one's, as scheduled

    @property
    def settled(self) -> bool:
        """Nothing more to wait for: answered, refused, or never sent."""
        return self.error is not None or (self.reply is not None and self.reply.visible)

    def lost(self, now: float) -> bool:
        """An autocomplete with no callback past the deadline: none can come (a late one is
        refused) and the bot may have skipped it (bot/deadline.py), so nothing will."""
        reply = self.reply
        return (
            reply is not None
            and reply.kind == AUTOCOMPLETE
            and reply.type is None
            and now - reply.dispatched_at > DEADLINE_S
        )


@dataclass
class Step:
    """The launches of one step, and what they cost the bot and the driver."""

    rate: float
    seconds: float
    launches: list[Launch] = field(default_factory=list)
    bot_cpu_s: list[float] = field(default_factory=list)  # per bot process
    database_cpu_s: float | None = None  # PostgreSQL's backends (SQLite runs in the bot)
    driver_cpu_s: float = 0.0
    host_busy_percent: float = 0.0
    drained: bool = True  # every launch settled (or was lost) before the drain's end
    phases: tuple[Phase, ...] = ()


async def run_step(
    target: Target,
    operations: list[Operation],
    rate: float,
    seconds: float,
    *,
    seed: int,
    drain_s: float,
) -> Step:
    """Launch round(rate × seconds) interactions at `rate` per second, each an operation drawn by
    weight and a guild drawn at random; then wait up to `drain_s` after the last launch for every
    answer. The bot's CPU is read before the first launch and after the drain."""
    return await run_schedule(
        target, operations, (Phase("", rate, seconds),), seed=seed, drain_s=drain_s
    )


async def run_schedule(
    target: Target,
    operations: list[Operation],
    phases: tuple[Phase, ...],
    *,
    seed: int,
    drain_s: float,
) -> Step:
    """As run_step, for phases of different rates launched as one schedule (`schedule`)."""
    offsets = schedule(phases)
    rng = random.Random(seed)
    chosen = rng.choices(operations, weights=[op.weight for op in operations], k=len(offsets))
    plan = [(operation, rng.choice(target.routes)) for operation in chosen]
    seconds = sum(phase.seconds for phase in phases)
    rate = phases[0].rate if len(phases) == 1 else len(offsets) / seconds  # the mean
    step = Step(rate, seconds, phases=phases)
    # The driver's own pauses would delay launches: its heap grows by every interaction the fake
    # records, and a full collection of it took ~0.4 s. Collected between steps instead.
    gc.collect()
    gc.disable()
    try:
        await _launch_and_drain(target, list(zip(offsets, plan, strict=True)), step, rng, drain_s)
    finally:
        gc.enable()
    return step


def schedule(phases: tuple[Phase, ...]) -> list[tuple[str, float]]:
    """(phase, seconds from the first launch) of every launch: each phase's round(rate ×
    seconds) launches (at least one) evenly from its start, the next phase starting where the
    previous one ends, with no pause."""
    out: list[tuple[str, float]] = []
    start = 0.0
    for phase in phases:
        if phase.rate <= 0 or phase.seconds <= 0:
            wrong = f"{phase.rate}/s × {phase.seconds} s"
            raise ValueError(f"a step needs a rate and a duration above 0, not {wrong}")
        count = max(1, round(phase.rate * phase.seconds))
        out += [(phase.name, start + index / phase.rate) for index in range(count)]
        start += phase.seconds
    return out


async def _launch_and_drain(
    target: Target,
    plan: list[tuple[tuple[str, float], tuple[Operation, Route]]],
    step: Step,
    rng: random.Random,
    drain_s: float,
) -> None:
    loop = asyncio.get_running_loop()
    tasks: set[asyncio.Task[None]] = set()

    def start(launch: Launch, operation: Operation, route: Route) -> None:
        task = loop.create_task(_send(launch, operation, route, rng))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    cpu, driver, host = target.cpu_seconds(), time.process_time(), host_busy()
    database = target.database_seconds()
    t0 = loop.time() + LEAD_S
    for (phase, offset), (operation, route) in plan:
        launch = Launch(operation.name, t0 + offset, phase=phase, offset=offset)
        step.launches.append(launch)
        loop.call_at(launch.due, start, launch, operation, route)
    await asyncio.sleep(max(0.0, step.launches[-1].due - loop.time()))
    while tasks:  # the last launches' sends
        await asyncio.gather(*tasks)
    step.drained = await _drain(step.launches, loop.time() + drain_s)
    step.bot_cpu_s = [
        after - before for after, before in zip(target.cpu_seconds(), cpu, strict=True)
    ]
    step.driver_cpu_s = time.process_time() - driver
    step.host_busy_percent = host_busy_since(host)
    if database is not None:
        step.database_cpu_s = (target.database_seconds() or 0.0) - database


async def _send(launch: Launch, operation: Operation, route: Route, rng: random.Random) -> None:
    try:
        launch.reply = await operation.send(route.fake, route.guild, rng)
    except Exception as error:  # kept and reported: a launch that failed to go is not an answer
        launch.error = f"{type(error).__name__}: {error}"


async def _drain(launches: list[Launch], until: float) -> bool:
    loop = asyncio.get_running_loop()
    pending = [launch for launch in launches if not launch.settled]
    while pending and loop.time() < until:
        await asyncio.sleep(POLL_S)
        now = loop.time()
        pending = [launch for launch in pending if not (launch.settled or launch.lost(now))]
    return not pending


# ---------------------------------------------------------------- what a step measured


def rank_ms(values: list[float], percent: float) -> float | None:
    """The nearest-rank percentile in ms; None when it falls on a missing (infinite) value."""
    if not values:
        return None
    ordered = sorted(values)
    value = ordered[min(len(ordered) - 1, max(0, math.ceil(percent / 100 * len(ordered)) - 1))]
    return None if math.isinf(value) else value * 1000


def _spread_ms(values: list[float]) -> dict[str, float | None]:
    return {"p50_ms": rank_ms(values, 50), "p99_ms": rank_ms(values, 99)}


def _late(reply: Reply) -> bool:
    return any(reason.startswith("late by") for reason in reply.rejected)


def figures(step: Step) -> dict[str, Any]:
    """Percentiles of the acknowledgement and of the answer, throughput, CPU per command, the
    interactions Discord would have failed, how far launches strayed from their schedule, and
    per operation its answer percentiles and the answers' titles (evidence they answered)."""
    launched = len(step.launches)
    sent = [launch.reply for launch in step.launches if launch.reply is not None]
    acked = [r for r in sent if r.answered_at is not None]
    shown = [r for r in sent if r.shown_at is not None]
    late = sum(1 for r in sent if _late(r))
    never = sum(1 for r in sent if r.answered_at is None and not _late(r))
    failed = launched - len(sent)
    lags = [r.dispatched_at - launch.due for launch in step.launches if (r := launch.reply)]
    result: dict[str, Any] = {
        "rate": step.rate,
        "seconds": step.seconds,
        "launched": launched,
        "ack": _spread_ms(_times(step.launches, "answered_at")),
        "answer": _spread_ms(_times(step.launches, "shown_at")),
        "answered": len(shown),
        "throughput_per_s": _throughput(shown),
        "late_acks": late,
        "never_acked": never + failed,
        "missed": late + never + failed,
        "unfinished": sum(1 for r in acked if r.shown_at is None),
        "not_sent": failed,
        "drained": step.drained,
        "cpu_ms_per_command": sum(step.bot_cpu_s) / launched * 1000,
        "cpu_s_per_process": step.bot_cpu_s,
        "database_cpu_ms_per_command": None
        if step.database_cpu_s is None
        else step.database_cpu_s / launched * 1000,
        "driver_cpu_ms_per_command": step.driver_cpu_s / launched * 1000,
        "host_busy_percent": step.host_busy_percent,
        "launch_lag": {
            "p50_ms": rank_ms(lags, 50),
            "p99_ms": rank_ms(lags, 99),
            "max_ms": max(lags, default=0.0) * 1000,
        },
        "operations": _per_operation(step.launches),
    }
    errors = sorted({launch.error for launch in step.launches if launch.error})
    if errors:
        result["errors"] = errors[:5]
    return result


def _times(launches: list[Launch], stamp: str) -> list[float]:
    """Seconds from dispatch to `stamp` for every launch (infinite where it never came)."""
    out = []
    for launch in launches:
        reply = launch.reply
        at = None if reply is None else getattr(reply, stamp)
        out.append(math.inf if reply is None or at is None else at - reply.dispatched_at)
    return out


def _throughput(shown: list[Reply]) -> float:
    """Answers per second, from the first dispatch to the last answer."""
    if not shown:
        return 0.0
    first = min(r.dispatched_at for r in shown)
    last = max(r.shown_at or 0.0 for r in shown)
    return len(shown) / max(last - first, 1e-9)


def _per_operation(launches: list[Launch]) -> dict[str, dict[str, Any]]:
    names = sorted({launch.operation for launch in launches})
    out: dict[str, dict[str, Any]] = {}
    for name in names:
        mine = [launch for launch in launches if launch.operation == name]
        answers: dict[str, int] = {}
        for launch in mine:
            if launch.reply is not None and launch.reply.shown_at is not None:
                label = answer_label(launch.reply)
                answers[label] = answers.get(label, 0) + 1
        missed = [one for one in mine if one.reply is None or one.reply.answered_at is None]
        out[name] = {
            "launched": len(mine),
            "missed": len(missed),
            **_spread_ms(_times(mine, "shown_at")),
            "answers": dict(sorted(answers.items(), key=lambda kv: -kv[1])[:3]),
        }
    return out


def answer_label(reply: Reply) -> str:
    """What the user read first: the choices' count, the embed's title or the text."""
    if reply.kind == 4:
        return f"{len(reply.choices)} choices"
    if reply.embeds:
        return (reply.embeds[0].get("title") or "untitled embed")[:60]
    if reply.followups:
        first = reply.followups[0]
        if first.embeds:
            return (first.embeds[0].get("title") or "untitled embed")[:60]
        return (first.content or "empty")[:60]
    return (reply.content or "empty")[:60]


def saturation(steps: list[dict[str, Any]], limit_ms: float) -> dict[str, Any]:
    """The lowest rate where the answer p99 passes `limit_ms`, interpolated linearly between the
    last step under it and the first over it (a lost p99 counts as infinite: the rate is then the
    last one under). `how` says which: interpolated, below the lowest rate, above the highest."""
    previous: dict[str, Any] | None = None
    for step in steps:
        p99 = step["answer"]["p99_ms"]
        if p99 is None or p99 > limit_ms:
            if previous is None:
                return {"rate": step["rate"], "how": "at or below the lowest rate"}
            low_rate, low_p99 = previous["rate"], previous["answer"]["p99_ms"]
            if p99 is None:
                return {"rate": low_rate, "how": "last rate under (the next lost answers)"}
            share = (limit_ms - low_p99) / (p99 - low_p99)
            return {"rate": low_rate + share * (step["rate"] - low_rate), "how": "interpolated"}
        previous = step
    if previous is None:
        return {"rate": None, "how": "no steps"}
    return {"rate": previous["rate"], "how": "above the highest rate"}


# ---------------------------------------------------------------- overload and recovery


@dataclass(frozen=True)
class Outcome:
    """What one launch of a schedule came to, as the overload figures count it."""

    phase: str
    at: float  # seconds from the schedule's first launch to this one's, as scheduled
    autocomplete: bool
    missed: bool  # not acknowledged within 3 s: refused late, never, or not sent at all
    answer_s: float | None  # from dispatch to the answer shown; None if it never came

    def slow(self, limit_s: float) -> bool:
        return self.missed or self.answer_s is None or self.answer_s > limit_s


def outcomes(step: Step) -> list[Outcome]:
    out = []
    for launch in step.launches:
        reply = launch.reply
        acked = reply is not None and reply.answered_at is not None
        out.append(
            Outcome(
                launch.phase,
                launch.offset,
                # a launch that failed to go has no reply: its operation's name says what it was
                reply.kind == AUTOCOMPLETE
                if reply is not None
                else launch.operation.startswith("autocomplete"),
                not acked,
                reply.until_shown if reply is not None and acked else None,
            )
        )
    return out


def _answers(mine: list[Outcome]) -> list[float]:
    return [math.inf if o.answer_s is None else o.answer_s for o in mine]


def missed_by_kind(mine: list[Outcome]) -> dict[str, int]:
    return {
        "commands": sum(1 for o in mine if o.missed and not o.autocomplete),
        "autocompletes": sum(1 for o in mine if o.missed and o.autocomplete),
    }


def slow_limit_s(base_p99_ms: float | None, floor_ms: float) -> float:
    """What counts as slow after the burst: over max(floor, 2 × the base phase's p99), and never
    more than the 3 s deadline (also the limit when the base phase's p99 was lost)."""
    if base_p99_ms is None:
        return DEADLINE_S
    return min(DEADLINE_S, max(floor_ms, 2 * base_p99_ms) / 1000)


def recovery_s(launched: list[Outcome], burst_end: float, limit_s: float) -> float:
    """Seconds from the burst's end to the launch of the last interaction launched at or after
    it that was slow (answered in more than `limit_s`, or never, or missed); 0 if none was: from
    then on every interaction launched had its answer within the limit."""
    slow = [o.at for o in launched if o.at >= burst_end and o.slow(limit_s)]
    return round(max(slow) - burst_end, 6) if slow else 0.0


def series(launched: list[Outcome], phases: tuple[Phase, ...]) -> list[dict[str, Any]]:
    """Per BUCKET_S of launch time: its phase, launches, their answer p99 and misses."""
    seconds = sum(phase.seconds for phase in phases)
    count = max(1, math.ceil(seconds / BUCKET_S - 1e-9))
    buckets: list[list[Outcome]] = [[] for _ in range(count)]
    for outcome in launched:
        buckets[min(count - 1, int(outcome.at // BUCKET_S))].append(outcome)
    ends = [sum(p.seconds for p in phases[: n + 1]) for n in range(len(phases))]
    out = []
    for index, bucket in enumerate(buckets):
        start = index * BUCKET_S
        phase = phases[next((n for n, end in enumerate(ends) if start < end), len(phases) - 1)]
        out.append(
            {
                "t_s": round(start, 3),
                "phase": phase.name,
                "launched": len(bucket),
                "answer_p99_ms": rank_ms(_answers(bucket), 99),
                "missed": sum(1 for o in bucket if o.missed),
            }
        )
    return out


def overload_figures(
    launched: list[Outcome], phases: tuple[Phase, Phase, Phase], floor_ms: float
) -> dict[str, Any]:
    """The base, burst and after phases of an overload: per phase the launches, the misses by
    kind and the answer p50/p99; the recovery (`recovery_s`, with the limit `slow_limit_s` set
    from the base phase); and the time series (`series`)."""
    base, burst, after = phases
    per_phase: dict[str, dict[str, Any]] = {}
    for phase in phases:
        mine = [o for o in launched if o.phase == phase.name]
        per_phase[phase.name] = {
            "rate": phase.rate,
            "seconds": phase.seconds,
            "launched": len(mine),
            "missed": missed_by_kind(mine),
            "answer": _spread_ms(_answers(mine)),
        }
    limit = slow_limit_s(per_phase[base.name]["answer"]["p99_ms"], floor_ms)
    burst_end = base.seconds + burst.seconds
    recovery = recovery_s(launched, burst_end, limit)
    slow = [o for o in launched if o.at >= burst_end and o.slow(limit)]
    return {
        "phases": per_phase,
        "recovery": {
            "seconds": recovery,
            # at least QUIET_S of launches after the last slow one, all fast: it did recover
            "recovered": not slow or recovery <= after.seconds - QUIET_S,
            "slow_limit_ms": limit * 1000,
            "slow_after_burst": len(slow),
        },
        "series": series(launched, phases),
    }


# ---------------------------------------------------------------- the machine


def host_busy() -> tuple[int, int]:
    """(busy, total) jiffies of every core so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values) - idle, sum(values)


def host_busy_since(before: tuple[int, int]) -> float:
    """Percent of the machine's CPU (all cores) busy since `before`, whoever used it."""
    busy, total = host_busy()
    return 100 * (busy - before[0]) / max(total - before[1], 1)
