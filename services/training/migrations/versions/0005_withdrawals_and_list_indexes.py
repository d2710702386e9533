"""withdrawals: an enrolment records when, by whom and why it was withdrawn; indexes for the class list and
the roster

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.create_index("ix_classes_starts_on", ["starts_on", "class_id"], unique=False)

    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("withdrawal_reason", sa.String(length=500), nullable=True))
        batch_op.create_index(
            "ix_enrollments_roster", ["class_id", "enrolled_on", "participant_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrollments_roster")
        batch_op.drop_column("withdrawal_reason")
        batch_op.drop_column("withdrawn_by")
        batch_op.drop_column("withdrawn_on")

    with op.batch_alter_table("classes", schema=None) as batch_op:
        batch_op.drop_index("ix_classes_starts_on")
