"""How new the data is, as a token that changes whenever any record may have changed.

Caches of answers (bot.answers) key their entries by `DataVersion.token()`: a new token makes
every older entry unreachable. The token has three parts:

- this process's own writes, counted at once (Database.on_write, after each commit that wrote
  change events), so an editor always sees their edit;
- the change events in the database, read at most every `recheck_seconds` (one short statement),
  so a write by another process (another shard, the command line, an import) is seen within that
  time; every record write adds a change event in the same transaction (db.changes.Writer);
- today's date in the office's time zone, since overdue counts and "due in N days" move with it.

The events part is a count of the events and the newest id, not the newest id alone: on
PostgreSQL ids are handed out before commit, so a transaction holding id 10 may commit after one
holding id 11 was seen, and only the count notices it. The count is read above a floor, to stay
a short index range over recent events: the floor moves up every `floor_seconds` to the newest id
seen one period before (so only a transaction open longer than that could go unseen), and the
read that moves it also counts what it passes, so the count, and the token, stay the same when
no data changed. Writes that bypass the write path (bench.dataset's bulk rows) are not seen.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Callable

from sqlalchemy import case, func, select
from sqlmodel import col

from db.engine import Database
from db.models import ChangeEvent

RECHECK_SECONDS = 1.0
FLOOR_SECONDS = 60.0
# The first floor, in ids below the newest: a transaction still open when the process starts
# holds an id close to the newest.
FIRST_FLOOR_SLACK = 1000
# (events counted, newest event id, this process's writes, today)
Token = tuple[int, int, int, dt.date]


class DataVersion:
    """The current data token of one database, for caches in this process."""

    def __init__(
        self,
        database: Database,
        *,
        recheck_seconds: float = RECHECK_SECONDS,
        floor_seconds: float = FLOOR_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.database = database
        self.recheck_seconds = recheck_seconds
        self.floor_seconds = floor_seconds
        self.monotonic = monotonic  # the recheck's clock; tests move their own
        self._local_writes = 0
        self._events = (0, 0)  # (events counted, newest id) as last read
        self._below = 0  # events the floor has passed: counted, no longer read
        self._floor: int | None = None  # None until the first read
        self._next_floor = 0  # the newest id at the last move: the floor after the next one
        self._move_at = 0.0
        self._checked_at: float | None = None
        self._reading: asyncio.Task[None] | None = None
        database.on_write(self._wrote)

    def _wrote(self) -> None:
        self._local_writes += 1

    async def token(self) -> Token:
        """The token now: one short read of the database at most every `recheck_seconds`
        (concurrent callers share it, and share its failure), none in between."""
        now = self.monotonic()
        if self._checked_at is None or now - self._checked_at >= self.recheck_seconds:
            if self._reading is None:
                self._reading = asyncio.ensure_future(self._read(now))
                self._reading.add_done_callback(self._read_done)
            # Shielded: a caller that is cancelled does not cancel the others' read.
            await asyncio.shield(self._reading)
        return (*self._events, self._local_writes, self.database.today())

    def _read_done(self, task: asyncio.Task[None]) -> None:
        self._reading = None
        if not task.cancelled():
            task.exception()  # retrieved: every waiter has seen it, or nobody waits

    async def _read(self, now: float) -> None:
        event_id = col(ChangeEvent.id)
        async with self.database.session() as session:
            if self._floor is None:
                newest = await session.scalar(select(func.max(event_id))) or 0
                self._floor = self._next_floor = max(0, newest - FIRST_FLOOR_SLACK)
                self._move_at = now + self.floor_seconds
            floor = self._floor
            moving = now >= self._move_at
            moved = self._next_floor if moving else floor
            # One statement: the events above the floor, those above where it moves to, the newest.
            count, above_moved, newest = (
                await session.execute(
                    select(
                        func.count(event_id),
                        func.count(case((event_id > moved, 1))),
                        func.max(event_id),
                    ).where(event_id > floor)
                )
            ).one()
        if moving:  # count what the floor passes once, so the total does not jump
            self._below += count - above_moved
            self._floor, self._next_floor = moved, max(moved, newest or 0)
            self._move_at = now + self.floor_seconds
            count = above_moved
        self._events = (self._below + count, newest or floor)
        self._checked_at = now

    def forget(self) -> None:
        """Read the database on the next token() (a test that wrote through another engine)."""
        self._checked_at = None
