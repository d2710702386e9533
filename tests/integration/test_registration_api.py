"""The registration API over real HTTP, on SQLite and on PostgreSQL, publishing to real Kafka."""

from __future__ import annotations

import random
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from typing import Any
from uuid import UUID

import httpx
import pytest

from devstack.app_server import AppServer
from shared.auth import Role
from shared.dates import jakarta_today
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.tokens import ADMIN, bearer
from tests.unit.test_nik import UNICODE_DIGIT_NIKS


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def registration(request: pytest.FixtureRequest, stack: Stack) -> AppServer:
    server: AppServer = stack.registration(request.param)
    return server


@pytest.fixture
def api(registration: AppServer) -> Iterator[httpx.Client]:
    with client(registration) as http:
        yield http


def fresh(seed: int, **overrides: Any) -> dict[str, Any]:
    body = participant(random.Random(seed), seed, date(2023, 1, 10))
    return {**body, **overrides}


def test_registers_a_participant_and_masks_the_nik(registration: AppServer) -> None:
    body = fresh(1)
    with client(registration, bearer(Role.REGISTRAR)) as api:  # an admin would also get the full `nik`
        created = api.post("/participants", json=body)
        assert created.status_code == 201, created.text
        out = created.json()
        assert out["nik_masked"] != body["nik"] and body["nik"] not in created.text and out["nik"] is None
        assert out["nik_masked"] == "*" * 12 + body["nik"][-4:]  # the first 12 encode region and birth
        assert out["registered_on"] == "2023-01-10"
        assert out["ktp_dki"] == body["nik"].startswith("31")
        fetched = api.get(f"/participants/{out['participant_id']}")
        assert fetched.status_code == 200 and fetched.json() == out


def test_registration_date_defaults_to_today_in_jakarta(api: httpx.Client) -> None:
    body = fresh(2)
    del body["registered_on"]
    assert api.post("/participants", json=body).json()["registered_on"] == jakarta_today().isoformat()


def test_a_second_registration_of_a_nik_is_refused_naming_the_first(api: httpx.Client) -> None:
    body = fresh(3)
    first = api.post("/participants", json=body).json()
    again = api.post("/participants", json={**body, "full_name": "Someone Else"})
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_nik"
    assert again.json()["participant_id"] == first["participant_id"]


@pytest.mark.parametrize("position", [0, 3, 15])
def test_a_nik_with_any_other_digit_than_ascii_is_refused_not_a_second_identity(
    api: httpx.Client, position: int
) -> None:
    body = fresh(40 + position)
    assert api.post("/participants", json=body).status_code == 201
    for nik in [*UNICODE_DIGIT_NIKS, *(_swap(body["nik"], position, digit) for digit in OTHER_ONES)]:
        for answer in (
            api.post("/participants", json={**body, "nik": nik}),
            api.post("/participants/lookup", json={"nik": nik}),
        ):
            assert (answer.status_code, answer.json()["code"]) == (422, "validation_error"), (
                nik,
                answer.text,
            )
        [row] = api.post("/participants/batch", json={"rows": [{**body, "nik": nik}]}).json()["results"]
        assert (row["status"], row["code"]) == ("invalid", "validation_error"), nik


# The digit 1 written in other scripts: each is a digit to `\d`, str.isdigit() and int().
OTHER_ONES = ["\uff11", "\u0661", "\u06f1", "\u0967", "\u09e7", "\u0e51", "\U0001d7cf", "\u1041"]


def _swap(nik: str, position: int, digit: str) -> str:
    return nik[:position] + digit + nik[position + 1 :]


def test_concurrent_registrations_of_one_nik_create_exactly_one(api: httpx.Client) -> None:
    body = fresh(4)
    with ThreadPoolExecutor(8) as pool:
        statuses = sorted(pool.map(lambda _: api.post("/participants", json=body).status_code, range(8)))
    assert statuses == [201] + [409] * 7


