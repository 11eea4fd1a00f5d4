"""Edits that apply to a record of any kind: add a source, set the confidence, delete it.

Each runs inside the caller's writer (one transaction) through Writer.change/remove, so it locks
the record, writes nothing when nothing changes, gives a guild changing a shared record its own
copy, and returns a db.changes.Change.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.changes import SHARED_DELETE, Change, Writer
from db.errors import Duplicate, InvalidInput, ScopeError, options_named
from db.models import Confidence, SourceRef
from db.scope import Scope, get_visible
from db.sources import MAX_SOURCES, same_source


async def add_source(
    writer: Writer, kind: str, key: str, source: SourceRef, *, expected_version: int | None = None
) -> Change:
    """Append a source; one already listed (the same address, however spelled) is refused."""
    row = await writer.load(kind, key, expected_version=expected_version)
    if any(same_source(old, source) for old in row.sources or []):
        raise Duplicate(
            f"That address is already listed among the sources of {row.key}; nothing changed."
        )
    if len(row.sources or []) >= MAX_SOURCES:
        raise InvalidInput.one(
            "url", f"a record keeps at most {MAX_SOURCES} sources; this one has {len(row.sources)}"
        )
    return await writer.change(kind, row.key, {}, source=source)


async def set_confidence(
    writer: Writer, kind: str, key: str, level: str, reason: str | None = None
) -> Change:
    """Set how sure the record is; 'disputed' needs the reason (what conflicts). The reason is
    kept as the confidence note, which a new level without a reason clears."""
    if level not in {c.value for c in Confidence}:
        raise InvalidInput.one("level", "must be 'confirmed', 'reported' or 'disputed'")
    if level == Confidence.disputed and not (reason and reason.strip()):
        raise InvalidInput.one("reason", "say what conflicts when the level is 'disputed'")
    changes = {"confidence": level, "confidence_note": reason}
    with options_named({"confidence_note": "reason", "confidence": "level"}):
        return await writer.change(kind, key, changes)


async def deletable(session: AsyncSession, scope: Scope, kind: str, key: str) -> Any:
    """The record the scope sees under `key`, if the scope may delete it (its own)."""
    row = await get_visible(session, scope, kind, key)
    if row.guild_id != scope.guild_id:
        raise ScopeError(SHARED_DELETE.format(key=row.key))
    return row


async def delete_record(
    writer: Writer, kind: str, key: str, *, expected_version: int | None = None
) -> Change:
    """Delete the scope's own record (see Writer.remove)."""
    return await writer.remove(kind, key, expected_version=expected_version)
