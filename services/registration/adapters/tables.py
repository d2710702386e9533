"""The registration database: participants (personal data lives only here), its audit trail and the outbox.

UU 27/2022: the NIK is never stored in clear. `nik_hmac` (a keyed digest, unique) finds a participant by NIK
and lets the database refuse a second registration; `*_encrypted` columns hold Fernet tokens of the NIK,
name, phone and e-mail (shared.personal_data); `name_tag_encrypted` holds what lists show (the masked NIK
and the name) sealed with AES-GCM to its row: one fast decryption a participant, no NIK decrypted to be
masked. What the events carry (region,
sector, dates…) stays clear.
Erasure clears every personal column (`erased_at` says when); the pseudonymous rest stays for the figures.
The audit log is append-only: triggers refuse UPDATE and DELETE (migration 0003).
Names are found through a blind index (adapters.name_index): keyed digests of each normalised word in
`participant_name_words`, of the whole normalised name in `participants.name_digest`.
Registration follows the stage topics into `stage_facts` (offsets in `followed_offsets`, stored with the
rows): each participant's dated facts, so `registered_on` is never moved after the earliest.
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
from shared.participants.directory import followed_offsets_table

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
    Column(
        "profile_revision",
        BigInteger,
        nullable=False,
        server_default="0",
        doc="ParticipantProfile.revision: one more with each change of the profile",
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("erased_at", DateTime(timezone=True), nullable=True),
    Column(
        "name_digest", String(64), nullable=True, doc="keyed digest of the normalised name; null once erased"
    ),
    Column(
        "name_tag_encrypted",
        Text,
        nullable=True,
        doc="the masked NIK and the name, sealed to the row (PersonalDataKeys.seal); null once erased",
    ),
    UniqueConstraint("nik_hmac", name="uq_participants_nik_hmac"),  # one registration per NIK
)
Index("ix_participants_kota_seq", participants.c.kota_code, participants.c.seq)
Index("ix_participants_agency_seq", participants.c.agency, participants.c.seq)  # agency-scoped lists
# Possible duplicates: the same name and birth date, found by one indexed join.
Index("ix_participants_name_birth", participants.c.name_digest, participants.c.birth_date)

participant_name_words = Table(
    "participant_name_words",
    metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("word_digest", String(64), primary_key=True, doc="keyed digest of one normalised word"),
    Column(
        "seq", Integer, nullable=False, doc="the participant's seq: a word's matches in registration order"
    ),
)
Index(
    "ix_participant_name_words_word_seq", participant_name_words.c.word_digest, participant_name_words.c.seq
)

duplicate_dismissals = Table(
    "duplicate_dismissals",
    metadata,
    # The pair in a canonical order (the smaller id first), so it is recorded once.
    Column("first_id", String(36), primary_key=True),
    Column("second_id", String(36), primary_key=True),
    Column("dismissed_by", String(200), nullable=False, doc="the token's subject"),
    Column("dismissed_at", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False, doc="why they are two people: never personal data"),
)

stage_facts = Table(
    "stage_facts",
    metadata,
    Column("participant_id", String(36), primary_key=True),
    Column("fact_key", String(150), primary_key=True, doc="event type and the fact's own id"),
    Column("fact_on", Date, nullable=False, doc="the fact's business date"),
    Column("voided", Boolean, nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False, doc="the event's: a later one wins"),
)
followed_offsets = followed_offsets_table(metadata)

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
    Column("changes", Text, nullable=True, doc="an edit's fields as JSON: personal ones named, never valued"),
)
Index("ix_audit_log_participant", audit_log.c.participant_id, audit_log.c.id)
Index("ix_audit_log_subject", audit_log.c.subject, audit_log.c.id)

outbox = outbox_table(metadata)
