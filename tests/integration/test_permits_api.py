"""The permits API over real HTTP, on SQLite and on PostgreSQL, learning participants from registration."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa

from devstack.app_server import AppServer
from services.permits.adapters.tables import correction_log
from shared.auth import Role
from shared.contracts.codec import decode
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.events import PermitIssued
from shared.contracts.profile import ParticipantProfile
from shared.dates import jakarta_today
from shared.db.engine import sync_url
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.pii_scan import free_text
from tests.tokens import bearer

REGISTERED_ON = date(2023, 1, 10)
MISSING = "00000000-0000-4000-8000-000000000000"
SERIALS = itertools.count(1)
CORRECTED_BECAUSE = free_text("date from the certificate")
VOIDED_BECAUSE = free_text("issued to the wrong application")


@dataclass(frozen=True)
class Services:
    registration: AppServer
    permits: AppServer


@dataclass(frozen=True)
class Registered:
    participant_id: str
    request: dict[str, Any]
    response: dict[str, Any]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def services(request: pytest.FixtureRequest, stack: Stack) -> Iterator[Services]:
    started = Services(stack.registration(request.param), stack.producing("permits", request.param))
    yield started
    # Both permits instances share one consumer group: stop this one before the next database's starts,
    # or it would keep half of the registration partitions to itself.
    started.permits.stop()
    started.registration.stop()


@pytest.fixture
def api(services: Services) -> Iterator[httpx.Client]:
    with client(services.permits) as http:
        yield http


@pytest.fixture
def registrar(services: Services) -> Iterator[httpx.Client]:
    with client(services.registration) as http:
        yield http


def register(registrar: httpx.Client, registered_on: date = REGISTERED_ON) -> Registered:
    serial = next(SERIALS)
    body = participant(random.Random(serial), serial, registered_on)
    response = registrar.post("/participants", json=body)
    assert response.status_code == 201, response.text
    return Registered(response.json()["participant_id"], body, response.json())


def apply_when_known(
    api: httpx.Client, participant_id: str, permit_type: str = "HALAL", **extra: Any
) -> httpx.Response:
    """POST /permits, retried while registration's event has not reached the permits service yet."""
    body = {"participant_id": participant_id, "permit_type": permit_type, **extra}
    deadline = time.monotonic() + 20.0
    while True:
        response = api.post("/permits", json=body)
        unknown = response.status_code == 422 and response.json()["code"] == "unknown_participant"
        if not unknown or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def applied(
    api: httpx.Client, registrar: httpx.Client, permit_type: str = "HALAL", **extra: Any
) -> dict[str, Any]:
    """A fresh participant's new application, as the API returned it."""
    response = apply_when_known(api, register(registrar).participant_id, permit_type, **extra)
    assert response.status_code == 201, response.text
    permit: dict[str, Any] = response.json()
    return permit


def issue(api: httpx.Client, permit_id: str, number: str | None = None, **extra: Any) -> httpx.Response:
    body = {"permit_number": number or f"N-{uuid4().hex[:12]}", **extra}
    return api.post(f"/permits/{permit_id}/issue", json=body)


def reject(api: httpx.Client, permit_id: str, **extra: Any) -> httpx.Response:
    return api.post(f"/permits/{permit_id}/reject", json={"reason": "documents incomplete", **extra})


def correct(
    api: httpx.Client, permit_id: str, on: str, by: str = "officer-17", **extra: Any
) -> httpx.Response:
    body = {"date": on, "reason": "typed the wrong day", **extra}
    return api.post(f"/permits/{permit_id}/correct", json=body, headers=bearer(Role.ADMIN, subject=by))


def void(api: httpx.Client, permit_id: str, by: str = "officer-17", **extra: Any) -> httpx.Response:
    body = {"reason": "issued to the wrong application", **extra}
    return api.post(f"/permits/{permit_id}/void", json=body, headers=bearer(Role.ADMIN, subject=by))


def assert_refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"]
    return body


def test_an_application_is_issued_with_its_number_and_dates(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar)
    created = apply_when_known(api, person.participant_id, "SPP_IRT", applied_on="2023-02-01")
    assert created.status_code == 201, created.text
    permit = created.json()
    assert permit == {
        "permit_id": permit["permit_id"],
        "participant_id": person.participant_id,
        "permit_type": "SPP_IRT",
        "status": "applied",
        "applied_on": "2023-02-01",
        "permit_number": None,
        "issued_on": None,
        "rejected_on": None,
        "rejection_reason": None,
        "waiting_days": (jakarta_today() - date(2023, 2, 1)).days,
    }
    issued = issue(api, permit["permit_id"], "P-IRT 2063171010001-28", issued_on="2023-03-01")
    assert issued.status_code == 200, issued.text
    assert issued.json() == {
        **permit,
        "status": "issued",
        "permit_number": "P-IRT 2063171010001-28",
        "issued_on": "2023-03-01",
        "waiting_days": None,
    }
    assert api.get(f"/permits/{permit['permit_id']}").json() == issued.json()


