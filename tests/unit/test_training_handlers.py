"""Every training handler's rules, driven through in-memory repositories (tests/unit/fakes/training.py):
area scope, 404s, lost races, capacity, withdrawal, batch results, corrections and voids, and the events
each change records, keyed as their contract says. The SQL adapters are covered by the integration suite."""

import asyncio
import contextvars
from collections.abc import Awaitable, Callable
from datetime import date, timedelta
from typing import TypeVar
from uuid import UUID, uuid4

import pytest

from services.training.adapters.repositories import ClassFilters
from services.training.commands import (
    Complete,
    CompleteMany,
    CompletionKey,
    CorrectCompletion,
    CorrectPlacement,
    Enrol,
    Place,
    ScheduleClass,
    VoidCompletion,
    VoidPlacement,
    Withdraw,
)
from services.training.domain.enrollment import Enrollment, EnrollmentState, EnrollmentWithdrawn
from services.training.domain.training import (
    AlreadyCompleted,
    AlreadyEnrolled,
    ClassFull,
    Completion,
    NotAVocationalGraduate,
    NotEnrolled,
    PlacementDependsOnIt,
    TrainingClass,
)
from services.training.handlers import classes, completions, placements
from shared.auth.context import set_current_principal
from shared.auth.principal import OutOfScope, Principal, Role
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.contracts.events import (
    ParticipantEnrolled,
    ParticipantPlaced,
    TrainingClassScheduled,
    TrainingCompleted,
)
from shared.corrections import AlreadyVoided
from shared.dates import jakarta_today
from shared.errors import DomainError, NotFound, RuleViolation
from shared.participants.area import OutsideArea
from shared.participants.directory import UnknownParticipant
from tests.factories import profile
from tests.unit.fakes.storage import FakeStorage
from tests.unit.fakes.training import FakeTrainingWrites, TrainingState, fake_training_storage

T = TypeVar("T")
Storage = FakeStorage[TrainingState, FakeTrainingWrites, FakeTrainingWrites]

ALI, BUDI, CITRA = UUID(int=1), UUID(int=2), UUID(int=3)
ELSEWHERE = UUID(int=9)  # registered in Jakarta Selatan
GAMBIR = profile(registered_on=date(2024, 1, 2))
SELATAN = profile(
    registered_on=date(2024, 1, 2),
    kota_code="31.74",
    kecamatan_code="31.74.01",
    kelurahan_code="31.74.01.1001",
)
MARCH = (date(2024, 3, 1), date(2024, 3, 31))
BY, WHY = "officer-1", "salah input tanggal"


def a_class(program: TrainingProgram = TrainingProgram.VOCATIONAL, capacity: int = 20) -> TrainingClass:
    return TrainingClass(uuid4(), "Barista", program, TrainingFormat.REGULAR, "31.71", None, *MARCH, capacity)


def storage(*held: TrainingClass) -> Storage:
    state = TrainingState(participants={ALI: GAMBIR, BUDI: GAMBIR, CITRA: GAMBIR, ELSEWHERE: SELATAN})
    state.classes = {c.class_id: c for c in held}
    return fake_training_storage(state)


def trainer(kota: str | None = "31.71") -> Principal:
    return Principal("trainer-1", frozenset({Role.TRAINER}), kota=kota)


async def as_caller(principal: Principal, work: Callable[[], Awaitable[T]]) -> T:
    """Runs `work` as a request of `principal` would: in its own context, with the caller set."""

    async def request() -> T:
        set_current_principal(principal)
        return await work()

    return await asyncio.create_task(request(), context=contextvars.copy_context())


async def enrolled(uow: Storage, cls: TrainingClass, *people: UUID, on: date = date(2024, 3, 4)) -> None:
    for person in people:
        await classes.enroll(uow, Enrol(cls.class_id, person, on))


async def completed(uow: Storage, cls: TrainingClass, person: UUID, on: date = date(2024, 3, 28)) -> None:
    await enrolled(uow, cls, person)
    await classes.complete(uow, Complete(cls.class_id, person, on))


