"""The registration database: participants (personal data lives only here), its audit trail and the outbox.

UU 27/2022: the NIK is never stored in clear. `nik_hmac` (a keyed digest, unique) finds a participant by NIK
and lets the database refuse a second registration; `*_encrypted` columns hold Fernet tokens of the NIK,
name, phone and e-mail (shared.personal_data). What the events carry (region, sector, dates…) stays clear.
Erasure clears every personal column (`erased_at` says when); the pseudonymous rest stays for the figures.
The audit log is append-only: triggers refuse UPDATE and DELETE (migration 0003).
"""

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from shared.outbox import outbox_table

metadata = MetaData()

participants = Table(
    "participants",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True, doc="stable order for cursor paging"),
    Column("participant_id", String(36), nullable=False, unique=True),
    Column("nik_hmac", String(64), nullable=True, doc="null once erased: the NIK may register anew"),
    Column("nik_encrypted", Text, nullable=True),
    Column("full_name_encrypted", Text, nullable=True),
    Column("gender", String(1), nullable=False),
    Column("birth_date", Date, nullable=True),
    Column("phone_encrypted", Text, nullable=True),
    Column("email_encrypted", Text, nullable=True),
    Column("disability", Boolean, nullable=False),
    Column("kota_code", String(5), nullable=False),
    Column("kecamatan_code", String(8), nullable=False),
    Column("kelurahan_code", String(13), nullable=False),
    Column("business_name", String(200), nullable=True),
    Column("sector", String(20), nullable=True),
    Column("agency", String(20), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=True),
    UniqueConstraint("nik_hmac", name="uq_participants_nik_hmac"),  # one registration per NIK
)
Index("ix_participants_kota_seq", participants.c.kota_code, participants.c.seq)
Index("ix_participants_agency_seq", participants.c.agency, participants.c.seq)  # agency-scoped lists

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("subject", String(200), nullable=False, doc="the token's subject: an account id, never a name"),
    Column("action", String(10), nullable=False),
    Column("participant_id", String(36), nullable=True, doc="empty for a NIK that matched nobody"),
    Column("correlation_id", String(100), nullable=True, doc="groups the rows of one request"),
    Column("outcome", String(12), nullable=False, server_default="done"),
    Column(
        "detail", Text, nullable=True, doc="an erasure's reason, a refusal's message: never personal data"
    ),
)
Index("ix_audit_log_participant", audit_log.c.participant_id, audit_log.c.id)
Index("ix_audit_log_subject", audit_log.c.subject, audit_log.c.id)

outbox = outbox_table(metadata)
