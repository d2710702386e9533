"""Classes: scheduling one, enrolling in it, withdrawing from it, completing it; the class list and roster.

A withdrawal publishes no event: no figure counts enrolments (PRODUCT.md §3), and the enrolment it ends
still happened on its date — the stage fact registration keeps for its "registered_on precedes every
stage fact" rule stays true.
"""

from dataclasses import replace
from uuid import UUID, uuid4

from services.training.adapters.repositories import (
    ClassesView,
    ClassFilters,
    Position,
    TrainingStorage,
    TrainingWrites,
)
from services.training.commands import Complete, CompleteMany, Enrol, ScheduleClass, Withdraw
from services.training.domain.enrollment import BatchRow, Enrollment, enrollment_of
from services.training.domain.training import AlreadyEnrolled, ClassFull, Completion, TrainingClass
from shared.auth.context import current_principal
from shared.dates import jakarta_today
from shared.errors import DomainError, NotFound
from shared.participants.area import check_own_kota


async def schedule_class(uow: TrainingStorage, command: ScheduleClass) -> TrainingClass:
    check_own_kota(current_principal(), command.kota_code, "a class")
    training = TrainingClass(
        class_id=uuid4(),
        title=command.title,
        program=command.program,
        format=command.format,
        kota_code=command.kota_code,
        venue=command.venue,
        starts_on=command.starts_on,
        ends_on=command.ends_on,
        capacity=command.capacity,
    ).scheduled(jakarta_today())
    async with uow.begin() as tx:
        await tx.classes.add(training)
    return training


async def enroll(uow: TrainingStorage, command: Enrol) -> Enrollment:
    today = jakarta_today()
    day = command.enrolled_on or today
    async with uow.begin() as tx:
        training = await _locked_class(tx, command.class_id)
        profile = await tx.participants.profile(command.participant_id)
        enrolment = Enrollment.enrol(training, command.participant_id, day, today, profile)
        if existing := await tx.enrollments.get(command.class_id, command.participant_id):
            existing.check_open()
            raise AlreadyEnrolled(
                f"participant {command.participant_id} is already enrolled in class {command.class_id}"
            )
        if not await tx.enrollments.add_if_room(training, enrolment):
            raise ClassFull(f"class {command.class_id} is full ({training.capacity} places)")
    return enrolment


async def complete(uow: TrainingStorage, command: Complete) -> Completion:
    today = jakarta_today()
    day = command.completed_on or today
    async with uow.begin() as tx:
        training = await _locked_class(tx, command.class_id)
        profile = await tx.participants.profile(command.participant_id)
        found = await tx.enrollments.get(command.class_id, command.participant_id)
        done = enrollment_of(found, command.class_id, command.participant_id).complete(
            training, day, today, profile
        )
        await tx.completions.add(done)
    return done


async def complete_many(
    uow: TrainingStorage, command: CompleteMany
) -> list[tuple[BatchRow, DomainError | None]]:
    """Completions of one class on one day: each participant under the rules of a single completion.

    A refused participant gets the status and code a single request would; the others are recorded, each
    completion with its event, in one transaction. Also returns each row's refusal, for the audit trail.
    A participant listed twice is completed once; the later row is `already_completed`.
    """
    today = jakarta_today()
    async with uow.begin() as tx:
        training = await _locked_class(tx, command.class_id)
        enrolled = await tx.enrollments.of(command.class_id, set(command.participant_ids))
        rows: list[tuple[BatchRow, DomainError | None]] = []
        done: list[Completion] = []
        for index, participant_id in enumerate(command.participant_ids):
            try:
                profile = await tx.participants.profile(participant_id)
                found = enrollment_of(enrolled.get(participant_id), command.class_id, participant_id)
                completion = found.complete(training, command.completed_on, today, profile)
            except DomainError as refused:
                rows.append((BatchRow.refused(index, participant_id, refused), refused))
                continue
            enrolled[participant_id] = replace(found, completed_on=command.completed_on)
            done.append(completion)
            rows.append((BatchRow(index, 201), None))
        await tx.completions.add_all(done)
    return rows


async def withdraw(uow: TrainingStorage, command: Withdraw) -> Enrollment:
    """End an enrolment that is not completed, freeing its place; `by` and `reason` stay in this database."""
    today = jakarta_today()
    async with uow.begin() as tx:
        await _locked_class(tx, command.class_id)
        missing = NotFound(
            f"participant {command.participant_id} is not enrolled in class {command.class_id}"
        )
        found = await tx.enrollments.get(command.class_id, command.participant_id)
        enrolment = await tx.participants.found_in_area(found, missing)
        withdrawn = enrolment.withdraw(command.withdrawn_on or today, today)
        await tx.enrollments.withdraw(withdrawn, by=command.by, reason=command.reason)
    return withdrawn


async def classes_page(
    uow: TrainingStorage, filters: ClassFilters, position: Position | None, limit: int
) -> tuple[list[tuple[TrainingClass, int]], TrainingClass | None]:
    async with uow.view() as view:
        return await view.classes.page(filters, position, limit)


async def get_class(uow: TrainingStorage, class_id: UUID) -> tuple[TrainingClass, int]:
    """The class and its places taken."""
    async with uow.view() as view:
        training = await _class(view.classes, class_id)
        return training, await view.classes.places_taken(class_id)


async def roster(
    uow: TrainingStorage, class_id: UUID, position: Position | None, limit: int
) -> tuple[list[Enrollment], Enrollment | None]:
    async with uow.view() as view:
        await _class(view.classes, class_id)
        return await view.enrollments.roster(class_id, position, limit)


async def _class(classes: ClassesView, class_id: UUID) -> TrainingClass:
    return found_class(await classes.get(class_id), class_id)


async def _locked_class(tx: TrainingWrites, class_id: UUID) -> TrainingClass:
    return found_class(await tx.classes.locked(class_id), class_id)


def found_class(found: TrainingClass | None, class_id: UUID) -> TrainingClass:
    """The class looked up, or 404."""
    if found is None:
        raise NotFound(f"class {class_id} not found")
    return found
