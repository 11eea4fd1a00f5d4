"""The command tree: every option checked before any command runs, and the one error handler.

discord.py trusts Discord to enforce what a command declares: it never checks an option's
min/max value or length, a plain parameter's `choices`, or even the option's type (a number
option sent as text crashes its Namespace). A hostile client or a stale registration can send
anything, so `interaction_check` checks every option against its parameter (and Discord's own
limits where nothing is declared) and refuses a bad one with a private message; nothing runs.

Every command gets a bot.deadline watchdog while it runs: past 2 seconds without an answer it is
deferred (privately unless `share` is true, as every command answers) and answered late.

Expected errors (bad input, missing permission, unknown record, a member going too fast) become an
ephemeral message saying what was wrong and what to do; anything else becomes "something went
wrong (ref …)" with the traceback logged under that ref. Either way the bot keeps serving.
"""

from __future__ import annotations

import logging
import math
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

import discord
from discord import app_commands

from bot import deadline
from bot.admission import Admission
from db.errors import DomainError

log = logging.getLogger(__name__)
Option = Mapping[str, Any]

DISCORD_NUMBER_LIMIT = 2**53  # Discord's integer and number options lie within ±2^53
DISCORD_STRING_LIMIT = 6000  # and its string options are at most 6,000 characters
SHOWN_CHARS = 60  # how much of a refused value is echoed back
SHOWN_CHOICES = 800  # characters of the accepted choices listed
SNOWFLAKE_TYPES = frozenset({6, 7, 8, 9, 11})  # user, channel, role, mentionable, attachment
TYPE_NAMES: dict[object, str] = {  # looked up with whatever "type" a client sent
    3: "text",
    4: "a whole number",
    5: "true or false",
    6: "a user",
    7: "a channel",
    8: "a role",
    9: "a user or role",
    10: "a number",
    11: "a file",
}


def error_ref() -> str:
    """A short code a user can quote and an admin can find in the log."""
    return secrets.token_hex(3).upper()


