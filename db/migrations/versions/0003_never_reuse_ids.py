"""never reuse ids on SQLite

SQLite hands a deleted newest row's id to the next insert unless the table is AUTOINCREMENT;
revisions are grouped by record id, so a reused id would mix two records' histories. PostgreSQL
sequences never reuse ids: nothing to do there.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "measure",
    "measure_action",
    "funding_line",
    "funding_period",
    "bodycam",
    "question",
    "record_link",
    "revision",
)


def _recreate(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    _recreate(True)


def downgrade() -> None:
    _recreate(False)
