"""Permits (perizinan): applying, issuing and rejecting — the rules of PRODUCT.md §2, free of I/O.

A permit is `applied`, then once decided `issued` or `rejected`; a decision is final, except that an issue
recorded by mistake is voided: the permit is `applied` again, its number freed, so it can be decided anew.
An issue recorded with the wrong date is corrected. Uniqueness rules that span permits (a permit number per
type, one NIB per participant) are kept by the database, which alone sees concurrent requests; their errors
are defined here so the domain names every way a request can fail.
"""

from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum
from typing import Self
from uuid import UUID, uuid4

from shared.aggregates import Aggregate
from shared.contracts.enums import PermitType
from shared.contracts.envelope import EventPayload
from shared.contracts.events import PermitApplied, PermitIssued, PermitRejected
from shared.contracts.profile import ParticipantProfile
from shared.corrections import ConcurrentChange, Voided
from shared.dates import check_stage_date
from shared.decisions import InvalidTransition, check_decision_date, refuse, require_status
from shared.errors import Conflict, DomainError


class PermitStatus(StrEnum):
    APPLIED = "applied"
    ISSUED = "issued"
    REJECTED = "rejected"


class DuplicatePermitNumber(Conflict):
    code = "duplicate_permit_number"


class DuplicateNib(Conflict):
    """A participant holds at most one NIB (applied or issued): it identifies the business actor."""

    code = "duplicate_nib"


@dataclass(frozen=True)
class ApplyForPermit:
    participant_id: UUID
    permit_type: PermitType
    applied_on: date | None


@dataclass(frozen=True)
class IssuePermit:
    permit_id: UUID
    permit_number: str
    issued_on: date | None


@dataclass(frozen=True)
class RejectPermit:
    permit_id: UUID
    reason: str
    rejected_on: date | None


@dataclass(frozen=True)
class Permit(Aggregate):
    permit_id: UUID
    participant_id: UUID
    permit_type: PermitType
    status: PermitStatus
    applied_on: date
    permit_number: str | None = None
    issued_on: date | None = None
    rejected_on: date | None = None
    rejection_reason: str | None = None

    @property
    def fact_date(self) -> date:
        """The business date of the fact that brought the permit to its current status."""
        return self.issued_on or self.rejected_on or self.applied_on

    def issue(self, command: IssuePermit, today: date) -> "Permit":
        issued_on = command.issued_on or today
        self._require(PermitStatus.APPLIED, "issue")
        self._check_decision_date("issued_on", issued_on, today)
        return replace(
            self, status=PermitStatus.ISSUED, permit_number=command.permit_number, issued_on=issued_on
        )

    def reject(self, command: RejectPermit, today: date) -> "Permit":
        rejected_on = command.rejected_on or today
        self._require(PermitStatus.APPLIED, "reject")
        self._check_decision_date("rejected_on", rejected_on, today)
        return replace(
            self, status=PermitStatus.REJECTED, rejection_reason=command.reason, rejected_on=rejected_on
        )

    # shared.corrections.Correctable: the issue is the fact corrections re-date and voids withdraw

    def redate(self, on: date, today: date, context: ParticipantProfile) -> "Permit":
        """The issue on its right date, which must pass the rules the original date passed."""
        self._require(PermitStatus.ISSUED, "correct the issue of")
        self._check_decision_date("issued_on", on, today)
        return replace(self, issued_on=on)

    def void(self, voided: Voided) -> "Permit":
        """The issue withdrawn: the permit is applied again and its number free for another permit (who,
        when and why are kept in the correction log)."""
        self._require(PermitStatus.ISSUED, "void the issue of")
        return replace(self, status=PermitStatus.APPLIED, permit_number=None, issued_on=None)

    def changed_meanwhile(self, now: "Permit") -> DomainError:
        ids = {"permit_id": str(self.permit_id)}
        if now.status is not PermitStatus.ISSUED or now.permit_number != self.permit_number:
            return InvalidTransition(
                f"the issue of permit {self.permit_id} was voided by a concurrent request",
                **ids,
                status=now.status.value,
            )
        return ConcurrentChange.redated(f"the issue of permit {self.permit_id}", now.issued_on, **ids)

    def _require(self, status: PermitStatus, verb: str) -> None:
        require_status(
            self.status, status, verb=verb, what=f"permit {self.permit_id}", permit_id=str(self.permit_id)
        )

    def _check_decision_date(self, field: str, day: date, today: date) -> None:
        check_decision_date(field, day, today, self.applied_on)

    def collect_fact(self, profile: ParticipantProfile) -> Self:
        """The permit, having collected the event of the fact behind its current status, on its date."""
        self.collect(self.event(profile), self.fact_date)
        return self

    def event(self, profile: ParticipantProfile) -> EventPayload:
        """The event recording the fact behind the current status."""
        match self.status:
            case PermitStatus.APPLIED:
                return PermitApplied(
                    permit_id=self.permit_id,
                    participant_id=self.participant_id,
                    permit_type=self.permit_type,
                    applied_on=self.applied_on,
                    profile=profile,
                )
            case PermitStatus.ISSUED:
                return self.fact(profile)
            case PermitStatus.REJECTED:
                assert self.rejected_on is not None
                return PermitRejected(
                    permit_id=self.permit_id,
                    participant_id=self.participant_id,
                    permit_type=self.permit_type,
                    rejected_on=self.rejected_on,
                    profile=profile,
                )

    def fact(self, context: ParticipantProfile) -> PermitIssued:
        """The issue as the fact that reaches the permits stage (what corrections and voids restate)."""
        assert self.issued_on is not None, "only an issued permit"
        return PermitIssued(
            permit_id=self.permit_id,
            participant_id=self.participant_id,
            permit_type=self.permit_type,
            applied_on=self.applied_on,
            issued_on=self.issued_on,
            profile=context,
        )


def apply(command: ApplyForPermit, profile: ParticipantProfile, today: date) -> Permit:
    """A new application, collecting its PermitApplied; the date defaults to today and may not precede the
    participant's registration."""
    applied_on = command.applied_on or today
    refuse(check_stage_date("applied_on", applied_on, today, profile.registered_on))
    return Permit(
        permit_id=uuid4(),
        participant_id=command.participant_id,
        permit_type=command.permit_type,
        status=PermitStatus.APPLIED,
        applied_on=applied_on,
    ).collect_fact(profile)
