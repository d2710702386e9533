import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import pytest

from services.mentoring.domain.mentor import AssignMentor, Mentor, UnknownKecamatan, assign
from services.mentoring.domain.session import HoldSession, OutsideMentorArea, Session, SessionContext, hold
from shared.auth.principal import OutOfScope, Principal, Role
from shared.contracts.events import MentorAssigned, ParticipantMentored
from shared.corrections import AlreadyVoided, Voided
from shared.errors import RuleViolation
from shared.participants.area import check_own_kota
from tests.factories import profile

TODAY = date(2024, 6, 30)
PROFILE = profile(registered_on=date(2023, 3, 1), kota_code="31.74", kecamatan_code="31.74.07")
VOID = Voided(datetime(2024, 6, 30, 3, tzinfo=UTC), "officer-7", "entered twice")
ASSIGN = AssignMentor("PJLP-2023-0142", "Siti Rahmawati", "31.74.07", date(2023, 1, 2))


MENTOR = assign(ASSIGN, TODAY)


def mentor(**overrides: Any) -> Mentor:
    return replace(MENTOR, **overrides)


def command(on: date | None = date(2024, 2, 1)) -> HoldSession:
    return HoldSession(uuid4(), uuid4(), on, "Pencatatan keuangan", "dibantu membuat buku kas")


def held(on: date = date(2024, 2, 1)) -> Session:
    return hold(command(on), PROFILE, mentor(), TODAY)


def test_a_mentor_serves_a_kecamatan_and_its_kota() -> None:
    m = assign(ASSIGN, TODAY)
    assert (m.staff_number, m.full_name) == ("PJLP-2023-0142", "Siti Rahmawati")
    assert (m.kota_code, m.kecamatan_code, m.assigned_on) == ("31.74", "31.74.07", date(2023, 1, 2))


def test_kepulauan_seribu_is_a_kota_like_the_others() -> None:
    assert assign(replace(ASSIGN, kecamatan_code="31.01.01"), TODAY).kota_code == "31.01"


def test_an_assignment_defaults_to_today() -> None:
    assert assign(replace(ASSIGN, assigned_on=None), TODAY).assigned_on == TODAY


@pytest.mark.parametrize("code", ["31.74.99", "32.01.01", "31.79.01"])
def test_a_mentor_needs_a_jakarta_kecamatan(code: str) -> None:
    with pytest.raises(UnknownKecamatan, match=re.escape(f"unknown kecamatan {code}")) as refused:
        assign(replace(ASSIGN, kecamatan_code=code), TODAY)
    assert refused.value.status_code == 422 and refused.value.code == "unknown_kecamatan"


@pytest.mark.parametrize(
    ("on", "reason"), [(date(2017, 12, 31), "before the programme start"), (date(2024, 7, 1), "after today")]
)
def test_assignment_dates_are_fact_dates(on: date, reason: str) -> None:
    with pytest.raises(RuleViolation, match=reason):
        assign(replace(ASSIGN, assigned_on=on), TODAY)


def test_the_assignment_event_names_no_person() -> None:
    event = assign(ASSIGN, TODAY).event()
    assert isinstance(event, MentorAssigned)
    assert event.model_dump(mode="json") == {
        "mentor_id": str(event.mentor_id),
        "kota_code": "31.74",
        "kecamatan_code": "31.74.07",
        "assigned_on": "2023-01-02",
    }


def test_a_session_is_held_by_the_mentor_with_topic_and_notes() -> None:
    cmd = command()
    session = hold(cmd, PROFILE, mentor(), TODAY)
    assert (session.participant_id, session.mentor_id) == (cmd.participant_id, MENTOR.mentor_id)
    assert (session.held_on, session.topic, session.notes) == (date(2024, 2, 1), cmd.topic, cmd.notes)
    assert not session.voided


def test_a_session_defaults_to_today() -> None:
    assert hold(command(on=None), PROFILE, mentor(), TODAY).held_on == TODAY