def refusal(raised: pytest.ExceptionInfo[DomainError]) -> tuple[int, str]:
    return raised.value.status_code, raised.value.code


# --- scheduling -------------------------------------------------------------------------------------------


async def test_a_scheduled_class_records_its_event_keyed_by_the_class_on_the_day_it_was_scheduled() -> None:
    uow = storage()
    command = ScheduleClass(
        "Barista", TrainingProgram.VOCATIONAL, TrainingFormat.REGULAR, "31.71", None, *MARCH, 20
    )
    scheduled = await classes.schedule_class(uow, command)
    assert uow.state.classes == {scheduled.class_id: scheduled}
    [fact] = uow.published
    assert isinstance(fact.payload, TrainingClassScheduled) and fact.payload.class_id == scheduled.class_id
    assert (fact.key, fact.occurred_on) == (str(scheduled.class_id), jakarta_today())


async def test_a_trainer_schedules_classes_in_their_own_kota_only_and_a_bad_schedule_is_refused() -> None:
    uow = storage()
    elsewhere = ScheduleClass(
        "Barista", TrainingProgram.VOCATIONAL, TrainingFormat.REGULAR, "31.72", None, *MARCH, 5
    )
    with pytest.raises(OutOfScope, match=r"kota 31\.72 is outside your area"):
        await as_caller(trainer("31.71"), lambda: classes.schedule_class(uow, elsewhere))
    backwards = ScheduleClass(
        "Barista", TrainingProgram.VOCATIONAL, TrainingFormat.REGULAR, "31.71", None, MARCH[1], MARCH[0], 5
    )
    with pytest.raises(RuleViolation, match="ends_on 2024-03-01 is before starts_on 2024-03-31"):
        await classes.schedule_class(uow, backwards)
    assert uow.commits == 0 and not uow.published


# --- enrolment --------------------------------------------------------------------------------------------


async def test_an_enrolment_records_participant_enrolled_keyed_by_the_participant_on_its_date() -> None:
    cls = a_class()
    uow = storage(cls)
    enrolment = await classes.enroll(uow, Enrol(cls.class_id, ALI, date(2024, 3, 4)))
    assert enrolment.state is EnrollmentState.ENROLLED
    [fact] = uow.published
    assert isinstance(fact.payload, ParticipantEnrolled)
    assert (fact.payload.class_id, fact.payload.program, fact.payload.profile) == (
        cls.class_id,
        cls.program,
        GAMBIR,
    )
    assert (fact.key, fact.occurred_on) == (str(ALI), date(2024, 3, 4))
    assert uow.state.locks == [f"class {cls.class_id}"]  # capacity is counted under the class's lock


async def test_an_enrolment_in_a_class_nobody_scheduled_is_not_found() -> None:
    with pytest.raises(NotFound, match="not found") as raised:
        await classes.enroll(storage(), Enrol(uuid4(), ALI, None))
    assert refusal(raised) == (404, "not_found")


async def test_an_unknown_participant_and_one_outside_the_area_get_the_same_answer() -> None:
    cls = a_class()
    uow = storage(cls)
    with pytest.raises(UnknownParticipant) as unknown:
        await classes.enroll(uow, Enrol(cls.class_id, uuid4(), None))
    with pytest.raises(OutsideArea) as outside:
        await as_caller(trainer("31.71"), lambda: classes.enroll(uow, Enrol(cls.class_id, ELSEWHERE, None)))
    assert refusal(unknown) == refusal(outside) == (422, "unknown_participant")
    assert not uow.published


async def test_enrolling_twice_is_refused_and_a_withdrawn_enrolment_is_not_enrolled_again() -> None:
    cls = a_class()
    uow = storage(cls)
    await enrolled(uow, cls, ALI, BUDI)
    with pytest.raises(AlreadyEnrolled):
        await enrolled(uow, cls, ALI)
    await classes.withdraw(uow, Withdraw(cls.class_id, BUDI, date(2024, 3, 5), BY, WHY))
    with pytest.raises(EnrollmentWithdrawn, match="withdrew from class") as raised:
        await enrolled(uow, cls, BUDI)
    assert refusal(raised) == (409, "enrollment_withdrawn")
    assert len(uow.events(ParticipantEnrolled)) == 2


