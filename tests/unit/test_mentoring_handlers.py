"""Every mentoring handler's rules, driven through in-memory repositories (tests/unit/fakes/mentoring.py):
area scope, 404s, duplicate staff numbers and lost races, the caseload, corrections and voids through the
shared lifecycle, and the events each change records, keyed as their contract says. The SQL adapters are
covered by the integration suite (tests/integration/test_mentoring_api.py)."""

from collections.abc import Awaitable
from dataclasses import replace
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest

from services.mentoring.commands import AssignMentor, CorrectDate, HoldSession, VoidFact
from services.mentoring.domain.caseload import CaseloadEntry
from services.mentoring.domain.mentor import DuplicateMentor, Mentor, UnknownKecamatan, UnknownMentor
from services.mentoring.domain.session import OutsideMentorArea, Session
from services.mentoring.handlers import mentors, sessions
from shared.auth.principal import OutOfScope, Principal, Role
from shared.contracts.events import MentorAssigned, ParticipantMentored
from shared.corrections import AlreadyVoided, ConcurrentChange
from shared.dates import jakarta_today
from shared.errors import DomainError, NotFound, RuleViolation
from shared.participants.area import OutsideArea
from shared.participants.directory import UnknownParticipant
from tests.factories import profile
from tests.unit.fakes.callers import as_caller
from tests.unit.fakes.mentoring import FakeMentoringWrites, MentoringState, fake_mentoring_storage
from tests.unit.fakes.races import commit_meanwhile
from tests.unit.fakes.storage import FakeStorage

Storage = FakeStorage[MentoringState, FakeMentoringWrites, FakeMentoringWrites]

ALI, BUDI, CITRA = UUID(int=1), UUID(int=2), UUID(int=3)
ELSEWHERE = UUID(int=9)  # registered in Jakarta Selatan, kecamatan 31.74.01
GAMBIR = profile(registered_on=date(2024, 1, 2))  # kecamatan 31.71.01
SELATAN = profile(
    registered_on=date(2024, 1, 2),
    kota_code="31.74",
    kecamatan_code="31.74.01",
    kelurahan_code="31.74.01.1001",
)
BY, WHY = "officer-1", "salah input tanggal"


def storage() -> Storage:
    known = {ALI: GAMBIR, BUDI: GAMBIR, CITRA: GAMBIR, ELSEWHERE: SELATAN}
    return fake_mentoring_storage(MentoringState(participants=known))


def officer(kota: str | None = "31.71") -> Principal:
    return Principal("mentoring-1", frozenset({Role.MENTOR}), kota=kota)


def assignment(
    staff_number: str = "PJLP-1", kecamatan: str = "31.71.01", on: date | None = date(2023, 6, 1)
) -> AssignMentor:
    return AssignMentor(staff_number, "Siti Rahmawati", kecamatan, on)


async def a_mentor(uow: Storage, staff_number: str = "PJLP-1", kecamatan: str = "31.71.01") -> Mentor:
    return await mentors.assign_mentor(uow, assignment(staff_number, kecamatan))


async def held(uow: Storage, mentor: Mentor, person: UUID, on: date = date(2024, 2, 1)) -> Session:
    return await sessions.hold_session(uow, HoldSession(person, mentor.mentor_id, on, "Kas", "catatan"))


def refusal(raised: pytest.ExceptionInfo[DomainError]) -> tuple[int, str]:
    return raised.value.status_code, raised.value.code


# --- mentors ----------------------------------------------------------------------------------------------


async def test_an_assigned_mentor_records_mentor_assigned_keyed_by_the_mentor_without_personal_data() -> None:
    uow = storage()
    mentor = await a_mentor(uow)
    assert uow.state.mentors == {mentor.mentor_id: mentor}
    assert (mentor.kota_code, mentor.kecamatan_code) == ("31.71", "31.71.01")
    [(fact, event)] = uow.events(MentorAssigned)
    assert (fact.key, fact.occurred_on) == (str(mentor.mentor_id), date(2023, 6, 1))
    assert "PJLP-1" not in event.model_dump_json() and "Siti" not in event.model_dump_json()
    assert await mentors.get_mentor(uow, mentor.mentor_id) == mentor


async def test_an_officer_assigns_mentors_in_their_own_kota_only_and_a_bad_assignment_is_refused() -> None:
    uow = storage()
    with pytest.raises(OutOfScope, match=r"a mentor in kota 31\.74 is outside your area") as raised:
        await as_caller(
            officer("31.71"), lambda: mentors.assign_mentor(uow, assignment(kecamatan="31.74.01"))
        )
    assert refusal(raised) == (403, "out_of_scope")
    with pytest.raises(UnknownKecamatan) as unknown:
        await mentors.assign_mentor(uow, assignment(kecamatan="31.79.01"))
    assert refusal(unknown) == (422, "unknown_kecamatan")
    with pytest.raises(RuleViolation, match="after today"):
        await mentors.assign_mentor(uow, assignment(on=jakarta_today() + timedelta(days=1)))
    assert uow.commits == 0 and not uow.published
    assert (await mentors.assign_mentor(uow, assignment(on=None))).assigned_on == jakarta_today()


