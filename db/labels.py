"""The rows that name many records at once, for lists that show records by label (undo's
autocomplete): read together, never one query per record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.models import RECORD_TABLES
from db.scope import Scope, visible


async def visible_rows(
    session: AsyncSession, scope: Scope, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], Any]:
    """The row the scope sees (its own version first) for each wanted (kind, key) that exists,
    by (kind, key). One query per kind asked for, however many records."""
    keys: dict[str, set[str]] = {}
    for kind, key in wanted:
        if kind in RECORD_TABLES:
            keys.setdefault(kind, set()).add(key)
    found: dict[tuple[str, str], Any] = {}
    for kind, kind_keys in sorted(keys.items()):
        table: Any = RECORD_TABLES[kind]
        rows = await session.execute(visible(table, scope).where(table.key.in_(kind_keys)))
        found.update(((kind, row.key), row) for row in rows.scalars())
    return found
