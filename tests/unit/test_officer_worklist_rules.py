"""Work lists of the stage officers: the permit officer's waiting applications and a mentor's caseload."""

from datetime import date
from uuid import uuid4

import pytest

from services.mentoring.domain.caseload import CaseloadEntry, last_session_by
from services.permits.domain.permit import ApplyForPermit, IssuePermit, PermitStatus, RejectPermit, apply
from services.permits.domain.work_list import applied_by, check_work_list, waiting_days
from shared.contracts.enums import PermitType
from shared.errors import RuleViolation
from tests.factories import profile

TODAY = date(2024, 6, 30)
APPLICATION = apply(
    ApplyForPermit(participant_id=uuid4(), permit_type=PermitType.HALAL, applied_on=date(2024, 5, 31)),
    profile(registered_on=date(2024, 1, 2)),
    TODAY,
)


def test_an_application_waits_from_the_day_it_was_made_until_it_is_decided() -> None:
    assert waiting_days(APPLICATION, TODAY) == 30
    assert waiting_days(APPLICATION, date(2024, 5, 31)) == 0
    issued = APPLICATION.issue(IssuePermit(APPLICATION.permit_id, "ID-1", date(2024, 6, 3)), TODAY)
    rejected = APPLICATION.reject(RejectPermit(APPLICATION.permit_id, "incomplete", date(2024, 6, 3)), TODAY)
    assert waiting_days(issued, TODAY) is None and waiting_days(rejected, TODAY) is None


def test_waiting_n_days_means_applied_on_or_before_n_days_ago() -> None:
    assert applied_by(TODAY, 30) == date(2024, 5, 31)
    assert applied_by(TODAY, 0) == TODAY  # everything still waiting
    assert waiting_days(APPLICATION, TODAY) == 30 and APPLICATION.applied_on <= applied_by(TODAY, 30)
    assert APPLICATION.applied_on > applied_by(TODAY, 31)


@pytest.mark.parametrize("status", [PermitStatus.ISSUED, PermitStatus.REJECTED])
def test_the_work_list_holds_applications_still_applied_only(status: PermitStatus) -> None:
    check_work_list(None)
    check_work_list(PermitStatus.APPLIED)
    with pytest.raises(RuleViolation, match=f"waiting_days lists applications still applied, not {status}"):
        check_work_list(status)


def test_a_caseload_entry_is_idle_since_its_last_session() -> None:
    entry = CaseloadEntry(uuid4(), last_session_on=date(2024, 5, 31), sessions=3)
    assert entry.idle_days(TODAY) == 30
    assert entry.idle_days(date(2024, 5, 31)) == 0
    assert last_session_by(TODAY, 30) == entry.last_session_on  # idle_days=30 keeps it
    assert last_session_by(TODAY, 31) < entry.last_session_on  # idle_days=31 does not
