"""The outbox dispatcher: a bot Service that turns change events into posts in subscribed channels.

Woken right after a commit that wrote change events (Database.on_write), and polling as a fallback
(retries come due, leases expire, another process wrote). Each round: fan_out (events → deliveries),
then claim up to `parallel` channels' batches and post each as ONE message with the batch's nonce
(discord.py sends enforce_nonce, so a retry after a crash shows the message once), renewing the
claims while posting (a heartbeat: a dead worker's claims expire within one short lease), then
record the outcome. The design is in db.tracking's docstring; this module only talks to Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from collections.abc import AsyncIterator
from typing import Any

import discord

from bot.render.changes import SUMMARY_OVER, change_post, summary_post
from bot.render.common import MESSAGE_EMBED_TEXT, PAGE_FOOTER_RESERVE, embed_text_length
from bot.service import BackgroundService
from db.outbox import (
    LEASE,
    Batch,
    PostContext,
    claim_batches,
    fan_out,
    mark_all_sent,
    mark_channel_gone,
    mark_retry,
    next_due,
    post_contexts,
    renew_claims,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0  # the longest wait without being woken
SEND_TIMEOUT = 30.0  # a post taking longer counts as a timeout (retried with the same nonce)
# A claim lives LEASE (db.outbox) unless renewed; the worker posting it renews it every
# HEARTBEAT_SECONDS (several beats may be missed), so a dead worker's batches are taken over
# at most LEASE after it died, and a slow post keeps its claim.
HEARTBEAT_SECONDS = 2.0
PACE_SECONDS = 1.0
MAX_BATCH = 25
# Channels posted to at once (each channel's own posts stay in order). 50 is also Discord's global
# limit per second: beyond it discord.py waits out the 429s, so more would only queue.
PARALLEL = 50
GONE_STATUSES = (403, 404)


def default_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


class ChannelGone(Exception):
    """The bot cannot post in the channel (unknown, or missing permissions)."""


class Dispatcher(BackgroundService):
    """Posts change deliveries (a bot.service.BackgroundService)."""

    def __init__(
        self,
        bot: Any,
        worker: str | None = None,
        *,
        poll_seconds: float = POLL_SECONDS,
        max_batch: int = MAX_BATCH,
        lease: dt.timedelta = LEASE,
        heartbeat: float = HEARTBEAT_SECONDS,
        pace: float = PACE_SECONDS,
        parallel: int = PARALLEL,
    ) -> None:
        super().__init__(bot)
        self.worker = worker or default_worker()
        self.name = f"dispatcher {self.worker}"
        self.poll_seconds = poll_seconds
        self.max_batch = max_batch
        self.lease = lease  # how long a claim lasts without a heartbeat
        self.heartbeat = heartbeat  # seconds between renewals of the claims being posted
        self.pace = pace  # at least this long between two posts in one channel
        self.parallel = parallel
        self._last_post: dict[int, float] = {}  # channel id → loop time of its last post
        self._held: dict[int, Batch] = {}  # batch id → the batch as last renewed
        self._claims = asyncio.Lock()  # a renewal and an outcome never cross

    @property
    def db(self) -> Any:
        return self.bot.database

    # ------------------------------------------------------------ Service

    async def start(self) -> None:
        self.wake_on_writes(self.db)
        await super().start()

    async def next_wait(self) -> float:
        """Until the next retry or lease expiry is due, at most poll_seconds."""
        due = await next_due(self.db, lease=self.lease)
        if due is None:
            return self.poll_seconds
        until = (due - self.db.clock.now()).total_seconds()
        return min(self.poll_seconds, max(until, 0.05))

    # ------------------------------------------------------------ the heartbeat

    @contextlib.asynccontextmanager
    async def _holding(self, batches: list[Batch]) -> AsyncIterator[None]:
        """While the batches are posted, renew their claims every `heartbeat` seconds: a slow
        post keeps its claim, and a dead worker's claims expire one short lease after its last
        beat."""
        ids = [b.batch_id for b in batches]
        self._held.update(zip(ids, batches, strict=True))
        beating = asyncio.create_task(self._beat(ids), name=f"{self.name} heartbeat")
        try:
            yield
        finally:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating
            for batch_id in ids:
                self._held.pop(batch_id, None)

    async def _beat(self, ids: list[int]) -> None:
        while True:
            await asyncio.sleep(self.heartbeat)
            try:
                async with self._claims:
                    held = [self._held[i] for i in ids if i in self._held]
                    renewed = await renew_claims(self.db, held, now=self.db.clock.now())
                    for batch in held:  # taken over (or already recorded): no longer ours
                        self._held.pop(batch.batch_id, None)
                    self._held.update((b.batch_id, b) for b in renewed)
            except asyncio.CancelledError:
                raise
            except Exception:  # a missed beat only shortens the claims' life
                log.exception("Could not renew the claims of %s", self.worker)

    # ------------------------------------------------------------ the loop

    async def run_once(self) -> int:
        """Fan out new events, then post every batch that is due; returns how many were posted.
        Up to `parallel` channels at a time: claimed in one write, their context read in one
        go, posted concurrently, recorded as sent in one write."""
        await fan_out(self.db, now=self.db.clock.now())
        posted = 0
        while True:
            batches = await claim_batches(
                self.db,
                worker=self.worker,
                now=self.db.clock.now(),
                max_batch=self.max_batch,
                lease=self.lease,
                channels=self.parallel,
            )
            if not batches:
                return posted
            async with self._holding(batches):
                contexts = await post_contexts(self.db, [(b.events, b.guild_id) for b in batches])
                messages = await asyncio.gather(
                    *(self._deliver(b, c) for b, c in zip(batches, contexts, strict=True))
                )
                sent = [(b, m) for b, m in zip(batches, messages, strict=True) if m is not None]
                await mark_all_sent(self.db, sent, now=self.db.clock.now())
            posted += len(sent)

    # ------------------------------------------------------------ one batch

    async def _pace(self, channel_id: int) -> None:
        """Keep each channel well under Discord's 5 messages per 5 seconds: wait out the pace.
        Busy channels coalesce into summaries, so this rarely waits."""
        loop = asyncio.get_running_loop()
        last = self._last_post.get(channel_id)
        if last is not None and (wait := last + self.pace - loop.time()) > 0:
            await asyncio.sleep(wait)
        self._last_post[channel_id] = loop.time()

    async def _deliver(self, batch: Batch, context: PostContext) -> int | None:
        """Post one batch; its message id, or None when it failed (retry or channel gone, both
        recorded here)."""
        try:
            channel = self._channel(batch)
            embeds = self._render(batch, context)
            await self._pace(batch.channel_id)
            message = await asyncio.wait_for(
                channel.send(
                    embeds=embeds,
                    nonce=batch.nonce,
                    allowed_mentions=discord.AllowedMentions.none(),
                ),
                SEND_TIMEOUT,
            )
        except asyncio.CancelledError:
            raise
        except ChannelGone as gone:
            await self._gone(batch, str(gone))
            return None
        except discord.HTTPException as error:
            if error.status in GONE_STATUSES:
                await self._gone(batch, _http_reason(error))
            else:
                await self._retry(batch, _http_reason(error))
            return None
        except TimeoutError:
            await self._retry(batch, f"timed out after {SEND_TIMEOUT:.0f} s")
            return None
        except Exception as error:
            log.exception("Posting batch %s in channel %s failed", batch.batch_id, batch.channel_id)
            await self._retry(batch, f"{type(error).__name__}: {error}")
            return None
        return int(message.id)

    def _channel(self, batch: Batch) -> Any:
        """The channel to post in. One missing from the cache (not yet: the guild is still
        unavailable, or its CHANNEL_CREATE has not arrived; or never: another process runs the
        guild's shard, and REST does not care which) is posted to by id, and Discord's answer
        decides: only a 403/404 means gone. A cached channel whose permissions already say no is
        not tried."""
        channel = self.bot.get_channel(batch.channel_id)
        if channel is None:
            return self.bot.get_partial_messageable(batch.channel_id, guild_id=batch.guild_id)
        if not hasattr(channel, "send"):
            raise ChannelGone("This channel cannot take messages (a category or a forum).")
        guild = getattr(channel, "guild", None)
        me = guild.me if guild is not None else None
        if me is None:
            return channel  # no member to check permissions with: Discord decides
        permissions = channel.permissions_for(me)
        missing = [
            label
            for label, allowed in (
                ("View Channel", permissions.view_channel),
                ("Send Messages", permissions.send_messages),
                ("Embed Links", permissions.embed_links),
            )
            if not allowed
        ]
        if missing:
            raise ChannelGone(f"The bot lacks {', '.join(missing)} in this channel.")
        return channel

    def _render(self, batch: Batch, context: PostContext) -> list[discord.Embed]:
        revisions, sources = context
        labels = context.labels  # each record by its name ('Minneapolis, MN · ICE-ERO')
        if len(batch.events) > SUMMARY_OVER:
            return summary_post(batch.events, revisions, labels)
        posts = [
            change_post(
                e,
                revisions.get(e.revision_id or 0),
                sources.get(e.id or 0, []),
                labels.get(e.id or 0),
            )
            for e in batch.events
        ]
        if sum(embed_text_length(p) for p in posts) > MESSAGE_EMBED_TEXT - PAGE_FOOTER_RESERVE:
            return summary_post(batch.events, revisions, labels)  # one message, ≤ 6,000
        return posts

    async def _gone(self, batch: Batch, reason: str) -> None:
        paused = await mark_channel_gone(self.db, batch, reason)
        log.warning("Channel %s: paused %d subscription(s): %s", batch.channel_id, paused, reason)

    async def _retry(self, batch: Batch, error: str) -> None:
        async with self._claims:  # with the claim as last renewed
            current = self._held.pop(batch.batch_id, batch)
            outcome = await mark_retry(self.db, current, error, now=self.db.clock.now())
        log.warning(
            "Channel %s: batch %s not posted (%s); %s",
            batch.channel_id,
            batch.batch_id,
            error,
            outcome,
        )
        # A retry is due later: next_wait reads next_due


def _http_reason(error: discord.HTTPException) -> str:
    text = error.text or type(error).__name__
    return f"Discord answered {error.status} (code {error.code}): {text}"[:500]
