"""The load harness (bench/openloop.py, bench/load.py) on tiny runs: launches keep their schedule
while answers wait (an open loop), the acknowledgement and the answer are told apart, an
interaction acknowledged after Discord's 3 seconds counts as missed (and one never acknowledged,
such as an autocomplete the bot skipped), a schedule's phases follow each other without a pause,
the overload's recovery and misses are counted as BENCHMARKS.md defines them, and `python -m
bench --only load` measures both mixes and the overload against real bot processes and prints the
load tables."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bench.load import autocomplete_now, rate_beyond
from bench.openloop import (
    Operation,
    Outcome,
    Phase,
    Route,
    Target,
    figures,
    outcomes,
    overload_figures,
    recovery_s,
    run_schedule,
    run_step,
    saturation,
    schedule,
)
from bench.report import load_table, saturation_table
from bot import deadline
from bot.admission import waits_for_person
from bot.client import OversightBot
from bot.config import Settings
from db.engine import Database
from fakediscord import FakeDiscord, FakeGuild, Reply
from tests.conftest import Office, running

PROJECT = Path(__file__).resolve().parents[2]
RATES = (5.0, 10.0)  # per second, one second each
PAST_DEADLINE_S = 3.3  # longer than Discord's 3 s


class Paced(commands.Cog):
    """Commands slow on purpose. /gated answers only once every interaction of its step has
    arrived, so an answer before the step's last launch is impossible: the driver must launch
    without waiting for answers."""

    def __init__(self, steps: list[int]) -> None:
        self.ends = [sum(steps[: n + 1]) for n in range(len(steps))]  # arrivals closing each step
        self.released = [asyncio.Event() for _ in steps]
        self.arrived = 0

    @waits_for_person  # outside bot.admission's slots: the whole step must be in flight at once
    @app_commands.command(name="gated", description="Answers once its whole step has arrived")
    async def gated(self, interaction: discord.Interaction[Any]) -> None:
        self.arrived += 1
        step = next(n for n, end in enumerate(self.ends) if self.arrived <= end)
        if self.arrived == self.ends[step]:
            self.released[step].set()
        await self.released[step].wait()
        await interaction.response.send_message("Released.", ephemeral=True)

    @app_commands.command(name="blocking", description="Blocks the event loop past the deadline")
    async def blocking(self, interaction: discord.Interaction[Any]) -> None:
        time.sleep(PAST_DEADLINE_S)  # noqa: ASYNC251  # nothing else runs: the ack is late
        await interaction.response.send_message("Too late.", ephemeral=True)

    @app_commands.command(name="deferred", description="Defers at once, answers past 3 s")
    async def deferred(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        await asyncio.sleep(PAST_DEADLINE_S)
        await interaction.followup.send("Late, but acknowledged in time.", ephemeral=True)

    @app_commands.command(name="instant", description="Answers at once")
    async def instant(self, interaction: discord.Interaction[Any]) -> None:
        await interaction.response.send_message("Now.", ephemeral=True)

    @app_commands.command(name="pick", description="Has an autocompleted option")
    async def pick(self, interaction: discord.Interaction[Any], thing: str) -> None:
        await interaction.response.send_message(thing, ephemeral=True)

    @pick.autocomplete("thing")
    async def things(
        self, interaction: discord.Interaction[Any], current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=current or "any", value=current or "any")]


def command(name: str) -> Operation:
    async def send(fake: FakeDiscord, guild: FakeGuild, _rng: Any) -> Reply:
        return await fake.slash(name, guild=guild, wait="none")

    return Operation(f"/{name}", 1, send)


@pytest.fixture
async def paced(
    fake: FakeDiscord, office: Office, bot_db: Database, settings: Settings
) -> AsyncIterator[Paced]:
    """The real bot with the Paced commands; its CPU is this process's (it runs in it)."""
    cog = Paced([round(rate) for rate in RATES])
    client = OversightBot(settings=settings, database=bot_db)
    await client.add_cog(cog)
    async with running(fake, client):
        yield cog


def target(fake: FakeDiscord, office: Office) -> Target:
    return Target([Route(fake, office.guild)], [time.process_time])