def test_a_mentor_only_serves_their_own_kecamatan() -> None:
    elsewhere = mentor(kota_code="31.71", kecamatan_code="31.71.01")
    with pytest.raises(OutsideMentorArea, match=r"serves kecamatan 31\.71\.01") as refused:
        hold(command(), PROFILE, elsewhere, TODAY)
    assert refused.value.code == "outside_mentor_area" and refused.value.status_code == 422
    assert refused.value.context["participant_kecamatan_code"] == "31.74.07"


@pytest.mark.parametrize(
    ("on", "reason"),
    [
        (date(2017, 12, 31), "before the programme start"),
        (date(2024, 7, 1), "after today"),
        (date(2023, 2, 28), "before the participant's registration"),
    ],
)
def test_session_dates_are_stage_fact_dates(on: date, reason: str) -> None:
    with pytest.raises(RuleViolation, match=reason):
        held(on)


def test_a_session_may_not_precede_the_mentors_assignment() -> None:
    late_mentor = mentor(assigned_on=date(2024, 1, 15))
    with pytest.raises(RuleViolation, match="before the mentor was assigned on 2024-01-15"):
        hold(command(date(2024, 1, 14)), PROFILE, late_mentor, TODAY)
    assert hold(command(date(2024, 1, 15)), PROFILE, late_mentor, TODAY).held_on == date(2024, 1, 15)


def test_a_session_on_the_registration_day_is_accepted() -> None:
    assert held(PROFILE.registered_on).held_on == date(2023, 3, 1)


def test_the_event_carries_the_profile_and_never_the_topic_or_the_notes() -> None:
    session = held()
    event = session.event(PROFILE)
    assert isinstance(event, ParticipantMentored)
    assert (event.session_id, event.held_on) == (session.session_id, session.held_on)
    assert event.profile == PROFILE
    published = event.model_dump_json()
    assert not {"topic", "notes"} & set(event.model_dump())
    assert session.topic not in published and "buku kas" not in published


def test_a_correction_re_dates_the_session_under_the_same_rules() -> None:
    session = held()
    assert session.redate(date(2024, 1, 20), TODAY, SessionContext(PROFILE, mentor())) == replace(
        session, held_on=date(2024, 1, 20)
    )
    with pytest.raises(RuleViolation, match="after today"):
        session.redate(date(2024, 7, 1), TODAY, SessionContext(PROFILE, mentor()))
    with pytest.raises(RuleViolation, match="before the participant's registration"):
        session.redate(date(2023, 2, 28), TODAY, SessionContext(PROFILE, mentor()))
    with pytest.raises(RuleViolation, match="before the mentor was assigned"):
        session.redate(date(2023, 6, 1), TODAY, SessionContext(PROFILE, mentor(assigned_on=date(2023, 6, 2))))


def test_a_correction_does_not_recheck_the_area_the_participant_may_have_left() -> None:
    moved = profile(registered_on=PROFILE.registered_on, kota_code="31.71", kecamatan_code="31.71.01")
    assert held().redate(date(2024, 1, 20), TODAY, SessionContext(moved, mentor())).held_on == date(
        2024, 1, 20
    )


def test_a_voided_session_can_be_neither_corrected_nor_voided_again() -> None:
    voided = held().void(VOID)
    assert voided.voided
    with pytest.raises(AlreadyVoided) as refused:
        voided.void(VOID)
    assert refused.value.status_code == 409 and refused.value.code == "already_voided"
    with pytest.raises(AlreadyVoided):
        voided.redate(date(2024, 1, 20), TODAY, SessionContext(PROFILE, mentor()))


def test_a_mentoring_officer_scoped_to_a_kota_assigns_mentors_there_only() -> None:
    mentor = assign(AssignMentor("PJLP-1", "Pendamping", "31.74.01", None), date(2024, 6, 30))
    officer = Principal("officer-1", frozenset({Role.MENTOR}), kota="31.71")
    with pytest.raises(OutOfScope) as refused:
        check_own_kota(officer, mentor.kota_code, "a mentor")
    assert (refused.value.status_code, refused.value.context) == (403, {"kota_code": "31.74"})
    check_own_kota(
        Principal("officer-2", frozenset({Role.MENTOR}), kota="31.74"), mentor.kota_code, "a mentor"
    )
    check_own_kota(Principal("officer-3", frozenset({Role.MENTOR}), agency="SOSIAL"), "31.74", "a mentor")
