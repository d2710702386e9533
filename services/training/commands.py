"""What the training service is asked to do: one command per change, as the API (or any caller) states it.

Dates left out default to today (Asia/Jakarta) in the handler; `by` is the officer's account, from the token.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from shared.contracts.enums import TrainingFormat, TrainingProgram


@dataclass(frozen=True)
class ScheduleClass:
    title: str
    program: TrainingProgram
    format: TrainingFormat
    kota_code: str
    venue: str | None
    starts_on: date
    ends_on: date
    capacity: int


@dataclass(frozen=True)
class Enrol:
    class_id: UUID
    participant_id: UUID
    enrolled_on: date | None


@dataclass(frozen=True)
class Withdraw:
    class_id: UUID
    participant_id: UUID
    withdrawn_on: date | None
    by: str
    reason: str


@dataclass(frozen=True)
class Complete:
    class_id: UUID
    participant_id: UUID
    completed_on: date | None


@dataclass(frozen=True)
class CompleteMany:
    class_id: UUID
    participant_ids: Sequence[UUID]
    completed_on: date


@dataclass(frozen=True)
class CompletionKey:
    """A completion is named by its enrolment: its fact id is the class, for that participant."""

    class_id: UUID
    participant_id: UUID


@dataclass(frozen=True)
class CorrectCompletion:
    key: CompletionKey
    completed_on: date
    by: str
    reason: str


@dataclass(frozen=True)
class VoidCompletion:
    key: CompletionKey
    by: str
    reason: str


@dataclass(frozen=True)
class Place:
    participant_id: UUID
    employer: str
    placed_on: date | None


@dataclass(frozen=True)
class CorrectPlacement:
    placement_id: UUID
    placed_on: date
    by: str
    reason: str


@dataclass(frozen=True)
class VoidPlacement:
    placement_id: UUID
    by: str
    reason: str
