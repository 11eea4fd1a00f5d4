"""The footing every background service stands on (the outbox dispatcher, the scheduler).

One task per service: it waits until the bot is ready (the guild and channel caches are in, so a
round never mistakes "not cached yet" for "gone"), then runs rounds one at a time. A round that
raises is logged and the next one runs as planned; stop() cancels the task and waits for it.
Between rounds the service sleeps `next_wait()` seconds, or less when woken.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

log = logging.getLogger(__name__)
FALLBACK_WAIT = 5.0  # seconds, when next_wait itself failed
CONGRESS_SYNC = "congress-sync"  # the name /about looks the Congress.gov sync up by


class BackgroundService:
    """A bot.client.Service; subclasses implement run_once (one round) and next_wait (the
    seconds until the next)."""

    name = "service"

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self._task: asyncio.Task[None] | None = None
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None  # for wakes from other threads
        self._listening = False

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        """Start the loop (again after a stop); a second start while running does nothing."""
        if self.running:
            return
        self._wake = asyncio.Event()  # bound to the loop the bot runs on
        self._task = asyncio.create_task(self._run(), name=self.name)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("%s stopped with an error", self.name)

    def wake(self) -> None:
        """Run the next round now (after a write, or when a test moved the clock)."""
        self._wake.set()

    def wake_on_writes(self, database: Any) -> None:
        """Wake after every commit of `database` (its on_write runs in whatever thread
        committed). Call from start(); the listener is added once, since Database cannot drop
        one."""
        self._loop = asyncio.get_running_loop()
        if not self._listening:
            database.on_write(self._on_write)
            self._listening = True

    def _on_write(self) -> None:
        loop = self._loop
        if not self.running or loop is None or loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(self.wake)

    async def run_once(self) -> Any:
        raise NotImplementedError

    async def next_wait(self) -> float:
        raise NotImplementedError

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad round must not stop the next one
                log.exception("%s: a round failed; the next one runs as planned", self.name)
            try:
                wait = await self.next_wait()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("%s: could not tell when to run next", self.name)
                wait = FALLBACK_WAIT
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), max(wait, 0.0))