async def test_an_enrolment_that_loses_a_race_to_the_same_enrolment_is_already_enrolled() -> None:
    cls = a_class()
    uow = storage(cls)
    # Another request enrols Ali after this one looked and found no enrolment: the primary key decides.
    uow.state.races.append(
        lambda state: state.enrollments.update({(cls.class_id, ALI): _enrolment(cls, ALI)})
    )
    with pytest.raises(AlreadyEnrolled, match=f"participant {ALI} is already enrolled"):
        await enrolled(uow, cls, ALI)
    assert not uow.published and not uow.state.enrollments  # the transaction rolled back


def _enrolment(cls: TrainingClass, person: UUID) -> Enrollment:
    return Enrollment(cls.class_id, person, date(2024, 3, 4), None)


async def test_a_full_class_refuses_an_enrolment_until_a_withdrawal_frees_a_place() -> None:
    cls = a_class(capacity=2)
    uow = storage(cls)
    await enrolled(uow, cls, ALI, BUDI)
    with pytest.raises(ClassFull, match=r"is full \(2 places\)") as raised:
        await enrolled(uow, cls, CITRA)
    assert refusal(raised) == (409, "class_full")
    await classes.withdraw(uow, Withdraw(cls.class_id, ALI, date(2024, 3, 6), BY, WHY))
    await enrolled(uow, cls, CITRA)
    assert await classes.get_class(uow, cls.class_id) == (cls, 2)


# --- completion -------------------------------------------------------------------------------------------


async def test_a_completion_records_training_completed_keyed_by_the_participant_on_its_date() -> None:
    cls = a_class()
    uow = storage(cls)
    await completed(uow, cls, ALI, date(2024, 3, 28))
    [(fact, event)] = uow.events(TrainingCompleted)
    assert (fact.key, fact.occurred_on, event.class_id) == (str(ALI), date(2024, 3, 28), cls.class_id)
    roster, _ = await classes.roster(uow, cls.class_id, None, 10)
    assert [(e.participant_id, e.state, e.completed_on) for e in roster] == [
        (ALI, EnrollmentState.COMPLETED, date(2024, 3, 28))
    ]


async def test_a_completion_needs_an_open_enrolment_and_stands_once() -> None:
    cls = a_class()
    uow = storage(cls)
    with pytest.raises(NotEnrolled) as raised:
        await classes.complete(uow, Complete(cls.class_id, ALI, date(2024, 3, 28)))
    assert refusal(raised) == (422, "not_enrolled")
    await completed(uow, cls, ALI)
    with pytest.raises(AlreadyCompleted):
        await classes.complete(uow, Complete(cls.class_id, ALI, date(2024, 3, 29)))
    await enrolled(uow, cls, BUDI)
    await classes.withdraw(uow, Withdraw(cls.class_id, BUDI, date(2024, 3, 5), BY, WHY))
    with pytest.raises(EnrollmentWithdrawn):
        await classes.complete(uow, Complete(cls.class_id, BUDI, date(2024, 3, 28)))
    await enrolled(uow, cls, CITRA)
    with pytest.raises(RuleViolation, match="outside the class dates"):
        await classes.complete(uow, Complete(cls.class_id, CITRA, date(2024, 4, 1)))
    with pytest.raises(NotFound):
        await classes.complete(uow, Complete(uuid4(), ALI, None))
    assert len(uow.events(TrainingCompleted)) == 1