async def test_a_staff_number_already_held_is_a_duplicate_naming_its_mentor() -> None:
    uow = storage()
    first = await a_mentor(uow, "PJLP-1")
    with pytest.raises(
        DuplicateMentor, match=f"staff number PJLP-1 already belongs to mentor {first.mentor_id}"
    ) as raised:
        await a_mentor(uow, "PJLP-1", "31.71.02")
    assert refusal(raised) == (409, "duplicate_mentor")
    assert raised.value.context == {"mentor_id": str(first.mentor_id)}
    assert list(uow.state.mentors) == [first.mentor_id] and len(uow.published) == 1


async def test_a_mentor_that_loses_the_race_for_a_staff_number_names_the_winner_and_records_nothing() -> None:
    uow = storage()
    winner = await a_mentor(storage(), "PJLP-7")  # a concurrent request's
    # Committed after this request began: only the unique index sees it.
    commit_meanwhile(uow.state, lambda state: state.mentors.update({winner.mentor_id: winner}))
    with pytest.raises(DuplicateMentor) as raised:
        await a_mentor(uow, "PJLP-7")
    assert raised.value.context == {"mentor_id": str(winner.mentor_id)}
    assert list(uow.state.mentors) == [winner.mentor_id] and not uow.published and uow.commits == 0


async def test_a_mentor_nobody_assigned_is_not_found_and_mentors_are_listed_in_order_by_kecamatan() -> None:
    uow = storage()
    with pytest.raises(NotFound, match=r"mentor .* not found") as raised:
        await mentors.get_mentor(uow, uuid4())
    assert refusal(raised) == (404, "not_found")
    first, other, third = [
        await a_mentor(uow, f"PJLP-{n}", kecamatan)
        for n, kecamatan in enumerate(["31.71.01", "31.71.02", "31.71.01"])
    ]
    page, cursor = await mentors.mentors_page(uow, kecamatan_code=None, after_seq=0, limit=2)
    assert (page, cursor) == ([first, other], 2)
    rest, end = await mentors.mentors_page(uow, kecamatan_code=None, after_seq=2, limit=2)
    assert (rest, end) == ([third], None)
    gambir, _ = await as_caller(
        officer("31.74"), lambda: mentors.mentors_page(uow, kecamatan_code="31.71.01", after_seq=0, limit=10)
    )
    assert gambir == [first, third]  # mentors belong to no participant: every caller sees them


# --- sessions ---------------------------------------------------------------------------------------------


async def test_a_session_records_participant_mentored_keyed_by_the_participant_on_its_date() -> None:
    uow = storage()
    mentor = await a_mentor(uow)
    session = await held(uow, mentor, ALI, date(2024, 2, 1))
    assert uow.state.sessions == {session.session_id: session}
    [(fact, event)] = uow.events(ParticipantMentored)
    assert (fact.key, fact.occurred_on) == (str(ALI), date(2024, 2, 1))
    assert (event.session_id, event.mentor_id, event.profile) == (
        session.session_id,
        mentor.mentor_id,
        GAMBIR,
    )
    assert "catatan" not in event.model_dump_json()  # the notes stay in this service
    today = await sessions.hold_session(uow, HoldSession(BUDI, mentor.mentor_id, None, "Kas", None))
    assert today.held_on == jakarta_today()


async def test_a_session_needs_a_known_participant_of_the_callers_area_and_a_mentor_of_their_kecamatan() -> (
    None
):
    uow = storage()
    mentor = await a_mentor(uow)
    selatan = await a_mentor(uow, "PJLP-2", "31.74.01")
    published = len(uow.published)
    with pytest.raises(UnknownParticipant) as unknown:
        await held(uow, mentor, uuid4())
    with pytest.raises(OutsideArea) as outside:
        await as_caller(officer("31.71"), lambda: held(uow, selatan, ELSEWHERE))
    assert refusal(unknown) == refusal(outside) == (422, "unknown_participant")
    nobody = replace(mentor, mentor_id=uuid4())
    with pytest.raises(UnknownMentor, match=f"mentor {nobody.mentor_id} does not exist") as no_mentor:
        await held(uow, nobody, ALI)
    assert refusal(no_mentor) == (422, "unknown_mentor")
    with pytest.raises(OutsideMentorArea) as elsewhere:
        await held(uow, selatan, ALI)
    assert refusal(elsewhere) == (422, "outside_mentor_area")
    with pytest.raises(RuleViolation, match="before the participant's registration"):
        await held(uow, mentor, ALI, date(2024, 1, 1))
    late = await mentors.assign_mentor(uow, assignment("PJLP-3", on=date(2024, 3, 1)))
    with pytest.raises(RuleViolation, match="before the mentor was assigned"):
        await held(uow, late, ALI, date(2024, 2, 28))
    assert len(uow.published) == published + 1 and not uow.state.sessions  # only PJLP-3's MentorAssigned


