"""Every finance handler's rules, driven through in-memory repositories (tests/unit/fakes/finance.py):
area scope, 404s, lost races, the application's transitions, one live report per period, corrections and
voids of reports and disbursements through the shared lifecycle (void-then-correct, void-then-disburse
anew), and the events each change records, keyed as their contract says. The SQL adapters are covered by
tests/integration/test_finance_api.py."""

from dataclasses import replace
from datetime import UTC, date, datetime
from uuid import UUID, uuid4

import pytest

from services.finance.commands import (
    ApplyForFinancing,
    ApproveFinancing,
    CorrectDate,
    DisburseFinancing,
    RejectFinancing,
    SubmitReport,
    VoidFact,
)
from services.finance.domain.financing import FinancingApplication, FinancingStatus, NotDisbursed
from services.finance.domain.report import DuplicateReport, FinancialReport
from services.finance.handlers import financing, reports
from shared.auth.principal import Principal, Role
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
from shared.errors import DomainError, NotFound, RuleViolation
from shared.participants.area import OutsideArea
from shared.participants.directory import UnknownParticipant
from tests.factories import profile
from tests.unit.fakes.callers import as_caller
from tests.unit.fakes.finance import FinanceFakes, FinanceState, fake_finance_storage
from tests.unit.fakes.races import commit_meanwhile

ALI, BUDI = UUID(int=1), UUID(int=2)
ELSEWHERE = UUID(int=9)  # registered in Jakarta Selatan
GAMBIR = profile(registered_on=date(2023, 3, 1))
SELATAN = profile(
    registered_on=date(2023, 3, 1),
    kota_code="31.74",
    kecamatan_code="31.74.01",
    kelurahan_code="31.74.01.1001",
)
BY, WHY = "officer-7", "salah input tanggal"
FY = (date(2023, 4, 1), date(2024, 3, 31))


def storage() -> FinanceFakes:
    return fake_finance_storage(FinanceState(participants={ALI: GAMBIR, BUDI: GAMBIR, ELSEWHERE: SELATAN}))


def officer(kota: str | None = "31.71") -> Principal:
    return Principal("finance-1", frozenset({Role.FINANCE}), kota=kota)


def refusal(raised: pytest.ExceptionInfo[DomainError]) -> tuple[int, str]:
    return raised.value.status_code, raised.value.code


def report_of(who: UUID, on: date | None = date(2024, 4, 15)) -> SubmitReport:
    return SubmitReport(who, *FY, revenue=480_000_000, expenses=365_500_000, employees=4, submitted_on=on)


async def applied(uow: FinanceFakes, who: UUID = ALI) -> FinancingApplication:
    command = ApplyForFinancing(who, "Bank DKI", FinancingProduct.KUR_MIKRO, 50_000_000, date(2024, 2, 1))
    return await financing.apply_for_financing(uow, command)


async def approved(uow: FinanceFakes, who: UUID = ALI) -> FinancingApplication:
    application = await applied(uow, who)
    command = ApproveFinancing(application.application_id, 40_000_000, date(2024, 2, 20))
    return await financing.approve(uow, command)


async def disbursed(uow: FinanceFakes, who: UUID = ALI) -> FinancingApplication:
    application = await approved(uow, who)
    command = DisburseFinancing(application.application_id, None, date(2024, 3, 1))
    return await financing.disburse(uow, command)


# --- financial reports ------------------------------------------------------------------------------------


async def test_a_submitted_report_records_its_event_keyed_by_the_participant_on_its_date() -> None:
    uow = storage()
    report = await reports.submit_report(uow, report_of(ALI))
    assert uow.state.reports == {report.report_id: report}
    [(fact, event)] = uow.events(FinancialReportSubmitted)
    assert (event.report_id, event.revenue, event.profile) == (report.report_id, 480_000_000, GAMBIR)
    assert (fact.key, fact.occurred_on) == (str(ALI), date(2024, 4, 15))
    assert await reports.get_report(uow, report.report_id) == report


async def test_a_report_of_an_unknown_participant_or_one_outside_the_area_or_too_early_is_refused() -> None:
    uow = storage()
    with pytest.raises(UnknownParticipant) as unknown:
        await reports.submit_report(uow, report_of(uuid4()))
    with pytest.raises(OutsideArea) as outside:
        await as_caller(officer("31.71"), lambda: reports.submit_report(uow, report_of(ELSEWHERE)))
    assert refusal(unknown) == refusal(outside) == (422, "unknown_participant")
    with pytest.raises(RuleViolation, match="submitted_on 2024-03-30 is before period_end 2024-03-31"):
        await reports.submit_report(uow, report_of(ALI, date(2024, 3, 30)))
    assert uow.commits == 0 and not uow.published


