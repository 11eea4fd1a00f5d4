"""Running the bot until Discord rejects it or SIGINT/SIGTERM asks it to stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence

import discord

from bot.client import SHUTDOWN_SECONDS, OversightBot, Service, SyncMode
from bot.config import Settings
from bot.congress_service import CongressService
from bot.dispatch import Dispatcher
from bot.schedule import SCHEDULER_INTERVAL, Scheduler
from bot.shards import describe
from db.engine import Database

log = logging.getLogger(__name__)
TOKEN_REJECTED = (
    "Discord rejected the token (401 Unauthorized). Copy a fresh token from the Developer "
    "Portal (Bot → Reset Token) into DISCORD_TOKEN."
)


@contextlib.contextmanager
def stop_on_signals(stop: asyncio.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set `stop` instead of killing the process mid-write."""
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        yield
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


async def run_bot(
    settings: Settings,
    database: Database,
    token: str,
    *,
    stop: asyncio.Event | None = None,
    services: Iterable[Service] = (),
    sync: SyncMode = "auto",
    background: bool = True,
    extensions: Sequence[str] = (),
    scheduler_interval: float = SCHEDULER_INTERVAL,
) -> int:
    """Connect and serve until `stop` is set (or a signal arrives); 0 on a clean stop, 2 when
    Discord refuses the token. `extensions` are loaded besides the cogs (the benchmarks add a
    baseline command); `scheduler_interval` is the seconds between scheduler ticks."""
    stop = stop or asyncio.Event()
    with stop_on_signals(stop):
        async with OversightBot(
            settings=settings,
            database=database,
            services=services,
            sync=sync,
            extensions=extensions,
        ) as bot:
            if background:  # they need the bot itself, so they are added once it exists
                bot.services += [
                    Dispatcher(bot),
                    Scheduler(bot, interval=scheduler_interval),
                    CongressService(bot, settings.congress),
                ]
            log.info("Connecting: %s", describe(settings.discord))
            serving = asyncio.create_task(bot.start(token))
            stopping = asyncio.create_task(stop.wait())
            await asyncio.wait({serving, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if not serving.done():
                log.info("Stopping: closing the connection and background services")
                await asyncio.wait_for(bot.close(), SHUTDOWN_SECONDS)
            try:
                await serving
            except discord.LoginFailure:
                print(TOKEN_REJECTED, file=sys.stderr)
                return 2
    return 0


async def sync_once(settings: Settings, database: Database, token: str) -> list[str]:
    """Log in, sync every command now (global and development guilds), and disconnect."""
    async with OversightBot(settings=settings, database=database, sync="force") as bot:
        await bot.login(token)  # runs setup_hook, which syncs
        return bot.synced
