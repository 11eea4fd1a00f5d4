"""Fixtures: a running fake with one guild, and the probe bot logged into it."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import pytest

from fakediscord import FakeDiscord, FakeGuild
from tests.fakediscord.probe_bot import ProbeBot


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes seconds on purpose (real 3 s deadline)")


@pytest.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord(token="test-token") as fake:
        fake.add_guild("Office of Rep. A")
        yield fake


@pytest.fixture
def guild(fake: FakeDiscord) -> FakeGuild:
    return next(iter(fake.world.guilds.values()))


@pytest.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[ProbeBot]:
    """The probe bot, connected and with its commands synced; closed cleanly afterwards."""
    with fake.patched():
        bot = ProbeBot()
        task = asyncio.create_task(bot.start(fake.token))
        try:
            await fake.wait_until_connected()
            await fake.wait_for_sync()
            yield bot
        finally:
            await bot.close()
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 5)
