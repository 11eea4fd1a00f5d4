"""/admin history and /admin undo: who changed what and when, and taking a change back.

A mixin of the Admin cog (direct /admin subcommands; `self.bot` is the bot).
"""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands

from bot.permissions import is_editor, require_editor
from bot.render.history import (
    history_page,
    history_page_count,
    revision_choices,
    rows_wanted,
    undo_embed,
)
from bot.views import Page, respond
from cogs._options import Record, scope_of
from cogs.admin._base import (
    DATASET_HELP,
    AdminMixin,
    DatasetArg,
    actor_name,
    done,
    scope_for_write,
)
from db.history import history
from db.labels import visible_rows
from db.links import label_of
from db.scope import Actor, Scope, find_visible
from db.undo import recent_revisions, undo

Interaction = discord.Interaction[Any]
MAX_REVISION = 2**53 - 1  # Discord's largest integer option


class AuditCommands(AdminMixin):
    """/admin history <record> and /admin undo <revision> [dataset]."""

    bot: Any

    @app_commands.command(name="history", description="A record's changes: what, who and when")
    @app_commands.describe(record="The record (pick from the list)")
    async def audit_history(self, interaction: Interaction, record: Record) -> None:
        await require_editor(self.bot, interaction)
        scope = scope_of(interaction)
        async with self.bot.database.session() as session:
            revisions = await history(session, scope, record.kind, record.key)

        async def render(index: int) -> Page:
            return history_page(
                revisions,
                index,
                kind=record.kind,
                key=record.key,
                viewer_guild_id=scope.guild_id,
            )

        await respond(
            interaction,
            render=render,
            page_count=history_page_count(revisions),
            ephemeral=True,
        )

    @app_commands.command(name="undo", description="Undo one change (a revision) as a new change")
    @app_commands.describe(
        revision="Its number (see /admin history)",
        dataset=DATASET_HELP,
    )
    async def audit_undo(
        self,
        interaction: Interaction,
        revision: app_commands.Range[int, 1, MAX_REVISION],
        dataset: DatasetArg = "server",
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        actor = Actor(actor_name(interaction), interaction.user.id)
        result = await undo(self.bot.database, scope, actor, revision)
        undone = result.undone
        async with self.bot.database.session() as session:  # named as it now reads
            record = await find_visible(session, scope, undone.record_kind, undone.record_key)
        label = label_of(undone.record_kind, record) if record is not None else None
        content, embed = undo_embed(undone, result.revision, label)
        await done(interaction, content, embeds=[embed])

    @audit_undo.autocomplete("revision")
    async def audit_undo_choices(
        self, interaction: Interaction, current: str
    ) -> list[app_commands.Choice[int]]:
        if not await is_editor(self.bot, interaction):
            return []  # autocomplete skips the command's checks: offer viewers nothing
        scope = _undo_scope(self.bot, interaction)
        typed = current.strip().lstrip("#")
        wanted = int(typed) if typed.isdigit() and len(typed) < 17 else None
        async with self.bot.database.session() as session:
            found = await recent_revisions(session, scope, including=wanted)
            # Records by label as they read now: one read for all, never one per revision.
            rows = await visible_rows(session, scope, rows_wanted(found))
        return [
            app_commands.Choice(name=label, value=number)
            for label, number in revision_choices(found, current, rows=rows)
        ]


def _undo_scope(bot: Any, interaction: Interaction) -> Scope:
    """The scope whose revisions autocomplete offers: the shared dataset's for an owner who chose
    it, otherwise this server's own."""
    dataset = getattr(interaction.namespace, "dataset", None)
    if dataset == "shared" and bot.is_owner_id(interaction.user.id):
        return Scope.shared()
    return scope_of(interaction)
