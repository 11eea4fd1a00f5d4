"""Full collections of the cyclic garbage collector, at quiet moments.

A full collection walks every live object. After a burst (a paginated answer's view lives five
minutes) one took 180–500 ms, and one falling while a backlog of deferred commands drained made
the new commands queued behind it 250–800 ms late (BENCHMARKS.md, "Load"). So full collections
are not left to allocation counts: `bot.client.settle_heap` turns the automatic ones off, and
`FullCollections` runs one when the collector would have (FULL_AFTER middle-generation
collections since the last) once the bot is quiet (no slash command running or waiting, none
arrived for a second: nobody waits through the pause), or at the latest MAX_DEFER seconds after
it fell due, so a load that never pauses still gets them.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable
from typing import Any

from bot.service import BackgroundService

log = logging.getLogger(__name__)
FULL_AFTER = 20  # middle-generation collections between full ones: the collector's own rule
MAX_DEFER = 30.0  # seconds a due full collection waits for a quiet moment at most
CHECK_EVERY = 0.5  # seconds between looks
SLOW_MS = 100.0  # a full collection this long is logged


def full_collection_due(pending: int, quiet: bool, waited: float) -> bool:
    """Collect now? `pending`: middle-generation collections since the last full one; `quiet`:
    no command in flight or arriving; `waited`: seconds since it fell due."""
    return pending >= FULL_AFTER and (quiet or waited >= MAX_DEFER)


class FullCollections(BackgroundService):
    """Runs the full collections the collector no longer runs by itself."""

    name = "full-collections"

    def __init__(
        self,
        bot: Any,
        *,
        quiet: Callable[[], bool],
        pending: Callable[[], int] = lambda: gc.get_count()[2],
        collect: Callable[[], object] = gc.collect,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(bot)
        self.quiet, self.pending, self.collect, self.clock = quiet, pending, collect, clock
        self._due_since: float | None = None

    async def run_once(self) -> int:
        """1 if it ran a full collection, else 0."""
        pending = self.pending()
        if pending < FULL_AFTER:
            self._due_since = None
            return 0
        now = self.clock()
        self._due_since = self._due_since if self._due_since is not None else now
        if not full_collection_due(pending, self.quiet(), now - self._due_since):
            return 0
        self._due_since = None
        started = time.perf_counter()
        self.collect()
        took_ms = (time.perf_counter() - started) * 1000
        if took_ms > SLOW_MS:
            log.info("A full garbage collection took %.0f ms", took_ms)
        return 1

    async def next_wait(self) -> float:
        return CHECK_EVERY
