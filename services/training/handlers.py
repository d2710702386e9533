"""Use cases of the training service: each one transaction, state and event together."""

from dataclasses import dataclass
from datetime import date
from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError

from services.training.adapters import repository
from services.training.adapters.repository import Enrollment
from services.training.adapters.tables import known_participants
from services.training.domain.training import (
    AlreadyCompleted,
    AlreadyEnrolled,
    ClassFull,
    NotEnrolled,
    TrainingClass,
    check_completion,
    check_enrolment,
    check_placement,
    check_schedule,
)
from shared.contracts.events import (
    ParticipantEnrolled,
    ParticipantPlaced,
    TrainingClassScheduled,
    TrainingCompleted,
)
from shared.dates import jakarta_today
from shared.errors import NotFound
from shared.outbox.unit_of_work import Transaction, UnitOfWork
from shared.participants.directory import profile_of


@dataclass(frozen=True)
class Placement:
    placement_id: UUID
    participant_id: UUID
    employer: str
    placed_on: date


async def schedule_class(uow: UnitOfWork, cls: TrainingClass) -> TrainingClass:
    check_schedule(cls.starts_on, cls.ends_on, cls.kota_code)
    async with uow.begin() as tx:
        await repository.insert_class(tx.conn, cls)
        event = TrainingClassScheduled(
            class_id=cls.class_id,
            title=cls.title,
            program=cls.program,
            format=cls.format,
            kota_code=cls.kota_code,
            starts_on=cls.starts_on,
            ends_on=cls.ends_on,
            capacity=cls.capacity,
        )
        await tx.record(event, key=str(cls.class_id), occurred_on=jakarta_today())
    return cls


async def _class(tx: Transaction, class_id: UUID, *, lock: bool = False) -> TrainingClass:
    cls = await repository.get_class(tx.conn, class_id, lock=lock)
    if cls is None:
        raise NotFound(f"class {class_id} not found")
    return cls


async def enroll(
    uow: UnitOfWork, class_id: UUID, participant_id: UUID, enrolled_on: date | None
) -> Enrollment:
    today = jakarta_today()
    day = enrolled_on or today
    try:
        async with uow.begin() as tx:
            cls = await _class(tx, class_id, lock=True)
            profile = await profile_of(tx.conn, known_participants, participant_id)
            check_enrolment(cls, day, today, profile)
            if await repository.get_enrollment(tx.conn, class_id, participant_id):
                raise AlreadyEnrolled(f"participant {participant_id} is already enrolled in class {class_id}")
            if not await repository.enroll_if_room(tx.conn, cls, participant_id, day):
                raise ClassFull(f"class {class_id} is full ({cls.capacity} places)")
            event = ParticipantEnrolled(
                participant_id=participant_id,
                class_id=class_id,
                program=cls.program,
                enrolled_on=day,
                profile=profile,
            )
            await tx.record(event, key=str(participant_id), occurred_on=day)
    except IntegrityError:
        raise AlreadyEnrolled(
            f"participant {participant_id} is already enrolled in class {class_id}"
        ) from None
    return Enrollment(class_id, participant_id, day, None)


async def complete(
    uow: UnitOfWork, class_id: UUID, participant_id: UUID, completed_on: date | None
) -> Enrollment:
    today = jakarta_today()
    day = completed_on or today
    async with uow.begin() as tx:
        cls = await _class(tx, class_id)
        profile = await profile_of(tx.conn, known_participants, participant_id)
        enrollment = await repository.get_enrollment(tx.conn, class_id, participant_id)
        if enrollment is None:
            raise NotEnrolled(f"participant {participant_id} is not enrolled in class {class_id}")
        check_completion(cls, enrollment.enrolled_on, day, today, profile)
        if not await repository.complete_if_open(tx.conn, class_id, participant_id, day):
            raise AlreadyCompleted(f"participant {participant_id} already completed class {class_id}")
        event = TrainingCompleted(
            participant_id=participant_id,
            class_id=class_id,
            program=cls.program,
            completed_on=day,
            profile=profile,
        )
        await tx.record(event, key=str(participant_id), occurred_on=day)
    return Enrollment(class_id, participant_id, enrollment.enrolled_on, day)


async def place(uow: UnitOfWork, participant_id: UUID, employer: str, placed_on: date | None) -> Placement:
    today = jakarta_today()
    day = placed_on or today
    placement = Placement(uuid4(), participant_id, employer, day)
    async with uow.begin() as tx:
        profile = await profile_of(tx.conn, known_participants, participant_id)
        first = await repository.first_vocational_completion(tx.conn, participant_id)
        check_placement(day, today, profile, first)
        await repository.insert_placement(tx.conn, placement.placement_id, participant_id, employer, day)
        event = ParticipantPlaced(
            participant_id=participant_id, placement_id=placement.placement_id, placed_on=day, profile=profile
        )
        await tx.record(event, key=str(participant_id), occurred_on=day)
    return placement
