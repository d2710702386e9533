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
        "correction_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("fact_type", sa.String(length=50), nullable=False),
        sa.Column("fact_id", sa.String(length=80), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("previous_on", sa.Date(), nullable=False),
        sa.Column("new_on", sa.Date(), nullable=True),
        sa.Column("by", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("correction_log", schema=None) as batch_op:
        batch_op.create_index("ix_correction_log_fact", ["fact_type", "fact_id"], unique=False)

    op.create_table(
        "financial_reports",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("report_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("period_end", sa.Date(), nullable=False),
        sa.Column("submitted_on", sa.Date(), nullable=False),
        sa.Column("revenue", sa.BigInteger(), nullable=False),
        sa.Column("expenses", sa.BigInteger(), nullable=False),
        sa.Column("employees", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.String(length=100), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("report_id"),
    )
    with op.batch_alter_table("financial_reports", schema=None) as batch_op:
        batch_op.create_index("ix_financial_reports_participant_seq", ["participant_id", "seq"], unique=False)
        batch_op.create_index(
            "ux_financial_reports_one_live_per_period",
            ["participant_id", "period_start", "period_end"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )

    op.create_table(
        "financing_applications",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("lender", sa.String(length=100), nullable=False),
        sa.Column("product", sa.String(length=30), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("applied_on", sa.Date(), nullable=False),
        sa.Column("approved_amount", sa.BigInteger(), nullable=True),
        sa.Column("approved_on", sa.Date(), nullable=True),
        sa.Column("rejected_on", sa.Date(), nullable=True),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("application_id"),
    )
    with op.batch_alter_table("financing_applications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_financing_applications_participant_seq", ["participant_id", "seq"], unique=False
        )
        batch_op.create_index("ix_financing_applications_status_seq", ["status", "seq"], unique=False)

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
        "financing_disbursements",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("disbursement_id", sa.String(length=36), nullable=False),
        sa.Column("application_id", sa.String(length=36), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
        sa.Column("disbursed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.String(length=100), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["financing_applications.application_id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("disbursement_id"),
    )
    with op.batch_alter_table("financing_disbursements", schema=None) as batch_op:
        batch_op.create_index(
            "ix_financing_disbursements_application_seq", ["application_id", "seq"], unique=False
        )
        batch_op.create_index(
            "ux_financing_disbursements_one_live",
            ["application_id"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("financing_disbursements", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_financing_disbursements_one_live",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.drop_index("ix_financing_disbursements_application_seq")

    op.drop_table("financing_disbursements")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbox_unpublished",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )

    op.drop_table("outbox")
    op.drop_table("known_participants")
    op.drop_table("followed_offsets")
    with op.batch_alter_table("financing_applications", schema=None) as batch_op:
        batch_op.drop_index("ix_financing_applications_status_seq")
        batch_op.drop_index("ix_financing_applications_participant_seq")

    op.drop_table("financing_applications")
    with op.batch_alter_table("financial_reports", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_financial_reports_one_live_per_period",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.drop_index("ix_financial_reports_participant_seq")

    op.drop_table("financial_reports")
    with op.batch_alter_table("correction_log", schema=None) as batch_op:
        batch_op.drop_index("ix_correction_log_fact")

    op.drop_table("correction_log")
