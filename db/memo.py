"""What some work gave, kept per key while the data token (db.freshness) stays the same.

The answer cache (bot.answers) and the candidate store (db.candidate_store: ranked autocompletes,
resolved options) keep derived results the same way: valid for one token, a bounded LRU, and
concurrent first asks sharing one run, so a burst of the same question reads the database once.
"""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class Memo(Generic[T]):
    """What some work gave per key while the data token is the same, at most `size` keys, the
    least recently used dropped first. Concurrent first asks for a key share one run, in a task
    of its own (named after the first asker's, whose work it is) so that an asker given up on
    does not cancel it for the others; a failure reaches those waiting and is not kept."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._token: Hashable = None
        self._kept: OrderedDict[Hashable, T] = OrderedDict()
        self._running: dict[tuple[Hashable, Hashable], asyncio.Task[T]] = {}
        self.hits = self.misses = 0  # asks answered from what was kept, and asks that ran work

    def __len__(self) -> int:
        return len(self._kept)

    def see(self, token: Hashable) -> None:
        if token != self._token:  # any write may have changed any answer: start again
            self._token, self._kept = token, OrderedDict()

    async def get(self, key: Hashable, token: Hashable, work: Callable[[], Awaitable[T]]) -> T:
        self.see(token)
        if key in self._kept:
            self._kept.move_to_end(key)
            self.hits += 1
            return self._kept[key]
        running = (key, token)
        task = self._running.get(running)
        if task is None:
            self.misses += 1
            asker = asyncio.current_task()
            task = asyncio.get_running_loop().create_task(
                self._run(key, token, work), name=asker.get_name() if asker else None
            )
            self._running[running] = task
            task.add_done_callback(functools.partial(self._finished, running))
        return await asyncio.shield(task)

    async def _run(self, key: Hashable, token: Hashable, work: Callable[[], Awaitable[T]]) -> T:
        result = await work()
        if token == self._token:  # not if a write came in meanwhile: good for its askers only
            self._kept[key] = result
            if len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return result

    def _finished(self, running: tuple[Hashable, Hashable], task: asyncio.Task[T]) -> None:
        if self._running.get(running) is task:
            del self._running[running]
        if not task.cancelled():
            task.exception()  # seen (its waiters get it), so asyncio does not log it as lost