async def test_a_session_outside_the_callers_area_reads_as_missing_and_lists_leave_it_out() -> None:
    uow = storage()
    gambir, selatan = await a_mentor(uow), await a_mentor(uow, "PJLP-2", "31.74.01")
    mine, hidden, other = (
        await held(uow, gambir, ALI),
        await held(uow, selatan, ELSEWHERE),
        await held(uow, gambir, BUDI),
    )
    with pytest.raises(OutsideArea, match=f"session {hidden.session_id} not found") as outside:
        await as_caller(officer("31.71"), lambda: sessions.get_session(uow, hidden.session_id))
    with pytest.raises(NotFound) as missing:
        await sessions.get_session(uow, uuid4())
    assert refusal(outside) == refusal(missing) == (404, "not_found")
    assert await sessions.get_session(uow, hidden.session_id) == hidden  # unscoped: everything

    def page(
        participant: UUID | None = None, mentor: UUID | None = None, after_seq: int = 0, limit: int = 10
    ) -> Awaitable[tuple[list[Session], int | None]]:
        return sessions.sessions_page(
            uow, participant_id=participant, mentor_id=mentor, after_seq=after_seq, limit=limit
        )

    assert await as_caller(officer("31.71"), page) == ([mine, other], None)
    assert await page(limit=2) == ([mine, hidden], 2)
    assert await page(after_seq=2, limit=2) == ([other], None)
    assert await page(participant=BUDI) == ([other], None)
    assert await page(mentor=selatan.mentor_id) == ([hidden], None)


# --- the caseload -----------------------------------------------------------------------------------------


async def test_the_caseload_lists_the_mentors_participants_most_idle_first_from_the_sessions_that_stand() -> (
    None
):
    uow = storage()
    mentor, other = await a_mentor(uow), await a_mentor(uow, "PJLP-2")
    await held(uow, mentor, ALI, date(2024, 2, 1))
    await held(uow, mentor, ALI, date(2024, 5, 1))
    await held(uow, mentor, BUDI, date(2024, 3, 1))
    mistake = await held(uow, mentor, CITRA, date(2024, 1, 10))
    await held(uow, other, CITRA, date(2024, 1, 5))  # another mentor's
    await sessions.void_session(uow, VoidFact(mistake.session_id, BY, WHY))

    def caseload(
        idle_days: int | None = None, position: tuple[date, UUID] | None = None, limit: int = 10
    ) -> Awaitable[tuple[list[CaseloadEntry], CaseloadEntry | None]]:
        return mentors.caseload(uow, mentor.mentor_id, idle_days=idle_days, position=position, limit=limit)

    entries, last = await caseload()
    assert [(e.participant_id, e.last_session_on, e.sessions) for e in entries] == [
        (BUDI, date(2024, 3, 1), 1),
        (ALI, date(2024, 5, 1), 2),
    ]
    assert last is None
    first, more = await caseload(limit=1)
    assert [e.participant_id for e in first] == [BUDI] and more == first[0]
    rest, _ = await caseload(position=(more.last_session_on, more.participant_id))
    assert [e.participant_id for e in rest] == [ALI]
    idle_since_april = (jakarta_today() - date(2024, 4, 1)).days
    idle, _ = await caseload(idle_days=idle_since_april)
    assert [e.participant_id for e in idle] == [BUDI]
    with pytest.raises(NotFound, match=r"mentor .* not found"):
        await mentors.caseload(uow, uuid4(), idle_days=None, position=None, limit=10)


async def test_the_caseload_leaves_out_participants_outside_the_callers_area() -> None:
    uow = storage()
    selatan = await a_mentor(uow, "PJLP-2", "31.74.01")
    await held(uow, selatan, ELSEWHERE)
    scoped = await as_caller(
        officer("31.71"),
        lambda: mentors.caseload(uow, selatan.mentor_id, idle_days=None, position=None, limit=10),
    )
    assert scoped == ([], None)
    unscoped, _ = await mentors.caseload(uow, selatan.mentor_id, idle_days=None, position=None, limit=10)
    assert [e.participant_id for e in unscoped] == [ELSEWHERE]


# --- correcting and voiding a session ---------------------------------------------------------------------