async def test_a_completion_that_loses_a_race_to_another_completion_is_already_completed() -> None:
    cls = a_class()
    uow = storage(cls)
    await enrolled(uow, cls, ALI)
    racing = Completion(cls.class_id, ALI, cls.program, date(2024, 3, 4), date(2024, 3, 27))
    uow.state.races.append(lambda state: state.completions.append(racing))
    with pytest.raises(AlreadyCompleted, match=f"participant {ALI} already completed class"):
        await classes.complete(uow, Complete(cls.class_id, ALI, date(2024, 3, 28)))
    assert not uow.events(TrainingCompleted) and not uow.state.completions


async def test_a_batch_gives_each_participant_the_answer_a_single_completion_would() -> None:
    cls = a_class()
    uow = storage(cls)
    await enrolled(uow, cls, ALI, BUDI, CITRA)
    await classes.withdraw(uow, Withdraw(cls.class_id, CITRA, date(2024, 3, 5), BY, WHY))
    uow.state.enrollments[(cls.class_id, ELSEWHERE)] = _enrolment(cls, ELSEWHERE)
    stranger = uuid4()
    command = CompleteMany(cls.class_id, [ALI, stranger, CITRA, ALI, ELSEWHERE, BUDI], date(2024, 3, 28))
    rows = await as_caller(trainer("31.71"), lambda: classes.complete_many(uow, command))
    assert [(row.index, row.status, row.code) for row, _ in rows] == [
        (0, 201, None),
        (1, 422, "unknown_participant"),
        (2, 409, "enrollment_withdrawn"),
        (3, 409, "already_completed"),  # listed twice: completed once
        (4, 422, "unknown_participant"),  # outside the caller's area reads as unknown
        (5, 201, None),
    ]
    assert isinstance(rows[4][1], OutsideArea) and str(ELSEWHERE) not in (rows[4][0].detail or "")
    assert [(f.key, f.occurred_on) for f, _ in uow.events(TrainingCompleted)] == [
        (str(ALI), date(2024, 3, 28)),
        (str(BUDI), date(2024, 3, 28)),
    ]
    too_early = await classes.complete_many(
        uow, CompleteMany(cls.class_id, [stranger, BUDI], date(2024, 3, 2))
    )
    assert [(row.status, row.code) for row, _ in too_early] == [
        (422, "unknown_participant"),
        (409, "already_completed"),
    ]


async def test_a_batch_for_a_class_nobody_scheduled_is_not_found_and_records_nothing() -> None:
    uow = storage()
    with pytest.raises(NotFound):
        await classes.complete_many(uow, CompleteMany(uuid4(), [ALI], date(2024, 3, 28)))
    assert uow.commits == 0


# --- withdrawal -------------------------------------------------------------------------------------------


async def test_a_withdrawal_frees_the_place_and_publishes_nothing() -> None:
    cls = a_class()
    uow = storage(cls)
    await enrolled(uow, cls, ALI)
    published = len(uow.published)
    withdrawn = await classes.withdraw(uow, Withdraw(cls.class_id, ALI, date(2024, 3, 5), BY, WHY))
    assert withdrawn.state is EnrollmentState.WITHDRAWN and withdrawn.withdrawn_on == date(2024, 3, 5)
    assert len(uow.published) == published
    assert await classes.get_class(uow, cls.class_id) == (cls, 0)
    await enrolled(uow, cls, BUDI)
    with pytest.raises(RuleViolation, match="withdrawn_on 2024-03-03 is before enrolled_on"):
        await classes.withdraw(uow, Withdraw(cls.class_id, BUDI, date(2024, 3, 3), BY, WHY))


async def test_a_completed_enrolment_is_withdrawn_only_once_its_completion_is_voided() -> None:
    cls = a_class()
    uow = storage(cls)
    await completed(uow, cls, ALI)
    withdrawal = Withdraw(cls.class_id, ALI, date(2024, 3, 29), BY, WHY)
    with pytest.raises(AlreadyCompleted, match="a completed enrolment cannot be withdrawn") as raised:
        await classes.withdraw(uow, withdrawal)
    assert raised.value.context == {"completed_on": "2024-03-28"}
    await completions.void_completion(uow, VoidCompletion(CompletionKey(cls.class_id, ALI), BY, WHY))
    assert (await classes.withdraw(uow, withdrawal)).state is EnrollmentState.WITHDRAWN


