"""OversightBot: the Discord client, built with its settings and database passed in."""

from __future__ import annotations

import asyncio
import gc
import logging
import pkgutil
from collections.abc import Iterable, Iterator
from typing import Any, Literal, Protocol

import discord
from discord.ext import commands

import cogs
from bot.calendar_events import CalendarEventsService
from bot.charts import ChartRenderer
from bot.config import Settings
from bot.heap import FullCollections
from bot.shards import shard_options
from bot.sync import sync_commands
from bot.tree import OversightTree
from db import migrations
from db.candidate_store import CandidateStore
from db.engine import Database
from db.freshness import DataVersion
from db.scope import Scope
from db.seed import seed_if_empty

log = logging.getLogger(__name__)
SyncMode = Literal["auto", "force", "off"]
SHUTDOWN_SECONDS = 5.0


class Service(Protocol):
    """Background work the bot runs while connected (the outbox dispatcher, the scheduler: both
    bot.service.BackgroundService, which waits until the bot is ready before its first round).
    Started in setup_hook, stopped in close."""

    async def start(self) -> None: ...
    async def stop(self) -> None: ...


def extension_names(package: Any = cogs) -> Iterator[str]:
    """Every cog module or package directly under cogs/; names starting with '_' are private
    helpers, and a package's own modules are its business (its setup loads them)."""
    for module in pkgutil.iter_modules(package.__path__, f"{package.__name__}."):
        if not module.name.rsplit(".", 1)[-1].startswith("_"):
            yield module.name


# The cyclic collector's thresholds (CPython's default: 700, 10, 10). Under load the default
# made a full collection every ~4 s, each walking every live object (answers' page views live
# 5 minutes) and taking 25–92 ms: the bursts of slow answers that set the saturation rate
# (BENCHMARKS.md, "Load"). Young collections are ten times rarer (5–8 ms each under load); full
# ones never come from allocation counts: bot.heap.FullCollections runs them at quiet moments.
GC_THRESHOLDS = (10_000, 10, 1_000_000_000)


def settle_heap() -> None:
    """Move what is alive now (modules, the command tree, caches) out of the cyclic collector's
    way, and collect less often. Without this its full collections scanned them all under load:
    80–175 ms pauses, the p99 of every command."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def bot_intents() -> discord.Intents:
    """Guilds only: slash commands need nothing privileged (no members, no message content)."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class OversightBot(commands.AutoShardedBot):  # its shards: bot.shards.shard_options
    def __init__(
        self,
        *,
        settings: Settings,
        database: Database,
        services: Iterable[Service] = (),
        sync: SyncMode = "auto",
        extensions: Iterable[str] = (),
        charts: ChartRenderer | None = None,
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,  # unused: every command is a slash command
            help_command=None,
            intents=bot_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=OversightTree,
            # Nothing reads the message cache (no message intents), and caching every post kept
            # ~300 objects per message alive: a 1,000-channel fan-out added 300,000.
            max_messages=None,
            guild_ready_timeout=settings.discord.guild_ready_timeout,
            **shard_options(settings.discord),
        )
        self.settings = settings
        self.database = database
        self.services = list(services)
        self.sync_mode: SyncMode = sync
        self.synced: list[str] = []
        self.extra_extensions = list(extensions)  # loaded after the cogs
        self.charts = charts or ChartRenderer()  # draws charts off the event loop, one at a time
        self.data_version = DataVersion(database)  # keys this process's caches of answers
        self.candidate_store = CandidateStore(database)  # autocompletes answered from memory
        self._settled = False

    def scope_for(self, guild_id: int | None) -> Scope:
        """The data scope of an interaction: its guild's records plus the shared dataset."""
        return Scope.shared() if guild_id is None else Scope.guild(guild_id)

    def is_owner_id(self, user_id: int) -> bool:
        return user_id in self.settings.bot.owner_ids

    async def setup_hook(self) -> None:
        await migrations.upgrade(self.database.engine)
        report = await seed_if_empty(self.database)
        if report is not None:
            log.info("Loaded the starter dataset: %d records", report.created)
        for name in [*extension_names(), *self.extra_extensions]:
            await self.load_extension(name)
        if not any(isinstance(s, CalendarEventsService) for s in self.services):
            self.services.append(CalendarEventsService(self))  # idle until a guild turns it on
        # settle_heap turns the automatic full collections off: this runs them.
        tree = self.tree
        assert isinstance(tree, OversightTree)  # tree_cls, above
        self.services.append(FullCollections(self, quiet=lambda: tree.admission.quiet))
        for service in self.services:
            await service.start()
        if self.sync_mode != "off":
            self.synced = await sync_commands(
                self.tree,
                self.database,
                self.settings.discord.dev_guild_ids,
                force=self.sync_mode == "force",
            )
            log.info("Synced commands: %s", ", ".join(self.synced) or "nothing needed")
        settle_heap()

    async def on_ready(self) -> None:
        if not self._settled:  # the guild caches are in: long-lived too
            self._settled = True
            settle_heap()

    async def close(self) -> None:
        """Stop services (each within the shutdown budget), then disconnect."""
        for service in reversed(self.services):
            try:
                await asyncio.wait_for(service.stop(), SHUTDOWN_SECONDS)
            except Exception:
                log.exception("A service did not stop cleanly")
        self.charts.close()
        await super().close()