async def test_a_session_is_corrected_once_logged_as_it_stood_and_a_correction_to_its_date_is_a_no_op() -> (
    None
):
    uow = storage()
    session = await held(uow, await a_mentor(uow), ALI, date(2024, 2, 1))
    corrected = await sessions.correct_session(
        uow, CorrectDate(session.session_id, date(2024, 2, 3), BY, WHY)
    )
    assert corrected == replace(session, held_on=date(2024, 2, 3))
    assert await sessions.get_session(uow, session.session_id) == corrected
    [logged] = uow.state.corrections
    assert (logged.action, logged.fact_id, logged.new_on, logged.by, logged.reason) == (
        "corrected",
        session.session_id,
        date(2024, 2, 3),
        BY,
        WHY,
    )
    assert isinstance(logged.fact, ParticipantMentored) and logged.fact.held_on == date(2024, 2, 1)
    again = await sessions.correct_session(uow, CorrectDate(session.session_id, date(2024, 2, 3), BY, WHY))
    assert again == corrected and len(uow.state.corrections) == 1
    with pytest.raises(RuleViolation, match="before the participant's registration"):
        await sessions.correct_session(uow, CorrectDate(session.session_id, date(2024, 1, 1), BY, WHY))
    with pytest.raises(RuleViolation, match="after today"):
        future = jakarta_today() + timedelta(days=1)
        await sessions.correct_session(uow, CorrectDate(session.session_id, future, BY, WHY))
    assert len(uow.state.corrections) == 1 and len(uow.events(ParticipantMentored)) == 1


async def test_a_voided_session_is_kept_marked_and_is_neither_corrected_nor_voided_again() -> None:
    uow = storage()
    session = await held(uow, await a_mentor(uow), ALI)
    voided = await sessions.void_session(uow, VoidFact(session.session_id, BY, WHY))
    assert voided == replace(session, voided=True)
    assert (await sessions.get_session(uow, session.session_id)).voided
    assert (uow.state.voids[session.session_id].by, uow.state.voids[session.session_id].reason) == (BY, WHY)
    with pytest.raises(AlreadyVoided, match=f"session {session.session_id} is voided") as raised:
        await sessions.correct_session(uow, CorrectDate(session.session_id, date(2024, 2, 3), BY, WHY))
    assert refusal(raised) == (409, "already_voided")
    with pytest.raises(AlreadyVoided):
        await sessions.void_session(uow, VoidFact(session.session_id, BY, WHY))
    [logged] = uow.state.corrections
    assert (logged.action, logged.fact_id, logged.new_on) == ("voided", session.session_id, None)
    assert isinstance(logged.fact, ParticipantMentored) and logged.fact.held_on == session.held_on


async def test_a_correction_that_loses_the_race_to_a_void_is_already_voided_and_records_nothing() -> None:
    uow = storage()
    session = await held(uow, await a_mentor(uow), ALI)
    uow.state.races.append(
        lambda state: state.sessions.update({session.session_id: replace(session, voided=True)})
    )
    with pytest.raises(AlreadyVoided) as raised:
        await sessions.correct_session(uow, CorrectDate(session.session_id, date(2024, 2, 3), BY, WHY))
    assert refusal(raised) == (409, "already_voided")
    assert not uow.state.corrections and not uow.state.sessions[session.session_id].voided  # rolled back


async def test_a_void_that_loses_the_race_to_a_correction_is_a_concurrent_change_to_retry() -> None:
    uow = storage()
    session = await held(uow, await a_mentor(uow), ALI)
    moved = replace(session, held_on=date(2024, 2, 5))
    commit_meanwhile(uow.state, lambda state: state.sessions.update({session.session_id: moved}))
    with pytest.raises(
        ConcurrentChange, match="re-dated to 2024-02-05 by a concurrent request; retry"
    ) as raised:
        await sessions.void_session(uow, VoidFact(session.session_id, BY, WHY))
    assert refusal(raised) == (409, "concurrent_change")
    assert raised.value.context == {"session_id": str(session.session_id)}
    assert not uow.state.corrections and not uow.state.voids
    assert uow.state.sessions[session.session_id] == moved


async def test_a_session_nobody_may_see_is_neither_corrected_nor_voided() -> None:
    uow = storage()
    hidden = await held(uow, await a_mentor(uow, "PJLP-2", "31.74.01"), ELSEWHERE)
    for attempt in (
        lambda: sessions.correct_session(uow, CorrectDate(hidden.session_id, date(2024, 2, 3), BY, WHY)),
        lambda: sessions.void_session(uow, VoidFact(hidden.session_id, BY, WHY)),
    ):
        with pytest.raises(OutsideArea) as outside:
            await as_caller(officer("31.71"), attempt)
        assert refusal(outside) == (404, "not_found")
    with pytest.raises(NotFound, match=r"session .* not found"):
        await sessions.void_session(uow, VoidFact(uuid4(), BY, WHY))
    assert not uow.state.corrections and uow.state.sessions[hidden.session_id] == hidden
