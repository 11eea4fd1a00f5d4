"""/admin import and /admin export: records in and out as CSV or JSON files (the CLI's schema).

A mixin of the Admin cog (direct /admin subcommands; `self.bot` is the bot). An import is checked
whole before anything is written, previewed, and applied in one transaction only after Confirm.
Whatever happens once the import has started, its message is finished with the result or the
error: never left at "thinking" or "Importing…".
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
from typing import Any

import discord
from discord import app_commands

from bot.admission import waits_for_person
from bot.cooldowns import ADMIN_EXPORT, ADMIN_IMPORT, per_member
from bot.permissions import require_editor
from bot.render.history import (
    KIND_LABELS,
    import_errors,
    import_preview,
    import_result,
    preview_rows_wanted,
    progress_text,
    size_text,
)
from bot.render.history import (
    export_text as export_message,
)
from bot.tree import error_ref
from bot.views import ConfirmView
from cogs._options import scope_of
from cogs.admin._base import (
    DATASET_HELP,
    AdminMixin,
    DatasetArg,
    actor_name,
    done,
    scope_for_write,
)
from db.errors import DomainError
from db.guild_import import GuildImport, against_shared
from db.labels import visible_rows
from db.models import FIELDS_OF
from db.scope import Actor, Scope
from db.transfer import (
    PROGRESS_EVERY,
    ImportFailed,
    ImportPlan,
    ParsedRecord,
    apply_import,
    detect_format,
    dump,
    export_records,
    parse,
    plan_import,
)

log = logging.getLogger(__name__)
Interaction = discord.Interaction[Any]
MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 10_000
EXPORT_LIMIT = 10 * 1024 * 1024  # Discord's attachment size limit for bots
CONFIRM_TIMEOUT = 120.0  # seconds the Confirm / Cancel buttons wait (tests shorten it)
SHOWN_ERRORS = 20
NONE = discord.AllowedMentions.none()

CHOICE_NAMES = {
    "measure": "Bills",
    "action": "Bill actions",
    "funding_line": "Funding lines",
    "funding_period": "Funding periods",
    "bodycam": "Body cameras",
    "question": "Questions",
    "link": "Links",
    "all": "All kinds",
}
KIND_CHOICES = [app_commands.Choice(name=name, value=kind) for kind, name in CHOICE_NAMES.items()]
assert {c.value for c in KIND_CHOICES} == {*FIELDS_OF, "all"}
FORMAT_CHOICES = [app_commands.Choice(name=fmt.upper(), value=fmt) for fmt in ("csv", "json")]


def where_text(scope: Scope) -> str:
    return "the shared dataset" if scope.is_shared else "this server's records"


def count_rows(data: bytes, fmt: str) -> int | None:
    """How many records a file holds, before validating them (None if it cannot be read)."""
    try:
        text = data.decode("utf-8-sig")
        if fmt == "json":
            records = json.loads(text).get("records")
            return len(records) if isinstance(records, list) else None
        rows = csv.reader(io.StringIO(text, newline=""))
        return sum(1 for cells in rows if any(cells)) - 1
    except (UnicodeDecodeError, ValueError, AttributeError, RecursionError, csv.Error):
        return None  # parse() names the problem


def classify(
    plan: ImportPlan, measured: GuildImport
) -> tuple[list[ParsedRecord], list[tuple[ParsedRecord, dict[str, list[Any]]]], int]:
    """New, changed (a guild's copy of a shared record counts as changed, against the shared
    values) and unchanged records (including shared ones the file repeats as they are)."""
    copies = measured.copies
    created = [r for r in plan.created if r.row not in copies]
    changed = [*plan.changed, *((r, copies[r.row]) for r in plan.created if r.row in copies)]
    changed.sort(key=lambda pair: pair[0].row)
    return created, changed, plan.unchanged + measured.unchanged_shared


async def _read(file: discord.Attachment) -> bytes:
    try:
        data = await file.read()
    except discord.HTTPException as error:
        raise DomainError(
            f"file: could not download {file.filename} from Discord ({error.status}); try again."
        ) from None
    if len(data) > MAX_BYTES:
        raise DomainError(_too_big(file.filename, len(data)))
    return data


def _too_big(filename: str, size: int) -> str:
    return (
        f"file: {filename} is {size_text(size)}; the limit is 2 MB (and 10,000 rows). Split it "
        "into smaller files, for example one kind of record per file."
    )


def _failed(filename: str, what: str) -> str:
    """An unexpected failure, logged under a ref the user can quote."""
    ref = error_ref()
    log.exception("Import of %s failed (ref %s)", filename, ref)
    return (
        f"Something went wrong (ref {ref}) {what} {filename}: nothing was imported. It was "
        "logged; please try again."
    )


async def _finish(interaction: Interaction, text: str) -> None:
    """Replace the import's message (thinking, preview or progress) with its last word."""
    try:
        await interaction.edit_original_response(
            content=text, embeds=[], view=None, allowed_mentions=NONE
        )
    except discord.HTTPException:
        log.warning("Could not finish the import's message", exc_info=True)


