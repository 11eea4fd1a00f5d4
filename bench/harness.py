"""The benchmark's moving parts: databases on each backend, the fake Discord's world, and the bot
in its own process (so its RSS and CPU time are its own and the fake does not share its loop).
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, ClassVar

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from db.engine import Database
from db.migrations import upgrade
from db.seed import load_seed
from fakediscord import FakeDiscord, FakeGuild
from fakediscord.world import Message

from .dataset import Sizes, generate

TOKEN = "bench-token.0123456789"
POSTGRES_ADMIN = os.environ.get(
    "BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
# The benchmark drops and re-creates this database: a name of its own per concurrent user.
POSTGRES_DATABASE = os.environ.get("BENCH_POSTGRES_DATABASE", "oversight_bench")
FIRST_GUILD_ID = 900_000_000_000_000_000  # fixed, so generated records belong to the fake's guilds
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROJECT = Path(__file__).resolve().parent.parent


# ---------------------------------------------------------------- databases


def remove_sqlite(workdir: Path) -> None:
    for leftover in workdir.glob("bench.db*"):
        leftover.unlink()


async def fresh_database(backend: str, workdir: Path) -> str:
    """An empty database on `backend`; returns its URL."""
    if backend == "sqlite":
        remove_sqlite(workdir)
        return f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    admin = create_async_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as connection:
            drop = f"DROP DATABASE IF EXISTS {POSTGRES_DATABASE} WITH (FORCE)"
            await connection.execute(text(drop))
            await connection.execute(text(f"CREATE DATABASE {POSTGRES_DATABASE}"))
    finally:
        await admin.dispose()
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{POSTGRES_DATABASE}"


async def build_dataset(url: str, sizes: Sizes | None) -> dict[str, float]:
    """Migrate, load the starter data and, for the large dataset, the synthetic records."""
    database = Database.from_url(url)
    started = time.perf_counter()
    try:
        await upgrade(database.engine)
        await load_seed(database)
        written = await generate(database, sizes) if sizes else {}
        if url.startswith("postgresql"):  # as autovacuum would soon after a bulk load
            async with database.engine.begin() as connection:
                await connection.execute(text("ANALYZE"))
    finally:
        await database.close()
    return {**{k: float(v) for k, v in written.items()}, "seconds": time.perf_counter() - started}


def large_sizes(guild_ids: tuple[int, ...]) -> Sizes:
    """The issue's large dataset: 100 guilds, 2,000 city × component records, 50,000 questions,
    200,000 revisions."""
    return Sizes(
        cities=1200, camera_records=2000, questions=50_000, guilds=guild_ids, revisions=200_000
    )


# ---------------------------------------------------------------- the fake's world


@dataclass
class World:
    guilds: list[FakeGuild]
    owner_id: int  # a bot owner, who may edit the shared dataset

    @property
    def channels(self) -> list[int]:
        return [channel for guild in self.guilds for channel in guild.channels]


def build_world(fake: FakeDiscord, guilds: int, channels_per_guild: int) -> World:
    made = []
    for index in range(guilds):
        guild = fake.add_guild(f"Office {index}", guild_id=FIRST_GUILD_ID + index)
        guild.add_member("staffer")
        for number in range(1, channels_per_guild):
            guild.add_channel(f"desk-{number}")
        made.append(guild)
    return World(made, made[0].owner.id)


class Arrivals:
    """When each new channel post arrived, per channel (the fake tells us of every message)."""

    def __init__(self, fake: FakeDiscord) -> None:
        self.fake = fake
        self.times: dict[int, list[float]] = {}
        self.watched: set[int] = set()
        fake.world.message_listeners.append(self._on_message)

    def _on_message(self, message: Message) -> None:
        if message.source == "channel" and message.channel_id in self.watched:
            self.times.setdefault(message.channel_id, []).append(time.monotonic())

    def watch(self, channels: list[int]) -> None:
        self.watched = set(channels)
        self.times = {}

    async def all_arrived(self, within: float) -> float | None:
        """Seconds-since-epoch (monotonic) when every watched channel had a post, or None."""
        await self.fake.wait_until(
            lambda: len(self.times) >= len(self.watched), within, "a post in every channel"
        )
        return max(times[0] for times in self.times.values())


# ---------------------------------------------------------------- the bot process


def write_config(path: Path, url: str, owner_id: int) -> Path:
    path.write_text(
        f'[discord]\ntoken = "{TOKEN}"\n\n[database]\nurl = "{url}"\n\n'
        f'[bot]\nowner_ids = [{owner_id}]\nlog_level = "WARNING"\n'
    )
    return path


@dataclass
class BotProcess:
    """`python -m bench.bot_process` against the fake; its log goes to a file."""

    fake: FakeDiscord
    config: Path
    log: Path
    profile: Path | None = None  # where the bot writes a pyinstrument profile when it stops
    process: asyncio.subprocess.Process | None = None
    spawned_at: float = 0.0
    output: IO[bytes] | None = field(default=None, repr=False)  # the log file, open
    module: ClassVar[str] = "bench.bot_process"  # what `python -m` runs

    async def start(self) -> None:
        self.output = self.log.open("ab")
        self.spawned_at = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            self.module,
            "--api",
            self.fake.api_url,
            "--gateway",
            self.fake.gateway_url,
            "--config",
            str(self.config),
            *(["--profile", str(self.profile)] if self.profile else []),
            stdout=self.output,
            stderr=self.output,
            cwd=PROJECT,
        )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def rss_mb(self) -> dict[str, float]:
        """Resident memory now and at its peak (VmHWM), in MB."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        values = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
        return {
            key: int(values[name].split()[0]) / 1024
            for key, name in (("rss_mb", "VmRSS"), ("peak_rss_mb", "VmHWM"))
        }

    def cpu_seconds(self) -> float:
        """User + system CPU time the bot has used so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS

    async def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                # Writing a profile takes a while; otherwise the runner's own 5 s budget applies.
                await asyncio.wait_for(self.process.wait(), 120 if self.profile else 15)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
        if self.output is not None:
            self.output.close()
        return self.process.returncode

    def check_alive(self) -> None:
        if self.process is not None and self.process.returncode is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"the bot exited with {self.process.returncode}:\n{tail}")