async def test_one_live_report_per_period_and_a_lost_race_names_the_report_that_won() -> None:
    uow = storage()
    first = await reports.submit_report(uow, report_of(ALI))
    with pytest.raises(DuplicateReport, match=f"already has report {first.report_id}") as again:
        await reports.submit_report(uow, report_of(ALI, date(2024, 4, 20)))
    assert refusal(again) == (409, "duplicate_report") and again.value.context == {
        "report_id": str(first.report_id)
    }
    rival = FinancialReport(uuid4(), BUDI, *FY, date(2024, 4, 2), 1, 1, 1)
    commit_meanwhile(uow.state, lambda s: s.reports.update({rival.report_id: rival}))
    with pytest.raises(DuplicateReport) as lost:
        await reports.submit_report(uow, report_of(BUDI))
    assert lost.value.context == {"report_id": str(rival.report_id)}
    assert len(uow.events(FinancialReportSubmitted)) == 1


async def test_correcting_a_report_logs_even_the_same_date_and_a_bad_date_is_refused() -> None:
    uow = storage()
    report = await reports.submit_report(uow, report_of(ALI))
    with pytest.raises(RuleViolation, match="before period_end"):
        await reports.correct_report(uow, CorrectDate(report.report_id, date(2024, 3, 1), BY, WHY))
    same = await reports.correct_report(uow, CorrectDate(report.report_id, date(2024, 4, 15), BY, WHY))
    corrected = await reports.correct_report(uow, CorrectDate(report.report_id, date(2024, 4, 10), BY, WHY))
    assert same == report and corrected == replace(report, submitted_on=date(2024, 4, 10))
    assert uow.state.reports[report.report_id] == corrected
    assert [(c.action, c.fact_id, c.new_on, c.by) for c in uow.state.corrections] == [
        ("corrected", report.report_id, date(2024, 4, 15), BY),  # finance logs a same-date correction too
        ("corrected", report.report_id, date(2024, 4, 10), BY),
    ]
    logged = uow.state.corrections[-1].fact
    assert isinstance(logged, FinancialReportSubmitted) and logged.submitted_on == date(2024, 4, 15)


async def test_a_voided_report_frees_its_period_and_is_neither_corrected_nor_voided_again() -> None:
    uow = storage()
    report = await reports.submit_report(uow, report_of(ALI))
    voided = await reports.void_report(uow, VoidFact(report.report_id, BY, "entered twice"))
    assert voided.voided is not None and voided.voided.by == BY
    with pytest.raises(AlreadyVoided, match=f"report {report.report_id} is voided") as correcting:
        await reports.correct_report(uow, CorrectDate(report.report_id, date(2024, 4, 16), BY, WHY))
    with pytest.raises(AlreadyVoided) as voiding:
        await reports.void_report(uow, VoidFact(report.report_id, BY, WHY))
    assert refusal(correcting) == refusal(voiding) == (409, "already_voided")
    anew = await reports.submit_report(uow, report_of(ALI))
    listed, end = await reports.reports_page(uow, participant_id=ALI, after_seq=0, limit=5)
    assert (listed, end) == ([voided, anew], None)
    assert [c.action for c in uow.state.corrections] == ["voided"]


async def test_a_report_correction_or_void_that_loses_to_a_void_is_refused_as_voided_meanwhile() -> None:
    uow = storage()
    report = await reports.submit_report(uow, report_of(ALI))
    gone = replace(report, voided=Voided(datetime(2024, 5, 1, tzinfo=UTC), "officer-2", "duplicate"))
    commit_meanwhile(uow.state, lambda s: s.reports.update({report.report_id: gone}))
    with pytest.raises(AlreadyVoided, match="was voided by a concurrent request"):
        await reports.correct_report(uow, CorrectDate(report.report_id, date(2024, 4, 10), BY, WHY))
    assert uow.state.reports[report.report_id] == gone and not uow.state.corrections


