"""The registration database: participants (personal data lives only here) and the outbox."""

from sqlalchemy import Boolean, Column, Date, DateTime, Index, Integer, MetaData, String, Table

from shared.outbox import outbox_table

metadata = MetaData()

participants = Table(
    "participants",
    metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True, doc="stable order for cursor paging"),
    Column("participant_id", String(36), nullable=False, unique=True),
    Column("nik", String(16), nullable=False, unique=True),
    Column("full_name", String(200), nullable=False),
    Column("gender", String(1), nullable=False),
    Column("birth_date", Date, nullable=False),
    Column("phone", String(20), nullable=True),
    Column("email", String(254), nullable=True),
    Column("disability", Boolean, nullable=False),
    Column("kota_code", String(5), nullable=False),
    Column("kecamatan_code", String(8), nullable=False),
    Column("kelurahan_code", String(13), nullable=False),
    Column("business_name", String(200), nullable=True),
    Column("sector", String(20), nullable=True),
    Column("agency", String(20), nullable=False),
    Column("registered_on", Date, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
Index("ix_participants_kota_seq", participants.c.kota_code, participants.c.seq)

outbox = outbox_table(metadata)
