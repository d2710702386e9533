"""erasure (personal columns may be cleared), audit outcomes and details, an append-only audit log

An erased participant keeps its row (id, region, agency, dates: what the figures count) with every personal
column cleared, so the NIK digest, the ciphertexts and the birth date become nullable; `erased_at` marks it.
The audit log records lookups and refusals too: `participant_id` may be empty (a NIK that matched nobody),
`outcome` says what the caller got and `detail` why (an erasure's reason, a refusal's message).

Triggers abort every UPDATE and DELETE of audit_log, so the service's own database role cannot rewrite its
trail. On SQLite a later batch migration that recreates audit_log drops them: such a migration must create
them again (`_create_triggers`).

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ERASABLE = (
    ("nik_hmac", sa.String(length=64)),
    ("nik_encrypted", sa.Text()),
    ("full_name_encrypted", sa.Text()),
    ("birth_date", sa.Date()),
)
REFUSE = "audit_log is append-only"


def upgrade() -> None:
    with op.batch_alter_table("participants", schema=None) as batch_op:
        for name, type_ in ERASABLE:
            batch_op.alter_column(name, existing_type=type_, nullable=True)
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.alter_column("participant_id", existing_type=sa.String(length=36), nullable=True)
        batch_op.add_column(sa.Column("outcome", sa.String(length=12), nullable=False, server_default="done"))
        batch_op.add_column(sa.Column("detail", sa.Text(), nullable=True))
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    # The older schema cannot hold an erased participant or an entry about nobody; their data is gone.
    op.execute("DELETE FROM audit_log WHERE participant_id IS NULL")
    op.execute("DELETE FROM participants WHERE erased_at IS NOT NULL")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("detail")
        batch_op.drop_column("outcome")
        batch_op.alter_column("participant_id", existing_type=sa.String(length=36), nullable=False)
    with op.batch_alter_table("participants", schema=None) as batch_op:
        batch_op.drop_column("erased_at")
        for name, type_ in ERASABLE:
            batch_op.alter_column(name, existing_type=type_, nullable=False)


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN RAISE EXCEPTION '{REFUSE}'; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_log "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()"
        )
        return
    for event in ("update", "delete"):
        op.execute(
            f"CREATE TRIGGER audit_log_no_{event} BEFORE {event.upper()} ON audit_log "
            f"BEGIN SELECT RAISE(ABORT, '{REFUSE}'); END"
        )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
        return
    for event in ("update", "delete"):
        op.execute(f"DROP TRIGGER audit_log_no_{event}")
