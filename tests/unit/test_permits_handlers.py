"""Every permits handler's rules, driven through in-memory repositories (tests/unit/fakes/permits.py): area
scope, 404s, one active NIB and a number per type (also against concurrent requests), the transitions and
lost decisions, the work list, corrections and voids of an issue through the shared lifecycle, and the
events each change records, keyed as their contract says. The SQL adapters are covered by the integration
suite (tests/integration/test_permits_api.py)."""

from collections.abc import Awaitable
from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from services.permits.commands import ApplyForPermit, CorrectDate, IssuePermit, RejectPermit, VoidFact
from services.permits.domain.permit import DuplicateNib, DuplicatePermitNumber, Permit, PermitStatus
from services.permits.handlers import issues, permits
from shared.auth.principal import Principal, Role
from shared.contracts.enums import PermitType
from shared.contracts.events import PermitApplied, PermitIssued, PermitRejected
from shared.corrections import ConcurrentChange
from shared.dates import jakarta_today
from shared.decisions import InvalidTransition
from shared.errors import DomainError, NotFound, RuleViolation
from shared.participants.area import OutsideArea
from shared.participants.directory import UnknownParticipant
from tests.factories import profile
from tests.unit.fakes.callers import as_caller
from tests.unit.fakes.permits import FakePermitsWrites, PermitsState, fake_permits_storage
from tests.unit.fakes.races import commit_meanwhile
from tests.unit.fakes.storage import FakeStorage

Storage = FakeStorage[PermitsState, FakePermitsWrites, FakePermitsWrites]

ALI, BUDI = UUID(int=1), UUID(int=2)
ELSEWHERE = UUID(int=9)  # registered in Jakarta Selatan
GAMBIR = profile(registered_on=date(2024, 1, 2))
SELATAN = profile(
    registered_on=date(2024, 1, 2),
    kota_code="31.74",
    kecamatan_code="31.74.01",
    kelurahan_code="31.74.01.1001",
)
APPLIED_ON = date(2024, 2, 1)
BY, WHY = "officer-1", "salah input tanggal"


def storage() -> Storage:
    return fake_permits_storage(PermitsState(participants={ALI: GAMBIR, BUDI: GAMBIR, ELSEWHERE: SELATAN}))


def officer(kota: str | None = "31.71") -> Principal:
    return Principal("permits-1", frozenset({Role.PERMIT_OFFICER}), kota=kota)


async def applied(
    uow: Storage, person: UUID = ALI, kind: PermitType = PermitType.HALAL, on: date | None = APPLIED_ON
) -> Permit:
    return await permits.apply_for_permit(uow, ApplyForPermit(person, kind, on))


async def issued(uow: Storage, permit: Permit, number: str = "ID-1", on: date = date(2024, 3, 1)) -> Permit:
    return await permits.issue_permit(uow, IssuePermit(permit.permit_id, number, on))


def refusal(raised: pytest.ExceptionInfo[DomainError]) -> tuple[int, str]:
    return raised.value.status_code, raised.value.code


# --- applying ---------------------------------------------------------------------------------------------


async def test_an_application_records_permit_applied_keyed_by_the_participant_on_its_date() -> None:
    uow = storage()
    permit = await applied(uow)
    assert uow.state.permits == {permit.permit_id: permit} and permit.status is PermitStatus.APPLIED
    [(fact, event)] = uow.events(PermitApplied)
    assert (fact.key, fact.occurred_on) == (str(ALI), APPLIED_ON)
    assert (event.permit_id, event.permit_type, event.profile) == (permit.permit_id, PermitType.HALAL, GAMBIR)
    assert (await applied(uow, BUDI, on=None)).applied_on == jakarta_today()


async def test_an_unknown_participant_and_one_outside_the_area_get_the_same_answer() -> None:
    uow = storage()
    with pytest.raises(UnknownParticipant) as unknown:
        await applied(uow, uuid4())
    with pytest.raises(OutsideArea) as outside:
        await as_caller(officer("31.71"), lambda: applied(uow, ELSEWHERE))
    assert refusal(unknown) == refusal(outside) == (422, "unknown_participant")
    with pytest.raises(RuleViolation, match="before the participant's registration"):
        await applied(uow, on=date(2024, 1, 1))
    assert uow.commits == 0 and not uow.published


