"""What every /admin command shares: the editor check, the dataset choice, the reply."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.permissions import Dataset, require_editor, write_scope
from db.errors import DomainError, InvalidInput, options_named
from db.models import SourceRef
from db.scope import Scope
from db.sources import make_source

DATASET_HELP = "server or shared"

if TYPE_CHECKING:
    # What the /admin mixins are mixed into, so discord.py's decorators accept their methods.
    AdminMixin = commands.GroupCog
else:
    AdminMixin = object


class DatasetOption(app_commands.Transformer):
    """'server' or 'shared'. Suggested, not a fixed choice list: every choice's text counts
    toward Discord's 4,000-character limit for the whole /admin command."""

    async def autocomplete(  # type: ignore[override]  # string options: discord.py passes the typed text
        self, interaction: discord.Interaction[Any], value: str
    ) -> list[app_commands.Choice[str]]:
        return [
            app_commands.Choice(name="server: this server's own records", value="server"),
            app_commands.Choice(
                name="shared: the shared dataset (bot owners only)", value="shared"
            ),
        ]

    async def transform(self, interaction: discord.Interaction[Any], value: str) -> str:
        word = value.strip().lower()
        if word not in ("server", "shared"):
            raise InvalidInput.one(
                "dataset", "must be 'server' (this server's records) or 'shared' (bot owners only)"
            )
        return word


DatasetArg = app_commands.Transform[str, DatasetOption]


def bot_of(interaction: discord.Interaction[Any]) -> Any:
    return interaction.client


async def scope_for_write(interaction: discord.Interaction[Any], dataset: str = "server") -> Scope:
    """The scope a write goes to, after checking the caller may write there (every call)."""
    chosen: Dataset = "shared" if dataset == "shared" else "server"
    return await write_scope(bot_of(interaction), interaction, chosen)


def actor_name(interaction: discord.Interaction[Any]) -> str:
    return f"{interaction.user.name} ({interaction.user.id})"


class AdminGroup(app_commands.Group):
    """A /admin subgroup: only editors get past its check (Discord's default permission is only a
    default that a server can override)."""

    async def interaction_check(self, interaction: discord.Interaction[Any]) -> bool:
        await require_editor(bot_of(interaction), interaction)
        return True


async def done(
    interaction: discord.Interaction[Any],
    text: str,
    *,
    embeds: list[discord.Embed] | None = None,
) -> None:
    """Confirm a change privately (the change itself reaches channels through the outbox)."""
    kwargs: dict[str, Any] = {"content": text[:2000], "ephemeral": True}
    if embeds:
        kwargs["embeds"] = embeds[:10]
    kwargs["allowed_mentions"] = discord.AllowedMentions.none()
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def named(base: type[app_commands.Transformer], option: str) -> app_commands.Transformer:
    """`base`, with its errors naming `option` ('due: Could not read …'), so a command with two
    dates or two records says which one was wrong."""

    class Named(base):  # type: ignore[valid-type,misc]  # a subclass of the class passed in
        async def transform(self, interaction: discord.Interaction[Any], value: Any) -> Any:
            try:
                return await super().transform(interaction, value)
            except DomainError as error:
                raise InvalidInput.one(option, str(error)) from None

    Named.__name__ = Named.__qualname__ = f"{base.__name__}_{option}"
    return Named()


def typed_source(
    url: str | None,
    outlet: str | None,
    *,
    url_option: str = "source",
    outlet_option: str = "outlet",
    published: dt.date | None = None,
) -> SourceRef | None:
    """db.sources.make_source, its errors naming the options the person typed into."""
    with options_named({"url": url_option, "outlet": outlet_option}):
        return make_source(url, outlet, published)
