"""The training database: classes, enrolments (with completion), placements, known participants, outbox."""

from sqlalchemy import Column, Date, DateTime, ForeignKey, Index, Integer, MetaData, String, Table

from shared.outbox import outbox_table
from shared.participants.directory import participant_tables

metadata = MetaData()

classes = Table(
    "classes",
    metadata,
    Column("class_id", String(36), primary_key=True),
    Column("title", String(200), nullable=False),
    Column("program", String(20), nullable=False),
    Column("format", String(20), nullable=False),
    Column("kota_code", String(5), nullable=False),
    Column("venue", String(200), nullable=True),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("capacity", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)

enrollments = Table(
    "enrollments",
    metadata,
    Column("class_id", String(36), ForeignKey("classes.class_id"), primary_key=True),
    Column("participant_id", String(36), primary_key=True),
    Column("enrolled_on", Date, nullable=False),
    Column("completed_on", Date, nullable=True),
)
Index("ix_enrollments_participant", enrollments.c.participant_id)

placements = Table(
    "placements",
    metadata,
    Column("placement_id", String(36), primary_key=True),
    Column("participant_id", String(36), nullable=False, index=True),
    Column("employer", String(200), nullable=False),
    Column("placed_on", Date, nullable=False),
)

participants = participant_tables(metadata)
known_participants = participants.known
outbox = outbox_table(metadata)
