"""initial schema

Revision ID: 0001
Revises:
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "followed_offsets",
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("partition", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_offset", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("topic", "partition"),
    )
    op.create_table(
        "known_participants",
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("profile", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("participant_id"),
    )
    op.create_table(
        "outbox",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("correlation_id", sa.String(length=100), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("event_id"),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_unpublished",
            ["id"],
            unique=False,
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )

    op.create_table(
        "permits",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("permit_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("permit_type", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("permit_number", sa.String(length=100), nullable=True),
        sa.Column("issued_on", sa.Date(), nullable=True),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("permit_id"),
        sa.UniqueConstraint("permit_type", "permit_number", name="uq_permits_type_number"),
    )
    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.create_index("ix_permits_participant_seq", ["participant_id", "seq"], unique=False)
        batch_op.create_index("ix_permits_status_seq", ["status", "seq"], unique=False)
        batch_op.create_index(
            "ux_permits_one_active_nib",
            ["participant_id"],
            unique=True,
            sqlite_where=sa.text("permit_type = 'NIB' AND status <> 'rejected'"),
            postgresql_where=sa.text("permit_type = 'NIB' AND status <> 'rejected'"),
        )


def downgrade() -> None:

    with op.batch_alter_table("permits", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_permits_one_active_nib",
            sqlite_where=sa.text("permit_type = 'NIB' AND status <> 'rejected'"),
            postgresql_where=sa.text("permit_type = 'NIB' AND status <> 'rejected'"),
        )
        batch_op.drop_index("ix_permits_status_seq")
        batch_op.drop_index("ix_permits_participant_seq")

    op.drop_table("permits")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbox_unpublished",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )

    op.drop_table("outbox")
    op.drop_table("known_participants")
    op.drop_table("followed_offsets")
