"""calendar events: deadlines as each guild's Discord scheduled events

`calendar_events` is a guild's setting (on/off, paused and why, the sync's lease and last run);
`guild_event` is one deadline as one scheduled event, written before and after each Discord call.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # the submodule autogenerate refers to (AutoString)
from alembic import op

import db.types

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("paused_reason", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("updated_by", sa.BigInteger(), nullable=True),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("synced_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("held_back", sa.Integer(), nullable=False),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("retry_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("lease_until", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("guild_id"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "guild_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("guild_id", sa.BigInteger(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("discord_event_id", sa.BigInteger(), nullable=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("description_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("state", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("updated_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("guild_id", "uid", name="uq_guild_event_uid"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("guild_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_guild_event_guild_id"), ["guild_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("guild_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guild_event_guild_id"))
    op.drop_table("guild_event")
    op.drop_table("calendar_events")
