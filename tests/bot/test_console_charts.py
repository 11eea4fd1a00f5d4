"""Charts in the offline console: the answer as text, and the PNG written to the save folder,
with where it went (as /admin export's file is)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Settings
from bot.console.app import Console
from db.engine import Database


@pytest.fixture
async def desk(bot_db: Database, settings: Settings, tmp_path: Path) -> AsyncIterator[Console]:
    async with Console(
        settings, bot_db, out=io.StringIO(), tz=dt.UTC, save_dir=tmp_path / "saved"
    ) as running:
        yield running


async def test_a_chart_is_saved_and_the_console_says_where(desk: Console) -> None:
    answer = await desk.run_line("/approps chart fiscal_year:2026")
    saved = desk.save_dir / "funding-fy2026.png"
    assert answer.startswith("(only you can see this)\nDHS funding lines · FY2026 · chart\n")
    assert "FY2026 has 8 funding lines: House amounts for 6" in answer
    assert "(image <attachment://funding-fy2026.png>)" in answer
    assert answer.endswith(f"Saved funding-fy2026.png ({saved.stat().st_size:,} bytes) to {saved}")
    assert saved.read_bytes().startswith(b"\x89PNG")
    again = await desk.run_line("/bodycam timeline state:MN")
    timeline = desk.save_dir / "bodycam-timeline.png"
    assert "**Minneapolis, MN · ICE-ERO**: None known from Jan 24, 2026 → Full" in again
    assert again.endswith(f"to {timeline}") and timeline.read_bytes().startswith(b"\x89PNG")


async def test_nothing_to_chart_saves_nothing(desk: Console) -> None:
    answer = await desk.run_line("/bodycam timeline state:TX component:ICE-HSI")
    assert "nothing to chart" in answer and "Saved" not in answer
    assert not desk.save_dir.exists() or not list(desk.save_dir.iterdir())
