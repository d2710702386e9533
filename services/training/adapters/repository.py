"""Reading and writing classes, enrolments and placements in the training database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.training.adapters.tables import classes, enrollments, placements
from services.training.domain.training import TrainingClass
from shared.contracts.enums import TrainingFormat, TrainingProgram


@dataclass(frozen=True)
class Enrollment:
    class_id: UUID
    participant_id: UUID
    enrolled_on: date
    completed_on: date | None


async def insert_class(conn: AsyncConnection, c: TrainingClass) -> None:
    await conn.execute(
        classes.insert().values(
            class_id=str(c.class_id),
            title=c.title,
            program=c.program.value,
            format=c.format.value,
            kota_code=c.kota_code,
            venue=c.venue,
            starts_on=c.starts_on,
            ends_on=c.ends_on,
            capacity=c.capacity,
            created_at=datetime.now(UTC),
        )
    )


async def get_class(conn: AsyncConnection, class_id: UUID, *, lock: bool = False) -> TrainingClass | None:
    query = select(classes).where(classes.c.class_id == str(class_id))
    if lock:  # PostgreSQL: serialise enrolments of one class so capacity holds; SQLite has one writer
        query = query.with_for_update()
    row = (await conn.execute(query)).one_or_none()
    return _to_class(row) if row else None


async def enrolled_count(conn: AsyncConnection, class_id: UUID) -> int:
    query = select(func.count()).where(enrollments.c.class_id == str(class_id))
    return int((await conn.execute(query)).scalar_one())


async def enroll_if_room(
    conn: AsyncConnection, c: TrainingClass, participant_id: UUID, enrolled_on: date
) -> bool:
    """Insert the enrolment only while the class has room, in one statement; False when it is full."""
    taken = select(func.count()).where(enrollments.c.class_id == str(c.class_id)).scalar_subquery()
    room = select(literal(str(c.class_id)), literal(str(participant_id)), literal(enrolled_on)).where(
        taken < c.capacity
    )
    insert = enrollments.insert().from_select(["class_id", "participant_id", "enrolled_on"], room)
    inserted = await conn.execute(insert.returning(enrollments.c.participant_id))
    return inserted.first() is not None


async def get_enrollment(conn: AsyncConnection, class_id: UUID, participant_id: UUID) -> Enrollment | None:
    query = select(enrollments).where(
        enrollments.c.class_id == str(class_id), enrollments.c.participant_id == str(participant_id)
    )
    row = (await conn.execute(query)).one_or_none()
    return _to_enrollment(row) if row else None


async def complete_if_open(
    conn: AsyncConnection, class_id: UUID, participant_id: UUID, completed_on: date
) -> bool:
    """Record the completion unless one exists; False when it was already completed."""
    result = await conn.execute(
        enrollments.update()
        .where(
            enrollments.c.class_id == str(class_id),
            enrollments.c.participant_id == str(participant_id),
            enrollments.c.completed_on.is_(None),
        )
        .values(completed_on=completed_on)
    )
    return result.rowcount == 1


async def first_vocational_completion(conn: AsyncConnection, participant_id: UUID) -> date | None:
    query = (
        select(func.min(enrollments.c.completed_on))
        .join(classes, classes.c.class_id == enrollments.c.class_id)
        .where(
            enrollments.c.participant_id == str(participant_id),
            classes.c.program == TrainingProgram.VOCATIONAL.value,
        )
    )
    found: date | None = (await conn.execute(query)).scalar_one()
    return found


async def insert_placement(
    conn: AsyncConnection, placement_id: UUID, participant_id: UUID, employer: str, placed_on: date
) -> None:
    await conn.execute(
        placements.insert().values(
            placement_id=str(placement_id),
            participant_id=str(participant_id),
            employer=employer,
            placed_on=placed_on,
        )
    )


def _to_class(row: Row[Any]) -> TrainingClass:
    return TrainingClass(
        class_id=UUID(row.class_id),
        title=row.title,
        program=TrainingProgram(row.program),
        format=TrainingFormat(row.format),
        kota_code=row.kota_code,
        venue=row.venue,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        capacity=row.capacity,
    )


def _to_enrollment(row: Row[Any]) -> Enrollment:
    return Enrollment(UUID(row.class_id), UUID(row.participant_id), row.enrolled_on, row.completed_on)
