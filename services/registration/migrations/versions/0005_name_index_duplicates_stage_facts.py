"""officers' work: a blind index of names, dismissed duplicates, stage facts followed, edits in the audit

- `participant_name_words` (a keyed digest per normalised word of each name) and `participants.name_digest`
  (of the whole normalised name, indexed with the birth date): names found without decrypting them. Existing
  rows are indexed here: each name is decrypted with the service's own key (REGISTRATION_PII_*, read alone
  as in 0002), a chunk at a time; erased rows have no name to index.
- `duplicate_dismissals`: pairs an officer found to be two people.
- `stage_facts` and `followed_offsets`: each participant's stage facts, followed from the stage topics
  (read from their beginning on first start), so `registered_on` never moves after the earliest.
- `audit_log.changes`: what an edit changed. Added in place (no table copy), so the append-only triggers
  of 0003 stay.

Revision ID: 0005
Revises: 0004
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.registration.adapters.name_index import name_index
from services.registration.settings import PersonalDataSettings
from shared.personal_data import PersonalDataKeys

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000


def upgrade() -> None:
    op.create_table(
        "participant_name_words",
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("word_digest", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("participant_id", "word_digest"),
    )
    op.create_index(
        "ix_participant_name_words_word", "participant_name_words", ["word_digest", "participant_id"]
    )
    op.add_column("participants", sa.Column("name_digest", sa.String(length=64), nullable=True))
    op.create_index("ix_participants_name_birth", "participants", ["name_digest", "birth_date"])
    op.create_table(
        "duplicate_dismissals",
        sa.Column("first_id", sa.String(length=36), nullable=False),
        sa.Column("second_id", sa.String(length=36), nullable=False),
        sa.Column("dismissed_by", sa.String(length=200), nullable=False),
        sa.Column("dismissed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("first_id", "second_id"),
    )
    op.create_table(
        "stage_facts",
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("fact_key", sa.String(length=150), nullable=False),
        sa.Column("fact_on", sa.Date(), nullable=False),
        sa.Column("voided", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("participant_id", "fact_key"),
    )
    op.create_table(
        "followed_offsets",
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("partition", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_offset", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("topic", "partition"),
    )
    op.add_column("audit_log", sa.Column("changes", sa.Text(), nullable=True))
    _index_existing_names()


def downgrade() -> None:
    # SQLite drops a column in place (3.35+), so audit_log keeps its triggers.
    op.drop_column("audit_log", "changes")
    op.drop_table("followed_offsets")
    op.drop_table("stage_facts")
    op.drop_table("duplicate_dismissals")
    op.drop_index("ix_participants_name_birth", table_name="participants")
    op.drop_column("participants", "name_digest")
    op.drop_index("ix_participant_name_words_word", table_name="participant_name_words")
    op.drop_table("participant_name_words")


def _index_existing_names() -> None:
    """Digests of every stored name, a chunk of rows at a time (memory stays flat)."""
    participants = sa.table(
        "participants",
        sa.column("seq"),
        sa.column("participant_id"),
        sa.column("full_name_encrypted"),
        sa.column("name_digest"),
    )
    words = sa.table("participant_name_words", sa.column("participant_id"), sa.column("word_digest"))
    set_digest = (
        participants.update()
        .where(participants.c.seq == sa.bindparam("_seq"))
        .values(name_digest=sa.bindparam("_digest"))
    )
    conn = op.get_bind()
    keys: PersonalDataKeys | None = None  # read only when a row needs them: an empty database needs none
    last = 0
    while rows := conn.execute(
        sa.select(participants.c.seq, participants.c.participant_id, participants.c.full_name_encrypted)
        .where(participants.c.seq > last, participants.c.full_name_encrypted.is_not(None))
        .order_by(participants.c.seq)
        .limit(CHUNK)
    ).all():
        keys = keys or PersonalDataSettings().personal_data
        index = name_index(keys)
        names = [(row, keys.decrypt(row.full_name_encrypted)) for row in rows]
        conn.execute(
            set_digest, [{"_seq": row.seq, "_digest": index.name_digest(name)} for row, name in names]
        )
        found = [
            {"participant_id": row.participant_id, "word_digest": digest}
            for row, name in names
            for digest in index.word_digests(name)
        ]
        if found:
            conn.execute(words.insert(), found)
        last = rows[-1].seq
