"""key counters: question ids come from a counter per scope, never max+1

Backfills each scope's counter from the highest question number it holds (OQ-n in the shared
dataset, GQ-n in a guild), so the next id follows on from what exists.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # the submodule autogenerate refers to (AutoString)
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept here rather than imported: a migration must not change when the app's code does.
SHARED_SCOPE = 0
SERIES = "question"


def _highest_numbers(connection: sa.Connection) -> dict[int, int]:
    """Scope → the highest question number it holds, in any spelling ('oq-7' counts as OQ-7)."""
    rows = connection.execute(sa.text("SELECT guild_id, key FROM question"))
    highest: dict[int, int] = {}
    for guild_id, key in rows:
        prefix, scope = ("OQ", SHARED_SCOPE) if guild_id is None else ("GQ", guild_id)
        if match := re.fullmatch(rf"{prefix}[\s_-]*([0-9]+)", key.strip(), re.IGNORECASE):
            highest[scope] = max(highest.get(scope, 0), int(match.group(1)))
    return highest


def upgrade() -> None:
    counters = op.create_table(
        "key_counter",
        sa.Column("scope", sa.BigInteger(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "name"),
    )
    highest = _highest_numbers(op.get_bind())
    if highest:
        op.bulk_insert(
            counters,
            [{"scope": scope, "name": SERIES, "value": n} for scope, n in sorted(highest.items())],
        )


def downgrade() -> None:
    op.drop_table("key_counter")
