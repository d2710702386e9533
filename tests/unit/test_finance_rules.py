from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from services.finance.domain.financing import (
    ApplyForFinancing,
    ApproveFinancing,
    DisburseFinancing,
    FinancingApplication,
    FinancingStatus,
    NotDisbursed,
    RejectFinancing,
    apply,
)
from services.finance.domain.report import SubmitReport, last_day_of_year_from, submit
from shared.contracts.enums import FinancingProduct
from shared.contracts.events import (
    FinancialReportSubmitted,
    FinancingApplied,
    FinancingApproved,
    FinancingDisbursed,
    FinancingRejected,
)
from shared.corrections import AlreadyVoided, Voided
from shared.decisions import InvalidTransition
from shared.errors import RuleViolation
from tests.factories import profile

TODAY = date(2024, 6, 30)
PROFILE = profile(registered_on=date(2023, 3, 1))
REGISTERED = PROFILE.registered_on
VOID = Voided(datetime(2024, 6, 30, 3, tzinfo=UTC), "officer-7", "entered twice")
REPORT = SubmitReport(
    participant_id=uuid4(),
    period_start=date(2023, 4, 1),
    period_end=date(2024, 3, 31),
    revenue=480_000_000,
    expenses=365_500_000,
    employees=4,
    submitted_on=date(2024, 4, 15),
)
APPLY = ApplyForFinancing(
    participant_id=uuid4(),
    lender="Bank DKI",
    product=FinancingProduct.KUR_MIKRO,
    amount=50_000_000,
    applied_on=date(2024, 2, 1),
)


def approve(amount: int = 40_000_000, on: date | None = date(2024, 2, 20)) -> ApproveFinancing:
    return ApproveFinancing(application_id=uuid4(), approved_amount=amount, approved_on=on)


def reject(on: date | None = date(2024, 2, 20)) -> RejectFinancing:
    return RejectFinancing(application_id=uuid4(), reason="insufficient collateral", rejected_on=on)


def disburse(amount: int | None = None, on: date | None = date(2024, 3, 1)) -> DisburseFinancing:
    return DisburseFinancing(application_id=uuid4(), amount=amount, disbursed_on=on)


def applied() -> FinancingApplication:
    return apply(APPLY, PROFILE, TODAY)


def approved() -> FinancingApplication:
    return applied().approve(approve(), TODAY)


def disbursed() -> FinancingApplication:
    return approved().disburse(disburse(), REGISTERED, TODAY)


# --- financial reports ---------------------------------------------------------------------------------


def test_a_report_keeps_its_period_and_figures() -> None:
    report = submit(REPORT, PROFILE, TODAY)
    assert (report.period_start, report.period_end, report.submitted_on) == (
        date(2023, 4, 1),
        date(2024, 3, 31),
        date(2024, 4, 15),
    )
    assert (report.revenue, report.expenses, report.employees, report.voided) == (
        480_000_000,
        365_500_000,
        4,
        None,
    )


def test_a_report_is_submitted_today_by_default() -> None:
    assert submit(replace(REPORT, submitted_on=None), PROFILE, TODAY).submitted_on == TODAY


def test_a_report_may_be_submitted_on_the_last_day_of_its_period() -> None:
    report = submit(replace(REPORT, submitted_on=REPORT.period_end), PROFILE, TODAY)
    assert report.submitted_on == report.period_end


@pytest.mark.parametrize(
    ("start", "end", "reason"),
    [
        (date(2024, 1, 2), date(2024, 1, 1), "before period_start"),
        (date(2023, 1, 1), date(2024, 1, 1), "longer than a year: it may end on 2023-12-31"),
        (date(2020, 2, 29), date(2021, 3, 1), "longer than a year: it may end on 2021-02-28"),
    ],
    ids=["ends-before-start", "a-day-over-a-year", "from-29-february"],
)
def test_a_period_runs_forward_for_at_most_a_year(start: date, end: date, reason: str) -> None:
    with pytest.raises(RuleViolation, match=reason):
        submit(replace(REPORT, period_start=start, period_end=end), PROFILE, TODAY)


@pytest.mark.parametrize(
    ("start", "end"),
    [(date(2023, 1, 1), date(2023, 12, 31)), (date(2024, 3, 5), date(2024, 3, 5))],
    ids=["a-calendar-year", "a-single-day"],
)
def test_a_period_of_a_year_or_less_is_accepted(start: date, end: date) -> None:
    report = submit(replace(REPORT, period_start=start, period_end=end), PROFILE, TODAY)
    assert (report.period_start, report.period_end) == (start, end)


def test_a_year_from_29_february_ends_on_28_february() -> None:
    assert last_day_of_year_from(date(2024, 2, 29)) == date(2025, 2, 28)
    assert last_day_of_year_from(date(2024, 3, 1)) == date(2025, 2, 28)
    assert last_day_of_year_from(date(2023, 3, 1)) == date(2024, 2, 29)


