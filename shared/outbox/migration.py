"""Alembic operations on the outbox table that every producing service runs in its own migration."""

import sqlalchemy as sa
from alembic import op

_PRUNE_INDEX = "ix_outbox_published_at"


def add_trace_context_and_prune_index() -> None:
    """The request's W3C trace context kept with each row, and an index for pruning published rows."""
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("trace_context", sa.Text(), nullable=True))
    op.create_index(
        _PRUNE_INDEX,
        "outbox",
        ["published_at"],
        postgresql_where=sa.text("published_at IS NOT NULL"),
        sqlite_where=sa.text("published_at IS NOT NULL"),
    )


def drop_trace_context_and_prune_index() -> None:
    op.drop_index(_PRUNE_INDEX, table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("trace_context")
