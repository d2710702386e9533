"""personal data protected at rest (NIK digest and encryption; name, phone, e-mail encrypted), audit log

Existing rows are converted in place: each clear NIK becomes its keyed digest (unique) and a Fernet token,
each name, phone and e-mail a Fernet token; then the clear columns are dropped. The keys are the service's
own (REGISTRATION_PII_*), read alone (PersonalDataSettings): a migrate job needs no token settings.

Revision ID: 0002
Revises: 0001
"""

from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from services.registration.settings import PersonalDataSettings
from shared.personal_data import PersonalDataKeys

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHUNK = 1000
CLEAR = ("nik", "full_name", "phone", "email")
PROTECTED = ("nik_hmac", "nik_encrypted", "full_name_encrypted", "phone_encrypted", "email_encrypted")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=10), nullable=False),
        sa.Column("participant_id", sa.String(length=36), nullable=False),
        sa.Column("correlation_id", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_participant", ["participant_id", "id"], unique=False)
        batch_op.create_index("ix_audit_log_subject", ["subject", "id"], unique=False)

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nik_hmac", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("nik_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("full_name_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("phone_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("email_encrypted", sa.Text(), nullable=True))

    _rewrite(CLEAR, PROTECTED, _protect)

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.alter_column("nik_hmac", existing_type=sa.String(length=64), nullable=False)
        batch_op.alter_column("nik_encrypted", existing_type=sa.Text(), nullable=False)
        batch_op.alter_column("full_name_encrypted", existing_type=sa.Text(), nullable=False)
        batch_op.create_unique_constraint("uq_participants_nik_hmac", ["nik_hmac"])
        batch_op.create_index("ix_participants_agency_seq", ["agency", "seq"], unique=False)
        batch_op.drop_column("email")
        batch_op.drop_column("full_name")
        batch_op.drop_column("phone")
        batch_op.drop_column("nik")  # its unique constraint goes with it


def downgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nik", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("full_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("phone", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("email", sa.String(length=254), nullable=True))

    _rewrite(PROTECTED, CLEAR, _reveal)

    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.alter_column("nik", existing_type=sa.String(length=16), nullable=False)
        batch_op.alter_column("full_name", existing_type=sa.String(length=200), nullable=False)
        batch_op.create_unique_constraint("uq_participants_nik", ["nik"])
        batch_op.drop_constraint("uq_participants_nik_hmac", type_="unique")
        batch_op.drop_index("ix_participants_agency_seq")
        batch_op.drop_column("email_encrypted")
        batch_op.drop_column("phone_encrypted")
        batch_op.drop_column("full_name_encrypted")
        batch_op.drop_column("nik_encrypted")
        batch_op.drop_column("nik_hmac")

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_subject")
        batch_op.drop_index("ix_audit_log_participant")

    op.drop_table("audit_log")


def _protect(keys: PersonalDataKeys, row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "nik_hmac": keys.digest(row.nik),
        "nik_encrypted": keys.encrypt(row.nik),
        "full_name_encrypted": keys.encrypt(row.full_name),
        "phone_encrypted": keys.encrypt_optional(row.phone),
        "email_encrypted": keys.encrypt_optional(row.email),
    }


def _reveal(keys: PersonalDataKeys, row: sa.Row[Any]) -> dict[str, Any]:
    return {
        "nik": keys.decrypt(row.nik_encrypted),
        "full_name": keys.decrypt(row.full_name_encrypted),
        "phone": keys.decrypt_optional(row.phone_encrypted),
        "email": keys.decrypt_optional(row.email_encrypted),
    }


def _rewrite(
    source: Sequence[str],
    target: Sequence[str],
    convert: Callable[[PersonalDataKeys, sa.Row[Any]], dict[str, Any]],
) -> None:
    """Fill `target` columns from `source` ones, a chunk of rows at a time (memory stays flat)."""
    table = sa.table("participants", sa.column("seq"), *(sa.column(c) for c in [*source, *target]))
    statement = (
        table.update()
        .where(table.c.seq == sa.bindparam("_seq"))
        .values({c: sa.bindparam(f"_{c}") for c in target})
    )
    conn = op.get_bind()
    keys: PersonalDataKeys | None = None  # read only when a row needs them: an empty database needs none
    last = 0
    while rows := conn.execute(
        sa.select(table.c.seq, *(table.c[c] for c in source))
        .where(table.c.seq > last)
        .order_by(table.c.seq)
        .limit(CHUNK)
    ).all():
        keys = keys or PersonalDataSettings().personal_data
        values = [{"_seq": row.seq, **{f"_{c}": v for c, v in convert(keys, row).items()}} for row in rows]
        conn.execute(statement, values)
        last = rows[-1].seq
