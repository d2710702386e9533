"""name words in registration order: each word row carries its participant's seq, indexed with the digest

A name search pages in registration order. Found through (digest, participant_id), a common word ("siti",
one participant in forty) made PostgreSQL walk the participants in seq order probing each one's words:
~100 ms a page at 100,000 participants. Through (digest, seq) a page reads its rows from the index in
order and stops (docs/benchmarks.md, officers' reads).

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("participant_name_words") as table:
        table.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE participant_name_words SET seq = (SELECT p.seq FROM participants p "
        "WHERE p.participant_id = participant_name_words.participant_id)"
    )
    with op.batch_alter_table("participant_name_words") as table:
        table.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        table.drop_index("ix_participant_name_words_word")
        table.create_index("ix_participant_name_words_word_seq", ["word_digest", "seq"])


def downgrade() -> None:
    with op.batch_alter_table("participant_name_words") as table:
        table.drop_index("ix_participant_name_words_word_seq")
        table.create_index("ix_participant_name_words_word", ["word_digest", "participant_id"])
        table.drop_column("seq")
