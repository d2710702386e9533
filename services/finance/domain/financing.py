"""Financing (permodalan): applications to a lender, their decision, and the disbursement — free of I/O.

An application is `applied`, then `approved` or `rejected`; an approved application is `disbursed` when the
money reaches the business — the fact that reaches the financing stage. A disbursement recorded by mistake
is voided: it is kept, marked voided, and the application is `approved` again so it can be disbursed anew.
Transitions are checked here; the database's conditional update decides between concurrent requests. An
application made, decided or disbursed collects the event of that fact (shared.aggregates).
"""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from uuid import UUID, uuid4

from shared.aggregates import Aggregate
from shared.contracts.enums import FinancingProduct
from shared.contracts.envelope import EventPayload
from shared.contracts.events import FinancingApplied, FinancingApproved, FinancingDisbursed, FinancingRejected
from shared.contracts.profile import ParticipantProfile
from shared.corrections import AlreadyVoided, Voided
from shared.dates import check_stage_date
from shared.decisions import check_decision_date, refuse, require_status
from shared.errors import Conflict, DomainError, RuleViolation


class FinancingStatus(StrEnum):
    APPLIED = "applied"
    APPROVED = "approved"
    REJECTED = "rejected"
    DISBURSED = "disbursed"


class NotDisbursed(Conflict):
    """A disbursement was to be corrected or voided, but the application was never disbursed."""

    code = "not_disbursed"


@dataclass(frozen=True)
class ApplyForFinancing:
    participant_id: UUID
    lender: str
    product: FinancingProduct
    amount: int
    applied_on: date | None


@dataclass(frozen=True)
class ApproveFinancing:
    application_id: UUID
    approved_amount: int
    approved_on: date | None


@dataclass(frozen=True)
class RejectFinancing:
    application_id: UUID
    reason: str
    rejected_on: date | None


@dataclass(frozen=True)
class DisburseFinancing:
    application_id: UUID
    amount: int | None  # None: the approved amount
    disbursed_on: date | None


@dataclass(frozen=True)
class Disbursement:
    disbursement_id: UUID
    amount: int
    disbursed_on: date
    voided: Voided | None = None


