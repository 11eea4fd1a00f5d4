"""/admin source add, /admin confidence, /admin link, /admin delete: tools for any record.

Also the small helpers the oversight commands share: options whose errors name the option, and one
write (one transaction, acting user recorded) returning a db.changes.Change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

import discord
from discord import app_commands

from bot.admission import waits_for_person
from bot.render.admin import change_message, kind_name
from bot.render.common import clip, defang
from bot.views import ConfirmView
from cogs._options import DateOption, RecordOption
from cogs.admin._base import (
    DATASET_HELP,
    AdminGroup,
    AdminMixin,
    DatasetArg,
    actor_name,
    bot_of,
    done,
    named,
    scope_for_write,
    typed_source,
)
from db.changes import Change, Writer, version_of
from db.errors import DomainError, InvalidInput
from db.links import link_records
from db.models import Confidence
from db.records import add_source, deletable, delete_record, set_confidence
from db.scope import Actor, Scope
from db.search import CitedRecord, record_name

Interaction = discord.Interaction[Any]
CONFIRM_TIMEOUT = 120.0  # seconds the Delete / Cancel buttons wait (tests shorten it)


# ---------------------------------------------------------------- shared by the /admin tools


class Pick(app_commands.Transformer):
    """A word from a fixed list, offered by autocomplete rather than as choices: Discord counts
    every choice of /admin toward one 4,000-character budget, suggestions cost nothing. Typed
    text is normalised ('Partially answered' → partially_answered); the data layer refuses what
    is not on the list, naming the option."""

    def __init__(self, *values: str) -> None:
        self.values = values

    async def autocomplete(  # type: ignore[override]  # string options: discord.py passes the typed text
        self, interaction: Interaction, value: str
    ) -> list[app_commands.Choice[str]]:
        typed = self.normal(value)
        return [
            app_commands.Choice(name=v.replace("_", " "), value=v)
            for v in self.values
            if typed in v
        ]

    @staticmethod
    def normal(value: str) -> str:
        return "_".join(value.strip().lower().replace("-", " ").split())

    async def transform(self, interaction: Interaction, value: str) -> str:
        return self.normal(value)


async def write_change(
    interaction: Interaction,
    scope: Scope,
    reason: str,
    action: Callable[[Writer], Awaitable[Change]],
) -> Change:
    """Run one change in one transaction, recorded as the acting user's."""
    actor = Actor(actor_name(interaction), interaction.user.id)
    async with bot_of(interaction).database.writer(scope, actor, reason=reason) as writer:
        return await action(writer)


async def confirm_change(interaction: Interaction, change: Change, scope: Scope) -> None:
    await done(interaction, change_message(change, shared=scope.is_shared))


def require_text(option: str, value: str | None, accepted: str) -> str:
    if value is None or not value.strip():
        raise InvalidInput.one(option, accepted)
    return value


# ---------------------------------------------------------------- /admin source add

RecordArg = app_commands.Transform[CitedRecord, named(RecordOption, "record")]
OtherRecord = app_commands.Transform[CitedRecord, named(RecordOption, "other")]
PublishedDay = app_commands.Transform[dt.date, named(DateOption, "published")]
Level = app_commands.Transform[str, Pick(*(c.value for c in Confidence))]


class SourceAdmin(AdminGroup, name="source", description="Sources"):
    @app_commands.command(name="add", description="Add a source to a record")
    @app_commands.describe(
        record="Record",
        url="http(s) address",
        outlet="Publisher (default: site)",
        published="Date published",
        dataset=DATASET_HELP,
    )
    async def add(
        self,
        interaction: Interaction,
        record: RecordArg,
        url: str,
        outlet: str | None = None,
        published: PublishedDay | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        require_text("url", url, "give the source's http:// or https:// address")
        source = typed_source(url, outlet, url_option="url", published=published)
        assert source is not None
        change = await write_change(
            interaction,
            scope,
            "/admin source add",
            lambda writer: add_source(writer, record.kind, record.key, source),
        )
        await confirm_change(interaction, change, scope)


# ---------------------------------------------------------------- /admin confidence|link|delete


class RecordTools(AdminMixin):
    """Direct /admin subcommands for any record (a mixin of the Admin cog; `self.bot` is the
    bot)."""

    bot: Any

    @app_commands.command(name="confidence", description="Set a record's confidence")
    @app_commands.describe(
        record="Record",
        level="How sure",
        reason="What conflicts (needed for disputed)",
        dataset=DATASET_HELP,
    )
    async def record_confidence(
        self,
        interaction: Interaction,
        record: RecordArg,
        level: Level,
        reason: str | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        change = await write_change(
            interaction,
            scope,
            "/admin confidence",
            lambda writer: set_confidence(writer, record.kind, record.key, level, reason),
        )
        await confirm_change(interaction, change, scope)

    @app_commands.command(name="link", description="Link two records")
    @app_commands.describe(
        record="Record",
        other="Record to link to",
        note="Why linked",
        dataset=DATASET_HELP,
    )
    async def record_link(
        self,
        interaction: Interaction,
        record: RecordArg,
        other: OtherRecord,
        note: str | None = None,
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        await write_change(
            interaction,
            scope,
            "/admin link",
            lambda writer: link_records(
                writer, (record.kind, record.key), (other.kind, other.key), note
            ),
        )
        await done(
            interaction,
            f"Linked {kind_name(record.kind)} **{defang(record.key)}** ↔ "
            f"{kind_name(other.kind)} **{defang(other.key)}** in "
            f"{'the shared dataset' if scope.is_shared else 'this server'}: each now shows the "
            "other as related.",
        )

    @waits_for_person  # the Confirm button: a person reading the prompt holds no command slot
    @app_commands.command(name="delete", description="Delete a record (asks first)")
    @app_commands.describe(record="Record", dataset=DATASET_HELP)
    async def record_delete(
        self, interaction: Interaction, record: RecordArg, dataset: DatasetArg = "server"
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        async with self.bot.database.session() as session:
            row = await deletable(session, scope, record.kind, record.key)
            seen = await version_of(session, row)  # the delete is refused if it changes meanwhile
        name = clip(defang(record_name(record.kind, row)), 300)
        where = "the shared dataset (every server)" if scope.is_shared else "this server"
        view = ConfirmView(interaction.user.id, confirm_label="Delete")
        view.timeout = CONFIRM_TIMEOUT
        await interaction.response.send_message(
            f"Delete {kind_name(record.kind)} **{defang(row.key)}** ({name}) from {where}? "
            "Its history keeps a delete revision.",
            view=view,
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        await view.wait()
        view.disable_all()
        if view.confirmed is None or view.answer is None:
            await interaction.edit_original_response(
                content=f"No answer in time: nothing was deleted ({kind_name(record.kind)} "
                f"**{defang(row.key)}** is unchanged).",
                view=view,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        answer = view.answer
        if not view.confirmed:
            await answer.response.edit_message(
                content="Cancelled: nothing was deleted.",
                view=view,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        try:
            scope = await scope_for_write(answer, dataset)  # checked again at the click
            change = await write_change(
                answer,
                scope,
                "/admin delete",
                lambda writer: delete_record(writer, record.kind, row.key, expected_version=seen),
            )
            text = change_message(change, shared=scope.is_shared)
            if change.shared_shows_again:
                text += " The shared record with that key shows here again."
        except DomainError as error:
            text = f"Nothing was deleted: {error}"
        await answer.response.edit_message(
            content=text[:2000], view=view, allowed_mentions=discord.AllowedMentions.none()
        )
