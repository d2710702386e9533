"""Reading and writing classes, enrolments, completions and placements in the training database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, Update, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.training.adapters.tables import (
    classes,
    completions,
    enrollments,
    known_participants,
    placements,
)
from services.training.domain.training import Completion, Placement, TrainingClass
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
    """The enrolment, with the date of its live completion if there is one."""
    live = completions.c.voided_at.is_(None)
    query = (
        select(enrollments, completions.c.completed_on)
        .outerjoin(
            completions,
            (completions.c.class_id == enrollments.c.class_id)
            & (completions.c.participant_id == enrollments.c.participant_id)
            & live,
        )
        .where(enrollments.c.class_id == str(class_id), enrollments.c.participant_id == str(participant_id))
    )
    row = (await conn.execute(query)).one_or_none()
    return _to_enrollment(row) if row else None


async def lock_participant(conn: AsyncConnection, participant_id: UUID) -> None:
    """Serialise changes to one participant's completions and placements until the transaction ends.

    A no-op update of the participant's row: PostgreSQL locks that row; SQLite, which starts a transaction
    only at its first write, starts it here and so lets no other writer in. Either way the reads that
    follow see every earlier change and no concurrent one, so "a placement follows a vocational completion"
    holds across voids, corrections and placements racing each other.
    """
    await conn.execute(
        known_participants.update()
        .where(known_participants.c.participant_id == str(participant_id))
        .values(registered_on=known_participants.c.registered_on)
    )


async def insert_completion(
    conn: AsyncConnection, class_id: UUID, participant_id: UUID, completed_on: date
) -> None:
    """Raises IntegrityError if the enrolment already has a live completion (ux_completions_one_live)."""
    await conn.execute(
        completions.insert().values(
            class_id=str(class_id), participant_id=str(participant_id), completed_on=completed_on
        )
    )


async def completion(conn: AsyncConnection, class_id: UUID, participant_id: UUID) -> Completion | None:
    """The live completion of the enrolment, or else the last one voided; None if it was never completed."""
    query = (
        select(completions, enrollments.c.enrolled_on, classes.c.program)
        .join(
            enrollments,
            (enrollments.c.class_id == completions.c.class_id)
            & (enrollments.c.participant_id == completions.c.participant_id),
        )
        .join(classes, classes.c.class_id == completions.c.class_id)
        .where(completions.c.class_id == str(class_id), completions.c.participant_id == str(participant_id))
        .order_by(completions.c.voided_at.is_(None).desc(), completions.c.seq.desc())
        .limit(1)
    )
    row = (await conn.execute(query)).one_or_none()
    return _to_completion(row) if row else None


async def redate_completion(conn: AsyncConnection, live: Completion, completed_on: date) -> None:
    await conn.execute(_live_completion_update(live).values(completed_on=completed_on))


async def void_completion(conn: AsyncConnection, live: Completion, *, by: str, reason: str) -> None:
    await conn.execute(_live_completion_update(live).values(**_void(by, reason)))


async def live_vocational_completions(conn: AsyncConnection, participant_id: UUID) -> dict[UUID, date]:
    """class_id → completed_on of the participant's live vocational completions."""
    query = (
        select(completions.c.class_id, completions.c.completed_on)
        .join(classes, classes.c.class_id == completions.c.class_id)
        .where(
            completions.c.participant_id == str(participant_id),
            completions.c.voided_at.is_(None),
            classes.c.program == TrainingProgram.VOCATIONAL.value,
        )
    )
    return {UUID(row.class_id): row.completed_on for row in await conn.execute(query)}


async def insert_placement(conn: AsyncConnection, p: Placement) -> None:
    await conn.execute(
        placements.insert().values(
            placement_id=str(p.placement_id),
            participant_id=str(p.participant_id),
            employer=p.employer,
            placed_on=p.placed_on,
        )
    )


async def placement(conn: AsyncConnection, placement_id: UUID) -> Placement | None:
    row = (
        await conn.execute(select(placements).where(placements.c.placement_id == str(placement_id)))
    ).one_or_none()
    return _to_placement(row) if row else None


async def earliest_live_placement(conn: AsyncConnection, participant_id: UUID) -> Placement | None:
    query = (
        select(placements)
        .where(placements.c.participant_id == str(participant_id), placements.c.voided_at.is_(None))
        .order_by(placements.c.placed_on, placements.c.placement_id)
        .limit(1)
    )
    row = (await conn.execute(query)).one_or_none()
    return _to_placement(row) if row else None


async def redate_placement(conn: AsyncConnection, p: Placement, placed_on: date) -> None:
    await conn.execute(_placement_update(p).values(placed_on=placed_on))


async def void_placement(conn: AsyncConnection, p: Placement, *, by: str, reason: str) -> None:
    await conn.execute(_placement_update(p).values(**_void(by, reason)))


def _live_completion_update(live: Completion) -> Update:
    return completions.update().where(
        completions.c.class_id == str(live.class_id),
        completions.c.participant_id == str(live.participant_id),
        completions.c.voided_at.is_(None),
    )


def _placement_update(p: Placement) -> Update:
    return placements.update().where(placements.c.placement_id == str(p.placement_id))


def _void(by: str, reason: str) -> dict[str, Any]:
    return {"voided_at": datetime.now(UTC), "voided_by": by, "void_reason": reason}


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


def _to_completion(row: Row[Any]) -> Completion:
    return Completion(
        class_id=UUID(row.class_id),
        participant_id=UUID(row.participant_id),
        program=TrainingProgram(row.program),
        enrolled_on=row.enrolled_on,
        completed_on=row.completed_on,
        voided=row.voided_at is not None,
    )


def _to_placement(row: Row[Any]) -> Placement:
    return Placement(
        placement_id=UUID(row.placement_id),
        participant_id=UUID(row.participant_id),
        employer=row.employer,
        placed_on=row.placed_on,
        voided=row.voided_at is not None,
    )