async def test_a_withdrawal_outside_the_area_is_answered_as_not_enrolled() -> None:
    cls = a_class()
    uow = storage(cls)
    uow.state.enrollments[(cls.class_id, ELSEWHERE)] = _enrolment(cls, ELSEWHERE)
    withdrawal = Withdraw(cls.class_id, ELSEWHERE, date(2024, 3, 5), BY, WHY)
    with pytest.raises(OutsideArea) as outside:
        await as_caller(trainer("31.71"), lambda: classes.withdraw(uow, withdrawal))
    with pytest.raises(NotFound) as missing:
        await classes.withdraw(uow, Withdraw(cls.class_id, ALI, None, BY, WHY))
    assert refusal(outside) == refusal(missing) == (404, "not_found")
    assert str(outside.value) == f"participant {ELSEWHERE} is not enrolled in class {cls.class_id}"
    with pytest.raises(NotFound, match="class"):
        await classes.withdraw(uow, Withdraw(uuid4(), ALI, None, BY, WHY))


# --- correcting and voiding a completion ------------------------------------------------------------------


async def test_a_completion_is_corrected_once_logged_and_a_correction_to_its_own_date_changes_nothing() -> (
    None
):
    cls = a_class(TrainingProgram.ENTREPRENEURSHIP)
    uow = storage(cls)
    await completed(uow, cls, ALI, date(2024, 3, 28))
    key = CompletionKey(cls.class_id, ALI)
    corrected = await completions.correct_completion(uow, CorrectCompletion(key, date(2024, 3, 20), BY, WHY))
    assert corrected.completed_on == date(2024, 3, 20)
    assert (await completions.get_completion(uow, key)).completed_on == date(2024, 3, 20)
    [logged] = uow.state.corrections
    assert (logged.action, logged.fact_id, logged.date_field, logged.new_on) == (
        "corrected",
        str(cls.class_id),
        "completed_on",
        date(2024, 3, 20),
    )
    assert isinstance(logged.fact, TrainingCompleted) and logged.fact.completed_on == date(2024, 3, 28)
    assert uow.state.locks[-1] == f"participant {ALI}"  # placements and completions serialised
    await completions.correct_completion(uow, CorrectCompletion(key, date(2024, 3, 20), BY, WHY))
    assert len(uow.state.corrections) == 1
    with pytest.raises(RuleViolation, match="before enrolled_on"):
        await completions.correct_completion(uow, CorrectCompletion(key, date(2024, 3, 3), BY, WHY))


async def test_a_voided_completion_is_not_corrected_nor_voided_again_but_may_be_recorded_again() -> None:
    cls = a_class(TrainingProgram.ENTREPRENEURSHIP)
    uow = storage(cls)
    await completed(uow, cls, ALI)
    key = CompletionKey(cls.class_id, ALI)
    voided = await completions.void_completion(uow, VoidCompletion(key, BY, WHY))
    assert voided.voided and (await completions.get_completion(uow, key)).voided
    with pytest.raises(AlreadyVoided) as raised:
        await completions.correct_completion(uow, CorrectCompletion(key, date(2024, 3, 20), BY, WHY))
    assert refusal(raised) == (409, "already_voided")
    with pytest.raises(AlreadyVoided):
        await completions.void_completion(uow, VoidCompletion(key, BY, WHY))
    await classes.complete(uow, Complete(cls.class_id, ALI, date(2024, 3, 30)))
    live = await completions.get_completion(uow, key)
    assert (live.completed_on, live.voided) == (date(2024, 3, 30), False)
    assert [e.action for e in uow.state.corrections] == ["voided"]