def test_a_rejection_records_its_reason_and_date(api: httpx.Client, registrar: httpx.Client) -> None:
    permit = applied(api, registrar, "BPOM_MD", applied_on="2023-02-01")
    rejected = reject(api, permit["permit_id"], rejected_on="2023-02-01")
    assert rejected.status_code == 200, rejected.text
    assert rejected.json() == {
        **permit,
        "status": "rejected",
        "rejected_on": "2023-02-01",
        "rejection_reason": "documents incomplete",
        "waiting_days": None,
    }


def test_dates_default_to_today_in_jakarta(api: httpx.Client, registrar: httpx.Client) -> None:
    permit = applied(api, registrar)
    assert permit["applied_on"] == jakarta_today().isoformat()
    assert issue(api, permit["permit_id"]).json()["issued_on"] == jakarta_today().isoformat()


def test_only_an_applied_permit_can_be_decided(api: httpx.Client, registrar: httpx.Client) -> None:
    issued = applied(api, registrar)["permit_id"]
    assert issue(api, issued).status_code == 200
    assert_refused(issue(api, issued), 409, "invalid_transition")
    assert_refused(reject(api, issued), 409, "invalid_transition")
    rejected = applied(api, registrar)["permit_id"]
    assert reject(api, rejected).status_code == 200
    assert_refused(issue(api, rejected), 409, "invalid_transition")
    assert_refused(reject(api, rejected), 409, "invalid_transition")
    assert api.get(f"/permits/{issued}").json()["status"] == "issued"


def test_a_permit_number_is_unique_per_permit_type(api: httpx.Client, registrar: httpx.Client) -> None:
    number = f"ID{uuid4().int % 10**11:011d}"
    first, second = applied(api, registrar), applied(api, registrar)
    assert issue(api, first["permit_id"], number).status_code == 200
    refused = assert_refused(issue(api, second["permit_id"], number), 409, "duplicate_permit_number")
    assert refused["permit_id"] == first["permit_id"]
    assert api.get(f"/permits/{second['permit_id']}").json()["status"] == "applied"
    other_type = applied(api, registrar, "HKI")
    assert issue(api, other_type["permit_id"], number).status_code == 200


def test_a_participant_holds_at_most_one_nib(api: httpx.Client, registrar: httpx.Client) -> None:
    person = register(registrar).participant_id
    first = apply_when_known(api, person, "NIB").json()
    refused = assert_refused(apply_when_known(api, person, "NIB"), 409, "duplicate_nib")
    assert refused["permit_id"] == first["permit_id"]
    assert all(apply_when_known(api, person, "HKI").status_code == 201 for _ in range(2))
    assert reject(api, first["permit_id"]).status_code == 200
    second = apply_when_known(api, person, "NIB")
    assert second.status_code == 201, second.text
    assert issue(api, second.json()["permit_id"]).status_code == 200
    assert_refused(apply_when_known(api, person, "NIB"), 409, "duplicate_nib")


def test_concurrent_nib_applications_create_exactly_one(api: httpx.Client, registrar: httpx.Client) -> None:
    person = register(registrar).participant_id
    assert apply_when_known(api, person, "HKI").status_code == 201  # known before the race starts
    body = {"participant_id": person, "permit_type": "NIB"}
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: api.post("/permits", json=body), range(8)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"duplicate_nib"}


def test_concurrent_issues_of_one_permit_succeed_exactly_once(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    permit_id = applied(api, registrar)["permit_id"]
    numbers = [f"RACE-{uuid4().hex[:10]}" for _ in range(8)]
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda number: issue(api, permit_id, number), numbers))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"invalid_transition"}
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert api.get(f"/permits/{permit_id}").json() == winner


def test_an_unknown_participant_gets_a_422_clients_may_retry(api: httpx.Client) -> None:
    stranger = str(uuid4())
    refused = assert_refused(
        api.post("/permits", json={"participant_id": stranger, "permit_type": "NIB"}),
        422,
        "unknown_participant",
    )
    assert refused["participant_id"] == stranger


