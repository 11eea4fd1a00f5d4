"""Time-driven work: one tick that fires due alerts (overdue questions, funding ending, lapses)
and posts the channel digests that are due (with the funding chart where a channel asked).

One loop, state in the database (FiredAlert keys; each digest's last and next run), so a restart
catches up once: one catch-up digest, not one per missed slot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from typing import Any

import discord

from bot.charts import ChartMessage, funding_message
from bot.render.common import MESSAGE_EMBED_TEXT, embed_text_length
from bot.render.digest import digest_embeds
from bot.service import BackgroundService
from bot.shards import runs_guild
from db.alerts import fire_due_alerts
from db.charts import FundingSeries, funding_series
from db.digests import Digest, advance, build_digests, due_digests
from db.scope import Scope

log = logging.getLogger(__name__)
SCHEDULER_INTERVAL = 60.0  # seconds between ticks: digests are set to the minute
DIGEST_GROUP = 25  # digests built together and posted concurrently


class Scheduler(BackgroundService):
    """Runs a tick every `interval` seconds (on the wall clock's multiples) once the bot is
    ready. The first tick runs at once: whatever came due while the bot was down is posted."""

    name = "oversight-scheduler"

    def __init__(self, bot: Any, *, interval: float = SCHEDULER_INTERVAL) -> None:
        super().__init__(bot)
        self.interval = interval

    async def run_once(self) -> int:
        return await self.tick()

    async def next_wait(self) -> float:
        return until_next_tick(time.time(), self.interval)

    async def tick(self) -> int:
        """Fire what is due now (alert events reach channels through the outbox) and post the
        digests that are due. Returns how many alerts and digests went out."""
        database = self.bot.database
        now = database.clock.now()
        fired = await fire_due_alerts(database, now=now)
        if fired:
            log.info("Fired %d time-driven alerts", len(fired))
        return len(fired) + await self.post_digests(now)

    async def post_digests(self, now: dt.datetime) -> int:
        """Post every due digest: all built in one read (a guild's picture, and the shared
        dataset's, read once), then posted DIGEST_GROUP at a time concurrently (other channels
        need not wait for one slow post), each group's schedules advanced in one write. A guild
        whose shard another process runs is left to that process."""
        database = self.bot.database
        due = [s for s in await due_digests(database, now) if runs_guild(self.bot, s.guild_id)]
        digests = await build_digests(database, [(s.guild_id, s.last_run_at) for s in due], now=now)
        pairs = list(zip(due, digests, strict=True))
        charts = await self._funding(due, now)
        posted = 0
        for start in range(0, len(pairs), DIGEST_GROUP):
            group = pairs[start : start + DIGEST_GROUP]
            outcomes = await asyncio.gather(
                *(self._post(s, d, charts.get(s.guild_id) if s.chart else None) for s, d in group)
            )
            done = [
                s.id
                for (s, _), outcome in zip(group, outcomes, strict=True)
                if outcome != "retry" and s.id is not None  # loaded rows: the id is always set
            ]
            await advance(database, done, now)  # a passing failure: the next tick tries again
            posted += outcomes.count("posted")
        return posted

    async def _funding(self, due: list[Any], now: dt.datetime) -> dict[int, FundingSeries]:
        """The funding lines of each guild whose digest attaches the chart, read once per guild
        (guilds that see only the shared lines get equal series: the chart is drawn once). A
        failed read leaves the digests without the chart rather than unposted."""
        guilds = sorted({schedule.guild_id for schedule in due if schedule.chart})
        if not guilds:
            return {}
        database = self.bot.database
        today = now.astimezone(database.timezone).date()
        try:
            async with database.session() as session:
                return {
                    guild_id: await funding_series(session, Scope.guild(guild_id), today=today)
                    for guild_id in guilds
                }
        except Exception:
            log.exception("Digests: could not read the funding lines for their charts")
            return {}

    async def _post(
        self, schedule: Any, digest: Digest, series: FundingSeries | None = None
    ) -> str:
        """'posted', 'skipped' (empty, and the channel wants no empty digests), 'gone' (Discord
        says the channel is gone or closed to the bot) or 'retry' (at the next tick). With
        `series`, the funding chart goes with it, its words in what the digest leaves of the
        message."""
        if digest.is_empty and not schedule.post_empty:
            return "skipped"
        embeds = digest_embeds(digest)
        chart = await self._chart(schedule, series, embeds) if series is not None else None
        if chart is None:
            return await self._send(schedule, embeds)
        return await self._send(schedule, [*embeds, chart.embed], chart.files())

    async def _chart(
        self, schedule: Any, series: FundingSeries, embeds: list[discord.Embed]
    ) -> ChartMessage | None:
        room = MESSAGE_EMBED_TEXT - sum(embed_text_length(embed) for embed in embeds)
        try:
            return await funding_message(self.bot.charts, series, limit=room)
        except Exception:  # the digest goes out without its chart
            log.exception("Digest %s: the funding chart could not be drawn", schedule.id)
            return None

    async def _send(
        self, schedule: Any, embeds: list[discord.Embed], files: list[discord.File] | None = None
    ) -> str:
        """Post one digest: 'posted', 'gone' or 'retry'."""
        # Not in the cache (not yet, or a guild still unavailable) is no verdict: Discord's is.
        channel = self.bot.get_channel(schedule.channel_id) or self.bot.get_partial_messageable(
            schedule.channel_id, guild_id=schedule.guild_id
        )
        # The same slot always has the same nonce, so a repeat after a crash is deduplicated.
        nonce = f"dg{schedule.id}.{int(schedule.next_run_at.timestamp()):x}"[:25]
        try:
            attached: dict[str, Any] = {"files": files} if files else {}
            await channel.send(
                embeds=embeds,
                nonce=nonce,
                allowed_mentions=discord.AllowedMentions.none(),
                **attached,
            )
        except (discord.Forbidden, discord.NotFound):
            log.warning("Digest %s: cannot post in channel %s", schedule.id, schedule.channel_id)
            return "gone"
        except discord.HTTPException:
            log.warning("Digest %s: Discord error, will retry", schedule.id, exc_info=True)
            return "retry"
        except Exception:  # a dropped connection: this digest waits, the group's others do not
            log.exception("Digest %s: not posted, will retry", schedule.id)
            return "retry"
        return "posted"


def until_next_tick(now: float, interval: float) -> float:
    """Seconds until the next multiple of `interval` on the wall clock: with 60, ticks fall on
    the minute, so a digest set for 9:00 posts at 9:00:00, not up to a minute late."""
    return interval - now % interval
