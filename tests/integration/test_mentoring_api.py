"""The mentoring API over real HTTP, on SQLite and on PostgreSQL, learning participants from registration."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Generic, TypeVar
from uuid import uuid4

import httpx
import pytest
from aiokafka import ConsumerRecord

from devstack.app_server import AppServer
from shared.auth import Role
from shared.contracts.codec import decode
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.events import MentorAssigned, ParticipantMentored, ParticipantRegistered
from shared.contracts.profile import ParticipantProfile
from shared.dates import jakarta_today
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.pii_scan import free_text
from tests.tokens import bearer

REGISTERED_ON = date(2023, 1, 10)
ASSIGNED_ON = date(2023, 1, 2)
MISSING = "00000000-0000-4000-8000-000000000000"
SERIALS = itertools.count(1)
NOTES = "Suami sakit, modal usaha terpakai untuk berobat"  # sensitive: must stay in the mentoring DB


@dataclass(frozen=True)
class Services:
    registration: AppServer
    mentoring: AppServer


@dataclass(frozen=True)
class Registered:
    participant_id: str
    kecamatan_code: str
    request: dict[str, Any]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def services(request: pytest.FixtureRequest, stack: Stack) -> Iterator[Services]:
    started = Services(stack.registration(request.param), stack.producing("mentoring", request.param))
    yield started
    started.mentoring.stop()
    started.registration.stop()


@pytest.fixture
def api(services: Services) -> Iterator[httpx.Client]:
    with client(services.mentoring) as http:
        yield http


@pytest.fixture
def registrar(services: Services) -> Iterator[httpx.Client]:
    with client(services.registration) as http:
        yield http


def register(registrar: httpx.Client) -> Registered:
    serial = next(SERIALS)
    body = participant(random.Random(serial), serial, REGISTERED_ON)
    response = registrar.post("/participants", json=body)
    assert response.status_code == 201, response.text
    return Registered(response.json()["participant_id"], body["domicile"]["kecamatan_code"], body)


def new_mentor(api: httpx.Client, kecamatan_code: str = "31.71.01", **extra: Any) -> httpx.Response:
    body = {
        "staff_number": f"PJLP-{uuid4().hex[:10]}",
        "full_name": f"Pendamping {uuid4().hex[:6]}",
        "kecamatan_code": kecamatan_code,
        "assigned_on": ASSIGNED_ON.isoformat(),
        **extra,
    }
    return api.post("/mentors", json=body)


def mentor_for(api: httpx.Client, person: Registered, **extra: Any) -> dict[str, Any]:
    response = new_mentor(api, person.kecamatan_code, **extra)
    assert response.status_code == 201, response.text
    mentor: dict[str, Any] = response.json()
    return mentor


def hold_when_known(api: httpx.Client, participant_id: str, mentor_id: str, **extra: Any) -> httpx.Response:
    """POST /sessions, retried while registration's event has not reached the mentoring service yet."""
    body = {"participant_id": participant_id, "mentor_id": mentor_id, "topic": "Pemasaran daring", **extra}
    deadline = time.monotonic() + 20.0
    while True:
        response = api.post("/sessions", json=body)
        unknown = response.status_code == 422 and response.json()["code"] == "unknown_participant"
        if not unknown or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def held(api: httpx.Client, registrar: httpx.Client, **extra: Any) -> dict[str, Any]:
    """A session of a fresh participant with a mentor of their kecamatan, as the API returned it."""
    person = register(registrar)
    response = hold_when_known(api, person.participant_id, mentor_for(api, person)["mentor_id"], **extra)
    assert response.status_code == 201, response.text
    session: dict[str, Any] = response.json()
    return session


def correct(
    api: httpx.Client, session_id: str, on: str, reason: str = "typed the wrong day"
) -> httpx.Response:
    body = {"date": on, "reason": reason}
    return api.post(
        f"/sessions/{session_id}/correct", json=body, headers=bearer(Role.ADMIN, subject="officer-17")
    )


def void(api: httpx.Client, session_id: str, reason: str = "entered twice") -> httpx.Response:
    body = {"reason": reason}
    return api.post(
        f"/sessions/{session_id}/void", json=body, headers=bearer(Role.ADMIN, subject="officer-17")
    )


def assert_refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"]
    return body