async def test_a_participant_holds_one_nib_until_it_is_rejected_and_other_permits_repeat() -> None:
    uow = storage()
    nib = await applied(uow, kind=PermitType.NIB)
    with pytest.raises(
        DuplicateNib, match=f"already has an NIB \\(applied or issued\\): {nib.permit_id}"
    ) as raised:
        await applied(uow, kind=PermitType.NIB)
    assert refusal(raised) == (409, "duplicate_nib")
    assert raised.value.context == {"permit_id": str(nib.permit_id)}
    await applied(uow)
    await applied(uow)  # two halal applications are fine
    await permits.reject_permit(uow, RejectPermit(nib.permit_id, "berkas kurang", date(2024, 2, 2)))
    again = await applied(uow, kind=PermitType.NIB)
    assert [p.permit_id for p in uow.state.permits.values() if p.permit_type is PermitType.NIB] == [
        nib.permit_id,
        again.permit_id,
    ]


async def test_an_nib_application_that_loses_the_race_to_another_names_the_winner_and_records_nothing() -> (
    None
):
    uow = storage()
    winner = await applied(storage(), kind=PermitType.NIB)  # a concurrent request's, committed meanwhile
    commit_meanwhile(uow.state, lambda state: state.permits.update({winner.permit_id: winner}))
    with pytest.raises(DuplicateNib) as raised:
        await applied(uow, kind=PermitType.NIB)
    assert raised.value.context == {"permit_id": str(winner.permit_id)}
    assert list(uow.state.permits) == [winner.permit_id] and not uow.published


# --- deciding ---------------------------------------------------------------------------------------------


async def test_an_issue_records_permit_issued_keyed_by_the_participant_on_the_day_it_was_issued() -> None:
    uow = storage()
    permit = await issued(uow, await applied(uow), "ID-1", date(2024, 3, 1))
    assert (permit.status, permit.permit_number, permit.issued_on) == (
        PermitStatus.ISSUED,
        "ID-1",
        date(2024, 3, 1),
    )
    [(fact, event)] = uow.events(PermitIssued)
    assert (fact.key, fact.occurred_on) == (str(ALI), date(2024, 3, 1))
    assert (event.permit_id, event.applied_on, event.issued_on) == (
        permit.permit_id,
        APPLIED_ON,
        date(2024, 3, 1),
    )
    assert await permits.get_permit(uow, permit.permit_id) == permit


async def test_a_rejection_records_permit_rejected_and_a_decision_is_final() -> None:
    uow = storage()
    permit = await applied(uow)
    rejected = await permits.reject_permit(uow, RejectPermit(permit.permit_id, "berkas kurang", None))
    assert (rejected.status, rejected.rejected_on, rejected.rejection_reason) == (
        PermitStatus.REJECTED,
        jakarta_today(),
        "berkas kurang",
    )
    [(fact, _)] = uow.events(PermitRejected)
    assert (fact.key, fact.occurred_on) == (str(ALI), jakarta_today())
    with pytest.raises(
        InvalidTransition, match=r"cannot issue permit .*: it is rejected, not applied"
    ) as raised:
        await issued(uow, permit)
    assert refusal(raised) == (409, "invalid_transition")
    assert raised.value.context == {"permit_id": str(permit.permit_id), "status": "rejected"}
    other = await issued(uow, await applied(uow))
    with pytest.raises(InvalidTransition, match="it is issued, not applied"):
        await permits.reject_permit(uow, RejectPermit(other.permit_id, "salah", None))
    assert len(uow.events(PermitRejected)) == 1


async def test_a_decision_dated_before_the_application_or_after_today_is_refused() -> None:
    uow = storage()
    permit = await applied(uow)
    with pytest.raises(RuleViolation, match="issued_on 2024-01-31 is before applied_on 2024-02-01"):
        await issued(uow, permit, on=date(2024, 1, 31))
    with pytest.raises(RuleViolation, match="after today"):
        await permits.reject_permit(
            uow, RejectPermit(permit.permit_id, "salah", jakarta_today() + timedelta(days=1))
        )
    assert uow.state.permits[permit.permit_id] == permit and len(uow.published) == 1


async def test_a_decision_that_loses_the_race_to_another_decision_is_an_invalid_transition() -> None:
    uow = storage()
    permit = await applied(uow)
    rejected = replace(
        permit, status=PermitStatus.REJECTED, rejected_on=date(2024, 2, 2), rejection_reason="x"
    )
    commit_meanwhile(uow.state, lambda state: state.permits.update({permit.permit_id: rejected}))
    with pytest.raises(InvalidTransition, match="was decided by a concurrent request") as raised:
        await issued(uow, permit)
    assert raised.value.context == {"permit_id": str(permit.permit_id)}
    assert uow.state.permits[permit.permit_id] == rejected and not uow.events(PermitIssued)


