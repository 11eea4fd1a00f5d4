"""Who gets a freed command slot (bot/admission.Line): due commands before owed ones, in order
while the line is short, newest first once it is congested, and owed ones never starved.

End to end, through the fake Discord: tests/bot/test_deadline.py ("admission").
"""

from __future__ import annotations

import asyncio

from bot.admission import Admission, Line, Waiter

CONGESTED = 0.5


class Command:
    """A waiting command as the line sees it: when it arrived and whether it was deferred."""

    def __init__(self, seq: int, at: float, loop: asyncio.AbstractEventLoop) -> None:
        self.deferred = False
        self.waiter = Waiter(seq, at, lambda: self.deferred, loop.create_future())


async def line_of(count: int, *, every: float = 0.01) -> tuple[Line, list[Command]]:
    loop = asyncio.get_running_loop()
    line = Line(congested_after=CONGESTED, owed_every=4)
    commands = [Command(n, n * every, loop) for n in range(count)]
    for command in commands:
        line.add(command.waiter)
    return line, commands


def order(line: Line, commands: list[Command], now: float) -> list[int]:
    """Grant every slot in turn; the arrival numbers in the order served."""
    served = []
    while (waiter := line.next(now)) is not None:
        waiter.granted.set_result(None)
        served.append(waiter.seq)
    assert len(line) == 0
    return served


async def test_a_short_line_is_served_in_arrival_order() -> None:
    line, commands = await line_of(5)
    assert order(line, commands, now=0.3) == [0, 1, 2, 3, 4]


async def test_a_congested_line_serves_the_newest_due_command_first() -> None:
    """The oldest has waited past CONGESTED: the newest goes first (the old ones would be late
    anyway; serving them first would make the new ones late too)."""
    line, commands = await line_of(5)
    assert order(line, commands, now=0.6) == [4, 3, 2, 1, 0]


async def test_owed_commands_come_after_due_ones_oldest_first_with_every_fourth_slot() -> None:
    """Deferred (owed) commands are answered oldest first; while due ones wait, every fourth slot
    is theirs, so a steady overload never starves them."""
    line, commands = await line_of(12)
    for command in commands[:6]:
        command.deferred = True  # the watchdog deferred the six oldest
    # Due: 6..11 (the oldest due, 6, has waited 0.54 s: congested, newest first).
    served = order(line, commands, now=0.6)
    assert served == [11, 10, 9, 0, 8, 7, 6, 1, 2, 3, 4, 5]


async def test_owed_commands_keep_a_quarter_of_the_slots_under_a_steady_overload() -> None:
    """New due commands keep arriving faster than slots free: the owed ones still get one slot
    in four, oldest first."""
    loop = asyncio.get_running_loop()
    line = Line(congested_after=CONGESTED, owed_every=4)
    owed = [Command(n, 0.0, loop) for n in range(10)]
    for command in owed:
        command.deferred = True
        line.add(command.waiter)
    served: list[int] = []
    for tick in range(40):
        for n in range(2):  # two arrivals per freed slot
            line.add(Command(100 + 2 * tick + n, 1.0 + tick * 0.01, loop).waiter)
        waiter = line.next(now=2.0 + tick * 0.01)
        assert waiter is not None
        waiter.granted.set_result(None)
        served.append(waiter.seq)
    assert [s for s in served if s < 100] == list(range(10))
    assert [n for n, s in enumerate(served) if s < 100] == list(range(3, 40, 4))


async def test_a_command_deferred_while_in_line_moves_to_the_owed_ones() -> None:
    line, commands = await line_of(3)
    commands[0].deferred = True  # deferred after it joined the line
    assert order(line, commands, now=0.1) == [1, 2, 0]


async def test_cancelled_waiters_are_skipped() -> None:
    line, commands = await line_of(4)
    commands[0].waiter.granted.cancel()
    commands[3].waiter.granted.cancel()
    commands[1].deferred = True
    commands[1].waiter.granted.cancel()
    assert order(line, commands, now=0.1) == [2]


# ---------------------------------------------------------------- Admission: owed ones while busy


class Holder:
    """A command holding a slot of `admission` from `start()` until `finish()`."""

    def __init__(self, admission: Admission, *, deferred: bool = False) -> None:
        self.admission = admission
        self.deferred = deferred
        self.running = asyncio.Event()
        self._done = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    def start(self) -> Holder:
        self.task = asyncio.create_task(self._run())
        return self

    async def _run(self) -> None:
        async with self.admission.hold(lambda: self.deferred):
            self.running.set()
            await self._done.wait()

    async def finish(self) -> None:
        self._done.set()
        assert self.task is not None
        await self.task


async def settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


async def test_while_commands_arrive_only_one_owed_command_runs_at_once() -> None:
    """Three slots, three deferred commands waiting: while new ones arrive, one owed command
    runs and the freed slots wait for new commands, which get them at once; once no command
    has arrived for `quiet_after`, the owed ones take every slot."""
    admission = Admission(slots=3, owed_while_busy=1, quiet_after=0.2)
    first = [Holder(admission).start() for _ in range(3)]
    await settle()
    owed = [Holder(admission, deferred=True).start() for _ in range(3)]
    await settle()
    assert admission.waiting == 3
    await first[0].finish()
    await settle()
    assert [h.running.is_set() for h in owed] == [True, False, False]
    await first[1].finish()  # a slot frees, but one owed command already runs
    await settle()
    assert [h.running.is_set() for h in owed] == [True, False, False]
    new = Holder(admission).start()  # a new command takes the free slot at once
    await settle()
    assert new.running.is_set() and admission.waiting == 2
    await asyncio.sleep(0.25)  # no arrival for longer than quiet_after
    await first[2].finish()
    await new.finish()
    await settle()
    assert [h.running.is_set() for h in owed] == [True, True, True]  # two owed ones more
    for holder in owed:
        await holder.finish()
    assert admission.waiting == 0


async def test_an_owed_command_is_not_starved_by_arrivals() -> None:
    """One slot; a deferred command waits behind due ones that keep arriving: with no owed
    command running it still gets its turn (every fourth slot, bot.admission.Line)."""
    admission = Admission(slots=1, owed_while_busy=1, quiet_after=10.0)
    holders = [Holder(admission).start()]
    await settle()
    owed = Holder(admission, deferred=True).start()
    await settle()
    served: list[Holder] = []
    for _ in range(6):
        holders.append(Holder(admission).start())  # a new command for each one served
        await settle()
        (current,) = [h for h in (*holders, owed) if h.running.is_set() and h not in served]
        served.append(current)
        await current.finish()
        await settle()
    assert owed in served and served.index(owed) <= 4, [
        holders.index(h) if h in holders else "owed" for h in served
    ]
    for holder in holders:
        if holder not in served:
            await holder.finish()