def test_a_mentor_serves_a_kecamatan_of_a_kota(api: httpx.Client) -> None:
    created = new_mentor(api, "31.74.07", staff_number=" pjlp-2023/0142 ", full_name=" Siti Rahmawati ")
    assert created.status_code == 201, created.text
    mentor = created.json()
    assert mentor == {
        "mentor_id": mentor["mentor_id"],
        "staff_number": "PJLP-2023/0142",
        "full_name": "Siti Rahmawati",
        "kota_code": "31.74",
        "kecamatan_code": "31.74.07",
        "assigned_on": ASSIGNED_ON.isoformat(),
    }
    assert api.get(f"/mentors/{mentor['mentor_id']}").json() == mentor
    assigned_today = new_mentor(api, "31.01.01", assigned_on=None)
    assert assigned_today.json()["assigned_on"] == jakarta_today().isoformat()
    assert assigned_today.json()["kota_code"] == "31.01"


def test_a_staff_number_belongs_to_one_mentor(api: httpx.Client) -> None:
    first = new_mentor(api, staff_number="PJLP-DUP-1").json()
    again = new_mentor(api, "31.72.01", staff_number=" pjlp-dup-1")
    assert assert_refused(again, 409, "duplicate_mentor")["mentor_id"] == first["mentor_id"]


def test_concurrent_mentors_with_one_staff_number_create_exactly_one(api: httpx.Client) -> None:
    staff_number = f"PJLP-RACE-{uuid4().hex[:8]}"
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: new_mentor(api, staff_number=staff_number), range(8)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    winner = next(r.json()["mentor_id"] for r in responses if r.status_code == 201)
    assert {r.json()["mentor_id"] for r in responses if r.status_code == 409} == {winner}


@pytest.mark.parametrize(
    ("extra", "status", "code", "words"),
    [
        ({"kecamatan_code": "31.79.01"}, 422, "unknown_kecamatan", "unknown kecamatan 31.79.01"),
        ({"kecamatan_code": "3171010"}, 422, "validation_error", "kecamatan_code"),
        ({"assigned_on": "2017-12-31"}, 422, "rule_violation", "before the programme start"),
        (
            {"assigned_on": (jakarta_today() + timedelta(days=1)).isoformat()},
            422,
            "rule_violation",
            "after today",
        ),
        ({"staff_number": "no spaces"}, 422, "validation_error", "staff_number"),
        ({"full_name": "  "}, 422, "validation_error", "full_name"),
        ({"nik": "3171014101900001"}, 422, "validation_error", "nik"),
    ],
    ids=[
        "unknown-kecamatan",
        "undotted-code",
        "before-programme",
        "future",
        "staff-number",
        "blank-name",
        "extra",
    ],
)
def test_a_bad_mentor_is_refused_readably(
    api: httpx.Client, extra: dict[str, Any], status: int, code: str, words: str
) -> None:
    assert words in assert_refused(new_mentor(api, **extra), status, code)["detail"]


def test_mentors_are_listed_by_kecamatan_and_paged(api: httpx.Client) -> None:
    kecamatan = "31.75.03"
    created = [new_mentor(api, kecamatan).json()["mentor_id"] for _ in range(3)]
    new_mentor(api, "31.75.04")
    assert _all_pages(api, "/mentors", {"kecamatan_code": kecamatan}) == created
    assert_refused(api.get("/mentors", params={"kecamatan_code": "31.75"}), 422, "validation_error")
    assert_refused(api.get("/mentors", params={"cursor": "garbage"}), 422, "rule_violation")
    assert_refused(api.get(f"/mentors/{MISSING}"), 404, "not_found")


def test_a_session_is_recorded_with_its_mentor_topic_and_notes(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar)
    mentor = mentor_for(api, person)
    created = hold_when_known(
        api, person.participant_id, mentor["mentor_id"], held_on="2023-02-14", topic=" Keuangan ", notes=NOTES
    )
    assert created.status_code == 201, created.text
    session = created.json()
    assert session == {
        "session_id": session["session_id"],
        "participant_id": person.participant_id,
        "mentor_id": mentor["mentor_id"],
        "held_on": "2023-02-14",
        "topic": "Keuangan",
        "notes": NOTES,
        "voided": False,
    }
    assert api.get(f"/sessions/{session['session_id']}").json() == session
    without_notes = hold_when_known(api, person.participant_id, mentor["mentor_id"])
    assert without_notes.json()["held_on"] == jakarta_today().isoformat()
    assert without_notes.json()["notes"] is None


