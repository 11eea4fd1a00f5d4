"""Migrations: the migrated schema is exactly what the models describe, on every backend."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from db import migrations
from db.engine import Database


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, SQLModel.metadata))


def _indexes(connection: Connection) -> dict[str, set[str]]:
    inspector = inspect(connection)
    return {t: {i["name"] for i in inspector.get_indexes(t)} for t in inspector.get_table_names()}


async def test_migrated_schema_equals_models(db: Database) -> None:
    """After `db upgrade`, autogenerate finds nothing to change: migrations and models agree."""
    async with db.engine.connect() as connection:
        assert await connection.run_sync(_differences) == []


async def test_scope_unique_indexes_exist(db: Database) -> None:
    """Each record table carries the two partial unique indexes that keep keys unique per scope."""
    async with db.engine.connect() as connection:
        indexes = await connection.run_sync(_indexes)
    for table in ("measure", "measure_action", "funding_line", "funding_period", "bodycam"):
        assert {f"uq_{table}_shared_key", f"uq_{table}_guild_key"} <= indexes[table]


async def test_upgrade_is_idempotent(db: Database) -> None:
    """Upgrading an up-to-date database does nothing and stays at head."""
    await migrations.upgrade(db.engine)
    assert await migrations.current_revision(db.engine) == "0002"