async def test_launches_keep_their_schedule_while_answers_wait(
    fake: FakeDiscord, office: Office, paced: Paced
) -> None:
    steps = []
    for rate in RATES:
        step = await run_step(
            target(fake, office), [command("gated")], rate, 1.0, seed=1, drain_s=10
        )
        replies = [launch.reply for launch in step.launches]
        assert all(reply is not None for reply in replies)
        sent = [reply for reply in replies if reply is not None]
        # Open loop: the last launch went before the first answer came (the command answers
        # only once the whole step has arrived), each launch in its scheduled order.
        assert len(sent) == rate
        assert max(r.dispatched_at for r in sent) < min(r.answered_at or 0 for r in sent)
        assert [r.dispatched_at for r in sent] == sorted(r.dispatched_at for r in sent)
        dues = [launch.due for launch in step.launches]
        assert dues[-1] - dues[0] == pytest.approx((rate - 1) / rate)
        measured = figures(step)
        steps.append(measured)
        assert (measured["launched"], measured["answered"], measured["missed"]) == (rate, rate, 0)
        assert measured["drained"] and measured["operations"]["/gated"]["answers"] == {
            "Released.": rate
        }
        assert measured["cpu_ms_per_command"] > 0 and measured["launch_lag"]["max_ms"] >= 0
    assert saturation(steps, limit_ms=10**6) == {"rate": 10.0, "how": "above the highest rate"}
    table = load_table(
        [{"configuration": "test", "mixes": {"gated": {"steps": steps, "skipped_rates": []}}}]
    )
    assert [line.split(" | ")[2] for line in table[2:]] == ["5", "10"]


@pytest.mark.allow_violations  # the late acknowledgement is refused, as Discord would
async def test_an_acknowledgement_after_three_seconds_counts_as_missed(
    fake: FakeDiscord, office: Office, paced: Paced
) -> None:
    late = figures(
        await run_step(target(fake, office), [command("blocking")], 1, 1, seed=1, drain_s=10)
    )
    assert (late["launched"], late["late_acks"], late["missed"], late["answered"]) == (1, 1, 1, 0)
    assert late["ack"]["p99_ms"] is None and late["answer"]["p99_ms"] is None  # lost
    assert {v.rule for v in fake.violations} == {"response_deadline"}

    deferred = figures(
        await run_step(target(fake, office), [command("deferred")], 1, 1, seed=1, drain_s=10)
    )
    assert (deferred["missed"], deferred["answered"], deferred["unfinished"]) == (0, 1, 0)
    ack, answer = deferred["ack"]["p99_ms"], deferred["answer"]["p99_ms"]
    assert ack is not None and answer is not None
    assert answer >= PAST_DEADLINE_S * 1000 > ack  # acknowledged in time, answered after 3 s
    answers = deferred["operations"]["/deferred"]["answers"]
    assert answers == {"Late, but acknowledged in time.": 1}


