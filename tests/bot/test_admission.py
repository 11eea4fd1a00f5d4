"""Who gets a freed command slot (bot/admission.Line): due commands before owed ones, in order
while the line is short, newest first once it is congested, and owed ones never starved.

End to end, through the fake Discord: tests/bot/test_deadline.py ("admission").
"""

from __future__ import annotations

import asyncio

from bot.admission import Line, Waiter

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
