"""Edits as an editor means them: change the record I see, or create it if there is none."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.changes import Writer, validate
from db.errors import NotFound
from db.models import RECORD_TABLES
from db.scope import Scope, visible


async def find_visible(session: AsyncSession, scope: Scope, kind: str, key: str) -> Any | None:
    """The record of `kind` with `key` the scope sees (its own version first)."""
    table: Any = RECORD_TABLES[kind]
    query = visible(table, scope).where(table.key == key)
    return (await session.execute(query)).scalar_one_or_none()


async def get_visible(session: AsyncSession, scope: Scope, kind: str, key: str) -> Any:
    record = await find_visible(session, scope, kind, key)
    if record is None:
        raise NotFound(f"No {kind.replace('_', ' ')} '{key}' here.")
    return record


async def set_record(
    writer: Writer, kind: str, values: Mapping[str, Any], *, key: str | None = None
) -> tuple[Any, str]:
    """Create the record, or change the one the writer's scope sees under the same key (a guild
    changing a shared record gets its own copy). Returns the row and 'created', 'updated',
    'copied' or 'unchanged'."""
    key = key or validate(kind, {**values}).key
    existing = await find_visible(writer.session, writer.scope, kind, key)
    if existing is None:
        return await writer.create(kind, values), "created"
    copied = existing.guild_id is None and writer.scope.guild_id is not None
    row, changed = await writer.edit(existing, values)
    if not changed:
        return row, "unchanged"
    return row, "copied" if copied else "updated"


async def change_record(
    writer: Writer, kind: str, key: str, changes: Mapping[str, Any]
) -> tuple[Any, str]:
    """Change fields of an existing visible record (NotFound if there is none)."""
    existing = await get_visible(writer.session, writer.scope, kind, key)
    copied = existing.guild_id is None and writer.scope.guild_id is not None
    row, changed = await writer.edit(existing, changes)
    if not changed:
        return row, "unchanged"
    return row, "copied" if copied else "updated"
