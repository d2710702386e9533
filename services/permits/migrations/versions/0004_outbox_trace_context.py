"""outbox: trace_context column (the request's trace continues in the consumer) and a pruning index

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

from shared.outbox.migration import add_trace_context_and_prune_index, drop_trace_context_and_prune_index

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    add_trace_context_and_prune_index()


def downgrade() -> None:
    drop_trace_context_and_prune_index()
