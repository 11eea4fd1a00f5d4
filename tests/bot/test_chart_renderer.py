"""bot.charts.ChartRenderer: charts drawn off the event loop, one at a time, a drawing of equal
data reused; the bot owns one and closes it."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable

import pytest

from bot.charts import ChartRenderer, draw_funding
from bot.client import OversightBot
from db.charts import FundingSeries

BOUND = 5.0  # seconds: how long a broken renderer may hang a test, not a measured time


async def until(check: Callable[[], bool]) -> None:
    for _ in range(int(BOUND / 0.01)):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met")


async def test_drawings_run_in_one_worker_thread_one_at_a_time() -> None:
    """Three drawings asked at once: the first runs in the worker (not the loop's thread) while
    the loop keeps serving; the others wait their turn, then run in the same thread."""
    renderer = ChartRenderer()
    release = threading.Event()
    started: list[tuple[int, str]] = []

    def chart(n: int) -> bytes:
        started.append((n, threading.current_thread().name))
        release.wait(BOUND)
        return f"chart {n}".encode()

    try:
        tasks = [asyncio.create_task(renderer.draw(chart, n)) for n in range(3)]
        await until(lambda: len(started) == 1)
        for _ in range(20):  # the loop is free while a drawing runs: these sleeps return
            await asyncio.sleep(0)
        assert [n for n, _ in started] == [0]  # the others wait for the worker
        release.set()
        assert await asyncio.gather(*tasks) == [b"chart 0", b"chart 1", b"chart 2"]
    finally:
        release.set()
        renderer.close()
    threads = {name for _, name in started}
    assert len(threads) == 1 and threads != {threading.current_thread().name}
    assert threads.pop().startswith("oversight-charts")


async def test_equal_data_is_drawn_once_and_a_failure_is_not_kept() -> None:
    renderer = ChartRenderer()
    calls: list[object] = []

    def chart(data: tuple[int, ...]) -> bytes:
        calls.append(data)
        if data == (0,):
            raise ValueError("nothing to draw")
        return bytes(data)

    try:
        assert await renderer.draw(chart, (1, 2)) == b"\x01\x02"
        assert await renderer.draw(chart, (1, 2)) == b"\x01\x02"  # equal, not drawn again
        for _ in range(2):
            with pytest.raises(ValueError, match="nothing to draw"):
                await renderer.draw(chart, (0,))
        assert calls == [(1, 2), (0,), (0,)] and renderer.drawings == 3
    finally:
        renderer.close()


async def test_a_caller_that_gives_up_leaves_the_drawing_for_the_next() -> None:
    renderer = ChartRenderer()
    release = threading.Event()
    calls: list[str] = []

    def chart(data: str) -> bytes:
        calls.append(data)
        release.wait(BOUND)
        return data.encode()

    try:
        first = asyncio.create_task(renderer.draw(chart, "x"))
        await until(lambda: bool(calls))
        first.cancel()
        release.set()
        assert await renderer.draw(chart, "x") == b"x"
        assert calls == ["x"]
    finally:
        release.set()
        renderer.close()


async def test_only_the_last_few_drawings_are_kept() -> None:
    renderer = ChartRenderer(kept=2)
    try:
        for n in (1, 2, 3, 1):
            await renderer.draw(str.encode, str(n))
        assert renderer.drawings == 4  # 1 was dropped when 3 came, so drawn again
    finally:
        renderer.close()


async def test_a_closed_renderer_draws_nothing() -> None:
    renderer = ChartRenderer()
    renderer.close()
    with pytest.raises(RuntimeError):
        await renderer.draw(draw_funding, FundingSeries(2026, (), (2026,)))


async def test_the_bot_holds_a_renderer_and_closes_it(bot: OversightBot) -> None:
    assert isinstance(bot.charts, ChartRenderer)
    await bot.close()
    with pytest.raises(RuntimeError):
        await bot.charts.draw(str.encode, "after close")
