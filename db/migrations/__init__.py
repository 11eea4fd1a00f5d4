"""Alembic migrations, run in-process on the application's own engine (no alembic.ini)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

HERE = Path(__file__).parent
# Several bot processes (shards) starting at once on one PostgreSQL database: the first upgrades,
# the others wait for its commit and then find the schema current. SQLite's BEGIN serialises.
_PG_UPGRADE_LOCK = 0x0D5C_A1E3


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection, revision: str) -> None:
    command.upgrade(alembic_config(connection), revision)


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the schema to `revision` in one transaction."""
    async with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_UPGRADE_LOCK}
            )
        await connection.run_sync(_upgrade, revision)


def _current(connection: Connection) -> Any:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    async with engine.connect() as connection:
        return await connection.run_sync(_current)


def known_revisions() -> list[str]:
    """Every revision the migration scripts define, oldest first (read from the scripts, so a new
    migration is known without editing anything here)."""
    scripts = ScriptDirectory.from_config(alembic_config())
    return [script.revision for script in reversed(list(scripts.walk_revisions()))]


def newest_revision() -> str:
    """The head revision: what `upgrade` brings a database to."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head() or ""