def test_sessions_are_listed_by_participant_and_mentor_and_paged(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar)
    first, second = mentor_for(api, person)["mentor_id"], mentor_for(api, person)["mentor_id"]
    created = [
        hold_when_known(api, person.participant_id, m).json()["session_id"] for m in (first, second, first)
    ]
    assert _all_pages(api, "/sessions", {"participant_id": person.participant_id}) == created
    assert _all_pages(api, "/sessions", {"mentor_id": first}) == [created[0], created[2]]
    both = {"participant_id": person.participant_id, "mentor_id": second}
    assert _all_pages(api, "/sessions", both) == [created[1]]
    assert_refused(api.get("/sessions", params={"cursor": "garbage"}), 422, "rule_violation")
    assert_refused(api.get("/sessions", params={"mentor_id": "nobody"}), 422, "validation_error")


def test_an_unknown_participant_gets_a_422_clients_may_retry(api: httpx.Client) -> None:
    stranger = str(uuid4())
    mentor_id = new_mentor(api).json()["mentor_id"]
    body = {"participant_id": stranger, "mentor_id": mentor_id, "topic": "Pemasaran"}
    refused = assert_refused(api.post("/sessions", json=body), 422, "unknown_participant")
    assert refused["participant_id"] == stranger


def test_an_unknown_mentor_gets_a_422(api: httpx.Client, registrar: httpx.Client) -> None:
    person = register(registrar)
    mentor_for(api, person)  # the participant is known; only the mentor is missing
    refused = assert_refused(hold_when_known(api, person.participant_id, MISSING), 422, "unknown_mentor")
    assert refused["mentor_id"] == MISSING


def test_a_mentor_only_mentors_participants_of_their_kecamatan(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar)
    elsewhere = "31.72.01" if person.kecamatan_code != "31.72.01" else "31.73.01"
    mentor_id = new_mentor(api, elsewhere).json()["mentor_id"]
    refused = assert_refused(
        hold_when_known(api, person.participant_id, mentor_id), 422, "outside_mentor_area"
    )
    assert (refused["mentor_kecamatan_code"], refused["participant_kecamatan_code"]) == (
        elsewhere,
        person.kecamatan_code,
    )
    assert _all_pages(api, "/sessions", {"participant_id": person.participant_id}) == []


@pytest.mark.parametrize(
    ("held_on", "words"),
    [
        ((REGISTERED_ON - timedelta(days=1)).isoformat(), "before the participant's registration"),
        ((jakarta_today() + timedelta(days=1)).isoformat(), "after today"),
        ("2023-01-15", "before the mentor was assigned on 2023-01-20"),
    ],
    ids=["before-registration", "after-today", "before-assignment"],
)
def test_a_session_date_is_checked(
    api: httpx.Client, registrar: httpx.Client, held_on: str, words: str
) -> None:
    person = register(registrar)
    mentor_id = mentor_for(api, person, assigned_on="2023-01-20")["mentor_id"]
    response = hold_when_known(api, person.participant_id, mentor_id, held_on=held_on)
    assert words in assert_refused(response, 422, "rule_violation")["detail"]


def test_a_session_is_corrected_then_voided_once(api: httpx.Client, registrar: httpx.Client) -> None:
    session = held(api, registrar, held_on="2023-03-01")
    session_id = session["session_id"]
    corrected = correct(api, session_id, "2023-02-27")
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == {**session, "held_on": "2023-02-27"}
    assert correct(api, session_id, "2023-02-27").json() == corrected.json()  # nothing left to correct
    voided = void(api, session_id)
    assert voided.status_code == 200, voided.text
    assert voided.json() == {**corrected.json(), "voided": True}
    assert api.get(f"/sessions/{session_id}").json() == voided.json()
    assert_refused(void(api, session_id), 409, "already_voided")
    assert_refused(correct(api, session_id, "2023-02-26"), 409, "already_voided")


@pytest.mark.parametrize(
    ("on", "words"),
    [
        ((REGISTERED_ON - timedelta(days=1)).isoformat(), "before the participant's registration"),
        ((jakarta_today() + timedelta(days=1)).isoformat(), "after today"),
        ("2023-01-11", "before the mentor was assigned"),
    ],
    ids=["before-registration", "after-today", "before-assignment"],
)
def test_a_corrected_date_passes_the_same_rules(
    api: httpx.Client, registrar: httpx.Client, on: str, words: str
) -> None:
    person = register(registrar)
    mentor_id = mentor_for(api, person, assigned_on="2023-01-12")["mentor_id"]
    session = hold_when_known(api, person.participant_id, mentor_id, held_on="2023-03-01").json()
    assert words in assert_refused(correct(api, session["session_id"], on), 422, "rule_violation")["detail"]
    assert api.get(f"/sessions/{session['session_id']}").json() == session


