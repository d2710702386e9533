"""A participant's enrolment in a class: completing it, withdrawing from it, and many completions at once.

An enrolment is `enrolled` until it is completed or withdrawn. A withdrawal frees the place; it ends the
enrolment for good (the roster keeps it, with its date), so a withdrawn enrolment is neither completed nor
enrolled again. A completed enrolment cannot be withdrawn: the completion is a stage fact that counts, and
one recorded by mistake is voided instead. An enrolment collects its ParticipantEnrolled, a completion its
TrainingCompleted; a withdrawal none (no figure counts enrolments). Free of I/O.
"""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from uuid import UUID

from services.training.domain.training import (
    AlreadyCompleted,
    Completion,
    NotEnrolled,
    TrainingClass,
    check_completion,
    check_enrolment,
)
from shared.aggregates import Aggregate
from shared.contracts.events import ParticipantEnrolled
from shared.contracts.profile import ParticipantProfile
from shared.dates import check_fact_date
from shared.errors import Conflict, DomainError, RuleViolation

MAX_BATCH = 500


class EnrollmentWithdrawn(Conflict):
    code = "enrollment_withdrawn"


class EnrollmentState(StrEnum):
    ENROLLED = "enrolled"
    COMPLETED = "completed"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Enrollment(Aggregate):
    class_id: UUID
    participant_id: UUID
    enrolled_on: date
    completed_on: date | None  # of the live completion
    withdrawn_on: date | None = None

    @classmethod
    def enrol(
        cls,
        training: TrainingClass,
        participant_id: UUID,
        day: date,
        today: date,
        profile: ParticipantProfile,
    ) -> "Enrollment":
        """A new enrolment in the class on `day`, under the enrolment rules (the class's room aside)."""
        check_enrolment(training, day, today, profile)
        enrolment = cls(training.class_id, participant_id, day, None)
        event = ParticipantEnrolled(
            participant_id=participant_id,
            class_id=training.class_id,
            program=training.program,
            enrolled_on=day,
            profile=profile,
        )
        enrolment.collect(event, day)
        return enrolment

    @property
    def state(self) -> EnrollmentState:
        if self.withdrawn_on is not None:
            return EnrollmentState.WITHDRAWN
        return EnrollmentState.COMPLETED if self.completed_on else EnrollmentState.ENROLLED

    def check_open(self) -> None:
        """Refuses anything but reading once the participant withdrew."""
        if self.withdrawn_on is not None:
            raise EnrollmentWithdrawn(
                f"participant {self.participant_id} withdrew from class {self.class_id} on "
                f"{self.withdrawn_on.isoformat()}",
                withdrawn_on=self.withdrawn_on.isoformat(),
            )

    def withdraw(self, withdrawn_on: date, today: date) -> "Enrollment":
        self.check_open()
        if self.completed_on is not None:
            raise AlreadyCompleted(
                f"participant {self.participant_id} completed class {self.class_id} on "
                f"{self.completed_on.isoformat()}: a completed enrolment cannot be withdrawn (void the "
                "completion first if it was recorded by mistake)",
                completed_on=self.completed_on.isoformat(),
            )
        if problem := check_fact_date("withdrawn_on", withdrawn_on, today):
            raise RuleViolation(problem)
        if withdrawn_on < self.enrolled_on:
            raise RuleViolation(
                f"withdrawn_on {withdrawn_on.isoformat()} is before enrolled_on "
                f"{self.enrolled_on.isoformat()}"
            )
        return replace(self, withdrawn_on=withdrawn_on)

    def complete(
        self, cls: TrainingClass, completed_on: date, today: date, profile: ParticipantProfile
    ) -> Completion:
        """The completion of this enrolment, under the completion rules; the enrolment must be open."""
        self.check_open()
        if self.completed_on is not None:
            raise AlreadyCompleted(
                f"participant {self.participant_id} already completed class {cls.class_id}"
            )
        check_completion(cls, self.enrolled_on, completed_on, today, profile)
        done = Completion(cls.class_id, self.participant_id, cls.program, self.enrolled_on, completed_on)
        done.collect(done.event(profile), completed_on)
        return done


def enrollment_of(found: Enrollment | None, class_id: UUID, participant_id: UUID) -> Enrollment:
    if found is None:
        raise NotEnrolled(f"participant {participant_id} is not enrolled in class {class_id}")
    return found


@dataclass(frozen=True)
class BatchRow:
    """The outcome for one participant of a batch: 201, or the status and code a single request gets."""

    index: int
    status: int
    code: str | None = None
    detail: str | None = None

    @classmethod
    def refused(cls, index: int, participant_id: UUID, refusal: DomainError) -> "BatchRow":
        # A row is named by its index: its detail does not repeat the participant's id, so a row refused
        # outside the caller's area reads exactly like one about a participant nobody knows.
        named = f"participant {participant_id}"
        detail = refusal.detail.replace(named, "this participant").replace(str(participant_id), "them")
        return cls(index, refusal.status_code, refusal.code, detail)
