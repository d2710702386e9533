"""Enrolments: completing one, withdrawing from one, and the rows of a batch of completions."""

from datetime import date
from uuid import uuid4

import pytest

from services.training.domain.enrollment import (
    BatchRow,
    Enrollment,
    EnrollmentState,
    EnrollmentWithdrawn,
    enrollment_of,
)
from services.training.domain.training import AlreadyCompleted, NotEnrolled, TrainingClass
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.errors import RuleViolation
from shared.participants.area import OutsideArea
from shared.participants.directory import UnknownParticipant
from tests.factories import profile

TODAY = date(2024, 6, 30)
PROFILE = profile(registered_on=date(2024, 1, 2))
CLASS = TrainingClass(
    class_id=uuid4(),
    title="Pembukuan Sederhana",
    program=TrainingProgram.ENTREPRENEURSHIP,
    format=TrainingFormat.REGULAR,
    kota_code="31.71",
    venue=None,
    starts_on=date(2024, 3, 1),
    ends_on=date(2024, 3, 31),
    capacity=2,
)
OPEN = Enrollment(CLASS.class_id, uuid4(), enrolled_on=date(2024, 2, 20), completed_on=None)


def test_an_enrolment_is_enrolled_then_completed_or_withdrawn() -> None:
    assert OPEN.state is EnrollmentState.ENROLLED
    done = Enrollment(**{**vars(OPEN), "completed_on": date(2024, 3, 31)})
    assert done.state is EnrollmentState.COMPLETED
    assert OPEN.withdraw(date(2024, 3, 5), TODAY).state is EnrollmentState.WITHDRAWN


def test_a_withdrawal_is_dated_between_the_enrolment_and_today() -> None:
    assert OPEN.withdraw(OPEN.enrolled_on, TODAY).withdrawn_on == OPEN.enrolled_on
    assert OPEN.withdraw(TODAY, TODAY).withdrawn_on == TODAY
    for wrong, words in [
        (date(2024, 2, 19), "withdrawn_on 2024-02-19 is before enrolled_on 2024-02-20"),
        (date(2024, 7, 1), "withdrawn_on 2024-07-01 is after today"),
    ]:
        with pytest.raises(RuleViolation, match=words):
            OPEN.withdraw(wrong, TODAY)


def test_a_completed_enrolment_cannot_be_withdrawn() -> None:
    done = Enrollment(**{**vars(OPEN), "completed_on": date(2024, 3, 31)})
    with pytest.raises(AlreadyCompleted, match="a completed enrolment cannot be withdrawn") as refused:
        done.withdraw(TODAY, TODAY)
    assert (refused.value.status_code, refused.value.code) == (409, "already_completed")
    assert refused.value.context == {"completed_on": "2024-03-31"}


def test_a_withdrawn_enrolment_is_neither_withdrawn_again_nor_completed() -> None:
    withdrawn = OPEN.withdraw(date(2024, 3, 5), TODAY)
    for attempt in (
        lambda: withdrawn.withdraw(TODAY, TODAY),
        lambda: withdrawn.complete(CLASS, date(2024, 3, 31), TODAY, PROFILE),
        withdrawn.check_open,
    ):
        with pytest.raises(EnrollmentWithdrawn, match="withdrew from class") as refused:
            attempt()
        assert (refused.value.status_code, refused.value.code) == (409, "enrollment_withdrawn")
        assert refused.value.context == {"withdrawn_on": "2024-03-05"}


def test_completing_an_enrolment_follows_the_completion_rules() -> None:
    done = OPEN.complete(CLASS, date(2024, 3, 31), TODAY, PROFILE)
    assert (done.class_id, done.participant_id, done.enrolled_on, done.completed_on) == (
        CLASS.class_id,
        OPEN.participant_id,
        OPEN.enrolled_on,
        date(2024, 3, 31),
    )
    with pytest.raises(RuleViolation, match="outside the class dates"):
        OPEN.complete(CLASS, date(2024, 4, 1), TODAY, PROFILE)
    completed = Enrollment(**{**vars(OPEN), "completed_on": date(2024, 3, 31)})
    with pytest.raises(AlreadyCompleted, match="already completed class"):
        completed.complete(CLASS, date(2024, 3, 30), TODAY, PROFILE)


def test_no_enrolment_is_not_enrolled() -> None:
    assert enrollment_of(OPEN, CLASS.class_id, OPEN.participant_id) is OPEN
    with pytest.raises(NotEnrolled) as refused:
        enrollment_of(None, CLASS.class_id, OPEN.participant_id)
    assert (refused.value.status_code, refused.value.code) == (422, "not_enrolled")


def test_a_batch_row_names_its_index_and_never_the_participant() -> None:
    pid = uuid4()
    unknown = UnknownParticipant(
        f"participant {pid} is not known here (yet): register first, or retry shortly"
    )
    outside = OutsideArea(unknown, participant_id=str(pid))
    rows = [BatchRow.refused(3, pid, refusal) for refusal in (unknown, outside)]
    assert (
        rows[0]
        == rows[1]
        == BatchRow(
            3,
            422,
            "unknown_participant",
            "this participant is not known here (yet): register first, or retry shortly",
        )
    )
    assert str(pid) not in repr(rows)
