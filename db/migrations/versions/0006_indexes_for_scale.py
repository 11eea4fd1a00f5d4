"""indexes for scale: open questions by due date, revisions by action and time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 05:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_question_status_due", "question", ["status", "due_date"], unique=False)
    op.create_index(
        "ix_revision_action_recorded", "revision", ["action", "recorded_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_revision_action_recorded", table_name="revision")
    op.drop_index("ix_question_status_due", table_name="question")
