"""Every endpoint of every service refuses a missing, expired, forged, wrong-role or out-of-area token.

The operations are read from each service's own OpenAPI document, so a new endpoint is covered the day
it is added. Out-of-area writes are checked per service on the write that names a participant.
"""

from __future__ import annotations

import itertools
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import uuid4

import httpx
import pytest

from devstack.app_server import AppServer
from shared.auth import Role
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.tokens import bearer

OPEN = {"/healthz", "/readyz"}
ADMIN_ONLY = {"/audit"}  # who read whose personal data: beyond any one service role
SERVICE_ROLES = {
    "registration": Role.REGISTRAR,
    "training": Role.TRAINER,
    "permits": Role.PERMIT_OFFICER,
    "mentoring": Role.MENTOR,
    "marketing": Role.MARKETING,
    "finance": Role.FINANCE,
}
HOME, ELSEWHERE = "31.71", "31.72"
REPORT_PERIOD_ENDS = itertools.count(1)


@dataclass(frozen=True)
class Person:
    participant_id: str
    kecamatan_code: str


@pytest.fixture(scope="module")
def registration(stack: Stack) -> AppServer:
    return stack.registration()


@pytest.fixture(scope="module")
def services(stack: Stack, registration: AppServer) -> Iterator[dict[str, AppServer]]:
    yield {"registration": registration} | {
        name: stack.producing(name) for name in SERVICE_ROLES if name != "registration"
    }


@pytest.fixture(scope="module")
def person(registration: AppServer) -> Person:
    """A participant living in HOME (Jakarta Pusat)."""
    body = participant(random.Random(5), 4242, date(2023, 1, 10))
    body["domicile"] = {"kota_code": HOME, "kecamatan_code": "31.71.01", "kelurahan_code": "31.71.01.1001"}
    body["agency"] = "PPKUKM"
    with client(registration) as http:
        response = http.post("/participants", json=body)
    assert response.status_code == 201, response.text
    return Person(response.json()["participant_id"], "31.71.01")


def operations(server: AppServer) -> list[tuple[str, str, bool]]:
    """(method, concrete path, admin only) of every documented operation but the probes."""
    with client(server, {}) as http:
        spec = http.get("/openapi.json").json()
    found = []
    for path, methods in spec["paths"].items():
        if path in OPEN:
            continue
        concrete = re.sub(r"\{[^}]+\}", str(uuid4()), path)
        found += [(method.upper(), concrete, path in ADMIN_ONLY) for method in methods]
    assert found, "no operations found"
    return found


@pytest.mark.parametrize("name", list(SERVICE_ROLES))
def test_every_operation_needs_a_valid_token_with_the_service_role(
    services: dict[str, AppServer], name: str
) -> None:
    role = SERVICE_ROLES[name]
    other = Role.ANALYST
    refusals = [
        ({}, 401, "unauthorized"),
        (bearer(role, ttl=timedelta(minutes=-2)), 401, "unauthorized"),
        ({"Authorization": "Bearer eyJhbGciOiJub25lIn0.e30."}, 401, "unauthorized"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401, "unauthorized"),
        (bearer(other), 403, "forbidden"),
    ]
    server = services[name]
    for method, path, admin_only in operations(server):
        for headers, status, code in [*refusals, *([(bearer(role), 403, "forbidden")] if admin_only else [])]:
            with client(server, headers) as http:
                response = http.request(method, path, json={})
            assert (response.status_code, response.json().get("code")) == (status, code), (
                method,
                path,
                headers,
            )
        for allowed in [bearer(Role.ADMIN)] if admin_only else [bearer(role), bearer(Role.ADMIN)]:
            with client(server, allowed) as http:
                response = http.request(method, path, json={})
            assert response.status_code not in (401, 403), (method, path, response.text)


def _when_known(send: Callable[[], httpx.Response]) -> httpx.Response:
    deadline = time.monotonic() + 20
    while True:
        response = send()
        if response.json().get("code") != "unknown_participant" or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def _training_write(server: AppServer, person: Person, headers: dict[str, str]) -> httpx.Response:
    with client(server) as admin:
        course = admin.post(
            "/classes",
            json={
                "title": "Kewirausahaan Dasar",
                "program": "entrepreneurship",
                "kota_code": HOME,
                "starts_on": "2023-03-01",
                "ends_on": "2023-03-31",
                "capacity": 5,
            },
        )
        assert course.status_code == 201, course.text
    body = {"participant_id": person.participant_id, "enrolled_on": "2023-03-01"}
    with client(server, headers) as http:
        return _when_known(lambda: http.post(f"/classes/{course.json()['class_id']}/enrollments", json=body))


def _permits_write(server: AppServer, person: Person, headers: dict[str, str]) -> httpx.Response:
    body = {"participant_id": person.participant_id, "permit_type": "NIB"}
    with client(server, headers) as http:
        return _when_known(lambda: http.post("/permits", json=body))


def _mentoring_write(server: AppServer, person: Person, headers: dict[str, str]) -> httpx.Response:
    with client(server) as admin:
        mentor = admin.post(
            "/mentors",
            json={
                "staff_number": f"P-{uuid4().hex[:8]}",
                "full_name": "Pendamping",
                "kecamatan_code": person.kecamatan_code,
            },
        )
        assert mentor.status_code == 201, mentor.text
    body = {
        "participant_id": person.participant_id,
        "mentor_id": mentor.json()["mentor_id"],
        "topic": "Keuangan",
    }
    with client(server, headers) as http:
        return _when_known(lambda: http.post("/sessions", json=body))


def _marketing_write(server: AppServer, person: Person, headers: dict[str, str]) -> httpx.Response:
    with client(server, headers) as http:
        return _when_known(
            lambda: http.post("/products", json={"participant_id": person.participant_id, "name": "Keripik"})
        )


def _finance_write(server: AppServer, person: Person, headers: dict[str, str]) -> httpx.Response:
    body = {
        "participant_id": person.participant_id,
        "period_start": "2023-01-01",
        "period_end": f"2023-03-{next(REPORT_PERIOD_ENDS):02d}",  # a new period each call: never a duplicate
        "revenue": 1_000_000,
        "expenses": 400_000,
        "employees": 2,
        "submitted_on": "2023-04-05",
    }
    with client(server, headers) as http:
        return _when_known(lambda: http.post("/financial-reports", json=body))


SCOPED_WRITES: dict[str, Callable[[AppServer, Person, dict[str, str]], httpx.Response]] = {
    "training": _training_write,
    "permits": _permits_write,
    "mentoring": _mentoring_write,
    "marketing": _marketing_write,
    "finance": _finance_write,
}


@pytest.mark.parametrize("name", list(SCOPED_WRITES))
def test_an_officer_scoped_elsewhere_cannot_act_on_the_participant(
    services: dict[str, AppServer], person: Person, name: str
) -> None:
    role, write = SERVICE_ROLES[name], SCOPED_WRITES[name]
    for outside in (bearer(role, kota=ELSEWHERE), bearer(role, agency="SOSIAL")):
        refused = write(services[name], person, outside)
        assert (refused.status_code, refused.json()["code"]) == (403, "out_of_scope"), refused.text
    allowed = write(services[name], person, bearer(role, kota=HOME))
    assert allowed.status_code == 201, allowed.text
