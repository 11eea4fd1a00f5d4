"""Which roles may edit a guild's records, besides members with Manage Server."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlmodel import col

from db.engine import Database
from db.models import EditorRole


async def editor_roles(database: Database, guild_id: int) -> set[int]:
    async with database.session() as session:
        query = select(col(EditorRole.role_id)).where(col(EditorRole.guild_id) == guild_id)
        return set((await session.execute(query)).scalars())


async def add_editor_role(database: Database, guild_id: int, role_id: int, added_by: int) -> bool:
    """True if added, False if the role already was an editor role."""
    async with database.transaction() as session:
        if await session.get(EditorRole, (guild_id, role_id)) is not None:
            return False
        session.add(
            EditorRole(
                guild_id=guild_id, role_id=role_id, added_by=added_by, added_at=database.clock.now()
            )
        )
        return True


async def remove_editor_role(database: Database, guild_id: int, role_id: int) -> bool:
    """True if removed, False if it was not an editor role."""
    async with database.transaction() as session:
        result = await session.execute(
            delete(EditorRole).where(
                col(EditorRole.guild_id) == guild_id, col(EditorRole.role_id) == role_id
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]  # a DML statement returns a CursorResult
