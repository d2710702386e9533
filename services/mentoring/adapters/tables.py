"""The mentoring database: mentors, sessions, their correction log, known participants and the outbox."""

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, MetaData, String, Table, Text

from shared.corrections.log import correction_log_table
from shared.corrections.voids import void_columns
from shared.db.keyset import seq_column
from shared.outbox import outbox_table
from shared.participants.directory import participant_tables

metadata = MetaData()

mentors = Table(
    "mentors",
    metadata,
    seq_column(),
    Column("mentor_id", String(36), nullable=False, unique=True),
    # The index, not a read-then-write, decides between concurrent requests for one staff number.
    Column("staff_number", String(50), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False, doc="personal data: never in events or logs"),
    Column("kota_code", String(5), nullable=False),
    Column("kecamatan_code", String(8), nullable=False),
    Column("assigned_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_mentors_kecamatan_seq", mentors.c.kecamatan_code, mentors.c.seq)

sessions = Table(
    "mentoring_sessions",
    metadata,
    seq_column(),
    Column("session_id", String(36), nullable=False, unique=True),
    Column("participant_id", String(36), nullable=False),
    Column("mentor_id", String(36), ForeignKey("mentors.mentor_id"), nullable=False),
    Column("held_on", Date, nullable=False),
    Column("topic", String(200), nullable=False),
    Column("notes", Text, nullable=True, doc="may be sensitive: never in events or logs"),
    Column("created_at", DateTime(timezone=True), nullable=False),
    # A voided session is kept, marked, and no longer counts anywhere.
    *void_columns(),
)
Index("ix_sessions_participant_seq", sessions.c.participant_id, sessions.c.seq)
Index("ix_sessions_mentor_seq", sessions.c.mentor_id, sessions.c.seq)
Index("ix_sessions_caseload", sessions.c.mentor_id, sessions.c.participant_id, sessions.c.held_on)

correction_log = correction_log_table(metadata)
participants = participant_tables(metadata)
known_participants = participants.known
outbox = outbox_table(metadata)