@pytest.mark.parametrize(
    ("applied_on", "words"),
    [
        ((REGISTERED_ON - timedelta(days=1)).isoformat(), "before the participant's registration"),
        ((jakarta_today() + timedelta(days=1)).isoformat(), "after today"),
        ("2017-12-31", "before the programme start"),
    ],
    ids=["before-registration", "after-today", "before-programme"],
)
def test_an_application_date_is_checked(
    api: httpx.Client, registrar: httpx.Client, applied_on: str, words: str
) -> None:
    response = apply_when_known(api, register(registrar).participant_id, applied_on=applied_on)
    assert words in assert_refused(response, 422, "rule_violation")["detail"]


@pytest.mark.parametrize("decision", ["issue", "reject"])
def test_a_decision_date_is_checked(api: httpx.Client, registrar: httpx.Client, decision: str) -> None:
    permit_id = applied(api, registrar, applied_on="2023-06-01")["permit_id"]
    field, decide = ("issued_on", issue) if decision == "issue" else ("rejected_on", reject)
    early = assert_refused(decide(api, permit_id, **{field: "2023-05-31"}), 422, "rule_violation")
    assert "before applied_on" in early["detail"]
    tomorrow = (jakarta_today() + timedelta(days=1)).isoformat()
    late = assert_refused(decide(api, permit_id, **{field: tomorrow}), 422, "rule_violation")
    assert "after today" in late["detail"]
    assert api.get(f"/permits/{permit_id}").json()["status"] == "applied"


def test_an_issue_date_is_corrected_under_the_rules_of_the_original(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    permit_id = applied(api, registrar, applied_on="2023-06-01")["permit_id"]
    issued = issue(api, permit_id, issued_on="2023-06-20").json()
    corrected = correct(api, permit_id, "2023-06-01")
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == {**issued, "issued_on": "2023-06-01"}
    assert api.get(f"/permits/{permit_id}").json() == corrected.json()
    assert correct(api, permit_id, "2023-06-01").json() == corrected.json()  # nothing left to correct
    early = assert_refused(correct(api, permit_id, "2023-05-31"), 422, "rule_violation")
    assert "before applied_on" in early["detail"]
    tomorrow = (jakarta_today() + timedelta(days=1)).isoformat()
    assert "after today" in assert_refused(correct(api, permit_id, tomorrow), 422, "rule_violation")["detail"]
    assert api.get(f"/permits/{permit_id}").json() == corrected.json()


def test_a_voided_issue_frees_the_number_and_the_permit_is_decided_anew(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    number = f"VOID-{uuid4().hex[:10]}"
    permit = applied(api, registrar, "NIB", applied_on="2023-02-01")
    permit_id = permit["permit_id"]
    assert issue(api, permit_id, number, issued_on="2023-03-01").status_code == 200
    voided = void(api, permit_id)
    assert voided.status_code == 200, voided.text
    assert voided.json() == permit
    assert api.get(f"/permits/{permit_id}").json() == permit
    assert_refused(void(api, permit_id), 409, "invalid_transition")
    assert_refused(correct(api, permit_id, "2023-03-02"), 409, "invalid_transition")
    other = applied(api, registrar, "NIB")["permit_id"]
    assert issue(api, other, number).status_code == 200  # the number is free for the permit it belongs to
    reissued = issue(api, permit_id, f"{number}-2", issued_on="2023-03-02")
    assert reissued.status_code == 200, reissued.text
    assert reissued.json()["status"] == "issued" and reissued.json()["issued_on"] == "2023-03-02"
    assert void(api, permit_id).status_code == 200
    assert reject(api, permit_id).json()["status"] == "rejected"


@pytest.mark.parametrize("status", ["applied", "rejected"])
def test_only_an_issued_permit_is_corrected_or_voided(
    api: httpx.Client, registrar: httpx.Client, status: str
) -> None:
    permit = applied(api, registrar, applied_on="2023-02-01")
    if status == "rejected":
        permit = reject(api, permit["permit_id"]).json()
    refused = assert_refused(void(api, permit["permit_id"]), 409, "invalid_transition")
    assert refused["status"] == status and "not issued" in refused["detail"]
    assert_refused(correct(api, permit["permit_id"], "2023-02-02"), 409, "invalid_transition")
    assert api.get(f"/permits/{permit['permit_id']}").json() == permit


def test_concurrent_voids_of_one_issue_succeed_exactly_once(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    permit_id = applied(api, registrar)["permit_id"]
    assert issue(api, permit_id).status_code == 200
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: void(api, permit_id), range(8)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"invalid_transition"}


def test_an_unknown_permit_is_404(api: httpx.Client) -> None:
    assert_refused(api.get(f"/permits/{MISSING}"), 404, "not_found")
    assert_refused(issue(api, MISSING), 404, "not_found")
    assert_refused(reject(api, MISSING), 404, "not_found")
    assert_refused(correct(api, MISSING, "2023-02-01"), 404, "not_found")
    assert_refused(void(api, MISSING), 404, "not_found")


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/permits", {"participant_id": MISSING, "permit_type": "SIUP"}, "permit_type"),
        ("/permits", {"participant_id": "nobody", "permit_type": "NIB"}, "participant_id"),
        (f"/permits/{MISSING}/issue", {"permit_number": "  "}, "permit_number"),
        (f"/permits/{MISSING}/reject", {"reason": ""}, "reason"),
        (f"/permits/{MISSING}/reject", {"reason": "x", "extra": 1}, "extra"),
        (f"/permits/{MISSING}/correct", {"date": "2023-13-01", "reason": "x"}, "date"),
        (f"/permits/{MISSING}/correct", {"date": "2023-02-01", "reason": "x", "by": "o-1"}, "by"),
        (f"/permits/{MISSING}/void", {"reason": " "}, "reason"),
        (f"/permits/{MISSING}/void", {"reason": "x", "date": "2023-02-01"}, "date"),
    ],
    ids=[
        "permit-type",
        "participant-id",
        "blank-number",
        "empty-reason",
        "extra-field",
        "correct-bad-date",
        "correct-officer-in-body",
        "void-blank-reason",
        "void-extra-field",
    ],
)
def test_malformed_requests_get_a_readable_422(
    api: httpx.Client, path: str, body: dict[str, Any], words: str
) -> None:
    assert words in assert_refused(api.post(path, json=body), 422, "validation_error")["detail"]


