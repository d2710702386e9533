"""Payloads of the domain events. Wire names are stable strings, never class paths.

Events carry what reporting counts: ids, codes, enumerations, dates and amounts. Free text (titles, topics,
reasons, notes, lenders' names) and identifying numbers (permit numbers) stay in the owning service's
database, which still answers them through its API; a test holds every text field of every event to an
enumeration or a pattern.
"""

from datetime import date
from typing import ClassVar
from uuid import UUID

from pydantic import Field

from shared.contracts.codes import AccountId
from shared.contracts.enums import (
    Agency,
    CurationLevel,
    ExhibitionKind,
    ExhibitionScope,
    FinancingProduct,
    PermitType,
    TargetScope,
    TrainingFormat,
    TrainingProgram,
)
from shared.contracts.envelope import EventPayload
from shared.contracts.profile import KECAMATAN_CODE, KOTA_CODE, PROVINSI_CODE, ParticipantProfile

Rupiah = int  # whole rupiah; amounts never need fractions
# A target's scope: a province ('31'), a kota (31.71 …), a kecamatan (31.71.01 …) or an agency (PPKUKM …).
_REGION_CODES = "|".join(code[1:-1] for code in (PROVINSI_CODE, KOTA_CODE, KECAMATAN_CODE))  # unanchored
TARGET_SCOPE_KEY = rf"^(?:{_REGION_CODES}|{'|'.join(Agency)})$"


class ParticipantRegistered(EventPayload):
    event_type: ClassVar[str] = "ParticipantRegistered"

    participant_id: UUID
    profile: ParticipantProfile = Field(description="profile.registered_on is the registration date")


class ParticipantUpdated(EventPayload):
    """The registration record was updated (e.g. by a legacy import); `profile` is how it now stands."""

    event_type: ClassVar[str] = "ParticipantUpdated"

    participant_id: UUID
    profile: ParticipantProfile


class TrainingClassScheduled(EventPayload):
    event_type: ClassVar[str] = "TrainingClassScheduled"

    class_id: UUID
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
    applied_on: date
    issued_on: date
    profile: ParticipantProfile


class PermitRejected(EventPayload):
    event_type: ClassVar[str] = "PermitRejected"

    permit_id: UUID
    participant_id: UUID
    permit_type: PermitType
    rejected_on: date
    profile: ParticipantProfile


class MentorAssigned(EventPayload):
    """A mentor (PJLP) now serves a kecamatan; who the mentor is stays in the mentoring database."""

    event_type: ClassVar[str] = "MentorAssigned"

    mentor_id: UUID
    kota_code: str = Field(pattern=KOTA_CODE)
    kecamatan_code: str = Field(pattern=KECAMATAN_CODE)
    assigned_on: date


class ParticipantMentored(EventPayload):
    """A mentoring session was held; its topic and notes stay in the mentoring database."""

    event_type: ClassVar[str] = "ParticipantMentored"

    session_id: UUID
    participant_id: UUID
    mentor_id: UUID
    held_on: date
    profile: ParticipantProfile


class ProductRegistered(EventPayload):
    event_type: ClassVar[str] = "ProductRegistered"

    product_id: UUID
    participant_id: UUID
    registered_on: date
    profile: ParticipantProfile


class ProductCurated(EventPayload):
    event_type: ClassVar[str] = "ProductCurated"

    curation_id: UUID
    product_id: UUID
    participant_id: UUID
    level: CurationLevel
    passed: bool
    curated_on: date
    profile: ParticipantProfile


class ExhibitionScheduled(EventPayload):
    event_type: ClassVar[str] = "ExhibitionScheduled"

    exhibition_id: UUID
    kind: ExhibitionKind
    scope: ExhibitionScope
    starts_on: date
    ends_on: date


class ProductShowcased(EventPayload):
    """A product shown at a bazaar or exhibition: the fact that reaches the marketing stage."""

    event_type: ClassVar[str] = "ProductShowcased"

    showcase_id: UUID
    exhibition_id: UUID
    product_id: UUID
    participant_id: UUID
    scope: ExhibitionScope
    shown_on: date
    profile: ParticipantProfile


class ProductListed(EventPayload):
    """A product listed on the e-Order catalogue."""

    event_type: ClassVar[str] = "ProductListed"

    listing_id: UUID
    product_id: UUID
    participant_id: UUID
    listed_on: date
    profile: ParticipantProfile


class FinancialReportSubmitted(EventPayload):
    event_type: ClassVar[str] = "FinancialReportSubmitted"

    report_id: UUID
    participant_id: UUID
    period_start: date
    period_end: date
    submitted_on: date
    revenue: Rupiah = Field(ge=0)
    expenses: Rupiah = Field(ge=0)
    employees: int = Field(ge=0)
    profile: ParticipantProfile


class FinancingApplied(EventPayload):
    event_type: ClassVar[str] = "FinancingApplied"

    application_id: UUID
    participant_id: UUID
    product: FinancingProduct
    amount: Rupiah = Field(gt=0)
    applied_on: date
    profile: ParticipantProfile


class FinancingApproved(EventPayload):
    event_type: ClassVar[str] = "FinancingApproved"

    application_id: UUID
    participant_id: UUID
    approved_amount: Rupiah = Field(gt=0)
    approved_on: date
    profile: ParticipantProfile


class FinancingRejected(EventPayload):
    event_type: ClassVar[str] = "FinancingRejected"

    application_id: UUID
    participant_id: UUID
    rejected_on: date
    profile: ParticipantProfile


class FinancingDisbursed(EventPayload):
    """Money reached the business: the fact that reaches the financing stage."""

    event_type: ClassVar[str] = "FinancingDisbursed"

    application_id: UUID
    participant_id: UUID
    product: FinancingProduct
    amount: Rupiah = Field(gt=0)
    disbursed_on: date
    profile: ParticipantProfile


class TargetSet(EventPayload):
    """A yearly target for one metric and scope was set (or replaced); the latest per key stands."""

    event_type: ClassVar[str] = "TargetSet"

    year: int = Field(ge=2018, le=2100)
    metric: str = Field(pattern=r"^[a-z_]{1,40}$", description="A reporting metric name, e.g. 'trained'")
    scope: TargetScope
    scope_key: str = Field(
        pattern=TARGET_SCOPE_KEY,
        description="A province code ('31'), an agency code, a kota code or a kecamatan code",
    )
    value: int = Field(ge=0)
    by: AccountId = Field(description="Account that set it (an id, not a name)")