async def test_a_completion_nobody_may_see_is_not_found() -> None:
    cls = a_class()
    uow = storage(cls)
    await enrolled(uow, cls, ELSEWHERE)
    await classes.complete(uow, Complete(cls.class_id, ELSEWHERE, date(2024, 3, 28)))
    hidden = CompletionKey(cls.class_id, ELSEWHERE)
    for attempt in (
        lambda: completions.get_completion(uow, hidden),
        lambda: completions.void_completion(uow, VoidCompletion(hidden, BY, WHY)),
        lambda: completions.correct_completion(uow, CorrectCompletion(hidden, date(2024, 3, 20), BY, WHY)),
    ):
        with pytest.raises(OutsideArea) as outside:
            await as_caller(trainer("31.71"), attempt)
        assert refusal(outside) == (404, "not_found")
    with pytest.raises(NotFound, match=f"participant {ALI} has no completion"):
        await completions.get_completion(uow, CompletionKey(cls.class_id, ALI))
    assert not uow.state.corrections


async def test_a_vocational_completion_a_placement_relies_on_is_neither_voided_nor_moved_after_it() -> None:
    first, second = a_class(), a_class()
    uow = storage(first, second)
    await completed(uow, first, ALI, date(2024, 3, 10))
    placement = await placements.place(uow, Place(ALI, "PT Maju", date(2024, 3, 15)))
    key = CompletionKey(first.class_id, ALI)
    with pytest.raises(PlacementDependsOnIt, match="relies on it") as raised:
        await completions.void_completion(uow, VoidCompletion(key, BY, WHY))
    assert raised.value.context == {"placement_id": str(placement.placement_id)}
    with pytest.raises(PlacementDependsOnIt, match="move the completion"):
        await completions.correct_completion(uow, CorrectCompletion(key, date(2024, 3, 20), BY, WHY))
    await completed(uow, second, ALI, date(2024, 3, 12))  # another vocational completion before it
    assert (await completions.void_completion(uow, VoidCompletion(key, BY, WHY))).voided


# --- placements -------------------------------------------------------------------------------------------


async def test_a_placement_follows_a_vocational_completion_and_records_participant_placed() -> None:
    vocational, course = a_class(), a_class(TrainingProgram.ENTREPRENEURSHIP)
    uow = storage(vocational, course)
    await completed(uow, course, ALI, date(2024, 3, 10))
    with pytest.raises(NotAVocationalGraduate) as raised:
        await placements.place(uow, Place(ALI, "PT Maju", date(2024, 4, 1)))
    assert refusal(raised) == (422, "no_vocational_completion")
    await completed(uow, vocational, ALI, date(2024, 3, 20))
    with pytest.raises(RuleViolation, match="before the first vocational completion"):
        await placements.place(uow, Place(ALI, "PT Maju", date(2024, 3, 19)))
    placed = await placements.place(uow, Place(ALI, "PT Maju", date(2024, 4, 1)))
    [(fact, event)] = uow.events(ParticipantPlaced)
    assert (fact.key, fact.occurred_on, event.placement_id) == (
        str(ALI),
        date(2024, 4, 1),
        placed.placement_id,
    )
    assert uow.state.locks[-1] == f"participant {ALI}"
    with pytest.raises(RuleViolation, match="after today"):
        await placements.place(uow, Place(ALI, "PT Maju", jakarta_today() + timedelta(days=1)))


