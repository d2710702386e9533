"""work list: an index for applications still applied, oldest first

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.create_index("ix_permits_waiting", ["status", "applied_on", "permit_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.drop_index("ix_permits_waiting")
