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
    assert await migrations.current_revision(db.engine) == "0006"


async def test_a_deleted_records_id_is_never_reused(db: Database) -> None:
    """After the newest record is deleted, the next one gets a new id, so histories never mix."""
    from db.history import history
    from db.scope import Actor, Scope

    values = {"city": "Boston", "state": "MA", "component": "ICE-ERO", "status": "partial",
              "as_of": "2026-11-01"}  # fmt: skip
    async with db.writer(Scope.shared(), Actor("t")) as writer:
        boston = await writer.create("bodycam", values)
    async with db.writer(Scope.shared(), Actor("t")) as writer:
        await writer.delete(await writer.find("bodycam", boston.key))
    async with db.writer(Scope.shared(), Actor("t")) as writer:
        denver = await writer.create("bodycam", {**values, "city": "Denver", "state": "CO"})
    assert denver.id != boston.id
    async with db.session() as session:
        revisions = await history(session, Scope.shared(), "bodycam", denver.key)
    assert [r.action for r in revisions] == ["create"]
