"""The Congress.gov sync as a background service, on the same footing as the dispatcher and the
scheduler: it starts once the bot is ready, runs every `[congress] poll_minutes`, and catches up
from its watermark after downtime. With no API key (or poll_minutes 0) it is off, said once."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bot.config import CongressSettings
from bot.render.meta import SyncStatus
from bot.service import CONGRESS_SYNC, BackgroundService
from congress.client import CongressClient
from congress.sync import LAST_ERROR, LAST_SUCCESS, CongressSync, SyncReport
from db.follows import follow_counts
from db.meta import get_meta

log = logging.getLogger(__name__)
OFF_WAIT = 24 * 3600.0  # seconds between checks while off (it stays off until a restart)


class CongressService(BackgroundService):
    """Runs CongressSync; `status` is what /about shows."""

    name = CONGRESS_SYNC

    def __init__(self, bot: Any, settings: CongressSettings) -> None:
        super().__init__(bot)
        self.settings = settings
        self.client: CongressClient | None = None
        self.last_report: SyncReport | None = None
        self.next_run: dt.datetime | None = None

    @property
    def enabled(self) -> bool:
        return self.settings.api_key is not None and self.settings.poll_minutes > 0

    @property
    def runs_here(self) -> bool:
        """One process polls Congress.gov for all, the one that runs shard 0 (or every shard):
        N shard processes polling would spend N budgets of one key on the same bills."""
        shard_ids = self.bot.settings.discord.shard_ids
        return not shard_ids or 0 in shard_ids

    def off_reason(self) -> str | None:
        if self.settings.api_key is None:
            return "no Congress.gov API key (set CONGRESS_API_KEY)"
        if self.settings.poll_minutes <= 0:
            return "[congress] poll_minutes is 0"
        return None

    async def start(self) -> None:
        if not self.enabled:
            log.info("Congress.gov sync is off: %s.", self.off_reason())
            return
        if not self.runs_here:
            log.info("Congress.gov sync runs in the process that runs shard 0, not this one.")
            return
        await super().start()

    async def stop(self) -> None:
        await super().stop()
        if self.client is not None:
            await self.client.close()
            self.client = None

    def _client(self) -> CongressClient:
        if self.client is None:
            assert self.settings.api_key is not None
            self.client = CongressClient(
                base_url=self.settings.api_base,
                api_key=self.settings.api_key.get_secret_value(),
                requests_per_hour=self.settings.requests_per_hour,
            )
        return self.client

    async def run_once(self) -> SyncReport:
        sync = CongressSync(self.bot.database, self._client(), congresses=self.settings.congresses)
        report = await sync.run()
        self.last_report = report
        log.info("%s", report.lines()[0])
        return report

    async def status(self) -> SyncStatus:
        database = self.bot.database
        success = await get_meta(database, LAST_SUCCESS)
        followed, _synced = await follow_counts(database)
        return SyncStatus(
            off_reason=self.off_reason(),
            followed=followed,
            last_success=dt.datetime.fromisoformat(success) if success else None,
            last_error=await get_meta(database, LAST_ERROR) or None,
            next_run=self.next_run if self.enabled and self.runs_here else None,
            elsewhere=self.enabled and not self.runs_here,
        )

    async def next_wait(self) -> float:
        wait = self.settings.poll_minutes * 60.0 if self.enabled else OFF_WAIT
        self.next_run = self.bot.database.clock.now() + dt.timedelta(seconds=wait)
        return wait
