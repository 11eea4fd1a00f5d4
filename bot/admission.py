"""Admission: at most `COMMAND_SLOTS` slash commands run at once in a process; the rest wait.

Under overload, hundreds of commands in flight each add their database round trips and renders to
the event loop's ready queue, and everything queues behind them: the watchdog's defers, the
autocompletes that cannot be deferred, the acks. With a bound, a waiting command costs nothing but
its place in line: the deadline watchdog (bot.deadline) still defers it 2 s after creation, and
its answer follows when a slot frees. Autocompletes and clicks are never held (they are short and
cannot wait), and neither are commands that wait for the person (a confirmation prompt): those are
marked `waits_for_person`, so someone reading a prompt never holds a slot.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

import discord
from discord import app_commands

COMMAND_SLOTS = 8  # about the connection pool's size: more in flight only queue for connections
WAITS_FOR_PERSON = "waits_for_person"  # a command's extras key
CommandT = TypeVar("CommandT", bound=app_commands.Command[Any, ..., Any])


def waits_for_person(command: CommandT) -> CommandT:
    """Mark a command (decorate above @app_commands.command) that waits for the person who ran
    it (a Confirm button): it runs outside the slots."""
    command.extras[WAITS_FOR_PERSON] = True
    return command


class Admission:
    """The slots of one bot."""

    def __init__(self, slots: int = COMMAND_SLOTS) -> None:
        self.slots = slots
        self._free = asyncio.Semaphore(slots)

    @contextlib.asynccontextmanager
    async def slot(self, interaction: discord.Interaction[Any]) -> AsyncIterator[None]:
        """Hold a slot while a slash command runs; anything else passes straight through."""
        command = interaction.command
        if (
            interaction.type is not discord.InteractionType.application_command
            or command is None
            or command.extras.get(WAITS_FOR_PERSON)
        ):
            yield
            return
        async with self._free:
            yield