async def test_a_number_already_used_names_its_permit_unless_that_lies_outside_the_callers_area() -> None:
    uow = storage()
    holder = await issued(uow, await applied(uow), "ID-7")
    mine, theirs = await applied(uow, BUDI), await applied(uow, ELSEWHERE)
    with pytest.raises(
        DuplicatePermitNumber, match=f"'ID-7' is already used by permit {holder.permit_id}"
    ) as raised:
        await issued(uow, mine, "ID-7")
    assert refusal(raised) == (409, "duplicate_permit_number")
    assert raised.value.context == {"permit_id": str(holder.permit_id)}
    await issued(uow, theirs, "ID-8")
    with pytest.raises(DuplicatePermitNumber) as hidden:
        await as_caller(officer("31.71"), lambda: issued(uow, mine, "ID-8"))
    assert (str(hidden.value), hidden.value.context) == ("permit number 'ID-8' is already used", {})
    nib = await applied(uow, BUDI, PermitType.NIB)
    assert (await issued(uow, nib, "ID-7")).permit_number == "ID-7"  # unique per permit type only
    assert uow.state.permits[mine.permit_id] == mine


async def test_a_permit_nobody_may_see_is_not_found_for_any_request() -> None:
    uow = storage()
    hidden = await applied(uow, ELSEWHERE)
    for attempt in (
        lambda: permits.get_permit(uow, hidden.permit_id),
        lambda: issued(uow, hidden),
        lambda: permits.reject_permit(uow, RejectPermit(hidden.permit_id, "salah", None)),
        lambda: issues.correct_issue(uow, CorrectDate(hidden.permit_id, date(2024, 3, 2), BY, WHY)),
        lambda: issues.void_issue(uow, VoidFact(hidden.permit_id, BY, WHY)),
    ):
        with pytest.raises(OutsideArea, match=f"permit {hidden.permit_id} not found") as outside:
            await as_caller(officer("31.71"), attempt)
        assert refusal(outside) == (404, "not_found")
    with pytest.raises(NotFound) as missing:
        await issued(uow, replace(hidden, permit_id=uuid4()))
    assert refusal(missing) == (404, "not_found")
    assert uow.state.permits[hidden.permit_id] == hidden and not uow.state.corrections


# --- lists ------------------------------------------------------------------------------------------------


async def test_the_list_is_in_application_order_of_the_callers_area_filtered_and_paged() -> None:
    uow = storage()
    first, hidden, second = await applied(uow), await applied(uow, ELSEWHERE), await applied(uow, BUDI)
    second = await issued(uow, second)

    def page(
        participant: UUID | None = None,
        status: PermitStatus | None = None,
        after_seq: int = 0,
        limit: int = 10,
    ) -> Awaitable[tuple[list[Permit], int | None]]:
        return permits.permits_page(
            uow, participant_id=participant, status=status, after_seq=after_seq, limit=limit
        )

    assert await as_caller(officer("31.71"), page) == ([first, second], None)
    assert await page(limit=2) == ([first, hidden], 2)
    assert await page(after_seq=2) == ([second], None)
    assert await page(status=PermitStatus.ISSUED) == ([second], None)
    assert await page(participant=ALI) == ([first], None)


async def test_the_work_list_holds_applications_waiting_long_enough_oldest_first() -> None:
    uow = storage()
    late = await applied(uow, on=date(2024, 3, 1))
    early = await applied(uow, BUDI, on=date(2024, 2, 1))
    await applied(uow, ELSEWHERE, on=date(2024, 1, 15))
    await issued(uow, await applied(uow, on=date(2024, 1, 20)))  # decided: off the list
    fresh = await applied(uow, on=None)

    def waiting(
        days: int = 0,
        position: tuple[date, UUID] | None = None,
        limit: int = 10,
        participant: UUID | None = None,
    ) -> Awaitable[tuple[list[Permit], Permit | None]]:
        return permits.waiting_page(
            uow, participant_id=participant, waiting_days=days, position=position, limit=limit
        )

    mine, last = await as_caller(officer("31.71"), waiting)
    assert (mine, last) == ([early, late, fresh], None)
    head, more = await as_caller(officer("31.71"), lambda: waiting(limit=1))
    assert head == [early] and more == early
    rest, _ = await as_caller(officer("31.71"), lambda: waiting(position=(early.applied_on, early.permit_id)))
    assert rest == [late, fresh]
    since_march = (jakarta_today() - date(2024, 3, 1)).days
    old, _ = await as_caller(officer("31.71"), lambda: waiting(days=since_march + 1))
    assert old == [early]
    assert (await waiting(participant=BUDI))[0] == [early]


# --- correcting and voiding an issue ----------------------------------------------------------------------


