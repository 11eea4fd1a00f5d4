"""Admission: at most `COMMAND_SLOTS` slash commands run at once in a process; the rest wait.

Under overload, hundreds of commands in flight each add their database round trips and renders to
the event loop's ready queue, and everything queues behind them: the watchdog's defers, the
autocompletes that cannot be deferred, the acks. With a bound, a waiting command costs nothing but
its place in line: the deadline watchdog (bot.deadline) still defers it 2 s after creation, and
its answer follows when a slot frees. Autocompletes and clicks are never held (they are short and
cannot wait), and neither are commands that wait for the person (a confirmation prompt): those are
marked `waits_for_person`, so someone reading a prompt never holds a slot.

Who gets a freed slot: a waiting command is either *due* (not acknowledged yet: Discord's 3 s
still runs, and an answer now costs one request) or *owed* (the watchdog deferred it: the person
sees "thinking", and its answer is a second request whenever it comes). Due commands go first:
- in arrival order while the line is short (the oldest due one has waited under
  `congested_after`);
- newest first once it is congested (adaptive LIFO, as in Facebook's "Fail at Scale"): in a
  backlog the oldest due commands will be deferred anyway, and serving them first only makes every
  newer one late too. After a burst, new commands are answered at once while the owed ones are
  worked off, instead of waiting behind the whole backlog.
Owed commands are answered oldest first, with every `owed_every`-th slot reserved for them while
due ones wait, so a sustained overload delays them but never starves them ("late, not never").

And while new commands keep arriving (one came within `quiet_after`), only `owed_while_busy` owed
commands run at once: after a burst, eight deferred commands in flight made every new one share
the event loop with them (answer p99 130–143 ms for 12–15 s on SQLite); one at a time, new
commands were answered within 73 ms at once, and the backlog was worked off no slower (the loop,
not the slots, bounds that). With no arrivals for `quiet_after`, owed ones take every slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import math
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import discord
from discord import app_commands

COMMAND_SLOTS = 8  # about the connection pool's size: more in flight only queue for connections
# Seconds the oldest due command waited: past it, newest first. Half the watchdog's 2 s: a line
# that briefly backs up (a cold cache, a slow read) stays in order, since newest-first there
# would only push a few unlucky commands past their defer and multiply the tail.
CONGESTED_AFTER = 1.0
OWED_EVERY = 4  # while due commands wait, every 4th freed slot goes to an owed (deferred) one
OWED_WHILE_BUSY = 1  # owed commands running at once while new ones arrive (BENCHMARKS.md, run 5)
QUIET_AFTER = 1.0  # seconds with no new command: then owed ones may take every slot
WAITS_FOR_PERSON = "waits_for_person"  # a command's extras key
CommandT = TypeVar("CommandT", bound=app_commands.Command[Any, ..., Any])


def waits_for_person(command: CommandT) -> CommandT:
    """Mark a command (decorate above @app_commands.command) that waits for the person who ran
    it (a Confirm button): it runs outside the slots."""
    command.extras[WAITS_FOR_PERSON] = True
    return command


@dataclass(order=True)
class Waiter:
    """A command in line: ordered by arrival."""

    seq: int
    queued_at: float = field(compare=False)
    # Already acknowledged (deferred by the watchdog)? Then its answer is late whatever we do.
    owed: Callable[[], bool] = field(compare=False, repr=False)
    granted: asyncio.Future[None] = field(compare=False, repr=False)
    was_owed: bool = field(default=False, compare=False)  # owed when granted its slot


class Line:
    """The waiting commands and the rule for who goes next (no Discord calls, no clock of its
    own: `now` is passed in)."""

    def __init__(self, *, congested_after: float, owed_every: int) -> None:
        self.congested_after = congested_after
        self.owed_every = owed_every
        self._due: deque[Waiter] = deque()  # arrival order; some may have become owed since
        self._owed: list[Waiter] = []  # a heap by arrival
        self._granted = 0

    def __len__(self) -> int:
        return len(self._due) + len(self._owed)

    def add(self, waiter: Waiter) -> None:
        self._due.append(waiter)

    def next(self, now: float, *, owed_allowed: bool = True) -> Waiter | None:
        """Who gets the slot that just freed (removed from the line); None if nobody waits (or
        only owed commands do and `owed_allowed` is false)."""
        self._sort_oldest()
        due = bool(self._due)
        owed_turn = not due or self._granted % self.owed_every == self.owed_every - 1
        if self._owed and owed_allowed and owed_turn:
            chosen: Waiter | None = heapq.heappop(self._owed)
        elif due and now - self._due[0].queued_at < self.congested_after:
            chosen = self._due.popleft()
        else:
            chosen = self._newest_due(owed_allowed)
        if chosen is not None:
            self._granted += 1
        return chosen

    def _sort_oldest(self) -> None:
        """Move the oldest waiters that were deferred meanwhile to the owed heap (the watchdog
        defers in arrival order, so they gather at the old end) and drop cancelled ones."""
        while self._due and (self._due[0].owed() or self._due[0].granted.done()):
            waiter = self._due.popleft()
            if not waiter.granted.done():
                heapq.heappush(self._owed, waiter)
        while self._owed and self._owed[0].granted.done():
            heapq.heappop(self._owed)

    def _newest_due(self, owed_allowed: bool) -> Waiter | None:
        while self._due:
            waiter = self._due.pop()
            if waiter.granted.done():
                continue  # cancelled while waiting
            if not waiter.owed():
                return waiter
            heapq.heappush(self._owed, waiter)
        return heapq.heappop(self._owed) if self._owed and owed_allowed else None


class Admission:
    """The slots of one bot."""

    def __init__(
        self,
        slots: int = COMMAND_SLOTS,
        *,
        congested_after: float = CONGESTED_AFTER,
        owed_every: int = OWED_EVERY,
        owed_while_busy: int = OWED_WHILE_BUSY,
        quiet_after: float = QUIET_AFTER,
    ) -> None:
        self.slots = slots
        self.owed_while_busy = owed_while_busy
        self.quiet_after = quiet_after
        self._busy = 0
        self._owed_running = 0
        self._last_arrival = -math.inf
        self._line = Line(congested_after=congested_after, owed_every=owed_every)
        self._arrivals = itertools.count()

    @property
    def waiting(self) -> int:
        return len(self._line)

    @property
    def quiet(self) -> bool:
        """No slash command running or waiting, and none arrived for `quiet_after` seconds."""
        since = asyncio.get_running_loop().time() - self._last_arrival
        return self._busy == 0 and not len(self._line) and since >= self.quiet_after

    @contextlib.asynccontextmanager
    async def slot(self, interaction: discord.Interaction[Any]) -> AsyncIterator[None]:
        """Hold a slot while a slash command runs; anything else passes straight through."""
        command = interaction.command
        if (
            interaction.type is not discord.InteractionType.application_command
            or command is None
            or command.extras.get(WAITS_FOR_PERSON)
        ):
            yield
            return
        async with self.hold(interaction.response.is_done):
            yield

    @contextlib.asynccontextmanager
    async def hold(self, owed: Callable[[], bool]) -> AsyncIterator[None]:
        """Hold a slot for a command that arrives now; `owed` says whether it was deferred."""
        was_owed = await self._acquire(owed)
        try:
            yield
        finally:
            self._release(was_owed)

    async def _acquire(self, owed: Callable[[], bool]) -> bool:
        """Wait for a slot; whether the command was owed when it got it."""
        loop = asyncio.get_running_loop()
        self._last_arrival = loop.time()
        if self._busy < self.slots and not len(self._line):
            self._busy += 1
            return False
        waiter = Waiter(next(self._arrivals), loop.time(), owed, loop.create_future())
        self._line.add(waiter)
        self._grant()  # a free slot that owed commands may not take now is this one's
        try:
            await waiter.granted
        except asyncio.CancelledError:
            if waiter.granted.done() and not waiter.granted.cancelled():
                self._release(waiter.was_owed)  # granted, then cancelled before it ran
            raise
        return waiter.was_owed

    def _release(self, owed: bool) -> None:
        self._busy -= 1
        self._owed_running -= owed
        self._grant()

    def _grant(self) -> None:
        now = asyncio.get_running_loop().time()
        while self._busy < self.slots:
            quiet = now - self._last_arrival >= self.quiet_after
            allowed = quiet or self._owed_running < self.owed_while_busy
            waiter = self._line.next(now, owed_allowed=allowed)
            if waiter is None:
                return
            self._busy += 1
            waiter.was_owed = waiter.owed()
            self._owed_running += waiter.was_owed
            waiter.granted.set_result(None)
