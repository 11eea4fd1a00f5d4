"""The load harness (bench/openloop.py, bench/load.py) on tiny runs: launches keep their schedule
while answers wait (an open loop), the acknowledgement and the answer are told apart, an
interaction acknowledged after Discord's 3 seconds counts as missed, and `python -m bench --only
load` measures both mixes against real bot processes and prints the load tables."""

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

from bench.openloop import Operation, Route, Target, figures, run_step, saturation
from bench.report import load_table
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
    for mix in ("mixed", "noop"):
        steps = part["mixes"][mix]["steps"]
        assert [(s["rate"], s["launched"], s["missed"]) for s in steps] == [(5, 5, 0), (10, 10, 0)]
        assert all(s["cpu_ms_per_command"] > 0 for s in steps)
    noop = part["mixes"]["noop"]["steps"][-1]["operations"]["/noop"]
    assert noop["answers"] == {"ok": 10}
    assert part["statements"]["/approps status"]["statements"] > 0
    assert "| sqlite | noop | 10 | " in done.stdout
    assert "Load: saturation (answer p99 passes 100 ms)" in done.stdout


def test_rates_must_be_numbers_above_zero(capsys: pytest.CaptureFixture[str]) -> None:
    from bench.run import parse_args

    with pytest.raises(SystemExit):
        parse_args(["--only", "load", "--rates", "25,fast"])
    assert "give rates above 0 separated by commas, such as 25,50,100" in capsys.readouterr().err
    options, _ = parse_args(["--only", "load", "--rates", "10,20", "--step-seconds", "2"])
    assert (options.load.rates, options.load.seconds) == ((10.0, 20.0), 2.0)


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
