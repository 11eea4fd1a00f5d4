"""CPU time of the local PostgreSQL server's backends serving one database, read from /proc.

A backend's time is only readable while it lives, and under load SQLAlchemy's pool opens and
closes overflow connections (pool_size 5 + max_overflow 10) again and again. So a sampler reads
every backend of the database `INTERVAL_S` apart and keeps the last reading of each, including
those that have since exited: what a backend used after its last reading, or a backend that
lived less than one interval, is missed (an undercount, never an overcount).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from .harness import CLOCK_TICKS

INTERVAL_S = 0.25


class PostgresCpu:
    def __init__(self, database: str) -> None:
        self.marker = f" {database} ".encode()  # in a backend's title: "postgres: … user db …"
        self.seen: dict[tuple[int, str], float] = {}  # (pid, start time) → CPU seconds

    def read(self) -> None:
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit():
                continue
            try:
                title = (proc / "cmdline").read_bytes()
                if not (title.startswith(b"postgres: ") and self.marker in title):
                    continue
                fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:  # it exited while we looked
                continue
            used = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
            self.seen[(int(proc.name), fields[19])] = used  # field 22 of stat: start time

    def seconds(self) -> float:
        """CPU seconds so far of every backend seen (read now)."""
        self.read()
        return sum(self.seen.values())


@contextlib.asynccontextmanager
async def sampling(url: str) -> AsyncIterator[PostgresCpu | None]:
    """A sampler of the URL's database while the block runs; None for SQLite."""
    if not url.startswith("postgresql"):
        yield None
        return
    sampler = PostgresCpu(url.rsplit("/", 1)[1])

    async def every_interval() -> None:
        while True:
            sampler.read()
            await asyncio.sleep(INTERVAL_S)

    task = asyncio.create_task(every_interval())
    try:
        yield sampler
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