async def test_an_issue_is_corrected_once_logged_as_it_stood_and_a_correction_to_its_date_is_a_no_op() -> (
    None
):
    uow = storage()
    permit = await issued(uow, await applied(uow), on=date(2024, 3, 1))
    corrected = await issues.correct_issue(uow, CorrectDate(permit.permit_id, date(2024, 2, 20), BY, WHY))
    assert corrected == replace(permit, issued_on=date(2024, 2, 20))
    assert await permits.get_permit(uow, permit.permit_id) == corrected
    [logged] = uow.state.corrections
    assert (logged.action, logged.fact_id, logged.new_on, logged.by, logged.reason) == (
        "corrected",
        permit.permit_id,
        date(2024, 2, 20),
        BY,
        WHY,
    )
    assert isinstance(logged.fact, PermitIssued) and logged.fact.issued_on == date(2024, 3, 1)
    assert (
        await issues.correct_issue(uow, CorrectDate(permit.permit_id, date(2024, 2, 20), BY, WHY))
        == corrected
    )
    with pytest.raises(RuleViolation, match="issued_on 2024-01-31 is before applied_on"):
        await issues.correct_issue(uow, CorrectDate(permit.permit_id, date(2024, 1, 31), BY, WHY))
    assert len(uow.state.corrections) == 1 and len(uow.events(PermitIssued)) == 1


async def test_only_an_issue_is_corrected_or_voided() -> None:
    uow = storage()
    permit = await applied(uow)
    with pytest.raises(
        InvalidTransition, match=r"cannot correct the issue of permit .*: it is applied"
    ) as raised:
        await issues.correct_issue(uow, CorrectDate(permit.permit_id, date(2024, 2, 20), BY, WHY))
    assert refusal(raised) == (409, "invalid_transition")
    with pytest.raises(InvalidTransition, match=r"cannot void the issue of permit .*: it is applied"):
        await issues.void_issue(uow, VoidFact(permit.permit_id, BY, WHY))
    with pytest.raises(NotFound):
        await issues.void_issue(uow, VoidFact(uuid4(), BY, WHY))
    assert not uow.state.corrections


async def test_a_voided_issue_leaves_the_permit_applied_its_number_free_to_be_decided_anew() -> None:
    uow = storage()
    permit = await issued(uow, await applied(uow), "ID-1")
    voided = await issues.void_issue(uow, VoidFact(permit.permit_id, BY, WHY))
    assert voided == replace(permit, status=PermitStatus.APPLIED, permit_number=None, issued_on=None)
    [logged] = uow.state.corrections
    assert (logged.action, logged.fact_id, logged.new_on) == ("voided", permit.permit_id, None)
    assert isinstance(logged.fact, PermitIssued) and logged.fact.issued_on == permit.issued_on
    with pytest.raises(InvalidTransition, match="it is applied, not issued"):
        await issues.correct_issue(uow, CorrectDate(permit.permit_id, date(2024, 3, 2), BY, WHY))
    other = await issued(uow, await applied(uow, BUDI), "ID-1")  # the number is free again
    again = await issued(uow, permit, "ID-2", date(2024, 3, 5))
    assert (other.permit_number, again.status, again.issued_on) == (
        "ID-1",
        PermitStatus.ISSUED,
        date(2024, 3, 5),
    )
    assert [f.occurred_on for f, _ in uow.events(PermitIssued)] == [
        date(2024, 3, 1),
        date(2024, 3, 1),
        date(2024, 3, 5),
    ]


async def test_a_correction_that_loses_the_race_to_a_void_is_an_invalid_transition() -> None:
    uow = storage()
    permit = await issued(uow, await applied(uow))
    reopened = replace(permit, status=PermitStatus.APPLIED, permit_number=None, issued_on=None)
    commit_meanwhile(uow.state, lambda state: state.permits.update({permit.permit_id: reopened}))
    with pytest.raises(InvalidTransition, match="was voided by a concurrent request") as raised:
        await issues.correct_issue(uow, CorrectDate(permit.permit_id, date(2024, 2, 20), BY, WHY))
    assert raised.value.context == {"permit_id": str(permit.permit_id), "status": "applied"}
    assert uow.state.permits[permit.permit_id] == reopened and not uow.state.corrections


async def test_a_void_that_loses_the_race_to_a_correction_is_a_concurrent_change_to_retry() -> None:
    uow = storage()
    permit = await issued(uow, await applied(uow))
    moved = replace(permit, issued_on=date(2024, 3, 2))
    commit_meanwhile(uow.state, lambda state: state.permits.update({permit.permit_id: moved}))
    with pytest.raises(
        ConcurrentChange, match="re-dated to 2024-03-02 by a concurrent request; retry"
    ) as raised:
        await issues.void_issue(uow, VoidFact(permit.permit_id, BY, WHY))
    assert refusal(raised) == (409, "concurrent_change")
    assert uow.state.permits[permit.permit_id] == moved and not uow.state.corrections