def explain(error: app_commands.AppCommandError, command: str = "the command") -> str | None:
    """The message for an expected error, or None for a bug; `command` names it ("/search")."""
    original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
    if isinstance(error, app_commands.TransformerError) and isinstance(
        error.__cause__, DomainError
    ):
        original = error.__cause__  # an option our transformer refused, with its own message
    if isinstance(original, DomainError):
        return str(original)
    if isinstance(error, app_commands.MissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"You need the {needed} permission to use this command."
    if isinstance(error, app_commands.BotMissingPermissions):
        needed = ", ".join(p.replace("_", " ").title() for p in error.missing_permissions)
        return f"I need the {needed} permission in this channel. Ask a server admin to grant it."
    if isinstance(error, app_commands.NoPrivateMessage):
        return "This command works in a server, not in direct messages."
    if isinstance(error, app_commands.CommandOnCooldown):
        wait = max(1, math.ceil(error.retry_after))  # never "again in 0 s"
        return f"You're going fast: try {command} again in {wait} s."
    if isinstance(error, app_commands.TransformerError):
        shown = shown_value(error.value)
        return f"{shown} is not something I can use here. Pick a suggestion from the list."
    if isinstance(error, app_commands.CommandNotFound):
        return "That command no longer exists. Type / to see the current commands."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use this command here."
    return None


def shown_value(value: Any) -> str:
    """A value someone sent, safe to echo: short, in a code span, no backticks to break out of."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):  # shown plainly; a huge one is not worth 4,000 digits
        short = not math.isfinite(value) or abs(value) < 10**SHOWN_CHARS
        return str(value) if short else "a number too long to show"
    text = value if isinstance(value, str) else type(value).__name__  # a list, an object, null
    if len(text) > SHOWN_CHARS:
        text = text[: SHOWN_CHARS - 1] + "…"
    return "`" + (text.replace("`", "ʹ") or " ") + "`"


def leaf_options(data: Mapping[str, Any]) -> list[Option]:
    """The options of the command that runs, below its group and subcommand (as discord.py walks
    them: only the first option can be a subcommand)."""
    options = data.get("options") or []
    while options and isinstance(options[0], Mapping) and options[0].get("type") in (1, 2):
        options = options[0].get("options") or []
    return list(options)


def _accepted_choices(choices: Sequence[app_commands.Choice[Any]]) -> str:
    shown = (c.name if c.name == str(c.value) else f"{c.name} ({c.value})" for c in choices)
    names = ", ".join(shown)
    return names if len(names) <= SHOWN_CHOICES else names[: SHOWN_CHOICES - 1] + "…"


def _text_problem(param: app_commands.Parameter, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"must be text; you sent {shown_value(value)}."
    low = param.min_value or 0
    high = param.max_value if param.max_value is not None else DISCORD_STRING_LIMIT
    if low <= len(value) <= high:
        return None
    span = f"exactly {low:,}" if low == high else f"between {low:,} and {high:,}"
    return f"must be {span} characters long; you sent {len(value):,}."


def _number_problem(param: app_commands.Parameter, value: Any) -> str | None:
    kind = param.type.value
    accepted = int if kind == 4 else int | float
    if isinstance(value, bool) or not isinstance(value, accepted):
        return f"must be {TYPE_NAMES[kind]}; you sent {shown_value(value)}."
    if not math.isfinite(value):
        return f"must be a finite number; you sent {shown_value(value)}."
    low = param.min_value if param.min_value is not None else -DISCORD_NUMBER_LIMIT
    high = param.max_value if param.max_value is not None else DISCORD_NUMBER_LIMIT
    if low <= value <= high:
        return None
    return f"must be between {low} and {high}; you sent {shown_value(value)}."


def _id_problem(param: app_commands.Parameter, value: Any) -> str | None:
    text = str(value) if isinstance(value, str | int) and not isinstance(value, bool) else ""
    if text.isdecimal() and len(text) <= 20:  # a snowflake: a 64-bit number
        return None
    return f"must be {TYPE_NAMES[param.type.value]} (an ID); you sent {shown_value(value)}."


def value_problem(param: app_commands.Parameter, value: Any) -> str | None:
    """What is wrong with `value` for `param` ("must be …; you sent …"), or None if it is fine."""
    kind = param.type.value
    problem = None
    if kind == 3:
        problem = _text_problem(param, value)
    elif kind in (4, 10):
        problem = _number_problem(param, value)
    elif kind == 5 and not isinstance(value, bool):
        problem = f"must be true or false; you sent {shown_value(value)}."
    elif kind in SNOWFLAKE_TYPES:
        problem = _id_problem(param, value)
    if problem is None and param.choices and value not in [c.value for c in param.choices]:
        accepted = _accepted_choices(param.choices)
        problem = f"must be one of {accepted}; you sent {shown_value(value)}."
    return problem


def option_problem(
    command: app_commands.Command[Any, ..., Any], options: list[Option]
) -> str | None:
    """The first thing wrong with the options sent for `command`, as a message; None if none."""
    params = {param.display_name: param for param in command.parameters}
    seen: set[str] = set()
    for option in options:
        name = option.get("name") if isinstance(option, Mapping) else None
        param = params.get(name) if isinstance(name, str) else None
        if param is None or param.display_name in seen:
            accepted = ", ".join(f"`{n}`" for n in params) or "none"
            what = "twice" if param is not None else "but the command has no such option"
            return (
                f"/{command.qualified_name}: {shown_value(name)} was sent {what}; its options: "
                f"{accepted}. Type / to pick the command again."
            )
        seen.add(param.display_name)
        if option.get("type") != param.type.value or "value" not in option:
            sent = TYPE_NAMES.get(option.get("type"), "something else")
            sent = sent if "value" in option else "nothing"
            return f"`{name}` must be {TYPE_NAMES.get(param.type.value, '?')}; you sent {sent}."
        if (problem := value_problem(param, option["value"])) is not None:
            return f"`{name}` {problem}"
    for param in command.parameters:
        if param.required and param.display_name not in seen:
            return f"`{param.display_name}` is required. Type / to pick the command again."
    return None


async def reply_privately(interaction: discord.Interaction[Any], text: str) -> None:
    """Answer ephemerally, as a follow-up if the interaction was already answered."""
    text = text[:2000]
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


def shares(options: list[Option]) -> bool:
    """Did the user ask for a public answer (`share:true`)? Every other answer is private."""
    return any(
        isinstance(o, Mapping) and o.get("name") == "share" and o.get("value") is True
        for o in options
    )


class OversightTree(app_commands.CommandTree[Any]):
    def __init__(self, client: Any, **options: Any) -> None:
        super().__init__(client, **options)
        self.admission = Admission()

    async def _call(self, interaction: discord.Interaction[Any]) -> None:
        """Run the command (discord.py's own dispatch) under a deadline watchdog; skip an
        autocomplete that is already too late to be seen."""
        if deadline.too_late_to_suggest(interaction):
            log.debug(
                "Skipped autocomplete %s: %.2fs old", interaction.id, deadline.age(interaction)
            )
            return
        command = interaction.type is discord.InteractionType.application_command
        private = not (command and shares(leaf_options(interaction.data or {})))
        watchdog = deadline.watch(interaction, ephemeral=private)
        try:
            async with self.admission.slot(interaction):
                await super()._call(interaction)
        finally:
            if watchdog is not None:
                watchdog.stop()

    async def interaction_check(self, interaction: discord.Interaction[Any], /) -> bool:
        """Refuse a slash command whose options its parameters do not allow; run nothing."""
        if interaction.type is not discord.InteractionType.application_command:
            return True  # autocomplete gets partial text by design; components are not commands
        command = interaction.command
        if not isinstance(command, app_commands.Command):
            return True  # unknown commands and context menus: the tree's own handling
        problem = option_problem(command, leaf_options(interaction.data or {}))
        if problem is None:
            return True
        log.info("Refused /%s: %s", command.qualified_name, problem)
        try:
            await reply_privately(interaction, problem)
        except discord.HTTPException:
            log.warning("Could not tell the user about a refused option", exc_info=True)
        return False

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        command = interaction.command.qualified_name if interaction.command else "?"
        message = explain(error, f"/{command}" if interaction.command else "the command")
        if message is None:
            ref = error_ref()
            log.error(
                "Unexpected error (ref %s) in /%s, guild %s, user %s",
                ref,
                command,
                interaction.guild_id,
                interaction.user.id,
                exc_info=error,
            )
            message = f"Something went wrong (ref {ref}). It was logged; please try again."
        try:
            await reply_privately(interaction, message)
        except discord.HTTPException:
            log.warning("Could not tell the user about an error", exc_info=True)