@dataclass(frozen=True)
class FinancingApplication(Aggregate):
    application_id: UUID
    participant_id: UUID
    lender: str
    product: FinancingProduct
    amount: int
    status: FinancingStatus
    applied_on: date
    approved_amount: int | None = None
    approved_on: date | None = None
    rejected_on: date | None = None
    rejection_reason: str | None = None
    disbursements: tuple[Disbursement, ...] = ()  # oldest first; all but a live last one are voided

    @property
    def disbursement(self) -> Disbursement | None:
        """The live disbursement: set exactly when the status is `disbursed`."""
        last = self.disbursements[-1] if self.disbursements else None
        return last if last is not None and last.voided is None else None

    @property
    def fact_date(self) -> date:
        """The business date of the fact that brought the application to its current status."""
        if self.disbursement is not None:
            return self.disbursement.disbursed_on
        return self.approved_on or self.rejected_on or self.applied_on

    def recorded(self, profile: ParticipantProfile) -> "FinancingApplication":
        """This application as just changed: it collects the event of the fact behind its status."""
        self.collect(self.event(profile), self.fact_date)
        return self

    def approve(self, command: ApproveFinancing, today: date) -> "FinancingApplication":
        self._require(FinancingStatus.APPLIED, "approve")
        approved_on = command.approved_on or today
        self._check_decision_date("approved_on", approved_on, today)
        if command.approved_amount > self.amount:
            raise RuleViolation(
                f"approved_amount {command.approved_amount} exceeds the amount applied for ({self.amount})"
            )
        return replace(
            self,
            status=FinancingStatus.APPROVED,
            approved_amount=command.approved_amount,
            approved_on=approved_on,
        )

    def reject(self, command: RejectFinancing, today: date) -> "FinancingApplication":
        self._require(FinancingStatus.APPLIED, "reject")
        rejected_on = command.rejected_on or today
        self._check_decision_date("rejected_on", rejected_on, today)
        return replace(
            self, status=FinancingStatus.REJECTED, rejected_on=rejected_on, rejection_reason=command.reason
        )

    def disburse(
        self, command: DisburseFinancing, registered_on: date, today: date
    ) -> "FinancingApplication":
        self._require(FinancingStatus.APPROVED, "disburse")
        approved_amount = self._approved_amount()
        amount = approved_amount if command.amount is None else command.amount
        if amount > approved_amount:
            raise RuleViolation(f"amount {amount} exceeds the approved amount ({approved_amount})")
        disbursed_on = command.disbursed_on or today
        self._check_disbursed_on(disbursed_on, registered_on, today)
        disbursement = Disbursement(uuid4(), amount, disbursed_on)
        return replace(
            self, status=FinancingStatus.DISBURSED, disbursements=(*self.disbursements, disbursement)
        )

    # shared.corrections.Correctable: the live disbursement is the fact corrections re-date and voids withdraw

    def redate(self, on: date, today: date, context: ParticipantProfile) -> "FinancingApplication":
        """The live disbursement re-dated; the new date must pass the rules the original did."""
        live = self._live_disbursement()
        self._check_disbursed_on(on, context.registered_on, today)
        return self._with_last(replace(live, disbursed_on=on))

    def void(self, voided: Voided) -> "FinancingApplication":
        """The live disbursement withdrawn; the application is approved again, ready to be disbursed."""
        live = self._live_disbursement()
        return replace(self._with_last(replace(live, voided=voided)), status=FinancingStatus.APPROVED)

    def changed_meanwhile(self, now: "FinancingApplication") -> DomainError:
        # Only a void makes the conditional write miss: a disbursement's date is not part of its condition.
        return AlreadyVoided.meanwhile(
            f"the disbursement of financing application {self.application_id}",
            application_id=str(self.application_id),
        )

    def event(self, profile: ParticipantProfile) -> EventPayload:
        """The event recording the fact behind the current status."""
        match self.status:
            case FinancingStatus.APPLIED:
                return FinancingApplied(
                    application_id=self.application_id,
                    participant_id=self.participant_id,
                    product=self.product,
                    amount=self.amount,
                    applied_on=self.applied_on,
                    profile=profile,
                )
            case FinancingStatus.APPROVED:
                assert self.approved_on is not None
                return FinancingApproved(
                    application_id=self.application_id,
                    participant_id=self.participant_id,
                    approved_amount=self._approved_amount(),
                    approved_on=self.approved_on,
                    profile=profile,
                )
            case FinancingStatus.REJECTED:
                assert self.rejected_on is not None
                return FinancingRejected(
                    application_id=self.application_id,
                    participant_id=self.participant_id,
                    rejected_on=self.rejected_on,
                    profile=profile,
                )
            case FinancingStatus.DISBURSED:
                return self.fact(profile)

    def fact(self, context: ParticipantProfile) -> FinancingDisbursed:
        """The live disbursement as the fact that reaches the financing stage."""
        live = self._live_disbursement()
        return FinancingDisbursed(
            application_id=self.application_id,
            participant_id=self.participant_id,
            product=self.product,
            amount=live.amount,
            disbursed_on=live.disbursed_on,
            profile=context,
        )

    def _require(self, status: FinancingStatus, verb: str) -> None:
        what = f"financing application {self.application_id}"
        require_status(self.status, status, verb=verb, what=what, application_id=str(self.application_id))

    def _check_decision_date(self, field: str, day: date, today: date) -> None:
        check_decision_date(field, day, today, self.applied_on)

    def _check_disbursed_on(self, day: date, registered_on: date, today: date) -> None:
        refuse(check_stage_date("disbursed_on", day, today, registered_on))
        assert self.approved_on is not None
        if day < self.approved_on:
            raise RuleViolation(f"disbursed_on {day} is before approved_on {self.approved_on}")

    def _approved_amount(self) -> int:
        assert self.approved_amount is not None
        return self.approved_amount

    def _live_disbursement(self) -> Disbursement:
        if self.disbursement is not None:
            return self.disbursement
        ids = {"application_id": str(self.application_id)}
        if self.disbursements:
            raise AlreadyVoided.of(f"the disbursement of financing application {self.application_id}", **ids)
        raise NotDisbursed(f"financing application {self.application_id} has not been disbursed", **ids)

    def _with_last(self, disbursement: Disbursement) -> "FinancingApplication":
        return replace(self, disbursements=(*self.disbursements[:-1], disbursement))


def apply(command: ApplyForFinancing, profile: ParticipantProfile, today: date) -> FinancingApplication:
    """A new application, collecting its event; applied_on defaults to today and may not precede the
    participant's registration."""
    applied_on = command.applied_on or today
    refuse(check_stage_date("applied_on", applied_on, today, profile.registered_on))
    return FinancingApplication(
        application_id=uuid4(),
        participant_id=command.participant_id,
        lender=command.lender,
        product=command.product,
        amount=command.amount,
        status=FinancingStatus.APPLIED,
        applied_on=applied_on,
    ).recorded(profile)
