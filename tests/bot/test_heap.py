"""Full garbage collections at quiet moments (bot/heap.py): due after FULL_AFTER middle-generation
collections, run once no command is in flight, or MAX_DEFER seconds after falling due."""

from __future__ import annotations

import gc

from bot.client import GC_THRESHOLDS, OversightBot
from bot.heap import FULL_AFTER, MAX_DEFER, FullCollections, full_collection_due
from fakediscord import FakeDiscord
from tests.conftest import Office


def test_a_full_collection_is_due_when_quiet_or_waited_long_enough() -> None:
    assert not full_collection_due(FULL_AFTER - 1, quiet=True, waited=0.0)
    assert full_collection_due(FULL_AFTER, quiet=True, waited=0.0)
    assert not full_collection_due(FULL_AFTER, quiet=False, waited=MAX_DEFER - 1)
    assert full_collection_due(FULL_AFTER, quiet=False, waited=MAX_DEFER)


class World:
    """The collector's count, whether commands are in flight, and a clock, as the service sees
    them."""

    def __init__(self) -> None:
        self.pending, self.quiet, self.now, self.collected = 0, False, 100.0, 0

    def collect(self) -> None:
        self.collected += 1
        self.pending = 0

    def service(self) -> FullCollections:
        return FullCollections(
            None,
            quiet=lambda: self.quiet,
            pending=lambda: self.pending,
            collect=self.collect,
            clock=lambda: self.now,
        )


async def test_a_due_collection_waits_for_a_quiet_moment() -> None:
    world = World()
    service = world.service()
    assert await service.run_once() == 0  # nothing due
    world.pending = FULL_AFTER
    assert await service.run_once() == 0  # due, but commands are in flight
    world.now += MAX_DEFER / 2
    assert await service.run_once() == 0
    world.quiet = True
    assert await service.run_once() == 1 and world.collected == 1
    assert await service.run_once() == 0  # the count starts again


async def test_a_load_that_never_pauses_still_gets_its_full_collections() -> None:
    world = World()
    service = world.service()
    world.pending = FULL_AFTER
    assert await service.run_once() == 0  # falls due now, busy
    world.now += MAX_DEFER - 0.5
    assert await service.run_once() == 0
    world.now += 0.5
    assert await service.run_once() == 1 and world.collected == 1
    world.pending = FULL_AFTER  # due again: it waits its own MAX_DEFER, from now
    assert await service.run_once() == 0


async def test_the_bot_runs_full_collections_itself(
    fake: FakeDiscord, office: Office, bot: OversightBot
) -> None:
    """A running bot has turned the collector's own full collections off and runs the service
    that does them; quiet means no command in flight and none for a second."""
    assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[2] >= 10**9
    [service] = [s for s in bot.services if isinstance(s, FullCollections)]
    assert service.running and service.quiet() is True  # nothing asked yet
    await fake.slash("about", user=office.staffer)
    assert service.quiet() is False  # a command just arrived
