"""The permits database: permits, the participants registration told us of, the correction log and the
outbox."""

from sqlalchemy import Column, Date, DateTime, Index, MetaData, String, Table, UniqueConstraint, text

from shared.corrections.log import correction_log_table
from shared.db.keyset import seq_column
from shared.outbox import outbox_table
from shared.participants.directory import participant_tables

metadata = MetaData()

permits = Table(
    "permits",
    metadata,
    seq_column(),
    Column("permit_id", String(36), nullable=False, unique=True),
    Column("participant_id", String(36), nullable=False),
    Column("permit_type", String(10), nullable=False),
    Column("status", String(10), nullable=False),
    Column("applied_on", Date, nullable=False),
    Column("permit_number", String(100), nullable=True),
    Column("issued_on", Date, nullable=True),
    Column("rejected_on", Date, nullable=True),
    Column("rejection_reason", String(500), nullable=True),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # NULL numbers (undecided or rejected permits) never collide, in SQLite as in PostgreSQL.
    UniqueConstraint("permit_type", "permit_number", name="uq_permits_type_number"),
)
# One NIB per participant unless rejected: the index, not a read-then-write, decides concurrent applications.
_ACTIVE_NIB = text("permit_type = 'NIB' AND status <> 'rejected'")
Index(
    "ux_permits_one_active_nib",
    permits.c.participant_id,
    unique=True,
    sqlite_where=_ACTIVE_NIB,
    postgresql_where=_ACTIVE_NIB,
)
Index("ix_permits_participant_seq", permits.c.participant_id, permits.c.seq)
Index("ix_permits_status_seq", permits.c.status, permits.c.seq)
Index("ix_permits_waiting", permits.c.status, permits.c.applied_on, permits.c.permit_id)  # the work list

# Corrected and voided issues: a voided issue leaves no trace on the permit, which is applied again.
correction_log = correction_log_table(metadata)
participants = participant_tables(metadata)
known_participants = participants.known
outbox = outbox_table(metadata)