def test_concurrent_voids_of_one_session_succeed_exactly_once(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    session_id = held(api, registrar)["session_id"]
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: void(api, session_id), range(8)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_voided"}


async def test_concurrent_corrections_chain_without_losing_a_date(services: Services, stack: Stack) -> None:
    with client(services.registration) as registrar, client(services.mentoring) as api:
        session = held(api, registrar, held_on="2023-03-01")
        session_id = session["session_id"]
        days = [f"2023-02-{day:02d}" for day in range(10, 18)]
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(lambda on: correct(api, session_id, on), days))
        final = api.get(f"/sessions/{session_id}").json()["held_on"]
    won = [r for r in responses if r.status_code == 200]
    assert won and {r.json()["code"] for r in responses if r.status_code != 200} <= {"concurrent_change"}
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("mentoring"),
        until=lambda seen: len(_all_about(seen, session_id, b"FactCorrected")) >= len(won),
    )
    corrections = [
        _decoded(r, FactCorrected).event for r in _all_about(records, session_id, b"FactCorrected")
    ]
    assert len(corrections) == len(won)
    # Each correction starts from the date the one before it left: the log never misstates a previous date.
    chain = [date(2023, 3, 1)] + [
        c.fact.held_on for c in corrections if isinstance(c.fact, ParticipantMentored)
    ]
    assert [c.previous_on for c in corrections] == chain[:-1]
    assert chain[-1].isoformat() == final


def test_an_unknown_session_is_404(api: httpx.Client) -> None:
    assert_refused(api.get(f"/sessions/{MISSING}"), 404, "not_found")
    assert_refused(correct(api, MISSING, "2023-02-01"), 404, "not_found")
    assert_refused(void(api, MISSING), 404, "not_found")


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/sessions", {"participant_id": MISSING, "mentor_id": MISSING, "topic": " "}, "topic"),
        ("/sessions", {"participant_id": MISSING, "mentor_id": "x", "topic": "a"}, "mentor_id"),
        ("/sessions", {"participant_id": MISSING, "mentor_id": MISSING}, "topic"),
        (
            "/sessions",
            {"participant_id": MISSING, "mentor_id": MISSING, "topic": "a", "held_on": "14/02/2023"},
            "held_on",
        ),
        ("/sessions", {"participant_id": MISSING, "mentor_id": MISSING, "topic": "a" * 201}, "topic"),
        (f"/sessions/{MISSING}/correct", {"date": "2023-02-30", "reason": "x"}, "date"),
        (f"/sessions/{MISSING}/correct", {"date": "2023-02-01", "reason": "x", "by": "o"}, "by"),
        (f"/sessions/{MISSING}/void", {"reason": ""}, "reason"),
        (f"/sessions/{MISSING}/void", {"reason": "x", "extra": 1}, "extra"),
    ],
    ids=[
        "blank-topic",
        "mentor-id",
        "no-topic",
        "date-format",
        "long-topic",
        "bad-date",
        "by-in-body",
        "empty-reason",
        "extra",
    ],
)
def test_malformed_requests_get_a_readable_422(
    api: httpx.Client, path: str, body: dict[str, Any], words: str
) -> None:
    assert words in assert_refused(api.post(path, json=body), 422, "validation_error")["detail"]


def test_ready_and_documented(api: httpx.Client) -> None:
    ready = api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}
    assert api.get("/docs").status_code == 200
    openapi = api.get("/openapi.json").json()
    hold = openapi["paths"]["/sessions"]["post"]
    assert hold["summary"] == "Record a mentoring session"
    assert set(hold["responses"]["422"]["content"]["application/json"]["examples"]) == {
        "unknown_participant",
        "unknown_mentor",
        "outside_mentor_area",
        "rule_violation",
        "validation_error",
    }