EARLY = (date(2017, 1, 1), date(2017, 6, 30))  # a period that lets only the other rules fail


@pytest.mark.parametrize(
    ("period", "submitted_on", "reason"),
    [
        ((REPORT.period_start, REPORT.period_end), date(2024, 3, 30), "before period_end"),
        (EARLY, date(2024, 7, 1), "after today"),
        (EARLY, date(2017, 12, 31), "before the programme start"),
        (EARLY, date(2023, 2, 28), "before the participant's registration"),
    ],
)
def test_submission_dates_are_checked(period: tuple[date, date], submitted_on: date, reason: str) -> None:
    command = replace(REPORT, period_start=period[0], period_end=period[1], submitted_on=submitted_on)
    with pytest.raises(RuleViolation, match=reason):
        submit(command, PROFILE, TODAY)


def test_a_report_is_redated_under_the_same_rules() -> None:
    report = submit(REPORT, PROFILE, TODAY)
    assert report.redate(date(2024, 5, 2), TODAY, PROFILE).submitted_on == date(2024, 5, 2)
    with pytest.raises(RuleViolation, match="before period_end"):
        report.redate(date(2024, 3, 1), TODAY, PROFILE)
    with pytest.raises(RuleViolation, match="after today"):
        report.redate(date(2024, 7, 1), TODAY, PROFILE)


def test_a_voided_report_can_be_neither_corrected_nor_voided_again() -> None:
    voided = submit(REPORT, PROFILE, TODAY).void(VOID)
    assert voided.voided == VOID
    with pytest.raises(AlreadyVoided) as refused:
        voided.void(VOID)
    assert refused.value.code == "already_voided" and refused.value.status_code == 409
    with pytest.raises(AlreadyVoided):
        voided.redate(TODAY, TODAY, PROFILE)


def test_a_report_event_carries_the_figures_and_the_profile() -> None:
    report = submit(REPORT, PROFILE, TODAY)
    event = report.event(PROFILE)
    assert isinstance(event, FinancialReportSubmitted)
    assert (event.report_id, event.submitted_on, event.revenue) == (
        report.report_id,
        date(2024, 4, 15),
        480_000_000,
    )
    assert event.profile == PROFILE


# --- financing -----------------------------------------------------------------------------------------


def test_an_application_starts_applied() -> None:
    application = applied()
    assert application.status is FinancingStatus.APPLIED
    assert application.fact_date == date(2024, 2, 1)
    assert (application.approved_amount, application.disbursement, application.disbursements) == (
        None,
        None,
        (),
    )


def test_dates_default_to_today() -> None:
    application = apply(replace(APPLY, applied_on=None), PROFILE, TODAY)
    assert application.applied_on == TODAY
    assert application.approve(approve(on=None), TODAY).approved_on == TODAY
    assert application.reject(reject(on=None), TODAY).rejected_on == TODAY
    paid = approved().disburse(disburse(on=None), REGISTERED, TODAY)
    assert paid.disbursement is not None and paid.disbursement.disbursed_on == TODAY


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


def test_approval_records_amount_and_date() -> None:
    application = approved()
    assert application.status is FinancingStatus.APPROVED
    assert (application.approved_amount, application.approved_on, application.fact_date) == (
        40_000_000,
        date(2024, 2, 20),
        date(2024, 2, 20),
    )


def test_the_full_amount_may_be_approved_but_no_more() -> None:
    assert applied().approve(approve(amount=50_000_000), TODAY).approved_amount == 50_000_000
    with pytest.raises(RuleViolation, match="exceeds the amount applied for"):
        applied().approve(approve(amount=50_000_001), TODAY)


@pytest.mark.parametrize(
    ("on", "reason"), [(date(2024, 1, 31), "before applied_on"), (date(2024, 7, 1), "after today")]
)
def test_decision_dates_are_checked(on: date, reason: str) -> None:
    with pytest.raises(RuleViolation, match=reason):
        applied().approve(approve(on=on), TODAY)
    with pytest.raises(RuleViolation, match=reason):
        applied().reject(reject(on=on), TODAY)


def test_rejection_records_reason_and_date() -> None:
    rejected = applied().reject(reject(), TODAY)
    assert rejected.status is FinancingStatus.REJECTED
    assert (rejected.rejection_reason, rejected.rejected_on) == ("insufficient collateral", date(2024, 2, 20))


def test_disbursement_defaults_to_the_approved_amount() -> None:
    paid = disbursed()
    assert paid.status is FinancingStatus.DISBURSED and paid.disbursement is not None
    assert (paid.disbursement.amount, paid.disbursement.disbursed_on) == (40_000_000, date(2024, 3, 1))
    assert paid.fact_date == date(2024, 3, 1)


def test_a_part_of_the_approved_amount_may_be_disbursed_but_no_more() -> None:
    part = approved().disburse(disburse(amount=25_000_000), REGISTERED, TODAY)
    assert part.disbursement is not None and part.disbursement.amount == 25_000_000
    with pytest.raises(RuleViolation, match="exceeds the approved amount"):
        approved().disburse(disburse(amount=40_000_001), REGISTERED, TODAY)


