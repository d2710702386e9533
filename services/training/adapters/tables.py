"""The training database: classes, enrolments, completions, placements, the correction log, known
participants and the outbox."""

from typing import Any

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    text,
)

from shared.corrections.log import correction_log_table
from shared.outbox import outbox_table
from shared.participants.directory import participant_tables

metadata = MetaData()

# A fact is live until voided; the partial unique index of completions ignores voided rows.
LIVE = text("voided_at IS NULL")


def _void_columns() -> list[Column[Any]]:
    """A voided fact is kept on its row, marked with when, by whom and why it was withdrawn."""
    return [
        Column("voided_at", DateTime(timezone=True), nullable=True),
        Column("voided_by", String(100), nullable=True, doc="officer account id, never a name"),
        Column("void_reason", String(500), nullable=True),
    ]


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
Index("ix_classes_starts_on", classes.c.starts_on, classes.c.class_id)  # the class list's order

enrollments = Table(
    "enrollments",
    metadata,
    Column("class_id", String(36), ForeignKey("classes.class_id"), primary_key=True),
    Column("participant_id", String(36), primary_key=True),
    Column("enrolled_on", Date, nullable=False),
    # A withdrawn enrolment stays on the roster but no longer takes a place.
    Column("withdrawn_on", Date, nullable=True),
    Column("withdrawn_by", String(100), nullable=True, doc="officer account id, never a name"),
    Column("withdrawal_reason", String(500), nullable=True),
)
Index("ix_enrollments_participant", enrollments.c.participant_id)
Index(
    "ix_enrollments_roster", enrollments.c.class_id, enrollments.c.enrolled_on, enrollments.c.participant_id
)

completions = Table(
    "completions",
    metadata,
    Column(
        "seq", Integer, primary_key=True, autoincrement=True, doc="order of the completions of one enrolment"
    ),
    Column("class_id", String(36), nullable=False),
    Column("participant_id", String(36), nullable=False),
    Column("completed_on", Date, nullable=False),
    *_void_columns(),
    ForeignKeyConstraint(
        ["class_id", "participant_id"],
        ["enrollments.class_id", "enrollments.participant_id"],
        name="fk_completions_enrollment",
    ),
)
# One live completion per enrolment: the index, not a read-then-write, decides concurrent completions;
# voided ones stay beside it.
Index(
    "ux_completions_one_live",
    completions.c.class_id,
    completions.c.participant_id,
    unique=True,
    sqlite_where=LIVE,
    postgresql_where=LIVE,
)
Index("ix_completions_participant", completions.c.participant_id)

placements = Table(
    "placements",
    metadata,
    Column("placement_id", String(36), primary_key=True),
    Column("participant_id", String(36), nullable=False, index=True),
    Column("employer", String(200), nullable=False),
    Column("placed_on", Date, nullable=False),
    *_void_columns(),
)

correction_log = correction_log_table(metadata)
participants = participant_tables(metadata)
known_participants = participants.known
outbox = outbox_table(metadata)
