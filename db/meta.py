"""Small facts the program keeps about itself, such as the hash of the last synced command tree."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from db.engine import Database
from db.models import Meta


async def get_meta(database: Database, name: str) -> str | None:
    async with database.session() as session:
        row = await session.get(Meta, name)
        return row.value if row is not None else None


async def set_meta(database: Database, name: str, value: str) -> None:
    """Insert or replace in one statement: two processes setting a new name at once both
    succeed (a read-then-insert would fail the second with a duplicate key)."""
    insert = postgresql.insert if database.dialect == "postgresql" else sqlite.insert
    statement = insert(Meta).values(name=name, value=value)
    statement = statement.on_conflict_do_update(
        index_elements=[Meta.name], set_={"value": statement.excluded.value}
    )
    async with database.transaction() as session:
        await session.execute(statement)
