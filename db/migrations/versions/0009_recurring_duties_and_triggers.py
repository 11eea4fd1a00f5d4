"""question deadlines: recurring duties (every N months from a first due date) and trigger dates

A trigger date is a condition the law sets (hearings held before July 1 count), not a deadline;
a recurring duty's due date is the next report not yet received.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel.sql.sqltypes  # the submodule autogenerate refers to (AutoString)
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(sa.Column("repeat_months", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("first_due_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("trigger_date", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column("trigger_note", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("trigger_note")
        batch_op.drop_column("trigger_date")
        batch_op.drop_column("first_due_date")
        batch_op.drop_column("repeat_months")