async def test_an_autocomplete_never_answered_counts_as_missed_and_ends_the_wait(
    fake: FakeDiscord, office: Office, paced: Paced, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot skips an autocomplete too old to be seen (bot/deadline.py): here every one. It
    counts as missed (never acknowledged), and the drain stops waiting for it once no callback
    could be accepted, so the step counts as drained."""
    monkeypatch.setattr(deadline, "AUTOCOMPLETE_GIVE_UP", -1.0)

    async def typing(fake: FakeDiscord, guild: FakeGuild, _rng: Any) -> Reply:
        return await autocomplete_now(fake, "pick", guild, "thing", "ab")

    step = await run_step(
        target(fake, office), [Operation("autocomplete /pick", 1, typing)], 1, 1, seed=1, drain_s=60
    )
    measured = figures(step)
    assert (measured["launched"], measured["never_acked"], measured["missed"]) == (1, 1, 1)
    assert measured["late_acks"] == 0 and measured["drained"]
    [outcome] = outcomes(step)
    assert (outcome.autocomplete, outcome.missed, outcome.answer_s) == (True, True, None)


def test_a_schedule_s_phases_follow_each_other_without_a_pause() -> None:
    phases = (Phase("base", 4, 1), Phase("burst", 8, 0.5), Phase("after", 4, 1))
    assert schedule(phases) == [
        *(("base", t) for t in (0, 0.25, 0.5, 0.75)),
        *(("burst", t) for t in (1, 1.125, 1.25, 1.375)),
        *(("after", t) for t in (1.5, 1.75, 2, 2.25)),
    ]
    with pytest.raises(ValueError, match="above 0"):
        schedule((Phase("base", 4, 1), Phase("burst", 0, 1)))


async def test_a_schedule_launches_its_phases_as_one_open_loop(
    fake: FakeDiscord, office: Office, paced: Paced
) -> None:
    phases = (Phase("base", 4, 1), Phase("burst", 8, 0.5), Phase("after", 4, 1))
    operations = [command("instant")]
    step = await run_schedule(target(fake, office), operations, phases, seed=1, drain_s=10)
    assert [(launch.phase, launch.offset) for launch in step.launches] == schedule(phases)
    assert [launch.due - step.launches[0].due for launch in step.launches] == pytest.approx(
        [offset for _, offset in schedule(phases)]
    )
    assert (step.rate, step.seconds) == (12 / 2.5, 2.5)
    measured = overload_figures(outcomes(step), phases, floor_ms=100)
    assert {name: p["launched"] for name, p in measured["phases"].items()} == {
        "base": 4,
        "burst": 4,
        "after": 4,
    }
    for phase in measured["phases"].values():
        assert phase["missed"] == {"commands": 0, "autocompletes": 0}
        assert phase["answer"]["p99_ms"] is not None
    series = measured["series"]
    assert [(b["t_s"], b["phase"], b["launched"]) for b in series] == [
        (0.0, "base", 2),
        (0.5, "base", 2),
        (1.0, "burst", 4),
        (1.5, "after", 2),
        (2.0, "after", 2),
    ]
    assert figures(step)["operations"]["/instant"]["answers"] == {"Now.": 12}


def answered(phase: str, at: float, answer_s: float | None, autocomplete: bool = False) -> Outcome:
    """A synthetic launch: answered in `answer_s` (None: never acknowledged, so missed)."""
    return Outcome(phase, at, autocomplete, answer_s is None, answer_s)


OVERLOAD = (Phase("base", 2, 10), Phase("burst", 4, 10), Phase("after", 2, 15))
BURST_END = 20.0


def calm(answer_s: float = 0.02) -> list[Outcome]:
    """The base phase answered in 20 ms, the burst slow (not missed), the after phase fast."""
    return [
        *(answered("base", n / 2, answer_s) for n in range(20)),
        *(answered("burst", 10 + n / 4, 2.0) for n in range(40)),
        *(answered("after", BURST_END + n / 2, answer_s) for n in range(30)),
    ]


def test_recovery_is_the_launch_of_the_last_slow_answer_after_the_burst() -> None:
    launched = calm()
    # Slow after the burst's end: over max(100 ms, 2 × the base p99 of 20 ms) = 100 ms.
    launched[60 + 2] = answered("after", BURST_END + 1.0, 0.5)
    launched[60 + 6] = answered("after", BURST_END + 3.0, None, autocomplete=True)  # missed
    launched.append(answered("after", BURST_END + 3.2, 0.101))
    assert recovery_s(launched, BURST_END, 0.1) == pytest.approx(3.2)
    measured = overload_figures(launched, OVERLOAD, floor_ms=100)
    assert measured["recovery"] == {
        "seconds": pytest.approx(3.2),
        "recovered": True,
        "slow_limit_ms": 100.0,
        "slow_after_burst": 3,
    }
    assert measured["phases"]["after"]["missed"] == {"commands": 0, "autocompletes": 1}
    buckets = {b["t_s"]: b for b in measured["series"]}
    assert len(buckets) == 70 and buckets[23.0]["missed"] == 1 and buckets[23.0]["launched"] == 2
    assert buckets[10.0]["answer_p99_ms"] == pytest.approx(2000)


def test_no_slow_answer_after_the_burst_is_a_recovery_of_zero() -> None:
    measured = overload_figures(calm(), OVERLOAD, floor_ms=100)
    assert measured["recovery"]["seconds"] == 0 and measured["recovery"]["recovered"]
    assert measured["recovery"]["slow_after_burst"] == 0
    # Slow is relative to the base: with a base p99 of 80 ms, 150 ms is not slow yet.
    launched = calm(answer_s=0.08)
    launched[70] = answered("after", BURST_END + 5, 0.15)
    measured = overload_figures(launched, OVERLOAD, floor_ms=100)
    assert measured["recovery"]["slow_limit_ms"] == pytest.approx(160)
    assert measured["recovery"]["seconds"] == 0


def test_slow_until_the_end_is_not_recovered() -> None:
    launched = calm()
    launched[-1] = answered("after", launched[-1].at, None)  # the very last launch missed
    measured = overload_figures(launched, OVERLOAD, floor_ms=100)
    assert measured["recovery"]["seconds"] == pytest.approx(14.5)
    assert not measured["recovery"]["recovered"]
    assert measured["phases"]["after"]["missed"] == {"commands": 1, "autocompletes": 0}


def test_missed_are_counted_by_kind_in_each_phase() -> None:
    launched = [
        *(answered("base", n, 0.02) for n in range(10)),
        *(answered("burst", 10 + n / 4, None, autocomplete=n % 2 == 0) for n in range(8)),
        answered("burst", 12.0, 0.5, autocomplete=True),
        *(answered("after", BURST_END + n, None) for n in range(2)),
        answered("after", BURST_END + 2, 0.01, autocomplete=True),
    ]
    phases = overload_figures(launched, OVERLOAD, floor_ms=100)["phases"]
    assert {name: p["missed"] for name, p in phases.items()} == {
        "base": {"commands": 0, "autocompletes": 0},
        "burst": {"commands": 4, "autocompletes": 4},
        "after": {"commands": 2, "autocompletes": 0},
    }
    assert phases["burst"]["launched"] == 9 and phases["burst"]["answer"]["p99_ms"] is None
    assert phases["base"]["answer"] == {"p50_ms": pytest.approx(20), "p99_ms": pytest.approx(20)}


def test_only_load_runs_both_mixes_against_bot_processes(tmp_path: Path) -> None:
    out = tmp_path / "load.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "bench", "--quick", "--only", "load"),
            *("--rates", "5,10", "--step-seconds", "1", "--out", str(out)),
        ],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    [part] = json.loads(out.read_text())["load"]
    assert (part["configuration"], part["processes"], part["guilds"]) == ("sqlite", 1, 3)
    # /noop did not saturate at 10/s: one more step (--quick allows one) at 1.5 × the last.
    for mix, rates in (("mixed", [5, 10]), ("noop", [5, 10, 15])):
        steps = part["mixes"][mix]["steps"]
        assert [(s["rate"], s["launched"], s["missed"]) for s in steps] == [
            (rate, rate, 0) for rate in rates
        ]
        assert all(s["cpu_ms_per_command"] >= 0 for s in steps)
    assert (part["mixes"]["mixed"]["beyond_rates"], part["mixes"]["noop"]["beyond_rates"]) == (
        [],
        [15],
    )
    # CPU is read from /proc in clock ticks (10 ms): five /noop in a 1 s step can read 0 (CI did),
    # so only the mixed commands' steps together must show some (they read 9-12 ms each).
    assert sum(s["cpu_ms_per_command"] for s in part["mixes"]["mixed"]["steps"]) > 0
    noop = part["mixes"]["noop"]["steps"][-1]["operations"]["/noop"]
    assert noop["answers"] == {"ok": 15}
    assert part["statements"]["/approps status"]["statements"] > 0
    assert "| sqlite | noop | 10 | " in done.stdout and "| sqlite | noop | 15 | " in done.stdout
    assert "Load: saturation (answer p99 passes 100 ms)" in done.stdout
    # The overload after the mixed rates: 5/s for 2 s, 2 × the reference for 2 s, 5/s for 3 s.
    assert "overload" not in part["mixes"]["noop"]
    overload = part["mixes"]["mixed"]["overload"]
    reference = overload["reference"]
    assert reference["rate"] == part["mixes"]["mixed"]["saturation"]["rate"]
    burst_rate = 2 * reference["rate"]
    phases = overload["phases"]
    assert [(phases[n]["rate"], phases[n]["launched"]) for n in ("base", "burst", "after")] == [
        (5, 10),
        (burst_rate, round(burst_rate * 2)),
        (5, 15),
    ]
    for phase in phases.values():
        assert set(phase["missed"]) == {"commands", "autocompletes"}
        assert set(phase["answer"]) == {"p50_ms", "p99_ms"}
    assert set(overload["recovery"]) == {
        "seconds",
        "recovered",
        "slow_limit_ms",
        "slow_after_burst",
    }
    assert overload["recovery"]["seconds"] >= 0
    assert len(overload["series"]) == 14  # 7 s in 0.5 s buckets
    assert sum(b["launched"] for b in overload["series"]) == overload["overall"]["launched"]
    assert "Load: overload (mixed commands: a burst, then the base rate)" in done.stdout
    assert f"| sqlite | 5 → {burst_rate:,.0f} (2× " in done.stdout
    assert "] overload: missed: burst " in done.stderr


def test_rates_must_be_numbers_above_zero(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.run import parse_args

    with pytest.raises(SystemExit):
        parse_args(["--only", "load", "--rates", "25,fast"])
    assert "give rates above 0 separated by commas, such as 25,50,100" in capsys.readouterr().err
    options, _ = parse_args(["--only", "load", "--rates", "10,20", "--step-seconds", "2"])
    assert (options.load.rates, options.load.seconds) == ((10.0, 20.0), 2.0)
    load = options.load
    assert (load.overload, load.overload_factor, load.burst_s) == (True, 2.0, 10.0)
    assert (load.base_s, load.after_s, load.base_rate) == (10.0, 15.0, None)
    options, _ = parse_args(["--only", "load", "--overload-factor", "3", "--burst-seconds", "4"])
    assert (options.load.overload_factor, options.load.burst_s) == (3.0, 4.0)
    options, _ = parse_args(["--quick", "--only", "load", "--no-overload"])
    assert not options.load.overload and options.load.burst_s == 2.0
    with pytest.raises(SystemExit):
        parse_args(["--only", "load", "--burst-seconds", "0"])


def test_profile_time_is_summed_by_library() -> None:
    """The load profile's summary (bench/load_profile.py) names each frame's library; a C
    function counts for its caller's."""
    from bench.load_profile import group_of

    site = "/x/.venv/lib/python3.11/site-packages"
    assert group_of(f"{site}/sqlalchemy/orm/session.py", "discord") == "sqlalchemy"
    assert group_of(str(PROJECT / "db" / "search.py"), "sqlalchemy") == "project db/"
    assert group_of("/usr/lib/python3.11/json/encoder.py", "discord") == "stdlib json"
    assert group_of("/usr/lib/python3.11/asyncio/events.py", "other") == "stdlib asyncio"
    assert group_of("<built-in>", "asyncpg") == "asyncpg"
    assert group_of("<frozen importlib._bootstrap>", "other") == "imports"


def test_a_share_of_a_noop_rate_that_never_saturated_shows_no_target_met() -> None:
    """/noop never saturated (or its next step lost its answers): its rate is only a lower
    bound, so the mixed share is an upper bound: below 25 % it is missed, above it the target
    is not shown either way."""

    def configuration(mixed: float, noop_how: str) -> dict[str, Any]:
        steps = [{"rate": 100, "answer": {"p99_ms": 20.0}}]
        return {
            "configuration": "postgres",
            "backend": "postgres",
            "processes": 1,
            "mixes": {
                "mixed": {"saturation": {"rate": mixed, "how": "interpolated"}, "steps": steps},
                "noop": {"saturation": {"rate": 1600.0, "how": noop_how}, "steps": []},
            },
        }

    [_, _, above] = saturation_table([configuration(459.0, "above the highest rate")])
    assert "29% (a bound) not shown (/noop: above the highest rate)" in above
    how = "last rate under (the next lost answers)"
    [_, _, lost_next] = saturation_table([configuration(459.0, how)])
    assert f"29% (a bound) not shown (/noop: {how})" in lost_next
    [_, _, below] = saturation_table([configuration(300.0, "above the highest rate")])
    assert "19% (a bound) **missed**" in below
    [_, _, exact] = saturation_table([configuration(459.0, "interpolated")])
    assert "29% met" in exact


def test_noop_goes_past_the_rates_listed_until_it_saturates_or_the_driver_falls_behind() -> None:
    """The next rate is 1.5 × the last while its answer p99 is within 100 ms and the driver
    kept its schedule (launch lag p99 within 50 ms); none once it saturated, lost answers or
    the driver fell behind."""

    def step(rate: float, p99: float | None, lag: float | None = 1.2) -> dict[str, Any]:
        return {"rate": rate, "answer": {"p99_ms": p99}, "launch_lag": {"p99_ms": lag}}

    assert rate_beyond([step(1000, 50.0), step(1600, 3.9)]) == 2400
    assert rate_beyond([step(2400, 140.0)]) is None  # saturated
    assert rate_beyond([step(2400, None)]) is None  # answers lost
    assert rate_beyond([step(2400, 30.0, lag=80.0)]) is None  # the driver fell behind
    assert rate_beyond([]) is None
