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
        "exhibitions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("exhibition_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("scope", sa.String(length=20), nullable=False),
        sa.Column("venue", sa.String(length=200), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("exhibition_id"),
    )
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
        "products",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=True),
        sa.Column("registered_on", sa.Date(), nullable=False),
        sa.Column("curation_level", sa.String(length=10), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("product_id"),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index("ix_products_participant_seq", ["participant_id", "seq"], unique=False)

    op.create_table(
        "curations",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("curation_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("level", sa.String(length=10), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("criteria", sa.JSON(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("curated_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.product_id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("curation_id"),
    )
    with op.batch_alter_table("curations", schema=None) as batch_op:
        batch_op.create_index("ix_curations_product_seq", ["product_id", "seq"], unique=False)

    op.create_table(
        "eorder_listings",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("listing_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("listed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.product_id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("listing_id"),
        sa.UniqueConstraint("product_id"),
    )
    op.create_table(
        "showcases",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("showcase_id", sa.String(length=36), nullable=False),
        sa.Column("exhibition_id", sa.String(length=36), nullable=False),
        sa.Column("product_id", sa.String(length=36), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("shown_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("voided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("voided_by", sa.String(length=100), nullable=True),
        sa.Column("void_reason", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["exhibition_id"],
            ["exhibitions.exhibition_id"],
        ),
        sa.ForeignKeyConstraint(
            ["product_id"],
            ["products.product_id"],
        ),
        sa.PrimaryKeyConstraint("seq"),
        sa.UniqueConstraint("showcase_id"),
    )
    with op.batch_alter_table("showcases", schema=None) as batch_op:
        batch_op.create_index("ix_showcases_exhibition_seq", ["exhibition_id", "seq"], unique=False)
        batch_op.create_index("ix_showcases_product_seq", ["product_id", "seq"], unique=False)
        batch_op.create_index(
            "ux_showcases_one_per_exhibition",
            ["exhibition_id", "product_id"],
            unique=True,
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("showcases", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_showcases_one_per_exhibition",
            sqlite_where=sa.text("voided_at IS NULL"),
            postgresql_where=sa.text("voided_at IS NULL"),
        )
        batch_op.drop_index("ix_showcases_product_seq")
        batch_op.drop_index("ix_showcases_exhibition_seq")

    op.drop_table("showcases")
    op.drop_table("eorder_listings")
    with op.batch_alter_table("curations", schema=None) as batch_op:
        batch_op.drop_index("ix_curations_product_seq")

    op.drop_table("curations")
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.drop_index("ix_products_participant_seq")

    op.drop_table("products")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_outbox_unpublished",
            postgresql_where=sa.text("published_at IS NULL"),
            sqlite_where=sa.text("published_at IS NULL"),
        )

    op.drop_table("outbox")
    op.drop_table("known_participants")
    op.drop_table("followed_offsets")
    op.drop_table("exhibitions")
    with op.batch_alter_table("correction_log", schema=None) as batch_op:
        batch_op.drop_index("ix_correction_log_fact")

    op.drop_table("correction_log")
