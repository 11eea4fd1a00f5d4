"""The outbox dispatcher: a bot Service that turns change events into posts in subscribed channels.

Woken right after a commit that wrote change events (Database.on_write), and polling as a fallback
(retries come due, leases expire, another process wrote). Each round: fan_out (events → deliveries),
then claim one channel's batch at a time and post it as ONE message with the batch's nonce
(discord.py sends enforce_nonce, so a retry after a crash shows the message once), then record the
outcome. The design is in db.tracking's docstring; this module only talks to Discord.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import socket
from typing import Any

import discord

from bot.render.changes import SUMMARY_OVER, change_post, summary_post
from bot.render.common import MESSAGE_EMBED_TEXT, PAGE_FOOTER_RESERVE, embed_text_length
from db.outbox import (
    Batch,
    PostContext,
    claim_batches,
    fan_out,
    mark_all_sent,
    mark_channel_gone,
    mark_retry,
    next_due,
    post_contexts,
)

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0  # the longest wait without being woken
SEND_TIMEOUT = 30.0  # a post taking longer counts as a timeout (retried with the same nonce)
LEASE = dt.timedelta(seconds=60)
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


class Dispatcher:
    """Posts change deliveries; implements bot.client.Service."""

    def __init__(
        self,
        bot: Any,
        worker: str | None = None,
        *,
        poll_seconds: float = POLL_SECONDS,
        max_batch: int = MAX_BATCH,
        lease: dt.timedelta = LEASE,
        pace: float = PACE_SECONDS,
        parallel: int = PARALLEL,
    ) -> None:
        self.bot = bot
        self.worker = worker or default_worker()
        self.poll_seconds = poll_seconds
        self.max_batch = max_batch
        self.lease = lease  # how long a claimed batch is ours before another worker may take it
        self.pace = pace  # at least this long between two posts in one channel
        self.parallel = parallel
        self._last_post: dict[int, float] = {}  # channel id → loop time of its last post
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._listening = False
        self._running = False

    @property
    def db(self) -> Any:
        return self.bot.database

    # ------------------------------------------------------------ Service

    async def start(self) -> None:
        if self._task is not None and not self._task.done():
            return
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._running = True
        if not self._listening:  # Database has no way to remove a listener: add it once
            self.db.on_write(self._on_write)
            self._listening = True
        self._task = asyncio.create_task(self._run(), name=f"dispatcher {self.worker}")

    async def stop(self) -> None:
        self._running = False
        task, self._task = self._task, None
        if task is None:
            return
        task.cancel()
        try:
            await task
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("The dispatcher stopped with an error")

    def wake(self) -> None:
        """Look for work now (after a write, or when a test moved the clock)."""
        self._wake.set()

    def _on_write(self) -> None:
        if not self._running or self._loop is None or self._loop.is_closed():
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            self._loop.call_soon_threadsafe(self._wake.set)

    # ------------------------------------------------------------ the loop

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        while True:
            self._wake.clear()
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("Dispatching failed; trying again later")
            await self._sleep()

    async def _sleep(self) -> None:
        timeout = self.poll_seconds
        try:
            due = await next_due(self.db, lease=self.lease)
        except Exception:
            log.exception("Could not read when the next delivery is due")
            due = None
        if due is not None:
            until = (due - self.db.clock.now()).total_seconds()
            timeout = min(timeout, max(until, 0.05))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)

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
        channel = self.bot.get_channel(batch.channel_id)
        if channel is None or not hasattr(channel, "send"):
            raise ChannelGone("The bot cannot see this channel any more (deleted or hidden).")
        guild = getattr(channel, "guild", None)
        me = guild.me if guild is not None else None
        if me is None:
            raise ChannelGone("The bot is no longer in this server.")
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
        if len(batch.events) > SUMMARY_OVER:
            return summary_post(batch.events, revisions)
        posts = [
            change_post(e, revisions.get(e.revision_id or 0), sources.get(e.id or 0, []))
            for e in batch.events
        ]
        if sum(embed_text_length(p) for p in posts) > MESSAGE_EMBED_TEXT - PAGE_FOOTER_RESERVE:
            return summary_post(batch.events, revisions)  # one message, within 6,000 characters
        return posts

    async def _gone(self, batch: Batch, reason: str) -> None:
        paused = await mark_channel_gone(self.db, batch, reason)
        log.warning("Channel %s: paused %d subscription(s): %s", batch.channel_id, paused, reason)

    async def _retry(self, batch: Batch, error: str) -> None:
        outcome = await mark_retry(self.db, batch, error, now=self.db.clock.now())
        log.warning(
            "Channel %s: batch %s not posted (%s); %s",
            batch.channel_id,
            batch.batch_id,
            error,
            outcome,
        )
        # A retry is due later: the sleep reads next_due


def _http_reason(error: discord.HTTPException) -> str:
    text = error.text or type(error).__name__
    return f"Discord answered {error.status} (code {error.code}): {text}"[:500]
