"""Request and response bodies of the training API (contract v1, PRODUCT.md §4)."""

from datetime import date
from typing import Annotated
from uuid import UUID, uuid4

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.training.adapters.repository import Enrollment
from services.training.domain.training import Completion, Placement, TrainingClass
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.contracts.profile import KOTA_CODE

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

    def to_class(self) -> TrainingClass:
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


class CompletionIn(Strict):
    participant_id: UUID
    completed_on: date | None = Field(default=None, description="Defaults to today (Asia/Jakarta)")


class EnrollmentOut(BaseModel):
    class_id: UUID
    participant_id: UUID
    enrolled_on: date
    completed_on: date | None = Field(description="Of the live completion; null until completed")

    @classmethod
    def of(cls, e: Enrollment) -> "EnrollmentOut":
        return cls(**vars(e))


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


class PlacementOut(BaseModel):
    placement_id: UUID
    participant_id: UUID
    employer: str
    placed_on: date
    voided: bool = Field(description="Recorded by mistake: kept, but counted nowhere")

    @classmethod
    def of(cls, p: Placement) -> "PlacementOut":
        return cls(**vars(p))
