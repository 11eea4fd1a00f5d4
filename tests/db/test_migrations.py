"""Migrations: the migrated schema is exactly what the models describe, on every backend."""

from __future__ import annotations

import asyncio

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

from db import migrations
from db.engine import Database
from db.meta import get_meta, set_meta
from db.models import KeyCounter
from db.scope import Scope
from tests.conftest import postgres_engine


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
    assert await migrations.current_revision(db.engine) == "0011"


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


def _downgrade(connection: Connection, revision: str) -> None:
    command.downgrade(migrations.alembic_config(connection), revision)


async def test_key_counters_start_after_the_highest_existing_question(db: Database) -> None:
    """Upgrading from 0006 starts each scope's question counter at its highest id: OQ-10 in the
    shared dataset, GQ-4 in a guild (its copy of OQ-12 and an imported 'Q-99' do not count);
    the next ids are OQ-11 and GQ-5. Downgrading drops the counters again."""
    from db.oversight import add_question
    from tests.db.records import EDITOR, SHARED, add, question

    guild = Scope.guild(7)
    for key in ("OQ-3", "OQ-10", "Q-99"):
        await add(db, "question", question(key=key))
    for key in ("GQ-4", "OQ-12"):
        await add(db, "question", question(key=key), scope=guild)
    try:
        async with db.engine.begin() as connection:
            await connection.run_sync(_downgrade, "0006")
        async with db.engine.connect() as connection:
            assert "key_counter" not in await connection.run_sync(_indexes)
        await migrations.upgrade(db.engine)
    finally:
        await migrations.upgrade(db.engine)  # leave the shared PostgreSQL schema at head
    async with db.session() as session:
        counters = (await session.execute(select(KeyCounter))).scalars().all()
    assert {(c.scope, c.name, c.value) for c in counters} == {(0, "question", 10),
                                                              (7, "question", 4)}  # fmt: skip
    for scope, expected in ((SHARED, "OQ-11"), (guild, "GQ-5")):
        async with db.writer(scope, EDITOR) as writer:
            assert (await add_question(writer, question())).key == expected


@pytest.mark.postgres
async def test_processes_starting_at_once_on_postgresql_migrate_once(
    postgres_schema: str,
) -> None:
    """Four processes (engines) upgrade one empty schema at the same moment, as shards starting
    together do: all succeed, the schema is at head once, and they all record the same command
    tree hash without a duplicate-key error."""
    schema = f"{postgres_schema}_fresh"
    admin = postgres_engine(postgres_schema)
    async with admin.begin() as connection:
        await connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    databases = [Database(postgres_engine(schema)) for _ in range(4)]
    try:
        await asyncio.gather(*(migrations.upgrade(d.engine) for d in databases))
        assert {await migrations.current_revision(d.engine) for d in databases} == {
            migrations.newest_revision()
        }
        await asyncio.gather(*(set_meta(d, "tree-hash", f"h{n}") for n, d in enumerate(databases)))
        assert await get_meta(databases[0], "tree-hash") in {"h0", "h1", "h2", "h3"}
    finally:
        for database in databases:
            await database.close()
        async with admin.begin() as connection:
            await connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def test_set_meta_inserts_then_replaces(db: Database) -> None:
    await set_meta(db, "k", "one")
    await set_meta(db, "k", "two")
    assert await get_meta(db, "k") == "two"
