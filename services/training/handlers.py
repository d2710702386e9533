"""Use cases of the training service: each one transaction, state and event together.

Placing, and correcting or voiding a completion or a placement, first lock the participant
(repository.lock_participant): "a placement follows a vocational completion" spans rows that concurrent
requests could otherwise change between one request's read and its write. Enrolling, withdrawing and
recording completions lock the class instead: capacity counts its enrolments, and a withdrawal must not
race a completion of the same enrolment (the one-live-completion index refuses a duplicate completion).

A withdrawal publishes no event: no figure counts enrolments (PRODUCT.md §3), and the enrolment it ends
still happened on its date — the stage fact registration keeps for its "registered_on precedes every
stage fact" rule stays true.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from uuid import UUID, uuid4

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.training.adapters import repository
from services.training.adapters.repository import ClassFilters
from services.training.adapters.tables import correction_log, known_participants
from services.training.domain.enrollment import BatchRow, Enrollment, enrollment_of
from services.training.domain.training import (
    AlreadyCompleted,
    AlreadyEnrolled,
    ClassFull,
    Completion,
    Placement,
    TrainingClass,
    check_enrolment,
    check_placement,
    check_placements_still_follow,
    check_schedule,
)
from shared.auth.context import current_principal
from shared.contracts.enums import TrainingProgram
from shared.contracts.events import ParticipantEnrolled, TrainingClassScheduled
from shared.corrections.log import record_correction, record_void
from shared.dates import jakarta_today
from shared.errors import DomainError, NotFound
from shared.outbox.unit_of_work import Fact, Transaction, UnitOfWork
from shared.participants.area import check_own_kota, found_in_area
from shared.participants.directory import profile_of

COMPLETED_ON = "completed_on"  # the date field of TrainingCompleted that corrections change
PLACED_ON = "placed_on"  # the date field of ParticipantPlaced that corrections change


@dataclass(frozen=True)
class CompletionKey:
    """A completion is named by its enrolment: its fact id is the class, for that participant."""

    class_id: UUID
    participant_id: UUID


async def schedule_class(uow: UnitOfWork, cls: TrainingClass) -> TrainingClass:
    check_own_kota(current_principal(), cls.kota_code, "a class")
    check_schedule(cls.starts_on, cls.ends_on, cls.kota_code)
    async with uow.begin() as tx:
        await repository.insert_class(tx.conn, cls)
        event = TrainingClassScheduled(
            class_id=cls.class_id,
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
            if existing := await repository.get_enrollment(tx.conn, class_id, participant_id):
                existing.check_open()
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
) -> Completion:
    today = jakarta_today()
    day = completed_on or today
    try:
        async with uow.begin() as tx:
            cls = await _class(tx, class_id, lock=True)
            profile = await profile_of(tx.conn, known_participants, participant_id)
            found = await repository.get_enrollment(tx.conn, class_id, participant_id)
            done = enrollment_of(found, class_id, participant_id).complete(cls, day, today, profile)
            await repository.insert_completions(tx.conn, [done])
            await tx.record(done.event(profile), key=str(participant_id), occurred_on=day)
    except IntegrityError:
        # The one-live-completion index refused it; a voided completion does not count, so it can be
        # recorded again.
        raise AlreadyCompleted(f"participant {participant_id} already completed class {class_id}") from None
    return done


async def complete_many(
    uow: UnitOfWork, class_id: UUID, participant_ids: Sequence[UUID], completed_on: date
) -> list[tuple[BatchRow, DomainError | None]]:
    """Completions of one class on one day: each participant under the rules of a single completion.

    A refused participant gets the status and code a single request would; the others are recorded, each
    completion with its event, in one transaction. Also returns each row's refusal, for the audit trail.
    A participant listed twice is completed once; the later row is `already_completed`.
    """
    today = jakarta_today()
    async with uow.begin() as tx:
        cls = await _class(tx, class_id, lock=True)
        enrolled = await repository.enrollments_of(tx.conn, class_id, set(participant_ids))
        rows: list[tuple[BatchRow, DomainError | None]] = []
        done: list[Completion] = []
        facts: list[Fact] = []
        for index, participant_id in enumerate(participant_ids):
            try:
                profile = await profile_of(tx.conn, known_participants, participant_id)
                found = enrollment_of(enrolled.get(participant_id), class_id, participant_id)
                completion = found.complete(cls, completed_on, today, profile)
            except DomainError as refused:
                rows.append((BatchRow.refused(index, participant_id, refused), refused))
                continue
            enrolled[participant_id] = replace(found, completed_on=completed_on)
            done.append(completion)
            facts.append(Fact(completion.event(profile), str(participant_id), completed_on))
            rows.append((BatchRow(index, 201), None))
        await repository.insert_completions(tx.conn, done)
        await tx.record_many(facts)
    return rows


async def withdraw(
    uow: UnitOfWork, class_id: UUID, participant_id: UUID, withdrawn_on: date | None, *, by: str, reason: str
) -> Enrollment:
    """End an enrolment that is not completed, freeing its place; `by` and `reason` stay in this database."""
    today = jakarta_today()
    async with uow.begin() as tx:
        await _class(tx, class_id, lock=True)
        enrollment = await _enrollment(tx.conn, class_id, participant_id)
        withdrawn = enrollment.withdraw(withdrawn_on or today, today)
        await repository.withdraw(tx.conn, withdrawn, by=by, reason=reason)
    return withdrawn


async def classes_page(
    uow: UnitOfWork, filters: ClassFilters, position: tuple[date, UUID] | None, limit: int
) -> tuple[list[tuple[TrainingClass, int]], TrainingClass | None]:
    async with uow.engine.connect() as conn:
        return await repository.classes_page(conn, filters, position, limit)


async def roster(
    uow: UnitOfWork, class_id: UUID, position: tuple[date, UUID] | None, limit: int
) -> tuple[list[Enrollment], Enrollment | None]:
    async with uow.engine.connect() as conn:
        if await repository.get_class(conn, class_id) is None:
            raise NotFound(f"class {class_id} not found")
        return await repository.roster(conn, class_id, position, limit)


async def correct_completion(
    uow: UnitOfWork, key: CompletionKey, completed_on: date, *, by: str, reason: str
) -> Completion:
    """Re-date the live completion; correcting it to the date it already has changes nothing."""
    async with uow.begin() as tx:
        await repository.lock_participant(tx.conn, key.participant_id)
        cls = await _class(tx, key.class_id)
        current = await _completion(tx.conn, key)
        profile = await profile_of(tx.conn, known_participants, key.participant_id)
        corrected = current.redate(cls, completed_on, jakarta_today(), profile)
        if corrected == current:
            return current
        if cls.program is TrainingProgram.VOCATIONAL:
            others = await _other_vocational_completions(tx.conn, key)
            check_placements_still_follow(
                f"move the completion of class {key.class_id} to {completed_on}",
                await repository.earliest_live_placement(tx.conn, key.participant_id),
                [*others, completed_on],
            )
        await repository.redate_completion(tx.conn, current, completed_on)
        await record_correction(
            tx,
            correction_log,
            fact=current.event(profile),
            fact_id=str(key.class_id),
            date_field=COMPLETED_ON,
            new_on=completed_on,
            by=by,
            reason=reason,
        )
    return corrected


async def void_completion(uow: UnitOfWork, key: CompletionKey, *, by: str, reason: str) -> Completion:
    """Withdraw a completion recorded by mistake, unless a placement relies on it."""
    async with uow.begin() as tx:
        await repository.lock_participant(tx.conn, key.participant_id)
        current = await _completion(tx.conn, key)
        voided = current.void()
        if current.program is TrainingProgram.VOCATIONAL:
            check_placements_still_follow(
                f"void the completion of class {key.class_id}",
                await repository.earliest_live_placement(tx.conn, key.participant_id),
                await _other_vocational_completions(tx.conn, key),
            )
        profile = await profile_of(tx.conn, known_participants, key.participant_id)
        await repository.void_completion(tx.conn, current, by=by, reason=reason)
        await record_void(
            tx,
            correction_log,
            fact=current.event(profile),
            fact_id=str(key.class_id),
            date_field=COMPLETED_ON,
            by=by,
            reason=reason,
        )
    return voided


async def get_completion(uow: UnitOfWork, key: CompletionKey) -> Completion:
    async with uow.engine.connect() as conn:
        return await _completion(conn, key)


async def place(uow: UnitOfWork, participant_id: UUID, employer: str, placed_on: date | None) -> Placement:
    today = jakarta_today()
    placement = Placement(uuid4(), participant_id, employer, placed_on or today)
    async with uow.begin() as tx:
        await repository.lock_participant(tx.conn, participant_id)
        profile = await profile_of(tx.conn, known_participants, participant_id)
        check_placement(
            placement.placed_on, today, profile, await _first_vocational_completion(tx.conn, participant_id)
        )
        await repository.insert_placement(tx.conn, placement)
        await tx.record(placement.event(profile), key=str(participant_id), occurred_on=placement.placed_on)
    return placement


async def correct_placement(
    uow: UnitOfWork, placement_id: UUID, placed_on: date, *, by: str, reason: str
) -> Placement:
    """Re-date a placement; correcting it to the date it already has changes nothing."""
    async with uow.begin() as tx:
        current = await _placement_locked(tx.conn, placement_id)
        profile = await profile_of(tx.conn, known_participants, current.participant_id)
        first = await _first_vocational_completion(tx.conn, current.participant_id)
        corrected = current.redate(placed_on, jakarta_today(), profile, first)
        if corrected == current:
            return current
        await repository.redate_placement(tx.conn, current, placed_on)
        await record_correction(
            tx,
            correction_log,
            fact=current.event(profile),
            fact_id=str(placement_id),
            date_field=PLACED_ON,
            new_on=placed_on,
            by=by,
            reason=reason,
        )
    return corrected


async def void_placement(uow: UnitOfWork, placement_id: UUID, *, by: str, reason: str) -> Placement:
    async with uow.begin() as tx:
        current = await _placement_locked(tx.conn, placement_id)
        voided = current.void()
        profile = await profile_of(tx.conn, known_participants, current.participant_id)
        await repository.void_placement(tx.conn, current, by=by, reason=reason)
        await record_void(
            tx,
            correction_log,
            fact=current.event(profile),
            fact_id=str(placement_id),
            date_field=PLACED_ON,
            by=by,
            reason=reason,
        )
    return voided


async def get_placement(uow: UnitOfWork, placement_id: UUID) -> Placement:
    async with uow.engine.connect() as conn:
        return await _placement(conn, placement_id)


async def _enrollment(conn: AsyncConnection, class_id: UUID, participant_id: UUID) -> Enrollment:
    """The enrolment, or 404 — also for a participant outside the caller's area, whatever they did."""
    missing = NotFound(f"participant {participant_id} is not enrolled in class {class_id}")
    found = await repository.get_enrollment(conn, class_id, participant_id)
    return await found_in_area(conn, known_participants, found, missing)


