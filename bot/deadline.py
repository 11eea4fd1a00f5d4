"""Never miss Discord's 3-second acknowledgement: defer in time, answer late rather than never.

Discord fails an interaction the bot has not acknowledged within 3 seconds of creating it ("The
application did not respond"). Under load a command can wait that long before its first answer:
for the event loop, a database connection, the chart renderer. So each command (bot.tree) and each
click on our views (bot.views) gets a `Watchdog` when it arrives: `ACK_AFTER` seconds after
Discord created the interaction (time spent queued counts), it defers unless something already
answered, and the answer arrives later in place of the "thinking" message.

Race-free: the interaction's `response` becomes a `GuardedResponse`, whose acknowledgements take
one lock and look at what was already sent, so exactly one callback reaches Discord. Code written
for a plain response keeps working after the watchdog's defer: `defer()` is already done,
`send_message()` becomes the follow-up that replaces "thinking", `edit_message()` edits the
clicked message.

A deferred reply keeps the ephemerality of the defer, so the watchdog defers the way the command
will answer (the tree decides: privately unless `share` is true). A modal can only be a first
response: commands that open one are marked `opens_modal` and get no watchdog; an unmarked one that
was deferred anyway tells the user to run it again.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, TypeVar

import discord
from discord import app_commands

from db.errors import DomainError

log = logging.getLogger(__name__)
Interaction = discord.Interaction[Any]
CommandT = TypeVar("CommandT", bound=app_commands.Command[Any, ..., Any])

ACK_AFTER = 2.0  # seconds after Discord created it; read at call time so tests can shorten it
# An autocomplete this old when it reaches the bot cannot be answered within Discord's 3 s (it
# cannot be deferred): computing it anyway is work nobody sees, and under overload it deepens the
# backlog that made it late.
AUTOCOMPLETE_GIVE_UP = 2.5
OPENS_MODAL = "opens_modal"  # a command's extras key: its first answer is a modal
WATCHED = (discord.InteractionType.application_command, discord.InteractionType.component)


def opens_modal(command: CommandT) -> CommandT:
    """Mark a command (decorate above @app_commands.command) whose first answer is a modal."""
    command.extras[OPENS_MODAL] = True
    return command


class TooLateForModal(DomainError):
    """The command meant to open a form, but the watchdog had to defer first."""


class GuardedResponse(discord.InteractionResponse[Any]):
    """An interaction's response that is acknowledged exactly once, by the command or in time
    by the watchdog; after the watchdog's defer, answers become the deferred reply's follow-ups."""

    __slots__ = ("_lock", "_thinking_ephemeral", "deferred_in_time")

    def __init__(self, parent: Interaction) -> None:
        super().__init__(parent)
        self._lock = asyncio.Lock()
        self.deferred_in_time = False  # did the watchdog acknowledge it, before the command could?
        self._thinking_ephemeral: bool | None = None  # a command's deferred reply: private?

    async def defer_in_time(self, *, ephemeral: bool) -> bool:
        """The watchdog's defer: only if nothing has acknowledged the interaction yet."""
        async with self._lock:
            if self.is_done():
                return False
            # A command gets "thinking"; a click a silent update of the message it is on.
            await super().defer(ephemeral=ephemeral, thinking=False)
            self.deferred_in_time = True
            if self._parent.type is discord.InteractionType.application_command:
                self._thinking_ephemeral = ephemeral
            return True

    async def defer(self, *, ephemeral: bool = False, thinking: bool = False) -> Any:
        async with self._lock:
            if not self.deferred_in_time:
                return await super().defer(ephemeral=ephemeral, thinking=thinking)
        self._check_ephemeral(ephemeral, "defer")
        return None  # already deferred: what follows is the same follow-up either way

    async def send_message(self, *args: Any, **kwargs: Any) -> Any:
        async with self._lock:
            if not self.deferred_in_time:
                return await super().send_message(*args, **kwargs)
        self._check_ephemeral(kwargs.get("ephemeral", False), "answer")
        delete_after = kwargs.pop("delete_after", None)
        message = await self._parent.followup.send(*args, wait=True, **kwargs)
        if delete_after is not None:
            await message.delete(delay=delete_after)
        return None

    async def edit_message(self, **kwargs: Any) -> Any:
        async with self._lock:
            if not self.deferred_in_time:
                return await super().edit_message(**kwargs)
        kwargs.pop("delete_after", None)  # neither is an edit of the original's
        kwargs.pop("suppress_embeds", None)
        await self._parent.edit_original_response(**kwargs)
        return None

    async def send_modal(self, modal: discord.ui.Modal, /) -> Any:
        async with self._lock:
            if not self.deferred_in_time:
                return await super().send_modal(modal)
        command = self._parent.command
        name = f"/{command.qualified_name}" if command is not None else "the command"
        raise TooLateForModal(
            f"I was too slow to open the form this time. Run {name} again to open it."
        )

    def _check_ephemeral(self, wanted: bool, what: str) -> None:
        """The deferred reply's ephemerality wins; say so if the command wanted otherwise."""
        if self._thinking_ephemeral is not None and wanted != self._thinking_ephemeral:
            log.warning(
                "Interaction %s: the %s wanted ephemeral=%s but was deferred with ephemeral=%s",
                self._parent.id,
                what,
                wanted,
                self._thinking_ephemeral,
            )