async def test_reports_of_another_area_are_missing_and_lists_hold_only_the_callers_area() -> None:
    uow = storage()
    mine = await reports.submit_report(uow, report_of(ALI))
    theirs = await reports.submit_report(uow, report_of(ELSEWHERE))
    budis = await reports.submit_report(uow, report_of(BUDI))
    in_gambir = officer("31.71")
    for attempt in (
        lambda: reports.get_report(uow, theirs.report_id),
        lambda: reports.void_report(uow, VoidFact(theirs.report_id, BY, WHY)),
        lambda: reports.correct_report(uow, CorrectDate(theirs.report_id, date(2024, 4, 16), BY, WHY)),
    ):
        with pytest.raises(OutsideArea, match=f"financial report {theirs.report_id} not found") as hidden:
            await as_caller(in_gambir, attempt)
        assert refusal(hidden) == (404, "not_found")
    with pytest.raises(NotFound):
        await reports.get_report(uow, uuid4())
    first, after = await as_caller(
        in_gambir, lambda: reports.reports_page(uow, participant_id=None, after_seq=0, limit=1)
    )
    rest, end = await as_caller(
        in_gambir, lambda: reports.reports_page(uow, participant_id=None, after_seq=after or 0, limit=5)
    )
    assert (first, rest, end) == ([mine], [budis], None)
    assert not uow.state.corrections


# --- financing --------------------------------------------------------------------------------------------


async def test_each_step_of_an_application_records_its_event_keyed_by_the_participant_on_its_date() -> None:
    uow = storage()
    application = await disbursed(uow)
    assert application.status is FinancingStatus.DISBURSED
    assert uow.state.applications[application.application_id] == application
    events = [(type(f.payload), f.key, f.occurred_on) for f in uow.published]
    assert events == [
        (FinancingApplied, str(ALI), date(2024, 2, 1)),
        (FinancingApproved, str(ALI), date(2024, 2, 20)),
        (FinancingDisbursed, str(ALI), date(2024, 3, 1)),
    ]
    [(_, paid)] = uow.events(FinancingDisbursed)
    assert (paid.amount, paid.profile) == (40_000_000, GAMBIR)  # the approved amount by default


async def test_a_rejection_is_final_and_steps_out_of_order_are_invalid_transitions() -> None:
    uow = storage()
    application = await applied(uow)
    with pytest.raises(InvalidTransition) as early:
        await financing.disburse(uow, DisburseFinancing(application.application_id, None, None))
    rejected = await financing.reject(
        uow, RejectFinancing(application.application_id, "no collateral", date(2024, 2, 10))
    )
    with pytest.raises(InvalidTransition) as late:
        await financing.approve(uow, ApproveFinancing(application.application_id, 1, None))
    assert refusal(early) == refusal(late) == (409, "invalid_transition")
    assert rejected.status is FinancingStatus.REJECTED
    [(fact, _)] = uow.events(FinancingRejected)
    assert (fact.key, fact.occurred_on) == (str(ALI), date(2024, 2, 10))
    other = await applied(uow, BUDI)
    with pytest.raises(RuleViolation, match="approved_amount 60000000 exceeds the amount applied for"):
        await financing.approve(uow, ApproveFinancing(other.application_id, 60_000_000, None))
    assert len(uow.published) == 3  # two applications and a rejection


async def test_a_step_that_loses_a_race_to_another_step_is_an_invalid_transition() -> None:
    uow = storage()
    application = await applied(uow)
    rejected = replace(application, status=FinancingStatus.REJECTED, rejected_on=date(2024, 2, 5))
    commit_meanwhile(uow.state, lambda s: s.applications.update({application.application_id: rejected}))
    with pytest.raises(InvalidTransition, match="changed by a concurrent request; it is no longer applied"):
        await financing.approve(uow, ApproveFinancing(application.application_id, 1, date(2024, 2, 20)))
    assert uow.state.applications[application.application_id] == rejected
    assert not uow.events(FinancingApproved)


async def test_correcting_a_disbursement_re_dates_it_under_its_rules_and_logs_it() -> None:
    uow = storage()
    application = await disbursed(uow)
    key = application.application_id
    with pytest.raises(RuleViolation, match="disbursed_on 2024-02-19 is before approved_on 2024-02-20"):
        await financing.correct_disbursement(uow, CorrectDate(key, date(2024, 2, 19), BY, WHY))
    corrected = await financing.correct_disbursement(uow, CorrectDate(key, date(2024, 3, 4), BY, WHY))
    assert corrected.disbursement is not None and corrected.disbursement.disbursed_on == date(2024, 3, 4)
    assert await financing.get_application(uow, key) == corrected
    [logged] = uow.state.corrections
    assert (logged.action, logged.fact_id, logged.new_on) == ("corrected", key, date(2024, 3, 4))
    assert isinstance(logged.fact, FinancingDisbursed) and logged.fact.disbursed_on == date(2024, 3, 1)


