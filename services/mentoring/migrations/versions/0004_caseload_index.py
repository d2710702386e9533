"""caseload: an index for a mentor's participants and their latest session

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("mentoring_sessions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_sessions_caseload", ["mentor_id", "participant_id", "held_on"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("mentoring_sessions", schema=None) as batch_op:
        batch_op.drop_index("ix_sessions_caseload")
