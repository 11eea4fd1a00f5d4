"""Charts off the event loop, one at a time: the bot's ChartRenderer draws in one worker thread
(a drawing shares the GIL with the event loop, which still gets its turn every few milliseconds;
two drawings at once would only slow each other and the loop), and a message is the chart's
words (bot/render/chart_embeds.py) with its PNG attached.

The same data always draws the same bytes, so the renderer keeps the last few drawings: the
digests of a hundred servers that see the same shared funding lines draw the chart once.
"""

from __future__ import annotations

import asyncio
import functools
import gc
import io
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import discord

from bot.render import chart_embeds
from bot.render.common import MESSAGE_EMBED_TEXT
from db.charts import CameraHistory, FundingSeries

D = TypeVar("D", bound=Hashable)
KEPT = 8  # drawings kept for reuse (~250 KB each)


class ChartRenderer:
    """Draws charts in a single worker thread, one at a time, reusing a drawing of equal data.
    Created by OversightBot (its `charts`), closed with it."""

    def __init__(self, *, kept: int = KEPT) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="oversight-charts")
        self._drawn: OrderedDict[tuple[Any, Any], asyncio.Future[bytes]] = OrderedDict()
        self._kept = kept
        self.drawings = 0  # how many charts were actually drawn (not reused)

    async def draw(self, chart: Callable[[D], bytes], data: D) -> bytes:
        """`chart(data)` in the worker thread, or the drawing of equal data made before. A
        caller that gives up (cancelled) leaves the drawing to finish for the next."""
        key = (chart, data)
        future = self._drawn.get(key)
        if future is None:
            future = asyncio.get_running_loop().run_in_executor(self._pool, chart, data)
            self.drawings += 1
            self._drawn[key] = future
            while len(self._drawn) > self._kept:
                self._drawn.popitem(last=False)
        else:
            self._drawn.move_to_end(key)
        try:
            return await asyncio.shield(future)
        except Exception:
            if self._drawn.get(key) is future:  # a failed drawing is not kept
                del self._drawn[key]
            raise

    def close(self) -> None:
        """Stop taking drawings; one under way finishes in its thread."""
        self._drawn.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)


@dataclass
class ChartMessage:
    """A chart's embed and, when there was something to draw, its PNG."""

    embed: discord.Embed
    png: bytes | None = None
    filename: str | None = None
    alt_text: str = ""

    def file(self) -> discord.File | None:
        """A new discord.File each time: one is spent by the request that sends it."""
        if self.png is None or self.filename is None:
            return None
        return discord.File(
            io.BytesIO(self.png), filename=self.filename, description=self.alt_text or None
        )

    def files(self) -> list[discord.File]:
        file = self.file()
        return [file] if file is not None else []


Drawings = tuple[Callable[[FundingSeries], bytes], Callable[[CameraHistory], bytes]]


@functools.cache
def _drawings() -> Drawings:
    """The drawing code, loaded with the first chart, in the worker: matplotlib (~0.7 s, ~60 MB)
    is not loaded at start-up. What it loaded is then moved out of the cyclic collector's way,
    as the bot does at start (bot.client.settle_heap): full collections scanning matplotlib's
    objects paused the process ~100 ms every few charts, ~30 ms after."""
    from bot.render.charts import camera_timeline, funding_chart

    gc.collect()
    gc.freeze()
    return funding_chart, camera_timeline


def draw_funding(series: FundingSeries) -> bytes:
    return _drawings()[0](series)


def draw_timeline(history: CameraHistory) -> bytes:
    return _drawings()[1](history)


async def funding_message(
    renderer: ChartRenderer, series: FundingSeries, *, limit: int = MESSAGE_EMBED_TEXT
) -> ChartMessage:
    """The funding chart with its figures in words; words only when nothing has an amount."""
    if series.fiscal_year is None:
        return ChartMessage(chart_embeds.no_funding_embed())
    if not series.charted:
        return ChartMessage(chart_embeds.funding_embed(series, None, limit=limit))
    filename = f"funding-fy{series.fiscal_year}.png"
    png = await renderer.draw(draw_funding, series)
    embed = chart_embeds.funding_embed(series, filename, limit=limit)
    return ChartMessage(embed, png, filename, chart_embeds.funding_alt(series))


async def timeline_message(
    renderer: ChartRenderer, history: CameraHistory, *, limit: int = MESSAGE_EMBED_TEXT
) -> ChartMessage:
    """The camera timeline with every status change in words; words only when no record
    matches."""
    if not history.rows:
        return ChartMessage(chart_embeds.no_camera_embed(history.state, history.component))
    filename = "bodycam-timeline.png"
    png = await renderer.draw(draw_timeline, history)
    embed = chart_embeds.camera_embed(history, filename, limit=limit)
    return ChartMessage(embed, png, filename, chart_embeds.camera_alt(history))


async def reply_with_chart(
    interaction: discord.Interaction[Any],
    message: ChartMessage,
    *,
    ephemeral: bool,
    before: Sequence[discord.Embed] = (),
) -> None:
    """Answer a command (deferred or not) with the chart's embed, after `before` (a digest
    preview's), and its image; user text never pings."""
    extra: dict[str, Any] = {"file": file} if (file := message.file()) is not None else {}
    embeds = [*before, message.embed]
    none = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(
            embeds=embeds, ephemeral=ephemeral, allowed_mentions=none, **extra
        )
    else:
        await interaction.response.send_message(
            embeds=embeds, ephemeral=ephemeral, allowed_mentions=none, **extra
        )
