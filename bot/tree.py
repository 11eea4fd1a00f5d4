"""The command tree and its one error handler.

Expected errors (bad input, missing permission, unknown record) become an ephemeral message saying
what was wrong and what to do; anything else becomes "something went wrong (ref …)" with the
traceback logged under that ref. Either way the bot keeps serving.
"""

from __future__ import annotations

import logging
import secrets
from typing import Any

import discord
from discord import app_commands

from db.errors import DomainError

log = logging.getLogger(__name__)


def error_ref() -> str:
    """A short code a user can quote and an admin can find in the log."""
    return secrets.token_hex(3).upper()


def explain(error: app_commands.AppCommandError) -> str | None:
    """The message for an expected error, or None for a bug."""
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
        return f"Slow down: try again in {error.retry_after:.0f} seconds."
    if isinstance(error, app_commands.TransformerError):
        return f"'{error.value}' is not something I can use here. Pick a suggestion from the list."
    if isinstance(error, app_commands.CommandNotFound):
        return "That command no longer exists. Type / to see the current commands."
    if isinstance(error, app_commands.CheckFailure):
        return str(error) or "You cannot use this command here."
    return None


async def reply_privately(interaction: discord.Interaction[Any], text: str) -> None:
    """Answer ephemerally, as a follow-up if the interaction was already answered."""
    text = text[:2000]
    if interaction.response.is_done():
        await interaction.followup.send(text, ephemeral=True)
    else:
        await interaction.response.send_message(text, ephemeral=True)


class OversightTree(app_commands.CommandTree[Any]):
    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        message = explain(error)
        if message is None:
            ref = error_ref()
            command = interaction.command.qualified_name if interaction.command else "?"
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
