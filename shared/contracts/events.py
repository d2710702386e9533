"""Payloads of the domain events. Wire names are stable strings, never class paths."""

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from shared.contracts.enums import PermitType, TrainingFormat, TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.profile import KOTA_CODE, ParticipantProfile


class ParticipantRegistered(EventPayload):
    event_type: ClassVar[str] = "ParticipantRegistered"

    participant_id: UUID
    profile: ParticipantProfile = Field(description="profile.registered_on is the registration date")


class TrainingClassScheduled(EventPayload):
    event_type: ClassVar[str] = "TrainingClassScheduled"

    class_id: UUID
    title: str
    program: TrainingProgram
    format: TrainingFormat
    kota_code: str = Field(pattern=KOTA_CODE)
    starts_on: date
    ends_on: date
    capacity: int = Field(ge=1)


class ParticipantEnrolled(EventPayload):
    event_type: ClassVar[str] = "ParticipantEnrolled"

    participant_id: UUID
    class_id: UUID
    program: TrainingProgram
    enrolled_on: date
    profile: ParticipantProfile


class TrainingCompleted(EventPayload):
    event_type: ClassVar[str] = "TrainingCompleted"

    participant_id: UUID
    class_id: UUID
    program: TrainingProgram
    completed_on: date
    profile: ParticipantProfile


class ParticipantPlaced(EventPayload):
    event_type: ClassVar[str] = "ParticipantPlaced"

    participant_id: UUID
    placement_id: UUID
    placed_on: date
    profile: ParticipantProfile


class PermitApplied(EventPayload):
    event_type: ClassVar[str] = "PermitApplied"

    permit_id: UUID
    participant_id: UUID
    permit_type: PermitType
    applied_on: date
    profile: ParticipantProfile


class PermitIssued(EventPayload):
    event_type: ClassVar[str] = "PermitIssued"

    permit_id: UUID
    participant_id: UUID
    permit_type: PermitType
    permit_number: str = Field(min_length=1)
    applied_on: date
    issued_on: date
    profile: ParticipantProfile


class PermitRejected(EventPayload):
    event_type: ClassVar[str] = "PermitRejected"

    permit_id: UUID
    participant_id: UUID
    permit_type: PermitType
    rejected_on: date
    reason: str = Field(min_length=1)
    profile: ParticipantProfile
