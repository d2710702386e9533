"""Request and response bodies of the permits API (contract v1, PRODUCT.md §4)."""

from datetime import date
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.permits.commands import ApplyForPermit, IssuePermit, RejectPermit
from services.permits.domain.permit import Permit, PermitStatus
from services.permits.domain.work_list import waiting_days
from shared.contracts.enums import PermitType
from shared.dates import jakarta_today

PermitNumber = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PermitIn(Strict):
    participant_id: UUID
    permit_type: PermitType
    applied_on: date | None = Field(default=None, description="Defaults to today (Asia/Jakarta)")

    def to_command(self) -> ApplyForPermit:
        return ApplyForPermit(self.participant_id, self.permit_type, self.applied_on)


class IssueIn(Strict):
    permit_number: PermitNumber = Field(description="Unique per permit type", examples=["9120001234567"])
    issued_on: date | None = Field(default=None, description="Defaults to today (Asia/Jakarta)")

    def to_command(self, permit_id: UUID) -> IssuePermit:
        return IssuePermit(permit_id, self.permit_number, self.issued_on)


class RejectIn(Strict):
    reason: Reason
    rejected_on: date | None = Field(default=None, description="Defaults to today (Asia/Jakarta)")

    def to_command(self, permit_id: UUID) -> RejectPermit:
        return RejectPermit(permit_id, self.reason, self.rejected_on)


class PermitOut(BaseModel):
    permit_id: UUID
    participant_id: UUID
    permit_type: PermitType
    status: PermitStatus
    applied_on: date
    permit_number: str | None
    issued_on: date | None
    rejected_on: date | None
    rejection_reason: str | None
    waiting_days: int | None = Field(
        description="Days since `applied_on` while the application awaits a decision (Asia/Jakarta days); "
        "null once issued or rejected",
        examples=[31],
    )

    @classmethod
    def of(cls, p: Permit) -> "PermitOut":
        return cls(waiting_days=waiting_days(p, jakarta_today()), **vars(p))


class PermitPage(BaseModel):
    items: list[PermitOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")
