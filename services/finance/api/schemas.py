"""Request and response bodies of the finance API (contract v1, PRODUCT.md §4). Amounts are whole rupiah."""

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.finance.commands import (
    ApplyForFinancing,
    ApproveFinancing,
    DisburseFinancing,
    RejectFinancing,
    SubmitReport,
)
from services.finance.domain.facts import MAX_RUPIAH
from services.finance.domain.financing import Disbursement, FinancingApplication, FinancingStatus
from services.finance.domain.report import FinancialReport
from shared.contracts.enums import FinancingProduct
from shared.corrections import Voided

Rupiah = Annotated[int, Field(ge=0, le=MAX_RUPIAH)]
PositiveRupiah = Annotated[int, Field(gt=0, le=MAX_RUPIAH)]
Lender = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
TODAY = "Defaults to today (Asia/Jakarta)"


def _example(**fields: Any) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": [fields]})


# --- financial reports ---------------------------------------------------------------------------------


class ReportIn(BaseModel):
    model_config = _example(
        participant_id="0b6f6f4e-3c0e-4f55-9d7e-2f1f0a6c2a11",
        period_start="2023-01-01",
        period_end="2023-12-31",
        revenue=480_000_000,
        expenses=365_500_000,
        employees=4,
        submitted_on="2024-01-15",
    )

    participant_id: UUID
    period_start: date = Field(description="First day of the reported business period")
    period_end: date = Field(
        description="Last day of the period: on or after period_start, at most a year on"
    )
    revenue: Rupiah = Field(description="Omzet over the period, whole rupiah")
    expenses: Rupiah = Field(description="Expenses over the period, whole rupiah")
    employees: int = Field(ge=0, le=1_000_000, description="Employees at the end of the period")
    submitted_on: date | None = Field(
        default=None, description=f"{TODAY}; on or after period_end, not before the registration"
    )

    def to_command(self) -> SubmitReport:
        return SubmitReport(**self.model_dump())


class VoidOut(BaseModel):
    voided: bool = Field(description="True once the fact was withdrawn; it no longer counts anywhere")
    voided_at: datetime | None
    voided_by: str | None = Field(description="Officer account that voided it")
    void_reason: str | None

    @staticmethod
    def fields(voided: Voided | None) -> dict[str, Any]:
        if voided is None:
            return {"voided": False, "voided_at": None, "voided_by": None, "void_reason": None}
        return {"voided": True, "voided_at": voided.at, "voided_by": voided.by, "void_reason": voided.reason}


class ReportOut(VoidOut):
    report_id: UUID
    participant_id: UUID
    period_start: date
    period_end: date
    submitted_on: date
    revenue: int
    expenses: int
    employees: int

    @classmethod
    def of(cls, r: FinancialReport) -> "ReportOut":
        return cls(**(vars(r) | cls.fields(r.voided)))


class ReportPage(BaseModel):
    items: list[ReportOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


# --- financing -----------------------------------------------------------------------------------------


class FinancingIn(BaseModel):
    model_config = _example(
        participant_id="0b6f6f4e-3c0e-4f55-9d7e-2f1f0a6c2a11",
        lender="Bank DKI",
        product="KUR_MIKRO",
        amount=50_000_000,
        applied_on="2024-02-01",
    )

    participant_id: UUID
    lender: Lender = Field(description="The bank or institution applied to", examples=["Bank DKI"])
    product: FinancingProduct
    amount: PositiveRupiah = Field(description="Amount applied for, whole rupiah")
    applied_on: date | None = Field(default=None, description=f"{TODAY}; not before the registration")

    def to_command(self) -> ApplyForFinancing:
        return ApplyForFinancing(**self.model_dump())


class ApproveIn(BaseModel):
    model_config = _example(approved_amount=40_000_000, approved_on="2024-02-20")

    approved_amount: PositiveRupiah = Field(description="At most the amount applied for")
    approved_on: date | None = Field(default=None, description=f"{TODAY}; on or after applied_on")

    def to_command(self, application_id: UUID) -> ApproveFinancing:
        return ApproveFinancing(application_id, self.approved_amount, self.approved_on)


class RejectIn(BaseModel):
    model_config = _example(reason="insufficient repayment capacity", rejected_on="2024-02-20")

    reason: Reason
    rejected_on: date | None = Field(default=None, description=f"{TODAY}; on or after applied_on")

    def to_command(self, application_id: UUID) -> RejectFinancing:
        return RejectFinancing(application_id, self.reason, self.rejected_on)


class DisburseIn(BaseModel):
    model_config = _example(amount=40_000_000, disbursed_on="2024-03-01")

    amount: PositiveRupiah | None = Field(
        default=None, description="Defaults to the approved amount; at most the approved amount"
    )
    disbursed_on: date | None = Field(default=None, description=f"{TODAY}; on or after approved_on")

    def to_command(self, application_id: UUID) -> DisburseFinancing:
        return DisburseFinancing(application_id, self.amount, self.disbursed_on)


class DisbursementOut(VoidOut):
    disbursement_id: UUID
    amount: int
    disbursed_on: date

    @classmethod
    def of(cls, d: Disbursement) -> "DisbursementOut":
        return cls(**(vars(d) | cls.fields(d.voided)))


class FinancingOut(BaseModel):
    application_id: UUID
    participant_id: UUID
    lender: str
    product: FinancingProduct
    amount: int = Field(description="Amount applied for, whole rupiah")
    status: FinancingStatus
    applied_on: date
    approved_amount: int | None
    approved_on: date | None
    rejected_on: date | None
    rejection_reason: str | None
    disbursements: list[DisbursementOut] = Field(
        description="Oldest first. While the status is `disbursed` the last one is live; the others were "
        "voided (a voided disbursement puts the application back to `approved`)"
    )

    @classmethod
    def of(cls, a: FinancingApplication) -> "FinancingOut":
        paid = [DisbursementOut.of(d) for d in a.disbursements]
        return cls(**(vars(a) | {"disbursements": paid}))


class FinancingPage(BaseModel):
    items: list[FinancingOut]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null at the end")


# --- corrections ---------------------------------------------------------------------------------------