def guard(interaction: Interaction) -> GuardedResponse:
    """The interaction's response, made a GuardedResponse (once; what it already sent is kept)."""
    current = getattr(interaction, "_cs_response", None)  # discord.py's cached `response`
    if isinstance(current, GuardedResponse):
        return current
    guarded = GuardedResponse(interaction)
    if current is not None:
        guarded._response_type = current._response_type
    setattr(interaction, "_cs_response", guarded)  # noqa: B010  # a slot, not a typed attribute
    return guarded


def age(interaction: Interaction) -> float:
    """Seconds since Discord created the interaction (its id is a timestamp)."""
    return (discord.utils.utcnow() - interaction.created_at).total_seconds()


def too_late_to_suggest(interaction: Interaction) -> bool:
    """An autocomplete that Discord will have dropped before any answer could reach it."""
    return (
        interaction.type is discord.InteractionType.autocomplete
        and age(interaction) > AUTOCOMPLETE_GIVE_UP
    )


class Watchdog:
    """Defers `interaction` ACK_AFTER seconds after Discord created it unless it was answered."""

    def __init__(self, interaction: Interaction, *, ephemeral: bool) -> None:
        self.response = guard(interaction)
        self.ephemeral = ephemeral
        self.interaction = interaction
        # Never later than ACK_AFTER after arrival, should this machine's clock run behind.
        delay = min(ACK_AFTER, max(0.0, ACK_AFTER - age(interaction)))
        self._timer: asyncio.TimerHandle | None = asyncio.get_running_loop().call_later(
            delay, self._fire
        )
        self._task: asyncio.Task[None] | None = None

    def stop(self) -> None:
        """The command has finished: no defer from now on (one under way completes)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _fire(self) -> None:
        self._timer = None
        if not self.response.is_done():
            self._task = asyncio.create_task(self._defer(), name=f"defer-{self.interaction.id}")

    async def _defer(self) -> None:
        try:
            if await self.response.defer_in_time(ephemeral=self.ephemeral):
                log.debug(  # not info: under overload there are many, and logging costs
                    "Deferred interaction %s after %.2fs",
                    self.interaction.id,
                    age(self.interaction),
                )
        except discord.HTTPException:
            log.warning("Could not defer interaction %s", self.interaction.id, exc_info=True)


def watch(interaction: Interaction, *, ephemeral: bool) -> Watchdog | None:
    """A watchdog for a command or click; None for what cannot be deferred (autocomplete, a
    command whose first answer is a modal)."""
    if interaction.type not in WATCHED:
        return None
    is_command = interaction.type is discord.InteractionType.application_command
    command = interaction.command if is_command else None
    if command is not None and command.extras.get(OPENS_MODAL):
        return None
    return Watchdog(interaction, ephemeral=ephemeral)