def test_listing_filters_by_participant_and_status_and_pages(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar).participant_id
    created = [apply_when_known(api, person, kind).json()["permit_id"] for kind in ("NIB", "HALAL", "HKI")]
    created += [apply_when_known(api, person, "HKI").json()["permit_id"] for _ in range(2)]
    for permit_id in created[:2]:
        assert issue(api, permit_id).status_code == 200
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"participant_id": person, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/permits", params=params)
        assert page.status_code == 200, page.text
        assert all(p["participant_id"] == person for p in page.json()["items"])
        seen += [p["permit_id"] for p in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == created
    issued = api.get("/permits", params={"participant_id": person, "status": "issued"}).json()
    assert [p["permit_id"] for p in issued["items"]] == created[:2] and issued["next_cursor"] is None
    assert_refused(api.get("/permits", params={"cursor": "garbage"}), 422, "rule_violation")
    assert_refused(api.get("/permits", params={"status": "lost"}), 422, "validation_error")


def test_ready_when_database_and_kafka_are_reachable(api: httpx.Client) -> None:
    ready = api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}
    assert api.get("/docs").status_code == 200
    assert b"http_request_duration_seconds" in api.get("/ops/metrics").content


async def test_an_issued_permit_reaches_the_topic_with_the_profile_and_no_personal_data(
    services: Services, stack: Stack
) -> None:
    number, reason = free_text("HALAL"), free_text("documents incomplete")
    with client(services.registration) as registrar, client(services.permits) as api:
        person = register(registrar)
        created = apply_when_known(api, person.participant_id, applied_on="2023-04-01")
        permit_id = created.json()["permit_id"]
        assert issue(api, permit_id, number, issued_on="2023-04-20").status_code == 200
        refused_id = apply_when_known(api, person.participant_id, "HKI").json()["permit_id"]
        assert reject(api, refused_id, reason=reason).status_code == 200
        # The API still answers the number and the reason, from the permits database.
        assert api.get(f"/permits/{permit_id}").json()["permit_number"] == number
        assert api.get(f"/permits/{refused_id}").json()["rejection_reason"] == reason
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("permits"),
        until=lambda seen: (
            any(f'"{refused_id}"'.encode() in r.value and _type(r) == b"PermitRejected" for r in seen)
            and any(f'"{permit_id}"'.encode() in r.value and _type(r) == b"PermitIssued" for r in seen)
        ),
    )
    for record in records:
        for personal in ("nik", "full_name", "phone", "birth_date"):
            assert person.request[personal].encode() not in record.value
        assert number.encode() not in record.value and reason.encode() not in record.value
    found = next(r for r in records if f'"{permit_id}"'.encode() in r.value and _type(r) == b"PermitIssued")
    envelope, event = decode(found.value)
    assert isinstance(event, PermitIssued)
    assert found.key == str(event.participant_id).encode() and envelope.occurred_on == date(2023, 4, 20)
    assert (event.applied_on, event.issued_on) == (date(2023, 4, 1), date(2023, 4, 20))
    assert str(event.participant_id) == person.participant_id
    assert event.profile == _profile_of(person.response)


