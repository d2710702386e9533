"""corrections: completions become rows of their own that can be voided; placements can be voided; the
correction log

A completion used to be a date on its enrolment. Now a voided completion is kept beside the one recorded
again, so completions move to their own table, unique per enrolment among those not voided.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
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
        "completions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("class_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.String(length=100), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_id", "participant_id"],
            ["enrollments.class_id", "enrollments.participant_id"],
            name="fk_completions_enrollment",
        ),
        sa.PrimaryKeyConstraint("seq"),
    )
    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.create_index("ix_completions_participant", ["participant_id"], unique=False)
        batch_op.create_index(
            "ux_completions_one_live",
            ["class_id", "participant_id"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )

    op.execute(
        "INSERT INTO completions (class_id, participant_id, completed_on) "
        "SELECT class_id, participant_id, completed_on FROM enrollments WHERE completed_on IS NOT NULL"
    )
    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.drop_column("completed_on")

    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("voided_by", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("void_reason", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("placements", schema=None) as batch_op:
        batch_op.drop_column("void_reason")
        batch_op.drop_column("voided_by")
        batch_op.drop_column("voided_at")

    with op.batch_alter_table("enrollments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("completed_on", sa.Date(), nullable=True))
    # Only completions that stand go back onto their enrolment: the old schema cannot keep voided ones.
    op.execute(
        "UPDATE enrollments SET completed_on = (SELECT c.completed_on FROM completions c "
        "WHERE c.class_id = enrollments.class_id AND c.participant_id = enrollments.participant_id "
        "AND c.voided_at IS NULL)"
    )

    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_completions_one_live",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.drop_index("ix_completions_participant")

    op.drop_table("completions")
    with op.batch_alter_table("correction_log", schema=None) as batch_op:
        batch_op.drop_index("ix_correction_log_fact")

    op.drop_table("correction_log")