@pytest.mark.parametrize(
    ("on", "reason"), [(date(2024, 2, 19), "before approved_on"), (date(2024, 7, 1), "after today")]
)
def test_disbursement_dates_are_checked(on: date, reason: str) -> None:
    with pytest.raises(RuleViolation, match=reason):
        approved().disburse(disburse(on=on), REGISTERED, TODAY)


def test_a_disbursement_may_not_precede_a_restated_registration() -> None:
    with pytest.raises(RuleViolation, match="before the participant's registration"):
        approved().disburse(disburse(), date(2024, 3, 2), TODAY)


def step(application: FinancingApplication, verb: str) -> FinancingApplication:
    match verb:
        case "approve":
            return application.approve(approve(), TODAY)
        case "reject":
            return application.reject(reject(), TODAY)
        case _:
            return application.disburse(disburse(), REGISTERED, TODAY)


@pytest.mark.parametrize(
    ("status", "verb"),
    [
        ("applied", "disburse"),
        ("approved", "approve"),
        ("approved", "reject"),
        ("rejected", "approve"),
        ("rejected", "reject"),
        ("rejected", "disburse"),
        ("disbursed", "approve"),
        ("disbursed", "reject"),
        ("disbursed", "disburse"),
    ],
)
def test_only_the_allowed_transitions_are_taken(status: str, verb: str) -> None:
    start = {
        "applied": applied(),
        "approved": approved(),
        "rejected": applied().reject(reject(), TODAY),
        "disbursed": disbursed(),
    }[status]
    with pytest.raises(InvalidTransition, match=f"it is {status}") as refused:
        step(start, verb)
    assert refused.value.code == "invalid_transition" and refused.value.status_code == 409
    assert refused.value.context["status"] == status


def test_a_disbursement_is_redated_under_the_same_rules() -> None:
    paid = disbursed()
    redated = paid.redate(date(2024, 2, 20), TODAY, PROFILE)
    assert redated.disbursement is not None and redated.disbursement.disbursed_on == date(2024, 2, 20)
    assert redated.disbursement.disbursement_id == paid.disbursements[0].disbursement_id
    with pytest.raises(RuleViolation, match="before approved_on"):
        paid.redate(date(2024, 2, 19), TODAY, PROFILE)
    with pytest.raises(RuleViolation, match="after today"):
        paid.redate(date(2024, 7, 1), TODAY, PROFILE)


def test_voiding_a_disbursement_keeps_it_and_returns_the_application_to_approved() -> None:
    voided = disbursed().void(VOID)
    assert voided.status is FinancingStatus.APPROVED and voided.disbursement is None
    assert [d.voided for d in voided.disbursements] == [VOID]
    assert voided.fact_date == date(2024, 2, 20)
    again = voided.disburse(disburse(on=date(2024, 3, 4)), REGISTERED, TODAY)
    assert again.status is FinancingStatus.DISBURSED and again.disbursement is not None
    assert [d.disbursed_on for d in again.disbursements] == [date(2024, 3, 1), date(2024, 3, 4)]
    assert again.disbursement.disbursement_id != voided.disbursements[0].disbursement_id


def test_a_voided_disbursement_can_be_neither_corrected_nor_voided_again() -> None:
    voided = disbursed().void(VOID)
    with pytest.raises(AlreadyVoided):
        voided.void(VOID)
    with pytest.raises(AlreadyVoided):
        voided.redate(TODAY, TODAY, PROFILE)


def test_nothing_disbursed_can_be_neither_corrected_nor_voided() -> None:
    for application in (applied(), approved(), applied().reject(reject(), TODAY)):
        with pytest.raises(NotDisbursed) as refused:
            application.void(VOID)
        assert refused.value.code == "not_disbursed" and refused.value.status_code == 409
        with pytest.raises(NotDisbursed):
            application.redate(TODAY, TODAY, PROFILE)


def test_each_status_records_its_own_event_with_the_profile() -> None:
    events = [
        a.event(PROFILE) for a in (applied(), approved(), applied().reject(reject(), TODAY), disbursed())
    ]
    kinds = [FinancingApplied, FinancingApproved, FinancingRejected, FinancingDisbursed]
    assert [type(e) for e in events] == kinds
    assert all(e.model_dump()["profile"] == PROFILE.model_dump() for e in events)
    paid = events[3]
    assert isinstance(paid, FinancingDisbursed)
    assert (paid.product, paid.amount, paid.disbursed_on) == (
        FinancingProduct.KUR_MIKRO,
        40_000_000,
        date(2024, 3, 1),
    )
    # The lender's name and the rejection's reason stay in the finance database.
    published = [e.model_dump_json() for e in events]
    assert not any("Bank DKI" in text or "insufficient collateral" in text for text in published)
