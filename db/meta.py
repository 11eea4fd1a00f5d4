"""Small facts the program keeps about itself, such as the hash of the last synced command tree."""

from __future__ import annotations

from db.engine import Database
from db.models import Meta


async def get_meta(database: Database, name: str) -> str | None:
    async with database.session() as session:
        row = await session.get(Meta, name)
        return row.value if row is not None else None


async def set_meta(database: Database, name: str, value: str) -> None:
    async with database.transaction() as session:
        row = await session.get(Meta, name)
        if row is None:
            session.add(Meta(name=name, value=value))
        else:
            row.value = value