@pytest.mark.parametrize(
    ("overrides", "code", "words"),
    [
        ({"nik": "3171010509900001", "gender": "F", "birth_date": "1990-09-05"}, "rule_violation", "woman"),
        ({"nik": "123"}, "validation_error", "nik"),
        ({"gender": "X"}, "validation_error", "gender"),
        ({"agency": "DINAS_LAIN"}, "validation_error", "agency"),
        ({"registered_on": "2017-12-31"}, "rule_violation", "programme start"),
        (
            {"registered_on": (jakarta_today() + timedelta(days=1)).isoformat()},
            "rule_violation",
            "after today",
        ),
        (
            {
                "domicile": {
                    "kota_code": "31.71",
                    "kecamatan_code": "31.74.01",
                    "kelurahan_code": "31.74.01.1001",
                }
            },
            "rule_violation",
            "does not belong",
        ),
        (
            {
                "domicile": {
                    "kota_code": "31.71",
                    "kecamatan_code": "31.71.01",
                    "kelurahan_code": "31.71.01.9999",
                }
            },
            "rule_violation",
            "unknown kelurahan",
        ),
        ({"phone": "12345"}, "validation_error", "phone"),
        ({"email": "not-an-email"}, "validation_error", "email"),
        ({"business": {"name": "Toko", "sector": "tambang"}}, "validation_error", "sector"),
        ({"unexpected": 1}, "validation_error", "unexpected"),
    ],
)
def test_bad_input_gets_a_readable_422(
    api: httpx.Client, overrides: dict[str, Any], code: str, words: str
) -> None:
    response = api.post("/participants", json=fresh(5, **overrides))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert words in response.json()["detail"]


def test_malformed_json_gets_a_400(api: httpx.Client) -> None:
    response = api.post("/participants", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_body"


def test_unknown_participant_is_404(api: httpx.Client) -> None:
    response = api.get("/participants/00000000-0000-4000-8000-000000000000")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_listing_pages_through_a_kota_with_a_cursor(api: httpx.Client) -> None:
    rng = random.Random(99)
    created = []
    for serial in range(100, 112):
        body = participant(rng, serial, date(2023, 5, 1))
        body["domicile"] = {
            "kota_code": "31.75",
            "kecamatan_code": "31.75.01",
            "kelurahan_code": "31.75.01.1001",
        }
        response = api.post("/participants", json=body)
        assert response.status_code == 201, response.text
        created.append(response.json()["participant_id"])
    seen, cursor = [], None
    while True:
        page = api.get(
            "/participants",
            params={"kota_code": "31.75", "limit": 5, **({"cursor": cursor} if cursor else {})},
        )
        assert page.status_code == 200
        seen += [p["participant_id"] for p in page.json()["items"]]
        assert all(p["domicile"]["kota_code"] == "31.75" for p in page.json()["items"])
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen[-len(created) :] == created
    assert api.get("/participants", params={"cursor": "garbage"}).status_code == 422


def test_regions_are_jakartas_6_44_267(api: httpx.Client) -> None:
    tree = api.get("/regions").json()
    assert len(tree) == 6
    assert sum(len(k["kecamatan"]) for k in tree) == 44
    assert sum(len(kec["kelurahan"]) for k in tree for kec in k["kecamatan"]) == 267


def test_ready_when_database_and_kafka_are_reachable(api: httpx.Client) -> None:
    ready = api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}
    assert api.get("/docs").status_code == 200
    assert b"http_request_duration_seconds" in api.get("/ops/metrics").content


async def test_registrations_reach_the_topic_without_personal_data(
    registration: AppServer, stack: Stack
) -> None:
    body = fresh(7)
    async with httpx.AsyncClient(headers=ADMIN, base_url=registration.url) as http:
        participant_id = (await http.post("/participants", json=body)).json()["participant_id"]
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("registration"),
        until=lambda seen: any(r.key == participant_id.encode() for r in seen),
    )
    for record in records:
        for personal in (body["nik"], body["full_name"], body["phone"], body["birth_date"]):
            assert personal.encode() not in record.value
    found = next(r for r in records if r.key == participant_id.encode())
    assert dict(found.headers)["event_type"] == b"ParticipantRegistered"


async def test_the_correlation_id_travels_from_http_into_the_event(
    registration: AppServer, stack: Stack
) -> None:
    async with httpx.AsyncClient(headers=ADMIN, base_url=registration.url) as http:
        response = await http.post(
            "/participants", json=fresh(8), headers={"X-Correlation-ID": "kecamatan-desk-42"}
        )
    correlation_id = response.headers["x-correlation-id"]  # the server's own, never the client's
    assert str(UUID(correlation_id)) == correlation_id
    participant_id = response.json()["participant_id"].encode()
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("registration"),
        until=lambda seen: any(r.key == participant_id for r in seen),
    )
    found = next(r for r in records if r.key == participant_id)
    assert dict(found.headers)["correlation_id"] == correlation_id.encode()
    assert f'"correlation_id":"{correlation_id}"'.encode() in found.value
    assert b"kecamatan-desk-42" not in found.value