async def _show_errors(interaction: Interaction, filename: str, error: ImportFailed) -> None:
    lines = [str(e) for e in error.errors[:SHOWN_ERRORS]]
    await interaction.edit_original_response(
        content=None,
        embeds=[import_errors(filename, lines, error.total)],
        view=None,
        allowed_mentions=NONE,
    )


class TransferCommands(AdminMixin):
    """/admin import <file> [dataset] and /admin export <kind> [format]."""

    bot: Any

    @waits_for_person  # the Confirm button: a person reading the preview holds no command slot
    @app_commands.command(
        name="import", description="Import a CSV or JSON file (preview, then confirm)"
    )
    @per_member(ADMIN_IMPORT)
    @app_commands.describe(
        file="A .csv or .json file like the export (≤ 2 MB, 10,000 rows)",
        dataset=DATASET_HELP,
    )
    async def transfer_import(
        self, interaction: Interaction, file: discord.Attachment, dataset: DatasetArg = "server"
    ) -> None:
        scope = await scope_for_write(interaction, dataset)
        fmt = detect_format(file.filename)
        if file.size > MAX_BYTES:
            raise DomainError(_too_big(file.filename, file.size))
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            await self._preview_then_apply(interaction, scope, dataset, file, fmt)
        except DomainError as error:
            await _finish(interaction, str(error))
        except Exception:
            await _finish(interaction, _failed(file.filename, "while importing"))

    async def _preview_then_apply(
        self,
        interaction: Interaction,
        scope: Scope,
        dataset: str,
        file: discord.Attachment,
        fmt: str,
    ) -> None:
        data = await _read(file)
        rows = await asyncio.to_thread(count_rows, data, fmt)
        if rows is not None and rows > MAX_ROWS:
            raise DomainError(
                f"file: {file.filename} has {rows:,} rows; the limit is {MAX_ROWS:,}. Split it "
                "into smaller files."
            )
        try:
            records = await asyncio.to_thread(parse, data, fmt)
            measured = await against_shared(self.bot.database, scope, records)
            plan = await plan_import(self.bot.database, scope, measured.records)
        except ImportFailed as error:
            await _show_errors(interaction, file.filename, error)
            return
        created, changed, unchanged = classify(plan, measured)
        where = where_text(scope)
        if not created and not changed:
            await interaction.edit_original_response(
                content=f"Nothing to import: all {unchanged:,} records in the file already match "
                f"{where}. Nothing was written.",
                allowed_mentions=NONE,
            )
            return
        view = ConfirmView(interaction.user.id, confirm_label="Import")
        view.timeout = CONFIRM_TIMEOUT
        async with self.bot.database.session() as session:  # the link ends not in the file
            known = await visible_rows(session, scope, preview_rows_wanted(created, changed))
        preview = import_preview(
            file.filename, created, changed, unchanged, where=where, rows=known
        )
        await interaction.edit_original_response(embeds=[preview], view=view, allowed_mentions=NONE)
        await view.wait()
        answer = view.answer
        if view.confirmed is None or answer is None:
            await interaction.edit_original_response(
                content="No answer in time: nothing was imported.",
                embeds=[],
                view=None,
                allowed_mentions=NONE,
            )
            return
        if not view.confirmed:
            await answer.response.edit_message(
                content="Cancelled: nothing was imported.", embeds=[], view=None
            )
            return
        await self._apply(answer, scope, dataset, file.filename, measured)

    async def _apply(
        self,
        answer: Interaction,
        scope: Scope,
        dataset: str,
        filename: str,
        measured: GuildImport,
    ) -> None:
        """Confirmed: check the clicker may still write there, then apply in one transaction."""
        try:
            await scope_for_write(answer, dataset)
        except DomainError as error:
            await answer.response.edit_message(content=str(error), embeds=[], view=None)
            return
        total = len(measured.records)
        await answer.response.edit_message(content=progress_text(0, total), embeds=[], view=None)

        async def progress(done_rows: int, all_rows: int) -> None:
            if done_rows >= all_rows:
                return  # the result replaces it
            try:
                await answer.edit_original_response(content=progress_text(done_rows, all_rows))
            except discord.HTTPException:
                log.warning("Could not show import progress", exc_info=True)

        actor = Actor(actor_name(answer), answer.user.id)
        try:
            plan = await apply_import(
                self.bot.database,
                scope,
                actor,
                measured.records,
                reason=f"/admin import {filename}"[:500],
                progress=progress if total > PROGRESS_EVERY else None,
            )
        except ImportFailed as error:
            await _show_errors(answer, filename, error)
            return
        except Exception:  # one transaction: rolled back, so nothing was written
            await _finish(answer, _failed(filename, "while writing"))
            return
        created, changed, unchanged = classify(plan, measured)
        await answer.edit_original_response(
            content=import_result(
                filename, len(created), len(changed), unchanged, where_text(scope)
            ),
            embeds=[],
            view=None,
            allowed_mentions=NONE,
        )

    @app_commands.command(name="export", description="Download records as a CSV or JSON file")
    @per_member(ADMIN_EXPORT)
    @app_commands.describe(kind="Which records", format="csv (default) or json")
    @app_commands.choices(kind=KIND_CHOICES, format=FORMAT_CHOICES)
    async def transfer_export(
        self, interaction: Interaction, kind: str, format: str = "csv"
    ) -> None:
        await require_editor(self.bot, interaction)
        scope = scope_of(interaction)
        await interaction.response.defer(ephemeral=True, thinking=True)
        kinds = list(FIELDS_OF) if kind == "all" else [kind]
        text = await export_records(self.bot.database, scope, kinds=kinds, fmt="json")
        records = [(r.pop("kind"), r) for r in json.loads(text)["records"]]
        if format == "csv":
            text = dump(records, "csv", kinds=kinds)
        data = text.encode("utf-8-sig" if format == "csv" else "utf-8")
        label = KIND_LABELS.get(kind, "Everything")
        limit = min(interaction.filesize_limit or EXPORT_LIMIT, EXPORT_LIMIT)
        if len(data) > limit:
            await done(
                interaction,
                f"{label} as {format.upper()} would be {size_text(len(data))}, over Discord's "
                f"{size_text(limit)} limit for a file. Export one kind at a time (kind: Body "
                "cameras, Oversight questions …), or use the command line export.",
            )
            return
        today = self.bot.database.today().isoformat()
        file = discord.File(io.BytesIO(data), filename=f"oversight-desk-{kind}-{today}.{format}")
        await interaction.followup.send(
            export_message(label, len(records), format, len(data), "this server"),
            file=file,
            ephemeral=True,
            allowed_mentions=NONE,
        )
