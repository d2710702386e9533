"""Request and response bodies of the training API (contract v1, PRODUCT.md §4)."""

from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.training.commands import Complete, CompleteMany, Enrol, Place, ScheduleClass, Withdraw
from services.training.domain.enrollment import MAX_BATCH, BatchRow, Enrollment, EnrollmentState
from services.training.domain.training import Completion, Placement, TrainingClass
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.contracts.profile import KOTA_CODE
from shared.corrections.api import Reason

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ClassIn(Strict):
    title: Text
    program: TrainingProgram
    format: TrainingFormat = TrainingFormat.REGULAR
    kota_code: str = Field(pattern=KOTA_CODE, examples=["31.71"])
    venue: Text | None = None
    starts_on: date
    ends_on: date
    capacity: int = Field(ge=1, le=10_000)

    def to_command(self) -> ScheduleClass:
        return ScheduleClass(**self.model_dump())

    def to_class(self) -> TrainingClass:
        """The class as the demo plan's replay (tests/unit/test_demo_plan.py) checks it; the API schedules
        through `to_command` and the handler, which gives the class its id."""
        return TrainingClass(class_id=uuid4(), **self.model_dump())


class ClassOut(BaseModel):
    class_id: UUID
    title: str
    program: TrainingProgram
    format: TrainingFormat
    kota_code: str
    venue: str | None
    starts_on: date
    ends_on: date
    capacity: int
    enrolled: int

    @classmethod
    def of(cls, c: TrainingClass, enrolled: int) -> "ClassOut":
        return cls(enrolled=enrolled, **vars(c))


class EnrollmentIn(Strict):
    participant_id: UUID
    enrolled_on: date | None = Field(default=None, description="Defaults to today (Asia/Jakarta)")

    def to_command(self, class_id: UUID) -> Enrol:
        return Enrol(class_id, self.participant_id, self.enrolled_on)


class CompletionIn(Strict):
    participant_id: UUID
    completed_on: date | None = Field(default=None, description="Defaults to today (Asia/Jakarta)")

    def to_command(self, class_id: UUID) -> Complete:
        return Complete(class_id, self.participant_id, self.completed_on)


class ClassPage(BaseModel):
    items: list[ClassOut] = Field(description="By start date; `enrolled` counts the places taken")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class EnrollmentOut(BaseModel):
    class_id: UUID
    participant_id: UUID
    enrolled_on: date
    completed_on: date | None = Field(description="Of the live completion; null until completed")
    withdrawn_on: date | None = Field(default=None, description="Null unless withdrawn")
    state: EnrollmentState = Field(
        description="`enrolled` (takes a place), `completed`, or `withdrawn` (the place was freed)"
    )

    @classmethod
    def of(cls, e: Enrollment) -> "EnrollmentOut":
        return cls(state=e.state, **vars(e))


class RosterPage(BaseModel):
    items: list[EnrollmentOut] = Field(
        description="By enrolment date, withdrawn enrolments included; participants outside the caller's "
        "area left out"
    )
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


class WithdrawalIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"reason": "pindah domisili ke luar kota", "withdrawn_on": "2023-03-05"}]
        }
    )

    reason: Reason = Field(description="Why the participant left; kept in the training database only")
    withdrawn_on: date | None = Field(
        default=None, description="Not before enrolled_on, not after today; defaults to today (Asia/Jakarta)"
    )

    def to_command(self, class_id: UUID, participant_id: UUID, *, by: str) -> Withdraw:
        return Withdraw(class_id, participant_id, self.withdrawn_on, by, self.reason)


class CompletionBatchIn(Strict):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "completed_on": "2023-03-31",
                    "participant_ids": [
                        "7d9f2a4c-1b3e-4f5a-8c7d-9e0f1a2b3c4d",
                        "2c4e6a8b-0d1f-4a3c-9e5b-7d9f1b3d5f7a",
                    ],
                }
            ]
        }
    )

    completed_on: date = Field(description="The day every listed participant completed the class")
    participant_ids: list[UUID] = Field(min_length=1, max_length=MAX_BATCH)

    def to_command(self, class_id: UUID) -> CompleteMany:
        return CompleteMany(class_id, self.participant_ids, self.completed_on)


class BatchRowOut(BaseModel):
    index: int = Field(description="Position of the participant in `participant_ids`, from 0")
    status: int = Field(
        description="201 when the completion was recorded; otherwise the status a single `POST "
        "/classes/{class_id}/completions` would answer",
        examples=[201, 409],
    )
    code: str | None = Field(
        default=None,
        description="Why it was refused: unknown_participant (also for a participant outside the caller's "
        "area), not_enrolled, enrollment_withdrawn, already_completed, rule_violation",
        examples=["already_completed"],
    )
    detail: str | None = Field(default=None, examples=["this participant already completed class …"])

    @classmethod
    def of(cls, row: BatchRow) -> "BatchRowOut":
        return cls(**vars(row))


class CompletionBatchOut(BaseModel):
    results: list[BatchRowOut] = Field(description="One per participant, in the order of `participant_ids`")


class CompletionOut(BaseModel):
    class_id: UUID
    participant_id: UUID
    program: TrainingProgram
    enrolled_on: date
    completed_on: date
    voided: bool = Field(description="Recorded by mistake: kept, but counted nowhere")

    @classmethod
    def of(cls, c: Completion) -> "CompletionOut":
        return cls(**vars(c))


class PlacementIn(Strict):
    participant_id: UUID
    employer: Text
    placed_on: date | None = Field(default=None, description="Defaults to today (Asia/Jakarta)")

    def to_command(self) -> Place:
        return Place(self.participant_id, self.employer, self.placed_on)


class PlacementOut(BaseModel):
    placement_id: UUID
    participant_id: UUID
    employer: str
    placed_on: date
    voided: bool = Field(description="Recorded by mistake: kept, but counted nowhere")

    @classmethod
    def of(cls, p: Placement) -> "PlacementOut":
        return cls(**vars(p))