async def test_a_placement_is_corrected_or_voided_once_and_then_never_corrected() -> None:
    cls = a_class()
    uow = storage(cls)
    await completed(uow, cls, ALI, date(2024, 3, 20))
    placed = await placements.place(uow, Place(ALI, "PT Maju", date(2024, 4, 1)))
    corrected = await placements.correct_placement(
        uow, CorrectPlacement(placed.placement_id, date(2024, 4, 2), BY, WHY)
    )
    assert corrected.placed_on == date(2024, 4, 2)
    await placements.correct_placement(uow, CorrectPlacement(placed.placement_id, date(2024, 4, 2), BY, WHY))
    with pytest.raises(RuleViolation, match="before the first vocational completion"):
        await placements.correct_placement(
            uow, CorrectPlacement(placed.placement_id, date(2024, 3, 19), BY, WHY)
        )
    await placements.void_placement(uow, VoidPlacement(placed.placement_id, BY, WHY))
    assert (await placements.get_placement(uow, placed.placement_id)).voided
    with pytest.raises(AlreadyVoided):
        await placements.correct_placement(
            uow, CorrectPlacement(placed.placement_id, date(2024, 4, 3), BY, WHY)
        )
    with pytest.raises(AlreadyVoided):
        await placements.void_placement(uow, VoidPlacement(placed.placement_id, BY, WHY))
    assert [(e.action, e.fact_id, e.new_on) for e in uow.state.corrections] == [
        ("corrected", str(placed.placement_id), date(2024, 4, 2)),
        ("voided", str(placed.placement_id), None),
    ]
    # Once voided the completion no longer supports anything: it may be voided too.
    await completions.void_completion(uow, VoidCompletion(CompletionKey(cls.class_id, ALI), BY, WHY))


async def test_a_placement_nobody_may_see_is_not_found() -> None:
    cls = a_class()
    uow = storage(cls)
    await completed(uow, cls, ELSEWHERE)
    placed = await placements.place(uow, Place(ELSEWHERE, "PT Maju", date(2024, 4, 1)))
    for attempt in (
        lambda: placements.get_placement(uow, placed.placement_id),
        lambda: placements.void_placement(uow, VoidPlacement(placed.placement_id, BY, WHY)),
        lambda: placements.correct_placement(
            uow, CorrectPlacement(placed.placement_id, date(2024, 4, 2), BY, WHY)
        ),
    ):
        with pytest.raises(OutsideArea, match=f"placement {placed.placement_id} not found"):
            await as_caller(trainer("31.71"), attempt)
    with pytest.raises(NotFound):
        await placements.get_placement(uow, uuid4())
    with pytest.raises(OutsideArea) as outside:
        await as_caller(trainer("31.71"), lambda: placements.place(uow, Place(ELSEWHERE, "PT Maju", None)))
    assert refusal(outside) == (422, "unknown_participant")
    assert not uow.state.corrections


# --- reads ------------------------------------------------------------------------------------------------


async def test_classes_are_listed_by_start_date_filtered_and_paged_for_every_caller() -> None:
    early = TrainingClass(
        uuid4(), "A", TrainingProgram.VOCATIONAL, TrainingFormat.REGULAR, "31.74", None, *MARCH, 5
    )
    late = TrainingClass(
        uuid4(), "B", TrainingProgram.ENTREPRENEURSHIP, TrainingFormat.REGULAR, "31.71", None,
        date(2024, 4, 1), date(2024, 4, 30), 5,
    )  # fmt: skip
    uow = storage(late, early)
    page, last = await as_caller(trainer("31.71"), lambda: classes.classes_page(uow, ClassFilters(), None, 1))
    assert [c for c, _ in page] == [early] and last == early
    rest, end = await classes.classes_page(uow, ClassFilters(), (early.starts_on, early.class_id), 1)
    assert [c for c, _ in rest] == [late] and end is None
    running, _ = await classes.classes_page(uow, ClassFilters(active_on=date(2024, 4, 15)), None, 10)
    assert [c for c, _ in running] == [late]
    with pytest.raises(NotFound):
        await classes.get_class(uow, uuid4())


async def test_the_roster_shows_the_callers_area_only_and_a_class_nobody_scheduled_is_not_found() -> None:
    cls = a_class()
    uow = storage(cls)
    await enrolled(uow, cls, ALI, ELSEWHERE)
    everyone, _ = await classes.roster(uow, cls.class_id, None, 10)
    mine, _ = await as_caller(trainer("31.71"), lambda: classes.roster(uow, cls.class_id, None, 10))
    assert {e.participant_id for e in everyone} == {ALI, ELSEWHERE}
    assert [e.participant_id for e in mine] == [ALI]
    with pytest.raises(NotFound):
        await classes.roster(uow, uuid4(), None, 10)