async def test_corrections_and_voids_reach_the_topic_and_the_correction_log(
    services: Services, stack: Stack
) -> None:
    with client(services.registration) as registrar, client(services.permits) as api:
        person = register(registrar)
        permit_id = apply_when_known(api, person.participant_id, applied_on="2023-04-01").json()["permit_id"]
        number, reissued = free_text("HALAL"), free_text("HALAL-B")
        assert issue(api, permit_id, number, issued_on="2023-04-20").status_code == 200
        assert correct(api, permit_id, "2023-04-10", reason=CORRECTED_BECAUSE).status_code == 200
        assert void(api, permit_id, by="officer-9", reason=VOIDED_BECAUSE).status_code == 200
        assert issue(api, permit_id, reissued, issued_on="2023-04-21").status_code == 200
        assert api.get(f"/permits/{permit_id}").json()["permit_number"] == reissued

    def about(seen: list[Any], event_type: bytes) -> list[Any]:
        return [r for r in seen if f'"{permit_id}"'.encode() in r.value and _type(r) == event_type]

    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("permits"),
        until=lambda seen: len(about(seen, b"PermitIssued")) == 2,
    )
    first_issue, reissue = (decode(r.value)[1] for r in about(records, b"PermitIssued"))
    assert isinstance(first_issue, PermitIssued) and isinstance(reissue, PermitIssued)
    [corrected_record] = about(records, b"FactCorrected")
    envelope, corrected = decode(corrected_record.value)
    assert isinstance(corrected, FactCorrected) and envelope.occurred_on == date(2023, 4, 10)
    assert corrected_record.key == person.participant_id.encode()
    assert corrected.fact == first_issue.model_copy(update={"issued_on": date(2023, 4, 10)})
    assert (corrected.fact_type, corrected.previous_on, corrected.by) == (
        "PermitIssued",
        date(2023, 4, 20),
        "officer-17",
    )
    [voided_record] = about(records, b"FactVoided")
    envelope, voided = decode(voided_record.value)
    assert isinstance(voided, FactVoided) and envelope.occurred_on == date(2023, 4, 10)
    assert voided.fact == corrected.fact and voided.fact_type == "PermitIssued"
    assert voided.by == "officer-9" and reissue.issued_on == date(2023, 4, 21)
    # Reasons and numbers stay in the permits database (its correction log, below).
    for text in (number, reissued, CORRECTED_BECAUSE, VOIDED_BECAUSE):
        assert not any(text.encode() in r.value for r in records)
    # The event order on the participant's partition is the order of the changes.
    order = [_type(r) for r in records if f'"{permit_id}"'.encode() in r.value]
    assert order == [b"PermitApplied", b"PermitIssued", b"FactCorrected", b"FactVoided", b"PermitIssued"]

    engine = sa.create_engine(sync_url(services.permits.env["PERMITS_DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            log = conn.execute(
                sa.select(
                    correction_log.c.fact_type,
                    correction_log.c.action,
                    correction_log.c.previous_on,
                    correction_log.c.new_on,
                    correction_log.c.by,
                    correction_log.c.reason,
                )
                .where(correction_log.c.fact_id == permit_id)
                .order_by(correction_log.c.id)
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in log] == [
        (
            "PermitIssued",
            "corrected",
            date(2023, 4, 20),
            date(2023, 4, 10),
            "officer-17",
            CORRECTED_BECAUSE,
        ),
        ("PermitIssued", "voided", date(2023, 4, 10), None, "officer-9", VOIDED_BECAUSE),
    ]


def _type(record: Any) -> bytes:
    return bytes(dict(record.headers)["event_type"])


def _profile_of(p: dict[str, Any]) -> ParticipantProfile:
    """The profile registration's own answer implies: what the permit event must carry."""
    return ParticipantProfile(
        registered_on=p["registered_on"],
        gender=p["gender"],
        age_band=p["age_band"],
        kota_code=p["domicile"]["kota_code"],
        kecamatan_code=p["domicile"]["kecamatan_code"],
        kelurahan_code=p["domicile"]["kelurahan_code"],
        sector=p["business"]["sector"] if p["business"] else None,
        agency=p["agency"],
        disability=p["disability"],
        ktp_dki=p["ktp_dki"],
    )
