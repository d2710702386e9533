"""Classes and their enrolments in the training database."""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import ColumnElement, Row, Select, func, literal, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.training.adapters.repositories import ClassFilters, Position
from services.training.adapters.tables import classes, completions, enrollments, known_participants
from services.training.domain.enrollment import Enrollment
from services.training.domain.training import AlreadyEnrolled, TrainingClass
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.db.keyset import after, page_of
from shared.outbox.unit_of_work import Transaction
from shared.participants.area import in_caller_area

# An enrolment takes a place until it is withdrawn.
TAKES_A_PLACE = enrollments.c.withdrawn_on.is_(None)


@dataclass(frozen=True)
class SqlClassesView:
    conn: AsyncConnection

    async def get(self, class_id: UUID) -> TrainingClass | None:
        return await self._get(select(classes).where(classes.c.class_id == str(class_id)))

    async def _get(self, query: Select[Any]) -> TrainingClass | None:
        row = (await self.conn.execute(query)).one_or_none()
        return _to_class(row) if row else None

    async def places_taken(self, class_id: UUID) -> int:
        return int((await self.conn.execute(_places_taken(str(class_id)))).scalar_one())

    async def page(
        self, filters: ClassFilters, position: Position | None, limit: int
    ) -> tuple[list[tuple[TrainingClass, int]], TrainingClass | None]:
        enrolled = _places_taken(classes.c.class_id).scalar_subquery().label("enrolled")
        query = select(classes, enrolled).where(after(classes.c.starts_on, classes.c.class_id, position))
        if filters.kota_code is not None:
            query = query.where(classes.c.kota_code == filters.kota_code)
        if filters.program is not None:
            query = query.where(classes.c.program == filters.program.value)
        if filters.format is not None:
            query = query.where(classes.c.format == filters.format.value)
        if filters.active_on is not None:
            query = query.where(
                classes.c.starts_on <= filters.active_on, classes.c.ends_on >= filters.active_on
            )
        rows, last = await page_of(self.conn, query.order_by(classes.c.starts_on, classes.c.class_id), limit)
        return [(_to_class(row), row.enrolled) for row in rows], (_to_class(last) if last else None)


@dataclass(frozen=True)
class SqlClasses(SqlClassesView):
    tx: Transaction

    async def locked(self, class_id: UUID) -> TrainingClass | None:
        # PostgreSQL: serialise enrolments of one class so capacity holds; SQLite has one writer.
        return await self._get(select(classes).where(classes.c.class_id == str(class_id)).with_for_update())

    async def add(self, training: TrainingClass) -> None:
        await self.conn.execute(
            classes.insert().values(
                class_id=str(training.class_id),
                title=training.title,
                program=training.program.value,
                format=training.format.value,
                kota_code=training.kota_code,
                venue=training.venue,
                starts_on=training.starts_on,
                ends_on=training.ends_on,
                capacity=training.capacity,
                created_at=datetime.now(UTC),
            )
        )
        await self.tx.collect(training)


def _places_taken(class_id: ColumnElement[str] | str) -> Select[Any]:
    return select(func.count()).where(enrollments.c.class_id == class_id, TAKES_A_PLACE)


@dataclass(frozen=True)
class SqlEnrollmentsView:
    conn: AsyncConnection

    async def roster(
        self, class_id: UUID, position: Position | None, limit: int
    ) -> tuple[list[Enrollment], Enrollment | None]:
        query = (
            _with_completion()
            .where(
                enrollments.c.class_id == str(class_id),
                in_caller_area(enrollments.c.participant_id, known_participants),
                after(enrollments.c.enrolled_on, enrollments.c.participant_id, position),
            )
            .order_by(enrollments.c.enrolled_on, enrollments.c.participant_id)
        )
        rows, last = await page_of(self.conn, query, limit)
        return [_to_enrollment(row) for row in rows], (_to_enrollment(last) if last else None)


@dataclass(frozen=True)
class SqlEnrollments(SqlEnrollmentsView):
    tx: Transaction

    async def get(self, class_id: UUID, participant_id: UUID) -> Enrollment | None:
        found = await self.of(class_id, [participant_id])
        return found.get(participant_id)

    async def of(self, class_id: UUID, participant_ids: Collection[UUID]) -> dict[UUID, Enrollment]:
        query = _with_completion().where(
            enrollments.c.class_id == str(class_id),
            enrollments.c.participant_id.in_([str(p) for p in participant_ids]),
        )
        return {(e := _to_enrollment(row)).participant_id: e for row in await self.conn.execute(query)}

    async def add_if_room(self, training: TrainingClass, enrolment: Enrollment) -> bool:
        """One statement inserts the enrolment only while the class has room."""
        taken = _places_taken(str(training.class_id)).scalar_subquery()
        room = select(
            literal(str(training.class_id)),
            literal(str(enrolment.participant_id)),
            literal(enrolment.enrolled_on),
        ).where(taken < training.capacity)
        insert = enrollments.insert().from_select(["class_id", "participant_id", "enrolled_on"], room)
        try:
            inserted = await self.conn.execute(insert.returning(enrollments.c.participant_id))
        except IntegrityError:
            raise AlreadyEnrolled(
                f"participant {enrolment.participant_id} is already enrolled in class {training.class_id}"
            ) from None
        if inserted.first() is None:
            return False
        await self.tx.collect(enrolment)
        return True

    async def withdraw(self, withdrawn: Enrollment, *, by: str, reason: str) -> None:
        await self.conn.execute(
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
