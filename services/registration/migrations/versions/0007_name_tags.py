"""name tags: the masked NIK and the name in one encrypted token, what a list of names shows

`POST /participants/resolve` decrypted two tokens a participant (the name, and the whole NIK only to mask
it): ~1,000 Fernet decryptions, most of a resolve of 500 (docs/benchmarks.md, officers' reads). The tag is
one token sealed with AES-GCM to its row (PersonalDataKeys.seal: ~2 µs to open, Fernet ~18 µs), and the
NIK stays encrypted. Nothing new is in clear: the key derives from the service's encryption key, and
erasure clears the tag. Existing rows are tagged here, a chunk at a time, with the keys
read alone (REGISTRATION_PII_*, as in 0002); erased rows have nothing to tag.

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.registration.domain.names import NameTag
from services.registration.settings import PersonalDataSettings
from shared.personal_data import PersonalDataKeys

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000


def upgrade() -> None:
    op.add_column("participants", sa.Column("name_tag_encrypted", sa.Text(), nullable=True))
    _tag_existing_rows()


def downgrade() -> None:
    op.drop_column("participants", "name_tag_encrypted")


def _tag_existing_rows() -> None:
    participants = sa.table(
        "participants",
        sa.column("seq"),
        sa.column("participant_id"),
        sa.column("nik_encrypted"),
        sa.column("full_name_encrypted"),
        sa.column("name_tag_encrypted"),
    )
    set_tag = (
        participants.update()
        .where(participants.c.seq == sa.bindparam("_seq"))
        .values(name_tag_encrypted=sa.bindparam("_tag"))
    )
    conn = op.get_bind()
    keys: PersonalDataKeys | None = None  # read only when a row needs them: an empty database needs none
    last = 0
    while rows := conn.execute(
        sa.select(
            participants.c.seq,
            participants.c.participant_id,
            participants.c.nik_encrypted,
            participants.c.full_name_encrypted,
        )
        .where(participants.c.seq > last, participants.c.nik_encrypted.is_not(None))
        .order_by(participants.c.seq)
        .limit(CHUNK)
    ).all():
        keys = keys or PersonalDataSettings().personal_data
        tags = [
            {
                "_seq": row.seq,
                "_tag": keys.seal(
                    NameTag.text(keys.decrypt(row.nik_encrypted), keys.decrypt(row.full_name_encrypted)),
                    row.participant_id,
                ),
            }
            for row in rows
        ]
        conn.execute(set_tag, tags)
        last = rows[-1].seq
