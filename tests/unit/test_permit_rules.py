from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from services.permits.domain.permit import (
    ApplyForPermit,
    IssuePermit,
    Permit,
    PermitStatus,
    RejectPermit,
    apply,
)
from shared.contracts.enums import AgeBand, PermitType
from shared.contracts.events import PermitApplied, PermitIssued, PermitRejected
from shared.corrections import Voided
from shared.decisions import InvalidTransition
from shared.errors import RuleViolation
from tests.factories import profile

TODAY = date(2024, 6, 30)
PROFILE = profile(registered_on=date(2023, 3, 1), age_band=AgeBand.AGE_35_44)
VOID = Voided(datetime(2024, 6, 30, 3, tzinfo=UTC), "officer-7", "issued to the wrong application")
APPLY = ApplyForPermit(participant_id=uuid4(), permit_type=PermitType.HALAL, applied_on=date(2024, 1, 10))


def applied() -> Permit:
    return apply(APPLY, PROFILE, TODAY)


def issue(on: date | None = date(2024, 2, 1), number: str = "ID00410000123") -> IssuePermit:
    return IssuePermit(permit_id=uuid4(), permit_number=number, issued_on=on)


def reject(on: date | None = date(2024, 2, 1)) -> RejectPermit:
    return RejectPermit(permit_id=uuid4(), reason="documents incomplete", rejected_on=on)


def test_an_application_starts_applied_with_nothing_decided() -> None:
    permit = applied()
    assert permit.status is PermitStatus.APPLIED
    assert permit.applied_on == date(2024, 1, 10) == permit.fact_date
    decided = (permit.permit_number, permit.issued_on, permit.rejected_on, permit.rejection_reason)
    assert decided == (None, None, None, None)


def test_dates_default_to_today() -> None:
    permit = apply(replace(APPLY, applied_on=None), PROFILE, TODAY)
    assert permit.applied_on == TODAY
    assert permit.issue(issue(on=None), TODAY).issued_on == TODAY
    assert permit.reject(reject(on=None), TODAY).rejected_on == TODAY


def test_issuing_records_number_and_date() -> None:
    issued = applied().issue(issue(), TODAY)
    assert issued.status is PermitStatus.ISSUED
    assert (issued.permit_number, issued.issued_on, issued.fact_date) == (
        "ID00410000123",
        date(2024, 2, 1),
        date(2024, 2, 1),
    )


def test_rejecting_records_reason_and_date() -> None:
    rejected = applied().reject(reject(), TODAY)
    assert rejected.status is PermitStatus.REJECTED
    assert (rejected.rejection_reason, rejected.rejected_on) == ("documents incomplete", date(2024, 2, 1))
    assert rejected.permit_number is None and rejected.fact_date == date(2024, 2, 1)


def test_a_decision_may_fall_on_the_application_day() -> None:
    assert applied().issue(issue(on=APPLY.applied_on), TODAY).issued_on == APPLY.applied_on


def decide(permit: Permit, how: str) -> Permit:
    return permit.issue(issue(), TODAY) if how == "issue" else permit.reject(reject(), TODAY)


@pytest.mark.parametrize("then", ["issue", "reject"])
@pytest.mark.parametrize("first", ["issue", "reject"])
def test_a_decided_permit_cannot_be_decided_again(first: str, then: str) -> None:
    decided = decide(applied(), first)
    with pytest.raises(InvalidTransition, match=f"it is {decided.status}, not applied") as refused:
        decide(decided, then)
    assert refused.value.code == "invalid_transition" and refused.value.status_code == 409


@pytest.mark.parametrize(
    ("applied_on", "reason"),
    [
        (date(2017, 12, 31), "before the programme start"),
        (date(2024, 7, 1), "after today"),
        (date(2023, 2, 28), "before the participant's registration"),
    ],
)
def test_application_dates_are_checked(applied_on: date, reason: str) -> None:
    with pytest.raises(RuleViolation, match=reason):
        apply(replace(APPLY, applied_on=applied_on), PROFILE, TODAY)


def test_an_application_on_the_registration_day_is_accepted() -> None:
    permit = apply(replace(APPLY, applied_on=PROFILE.registered_on), PROFILE, TODAY)
    assert permit.applied_on == date(2023, 3, 1)


@pytest.mark.parametrize(
    ("on", "reason"),
    [(date(2024, 1, 9), "before applied_on"), (date(2024, 7, 1), "after today")],
)
def test_decision_dates_are_checked(on: date, reason: str) -> None:
    with pytest.raises(RuleViolation, match=reason):
        applied().issue(issue(on=on), TODAY)
    with pytest.raises(RuleViolation, match=reason):
        applied().reject(reject(on=on), TODAY)


def test_each_status_records_its_own_event_with_the_profile() -> None:
    permit = applied()
    applied_event = permit.event(PROFILE)
    issued_event = permit.issue(issue(), TODAY).event(PROFILE)
    rejected_event = permit.reject(reject(), TODAY).event(PROFILE)
    assert isinstance(applied_event, PermitApplied) and applied_event.applied_on == date(2024, 1, 10)
    assert isinstance(issued_event, PermitIssued)
    assert (issued_event.applied_on, issued_event.issued_on) == (date(2024, 1, 10), date(2024, 2, 1))
    assert isinstance(rejected_event, PermitRejected) and rejected_event.rejected_on == date(2024, 2, 1)
    assert all(e.profile == PROFILE for e in (applied_event, issued_event, rejected_event))
    # The permit number and the reason stay in the permits database.
    published = issued_event.model_dump_json() + rejected_event.model_dump_json()
    assert "ID00410000123" not in published and "documents incomplete" not in published


def issued() -> Permit:
    return applied().issue(issue(), TODAY)


def test_an_issue_is_redated_under_the_rules_of_the_original() -> None:
    permit = issued()
    assert permit.redate(date(2024, 1, 10), TODAY, PROFILE) == replace(permit, issued_on=date(2024, 1, 10))
    with pytest.raises(RuleViolation, match="before applied_on"):
        permit.redate(date(2024, 1, 9), TODAY, PROFILE)
    with pytest.raises(RuleViolation, match="after today"):
        permit.redate(date(2024, 7, 1), TODAY, PROFILE)


def test_a_voided_issue_leaves_the_permit_applied_with_its_number_freed() -> None:
    permit = issued()
    reopened = permit.void(VOID)
    assert reopened == replace(permit, status=PermitStatus.APPLIED, permit_number=None, issued_on=None)
    assert reopened.issue(issue(), TODAY) == permit  # it can be issued anew


@pytest.mark.parametrize("how", ["applied", "rejected", "voided"])
def test_only_an_issued_permit_has_an_issue_to_correct_or_void(how: str) -> None:
    permit = {
        "applied": applied(),
        "rejected": applied().reject(reject(), TODAY),
        "voided": issued().void(VOID),
    }[how]
    with pytest.raises(InvalidTransition, match="not issued") as refused:
        permit.void(VOID)
    assert refused.value.code == "invalid_transition"
    with pytest.raises(InvalidTransition, match="not issued"):
        permit.redate(date(2024, 2, 1), TODAY, PROFILE)


def test_the_issued_event_is_the_fact_corrections_restate() -> None:
    permit = issued()
    assert permit.fact(PROFILE) == permit.event(PROFILE)