async def _completion(conn: AsyncConnection, key: CompletionKey) -> Completion:
    """The completion, or 404 — also for a participant outside the caller's area, whatever it did."""
    missing = NotFound(f"participant {key.participant_id} has no completion of class {key.class_id}")
    found = await repository.completion(conn, key.class_id, key.participant_id)
    return await found_in_area(conn, known_participants, found, missing)


async def _other_vocational_completions(conn: AsyncConnection, key: CompletionKey) -> list[date]:
    """The participant's live vocational completion dates, but for the one being changed."""
    live = await repository.live_vocational_completions(conn, key.participant_id)
    return [on for class_id, on in live.items() if class_id != key.class_id]


async def _first_vocational_completion(conn: AsyncConnection, participant_id: UUID) -> date | None:
    live = await repository.live_vocational_completions(conn, participant_id)
    return min(live.values(), default=None)


async def _placement(conn: AsyncConnection, placement_id: UUID) -> Placement:
    """The placement, or 404 when there is none the caller may see."""
    found = await repository.placement(conn, placement_id)
    return await found_in_area(
        conn, known_participants, found, NotFound(f"placement {placement_id} not found")
    )


async def _placement_locked(conn: AsyncConnection, placement_id: UUID) -> Placement:
    """The placement as it stands once its participant is locked (see repository.lock_participant)."""
    # A placement's participant never changes, so it may be read before the lock; the rest is read under it.
    participant_id = (await _placement(conn, placement_id)).participant_id
    await repository.lock_participant(conn, participant_id)
    return await _placement(conn, placement_id)
