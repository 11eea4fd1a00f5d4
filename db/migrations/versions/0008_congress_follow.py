"""congress follow: the bills the Congress.gov sync follows, with what it last saw of each

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # the submodule autogenerate refers to (AutoString)
from alembic import op

import db.types

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "congress_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("congress", sa.Integer(), nullable=False),
        sa.Column("bill_type", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("source", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("followed_by", sa.BigInteger(), nullable=True),
        sa.Column("followed_at", db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("update_date", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("synced_at", db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("congress", "bill_type", "number", name="uq_congress_follow_bill"),
        sqlite_autoincrement=True,
    )


def downgrade() -> None:
    op.drop_table("congress_follow")