async def test_the_facts_reach_the_topic_with_the_profile_and_no_personal_data(
    services: Services, stack: Stack
) -> None:
    topic, notes = free_text("Pemasaran daring"), free_text(NOTES)
    corrected_because, voided_because = free_text("typed the wrong day"), free_text("entered twice")
    with client(services.registration) as registrar, client(services.mentoring) as api:
        person = register(registrar)
        mentor = mentor_for(api, person, full_name="Bambang Sutrisno")
        created = hold_when_known(
            api, person.participant_id, mentor["mentor_id"], held_on="2023-04-01", topic=topic, notes=notes
        )
        session_id = created.json()["session_id"]
        assert correct(api, session_id, "2023-03-30", corrected_because).status_code == 200
        assert void(api, session_id, voided_because).status_code == 200
        # The API still answers the topic and notes, from the mentoring database.
        answered = api.get(f"/sessions/{session_id}").json()
        assert (answered["topic"], answered["notes"]) == (topic, notes)
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("mentoring"),
        # The mentor's event is keyed by the mentor, so it may sit on another partition: wait for both.
        until=lambda seen: bool(
            _about(seen, session_id, b"FactVoided") and _about(seen, mentor["mentor_id"], b"MentorAssigned")
        ),
    )
    personal = [person.request[f] for f in ("nik", "full_name", "phone", "birth_date")]
    for record in records:
        free = [topic, notes, corrected_because, voided_because]
        for text in [*personal, mentor["full_name"], mentor["staff_number"], *free]:
            assert text.encode() not in record.value
    for log in services.mentoring.log_files():
        assert mentor["full_name"] not in log.read_text() and notes not in log.read_text()

    assigned = _decoded(_about(records, mentor["mentor_id"], b"MentorAssigned"), MentorAssigned)
    assert assigned.key == mentor["mentor_id"] and assigned.occurred_on == ASSIGNED_ON
    assert (assigned.event.kota_code, assigned.event.kecamatan_code) == (
        mentor["kota_code"],
        person.kecamatan_code,
    )

    mentored = _decoded(_about(records, session_id, b"ParticipantMentored"), ParticipantMentored)
    assert mentored.key == person.participant_id and mentored.occurred_on == date(2023, 4, 1)
    assert str(mentored.event.mentor_id) == mentor["mentor_id"]
    assert mentored.event.profile == await _registered_profile(stack, person.participant_id)

    corrected = _decoded(_about(records, session_id, b"FactCorrected"), FactCorrected)
    assert corrected.occurred_on == date(2023, 3, 30) and corrected.event.previous_on == date(2023, 4, 1)
    assert corrected.event.fact == mentored.event.model_copy(update={"held_on": date(2023, 3, 30)})
    assert (corrected.event.by, corrected.event.fact_type) == ("officer-17", "ParticipantMentored")

    voided = _decoded(_about(records, session_id, b"FactVoided"), FactVoided)
    assert voided.key == person.participant_id and voided.event.fact == corrected.event.fact
    assert voided.event.by == "officer-17"


E = TypeVar("E")


@dataclass(frozen=True)
class Decoded(Generic[E]):
    key: str
    occurred_on: date
    event: E


def _decoded(record: ConsumerRecord | None, model: type[E]) -> Decoded[E]:
    assert record is not None, f"no {model.__name__} on the topic"
    envelope, event = decode(record.value)
    assert isinstance(event, model)
    return Decoded(record.key.decode(), envelope.occurred_on, event)


def _all_about(records: list[ConsumerRecord], some_id: str, event_type: bytes) -> list[ConsumerRecord]:
    """The records of this type that mention the id, in topic order."""
    return [
        r
        for r in records
        if f'"{some_id}"'.encode() in r.value and dict(r.headers)["event_type"] == event_type
    ]


def _about(records: list[ConsumerRecord], some_id: str, event_type: bytes) -> ConsumerRecord | None:
    return next(iter(_all_about(records, some_id, event_type)), None)


async def _registered_profile(stack: Stack, participant_id: str) -> ParticipantProfile:
    """The profile registration published: what every mentoring event about the participant must carry."""

    def found(seen: list[ConsumerRecord]) -> bool:
        return _about(seen, participant_id, b"ParticipantRegistered") is not None

    records = await read_topic(stack.infra.kafka_bootstrap, stack.topic("registration"), until=found)
    return _decoded(
        _about(records, participant_id, b"ParticipantRegistered"), ParticipantRegistered
    ).event.profile


def _all_pages(api: httpx.Client, path: str, params: dict[str, str]) -> list[str]:
    """The ids of every item, following cursors two at a time."""
    id_field = "mentor_id" if path == "/mentors" else "session_id"
    seen: list[str] = []
    cursor: str | None = None
    while True:
        page = api.get(path, params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        seen += [item[id_field] for item in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            return seen