async def test_a_voided_disbursement_approves_the_application_again_to_be_disbursed_anew() -> None:
    uow = storage()
    application = await disbursed(uow)
    key = application.application_id
    voided = await financing.void_disbursement(uow, VoidFact(key, BY, "wrong account"))
    assert voided.status is FinancingStatus.APPROVED and voided.disbursement is None
    assert uow.state.applications[key] == voided
    with pytest.raises(
        AlreadyVoided, match=f"the disbursement of financing application {key} is voided"
    ) as again:
        await financing.correct_disbursement(uow, CorrectDate(key, date(2024, 3, 2), BY, WHY))
    assert refusal(again) == (409, "already_voided")
    anew = await financing.disburse(uow, DisburseFinancing(key, 30_000_000, date(2024, 3, 5)))
    assert [d.voided is None for d in anew.disbursements] == [False, True]
    assert uow.state.applications[key] == anew
    assert [c.action for c in uow.state.corrections] == ["voided"]
    assert len(uow.events(FinancingDisbursed)) == 2


async def test_an_application_never_disbursed_has_no_disbursement_to_correct_or_void() -> None:
    uow = storage()
    application = await approved(uow)
    with pytest.raises(NotDisbursed) as correcting:
        await financing.correct_disbursement(
            uow, CorrectDate(application.application_id, date(2024, 3, 1), BY, WHY)
        )
    with pytest.raises(NotDisbursed) as voiding:
        await financing.void_disbursement(uow, VoidFact(application.application_id, BY, WHY))
    assert refusal(correcting) == refusal(voiding) == (409, "not_disbursed")
    assert not uow.state.corrections


async def test_a_void_that_loses_to_another_void_is_refused_as_voided_meanwhile() -> None:
    uow = storage()
    application = await disbursed(uow)
    key = application.application_id
    paid = application.disbursements[-1]
    gone = replace(
        application,
        status=FinancingStatus.APPROVED,
        disbursements=(replace(paid, voided=Voided(datetime(2024, 3, 2, tzinfo=UTC), "officer-2", "twice")),),
    )
    commit_meanwhile(uow.state, lambda s: s.applications.update({key: gone}))
    with pytest.raises(AlreadyVoided, match="was voided by a concurrent request") as raised:
        await financing.void_disbursement(uow, VoidFact(key, BY, WHY))
    assert refusal(raised) == (409, "already_voided")
    assert uow.state.applications[key] == gone and not uow.state.corrections


async def test_applications_of_another_area_are_missing_and_lists_hold_only_the_callers_area() -> None:
    uow = storage()
    mine = await approved(uow)
    theirs = await applied(uow, ELSEWHERE)
    budis = await applied(uow, BUDI)
    in_gambir = officer("31.71")
    with pytest.raises(OutsideArea) as outside:
        await as_caller(in_gambir, lambda: applied(uow, ELSEWHERE))
    assert refusal(outside) == (422, "unknown_participant")
    for attempt in (
        lambda: financing.get_application(uow, theirs.application_id),
        lambda: financing.approve(uow, ApproveFinancing(theirs.application_id, 1, None)),
        lambda: financing.void_disbursement(uow, VoidFact(theirs.application_id, BY, WHY)),
    ):
        with pytest.raises(OutsideArea, match=f"financing application {theirs.application_id} not found"):
            await as_caller(in_gambir, attempt)
    with pytest.raises(NotFound) as missing:
        await financing.get_application(uow, uuid4())
    assert refusal(missing) == (404, "not_found")
    seen, end = await as_caller(
        in_gambir,
        lambda: financing.applications_page(uow, participant_id=None, status=None, after_seq=0, limit=5),
    )
    still_applied, _ = await financing.applications_page(
        uow, participant_id=None, status=FinancingStatus.APPLIED, after_seq=0, limit=5
    )
    first, after = await financing.applications_page(
        uow, participant_id=None, status=None, after_seq=0, limit=2
    )
    rest, _ = await financing.applications_page(
        uow, participant_id=None, status=None, after_seq=after or 0, limit=2
    )
    assert (seen, end, still_applied) == ([mine, budis], None, [theirs, budis])
    assert (first, rest) == ([mine, theirs], [budis])
