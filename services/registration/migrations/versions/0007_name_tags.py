"""name tags: the masked NIK and the name in one encrypted token, what a list of names shows

`POST /participants/resolve` decrypted two tokens a participant (the name, and the whole NIK only to mask
it): ~1,000 Fernet decryptions, most of a resolve of 500 (docs/benchmarks.md, officers' reads). The tag is
one token sealed with AES-GCM to its row (PersonalDataKeys.seal: ~2 µs to open, Fernet ~18 µs), and the
NIK stays encrypted. Nothing new is in clear: the key derives from the service's encryption key, and
erasure clears the tag. Existing rows are tagged here, a chunk at a time, with the keys
read alone (REGISTRATION_PII_*, as in 0002); erased rows have nothing to tag.

During a rolling deploy the previous release's instances still write: rows without a tag, and edits of the
name or NIK that leave the tag as it was. A trigger clears the tag of such an edit (this release writes a
fresh tag with every edit), and a resolve reads an untagged row from its name and NIK.

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
    _clear_stale_tags()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER participants_name_tag_follows ON participants")
        op.execute("DROP FUNCTION participants_name_tag_follows()")
    else:
        op.execute("DROP TRIGGER participants_name_tag_follows")
    op.drop_column("participants", "name_tag_encrypted")


_EDITED_UNTAGGED = (
    "(NEW.nik_encrypted IS DISTINCT FROM OLD.nik_encrypted"
    " OR NEW.full_name_encrypted IS DISTINCT FROM OLD.full_name_encrypted)"
    " AND NEW.name_tag_encrypted IS NOT DISTINCT FROM OLD.name_tag_encrypted"
)


def _clear_stale_tags() -> None:
    """An edit of the name or NIK that keeps the old tag (a previous release's) leaves no tag."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION participants_name_tag_follows() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN IF {_EDITED_UNTAGGED} THEN NEW.name_tag_encrypted := NULL; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER participants_name_tag_follows BEFORE UPDATE ON participants "
            "FOR EACH ROW EXECUTE FUNCTION participants_name_tag_follows()"
        )
    else:  # SQLite cannot change NEW: the row is updated once more, after
        # SQLite's own null-safe comparisons: IS NOT for IS DISTINCT FROM, IS for IS NOT DISTINCT FROM.
        condition = _EDITED_UNTAGGED.replace("IS NOT DISTINCT FROM", "IS").replace(
            "IS DISTINCT FROM", "IS NOT"
        )
        op.execute(
            "CREATE TRIGGER participants_name_tag_follows AFTER UPDATE ON participants "
            f"FOR EACH ROW WHEN {condition} BEGIN "
            "UPDATE participants SET name_tag_encrypted = NULL WHERE seq = NEW.seq; END"
        )


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
