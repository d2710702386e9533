"""Reading and writing classes, enrolments, completions and placements in the training database."""

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, Select, Update, func, literal, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.training.adapters.tables import (
    classes,
    completions,
    enrollments,
    known_participants,
    placements,
)
from services.training.domain.enrollment import Enrollment
from services.training.domain.training import Completion, Placement, TrainingClass
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.db.keyset import after, one_page
from shared.participants.area import in_caller_area

# An enrolment takes a place until it is withdrawn.
TAKES_A_PLACE = enrollments.c.withdrawn_on.is_(None)


@dataclass(frozen=True)
class ClassFilters:
    kota_code: str | None = None
    program: TrainingProgram | None = None
    format: TrainingFormat | None = None
    active_on: date | None = None  # classes running that day: starts_on <= active_on <= ends_on


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
    return int((await conn.execute(_places_taken(str(class_id)))).scalar_one())


def _places_taken(class_id: ColumnElement[str] | str) -> Select[Any]:
    return select(func.count()).where(enrollments.c.class_id == class_id, TAKES_A_PLACE)


async def classes_page(
    conn: AsyncConnection, filters: ClassFilters, position: tuple[date, UUID] | None, limit: int
) -> tuple[list[tuple[TrainingClass, int]], TrainingClass | None]:
    """Classes by start date (then id), each with its places taken; the last one shown if more follow.

    Classes belong to no participant: every caller sees every class (a participant may attend one in
    another kota, a PPKD serves the whole province); rosters are what the caller's area restricts.
    """
    enrolled = _places_taken(classes.c.class_id).scalar_subquery().label("enrolled")
    query = select(classes, enrolled).where(after(classes.c.starts_on, classes.c.class_id, position))
    if filters.kota_code is not None:
        query = query.where(classes.c.kota_code == filters.kota_code)
    if filters.program is not None:
        query = query.where(classes.c.program == filters.program.value)
    if filters.format is not None:
        query = query.where(classes.c.format == filters.format.value)
    if filters.active_on is not None:
        query = query.where(classes.c.starts_on <= filters.active_on, classes.c.ends_on >= filters.active_on)
    query = query.order_by(classes.c.starts_on, classes.c.class_id).limit(limit + 1)
    rows, last = one_page((await conn.execute(query)).all(), limit)
    return [(_to_class(row), row.enrolled) for row in rows], (_to_class(last) if last else None)


async def enroll_if_room(
    conn: AsyncConnection, c: TrainingClass, participant_id: UUID, enrolled_on: date
) -> bool:
    """Insert the enrolment only while the class has room, in one statement; False when it is full."""
    taken = _places_taken(str(c.class_id)).scalar_subquery()
    room = select(literal(str(c.class_id)), literal(str(participant_id)), literal(enrolled_on)).where(
        taken < c.capacity
    )
    insert = enrollments.insert().from_select(["class_id", "participant_id", "enrolled_on"], room)
    inserted = await conn.execute(insert.returning(enrollments.c.participant_id))
    return inserted.first() is not None


async def get_enrollment(conn: AsyncConnection, class_id: UUID, participant_id: UUID) -> Enrollment | None:
    """The enrolment, with the date of its live completion if there is one."""
    found = await enrollments_of(conn, class_id, [participant_id])
    return found.get(participant_id)


async def enrollments_of(
    conn: AsyncConnection, class_id: UUID, participant_ids: Collection[UUID]
) -> dict[UUID, Enrollment]:
    """Those of the participants enrolled in the class, each with the date of its live completion."""
    query = _with_completion().where(
        enrollments.c.class_id == str(class_id),
        enrollments.c.participant_id.in_([str(p) for p in participant_ids]),
    )
    return {(e := _to_enrollment(row)).participant_id: e for row in await conn.execute(query)}


async def roster(
    conn: AsyncConnection, class_id: UUID, position: tuple[date, UUID] | None, limit: int
) -> tuple[list[Enrollment], Enrollment | None]:
    """The class's enrolments of the caller's area, by enrolment date (then participant id), withdrawn
    ones included; the last one shown if more follow."""
    query = (
        _with_completion()
        .where(
            enrollments.c.class_id == str(class_id),
            in_caller_area(enrollments.c.participant_id, known_participants),
            after(enrollments.c.enrolled_on, enrollments.c.participant_id, position),
        )
        .order_by(enrollments.c.enrolled_on, enrollments.c.participant_id)
        .limit(limit + 1)
    )
    rows, last = one_page((await conn.execute(query)).all(), limit)
    return [_to_enrollment(row) for row in rows], (_to_enrollment(last) if last else None)


async def withdraw(conn: AsyncConnection, withdrawn: Enrollment, *, by: str, reason: str) -> None:
    await conn.execute(
        enrollments.update()
        .where(
            enrollments.c.class_id == str(withdrawn.class_id),
            enrollments.c.participant_id == str(withdrawn.participant_id),
        )
        .values(withdrawn_on=withdrawn.withdrawn_on, withdrawn_by=by, withdrawal_reason=reason)
    )


def _with_completion() -> Select[Any]:
    live = completions.c.voided_at.is_(None)
    return select(enrollments, completions.c.completed_on).outerjoin(
        completions,
        (completions.c.class_id == enrollments.c.class_id)
        & (completions.c.participant_id == enrollments.c.participant_id)
        & live,
    )


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


async def insert_completions(conn: AsyncConnection, done: Sequence[Completion]) -> None:
    """Raises IntegrityError if an enrolment already has a live completion (ux_completions_one_live)."""
    rows = [
        {"class_id": str(c.class_id), "participant_id": str(c.participant_id), "completed_on": c.completed_on}
        for c in done
    ]
    if rows:
        await conn.execute(completions.insert(), rows)


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
    return Enrollment(
        UUID(row.class_id), UUID(row.participant_id), row.enrolled_on, row.completed_on, row.withdrawn_on
    )


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
