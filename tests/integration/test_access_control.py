"""Every endpoint of every service refuses a missing, expired, forged, wrong-role or out-of-area token.

The operations are read from each service's own OpenAPI document, so a new endpoint is covered the day
it is added. The area walk sends every operation of every service, with a token scoped to another kota and
one scoped to another agency, against a participant of kota 31.74 that has a fact in every stage service:
whatever it answers must be exactly what the same request about unknown ids gets, and no 2xx may carry
the participant's id or any id of their records (PRODUCT.md §2 "Area scope").
"""

from __future__ import annotations

import itertools
import json
import random
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

from devstack.app_server import AppServer
from shared.auth import Role
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.tokens import bearer

OPEN = {"/healthz", "/readyz"}
ADMIN_ONLY = {"/audit", "/participants/{participant_id}/erase"}  # beyond any one service role
SERVICE_ROLES = {
    "registration": Role.REGISTRAR,
    "training": Role.TRAINER,
    "permits": Role.PERMIT_OFFICER,
    "mentoring": Role.MENTOR,
    "marketing": Role.MARKETING,
    "finance": Role.FINANCE,
}
# Reporting too: its one read about a participant (the journey) is an officer's.
AREA_WALKED = {**SERVICE_ROLES, "reporting": Role.REGISTRAR}
HOME, ELSEWHERE = "31.74", "31.71"  # the seeded participant lives in HOME (Jakarta Selatan)
HOME_AGENCY, OTHER_AGENCY = "PPKUKM", "SOSIAL"
REPORT_PERIOD_ENDS = itertools.count(1)


@dataclass(frozen=True)
class Person:
    participant_id: str
    kecamatan_code: str
    registration: dict[str, Any]  # the registration request, NIK included


@pytest.fixture(scope="module")
def registration(stack: Stack) -> AppServer:
    return stack.registration()


@pytest.fixture(scope="module")
def services(stack: Stack, registration: AppServer) -> Iterator[dict[str, AppServer]]:
    yield {"registration": registration, "reporting": stack.reporting()} | {
        name: stack.producing(name) for name in SERVICE_ROLES if name != "registration"
    }


@pytest.fixture(scope="module")
def person(registration: AppServer) -> Person:
    """A participant living in HOME, supervised by HOME_AGENCY."""
    body = participant(random.Random(5), 4242, date(2023, 1, 10))
    body["domicile"] = {"kota_code": HOME, "kecamatan_code": "31.74.01", "kelurahan_code": "31.74.01.1001"}
    body["agency"] = HOME_AGENCY
    with client(registration) as http:
        response = http.post("/participants", json=body)
    assert response.status_code == 201, response.text
    return Person(response.json()["participant_id"], "31.74.01", body)


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


def _created(response: httpx.Response, key: str) -> str:
    assert response.status_code == 201, response.text
    return str(response.json()[key])


@dataclass(frozen=True)
class Facts:
    """The seeded participant's records in every stage service (created by an admin)."""

    secret: dict[str, str]  # path/query names → ids that concern the participant: never shown outside
    public: dict[str, str]  # ids of things not about a participant (a class, a mentor, an exhibition)
    permit_number: str

    @property
    def ids(self) -> dict[str, str]:
        return self.secret | self.public


@pytest.fixture(scope="module")
def facts(services: dict[str, AppServer], person: Person) -> Facts:
    pid = person.participant_id
    secret, public = {"participant_id": pid}, {}
    with client(services["training"]) as http:
        course = {
            "title": "Barista",
            "program": "vocational",
            "kota_code": HOME,
            "starts_on": "2023-03-01",
            "ends_on": "2023-03-31",
            "capacity": 5,
        }
        public["class_id"] = _created(http.post("/classes", json=course), "class_id")
        classes = f"/classes/{public['class_id']}"
        enrol = {"participant_id": pid, "enrolled_on": "2023-03-01"}
        _created(_when_known(lambda: http.post(f"{classes}/enrollments", json=enrol)), "participant_id")
        completed = {"participant_id": pid, "completed_on": "2023-03-20"}
        _created(http.post(f"{classes}/completions", json=completed), "participant_id")
        placed = {"participant_id": pid, "employer": "Kopi Kita", "placed_on": "2023-04-01"}
        secret["placement_id"] = _created(http.post("/placements", json=placed), "placement_id")
    number = f"NIB-{uuid4().hex[:10]}"
    with client(services["permits"]) as http:
        applied = {"participant_id": pid, "permit_type": "NIB", "applied_on": "2023-02-01"}
        secret["permit_id"] = _created(_when_known(lambda: http.post("/permits", json=applied)), "permit_id")
        issued = http.post(f"/permits/{secret['permit_id']}/issue", json={"permit_number": number})
        assert issued.status_code == 200, issued.text
    with client(services["mentoring"]) as http:
        mentor = {
            "staff_number": f"PJLP-{uuid4().hex[:8]}",
            "full_name": "Pendamping Selatan",
            "kecamatan_code": person.kecamatan_code,
            "assigned_on": "2023-01-02",
        }
        public["mentor_id"] = _created(http.post("/mentors", json=mentor), "mentor_id")
        held = {
            "participant_id": pid,
            "mentor_id": public["mentor_id"],
            "held_on": "2023-02-01",
            "topic": "Keuangan",
            "notes": "Catatan rahasia",
        }
        secret["session_id"] = _created(_when_known(lambda: http.post("/sessions", json=held)), "session_id")
    with client(services["marketing"]) as http:
        product = {"participant_id": pid, "name": "Keripik", "registered_on": "2023-02-01"}
        secret["product_id"] = _created(
            _when_known(lambda: http.post("/products", json=product)), "product_id"
        )
        fair = {
            "title": "Bazar Selatan",
            "kind": "bazaar",
            "scope": "national",
            "starts_on": "2023-08-01",
            "ends_on": "2023-08-05",
        }
        public["exhibition_id"] = _created(http.post("/exhibitions", json=fair), "exhibition_id")
        shown = {"product_id": secret["product_id"], "shown_on": "2023-08-02"}
        showcases = f"/exhibitions/{public['exhibition_id']}/showcases"
        secret["showcase_id"] = _created(http.post(showcases, json=shown), "showcase_id")
    with client(services["finance"]) as http:
        report = {
            "participant_id": pid,
            "period_start": "2023-01-01",
            "period_end": "2023-03-31",
            "revenue": 5_000_000,
            "expenses": 3_000_000,
            "employees": 2,
            "submitted_on": "2023-04-05",
        }
        secret["report_id"] = _created(
            _when_known(lambda: http.post("/financial-reports", json=report)), "report_id"
        )
        loan = {"participant_id": pid, "lender": "Bank DKI", "product": "KUR_MIKRO", "amount": 10_000_000}
        secret["application_id"] = _created(http.post("/financing", json=loan), "application_id")
    return Facts(secret, public, number)


@dataclass(frozen=True)
class Area:
    kota: str | None = None
    agency: str | None = None

    def token(self, role: Role, subject: str) -> dict[str, str]:
        return bearer(role, subject=subject, kota=self.kota, agency=self.agency)


OUTSIDE = {"kota": Area(kota=ELSEWHERE), "agency": Area(agency=OTHER_AGENCY)}
Probe = Callable[[dict[str, str], Person, Area], dict[str, Any]]
REASON = {"reason": "probe"}
NEW_CLASS = {
    "title": "Kewirausahaan",
    "program": "entrepreneurship",
    "kota_code": HOME,
    "starts_on": "2023-05-01",
    "ends_on": "2023-05-31",
    "capacity": 5,
}
REDATE = {"date": "2023-03-25", "reason": "probe"}
NOBODY = str(uuid4())  # the other member of a pair: nobody has this id


def _registration(person: Person, caller: Area) -> dict[str, Any]:
    """The participant's own NIK, registered again inside the caller's area: only "taken" may come back."""
    body = json.loads(json.dumps(person.registration))
    if caller.kota is not None:
        body["domicile"] = {
            "kota_code": caller.kota,
            "kecamatan_code": f"{caller.kota}.01",
            "kelurahan_code": f"{caller.kota}.01.1001",
        }
    body["agency"] = caller.agency or HOME_AGENCY
    return dict(body)


# A body for every operation that takes one, referring to the participant or their records.
PROBES: dict[tuple[str, str], Probe] = {
    ("POST", "/participants"): lambda ids, person, area: _registration(person, area),
    ("POST", "/participants/batch"): lambda ids, person, area: {
        "rows": [_registration(person, area)],
        "on_duplicate": "skip",
        "dry_run": True,
    },
    ("POST", "/participants/lookup"): lambda ids, person, area: {"nik": person.registration["nik"]},
    ("POST", "/participants/{participant_id}/erase"): lambda ids, person, area: REASON,
    ("PATCH", "/participants/{participant_id}"): lambda ids, person, area: REASON | {"disability": True},
    ("POST", "/participants/resolve"): lambda ids, person, area: {"participant_ids": [ids["participant_id"]]},
    ("POST", "/participants/possible-duplicates/dismiss"): lambda ids, person, area: (
        REASON | {"participant_ids": [ids["participant_id"], NOBODY]}
    ),
    ("POST", "/classes"): lambda ids, person, area: NEW_CLASS,
    ("POST", "/classes/{class_id}/enrollments"): lambda ids, person, area: {
        "participant_id": ids["participant_id"],
        "enrolled_on": "2023-03-02",
    },
    ("POST", "/classes/{class_id}/completions"): lambda ids, person, area: {
        "participant_id": ids["participant_id"],
        "completed_on": "2023-03-21",
    },
    ("POST", "/classes/{class_id}/completions/batch"): lambda ids, person, area: {
        "completed_on": "2023-03-21",
        "participant_ids": [ids["participant_id"]],
    },
    ("POST", "/classes/{class_id}/enrollments/{participant_id}/withdraw"): lambda ids, person, area: REASON,
    ("POST", "/classes/{class_id}/completions/{participant_id}/correct"): lambda ids, person, area: REDATE,
    ("POST", "/classes/{class_id}/completions/{participant_id}/void"): lambda ids, person, area: REASON,
    ("POST", "/placements"): lambda ids, person, area: {
        "participant_id": ids["participant_id"],
        "employer": "Toko Lain",
        "placed_on": "2023-04-02",
    },
    ("POST", "/placements/{placement_id}/correct"): lambda ids, person, area: REDATE | {"date": "2023-04-03"},
    ("POST", "/placements/{placement_id}/void"): lambda ids, person, area: REASON,
    ("POST", "/permits"): lambda ids, person, area: {
        "participant_id": ids["participant_id"],
        "permit_type": "HALAL",
    },
    ("POST", "/permits/{permit_id}/issue"): lambda ids, person, area: {"permit_number": "NIB-PROBE-1"},
    ("POST", "/permits/{permit_id}/reject"): lambda ids, person, area: REASON,
    ("POST", "/permits/{permit_id}/correct"): lambda ids, person, area: REDATE,
    ("POST", "/permits/{permit_id}/void"): lambda ids, person, area: REASON,
    ("POST", "/mentors"): lambda ids, person, area: {
        "staff_number": f"PJLP-{uuid4().hex[:8]}",
        "full_name": "Pendamping Lain",
        "kecamatan_code": person.kecamatan_code,
    },
    ("POST", "/sessions"): lambda ids, person, area: {
        "participant_id": ids["participant_id"],
        "mentor_id": ids["mentor_id"],
        "topic": "Pemasaran",
    },
    ("POST", "/sessions/{session_id}/correct"): lambda ids, person, area: REDATE,
    ("POST", "/sessions/{session_id}/void"): lambda ids, person, area: REASON,
    ("POST", "/products"): lambda ids, person, area: {
        "participant_id": ids["participant_id"],
        "name": "Sambal",
    },
    ("POST", "/products/{product_id}/curations"): lambda ids, person, area: {
        "level": "kecamatan",
        "passed": True,
        "criteria": [{"name": "Rasa", "score": 80}],
    },
    ("POST", "/products/{product_id}/listings"): lambda ids, person, area: {},
    ("POST", "/exhibitions"): lambda ids, person, area: {
        "title": "Pameran",
        "kind": "exhibition",
        "scope": "national",
        "starts_on": "2023-09-01",
        "ends_on": "2023-09-03",
    },
    ("POST", "/exhibitions/{exhibition_id}/showcases"): lambda ids, person, area: {
        "product_id": ids["product_id"]
    },
    ("POST", "/showcases/{showcase_id}/correct"): lambda ids, person, area: REDATE | {"date": "2023-08-03"},
    ("POST", "/showcases/{showcase_id}/void"): lambda ids, person, area: REASON,
    ("POST", "/financial-reports"): lambda ids, person, area: {
        "participant_id": ids["participant_id"],
        "period_start": "2023-04-01",
        "period_end": "2023-06-30",
        "revenue": 1_000_000,
        "expenses": 500_000,
        "employees": 1,
        "submitted_on": "2023-07-05",
    },
    ("POST", "/financial-reports/{report_id}/correct"): lambda ids, person, area: (
        REDATE | {"date": "2023-04-06"}
    ),
    ("POST", "/financial-reports/{report_id}/void"): lambda ids, person, area: REASON,
    ("POST", "/financing"): lambda ids, person, area: {
        "participant_id": ids["participant_id"],
        "lender": "Bank Lain",
        "product": "KUR_KECIL",
        "amount": 1_000_000,
    },
    ("POST", "/financing/{application_id}/approve"): lambda ids, person, area: {"approved_amount": 1_000},
    ("POST", "/financing/{application_id}/reject"): lambda ids, person, area: REASON,
    ("POST", "/financing/{application_id}/disburse"): lambda ids, person, area: {},
    ("POST", "/financing/{application_id}/disbursement/correct"): lambda ids, person, area: REDATE,
    ("POST", "/financing/{application_id}/disbursement/void"): lambda ids, person, area: REASON,
}
# Answers to these cannot be compared with an unknown participant's (a fresh NIK would simply register):
# they must only never carry the participant's or their records' ids.
NIK_PROBES = {("POST", "/participants"), ("POST", "/participants/batch"), ("POST", "/participants/lookup")}
REFERENCES = {"participant_id", "participant_ids", "product_id", "nik", "rows"}  # name someone's data


@dataclass(frozen=True)
class Operation:
    method: str
    template: str
    query: tuple[str, ...]
    body_fields: frozenset[str]


def _body_fields(spec: dict[str, Any], operation: dict[str, Any]) -> frozenset[str]:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    for option in [schema, *schema.get("anyOf", [])]:
        if "$ref" in option:
            name = option["$ref"].rsplit("/", 1)[-1]
            return frozenset(spec["components"]["schemas"][name].get("properties", {}))
    return frozenset(schema.get("properties", {}))


def walk(server: AppServer) -> list[Operation]:
    """Every documented operation but the probes, with its query parameters and body fields."""
    with client(server, {}) as http:
        spec = http.get("/openapi.json").json()
    return [
        Operation(
            method.upper(),
            path,
            tuple(p["name"] for p in op.get("parameters", []) if p["in"] == "query"),
            _body_fields(spec, op),
        )
        for path, methods in spec["paths"].items()
        if path not in OPEN
        for method, op in methods.items()
    ]


def _request(op: Operation, ids: dict[str, str], person: Person, area: Area) -> dict[str, Any]:
    path = re.sub(r"\{([^}]+)\}", lambda m: ids[m.group(1)], op.template)
    params: dict[str, str | int] = {name: ids[name] for name in op.query if name in ids}
    if "limit" in op.query:
        params["limit"] = 500
    probe = PROBES.get((op.method, op.template))
    return {
        "method": op.method,
        "url": path,
        "params": params,
        "json": probe(ids, person, area) if probe else {},
    }


def _disguised(request: dict[str, Any], fresh: dict[str, str]) -> dict[str, Any]:
    """The same request with every id of the participant's data replaced by an id nobody has."""
    text = json.dumps(request)
    for real, unknown in fresh.items():
        text = text.replace(real, unknown)
    return dict(json.loads(text))


def _answer(response: httpx.Response, fresh: dict[str, str] | None = None) -> tuple[int, Any]:
    text = response.text
    for real, unknown in (fresh or {}).items():
        text = text.replace(unknown, real)
    return response.status_code, json.loads(text) if text else None


@pytest.mark.parametrize("area", list(OUTSIDE))
@pytest.mark.parametrize("name", list(AREA_WALKED))
def test_every_operation_answers_another_area_as_if_the_participant_did_not_exist(
    services: dict[str, AppServer], person: Person, facts: Facts, name: str, area: str
) -> None:
    caller = OUTSIDE[area]
    headers = caller.token(AREA_WALKED[name], subject=f"walker-{area}")
    if name == "reporting":  # the answers compare once reporting knows the participant
        _journey_shown(services[name], person)
    leaks = []
    with client(services[name], headers) as http:
        for op in walk(services[name]):
            if op.body_fields & REFERENCES:
                assert (op.method, op.template) in PROBES, f"no probe body for {op.method} {op.template}"
            real = _request(op, facts.ids, person, caller)
            answer = _answer(http.request(**real))
            if 200 <= answer[0] < 300 or (op.method, op.template) in NIK_PROBES:
                shown = [key for key, value in facts.secret.items() if value in json.dumps(answer[1])]
                if shown:
                    leaks.append(f"{op.method} {real['url']} {real['params']}: {answer[0]} shows {shown}")
                continue
            fresh = {value: str(uuid4()) for value in facts.secret.values()}
            unknown = _answer(http.request(**_disguised(real, fresh)), fresh)
            if answer != unknown:
                leaks.append(f"{op.method} {op.template}: {answer} where unknown ids get {unknown}")
    assert not leaks, "\n".join(leaks)


def _journey_shown(reporting: AppServer, person: Person) -> None:
    with client(reporting) as http:
        path = f"/participants/{person.participant_id}/journey"
        deadline = time.monotonic() + 20
        while len(http.get(path).json().get("facts", [])) < 7:  # registration and six facts of `facts`
            assert time.monotonic() < deadline, http.get(path).text
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
        return http.post(f"/classes/{course.json()['class_id']}/enrollments", json=body)


def _permits_write(server: AppServer, person: Person, headers: dict[str, str]) -> httpx.Response:
    body = {"participant_id": person.participant_id, "permit_type": "HKI"}
    with client(server, headers) as http:
        return http.post("/permits", json=body)


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
        return http.post("/sessions", json=body)


def _marketing_write(server: AppServer, person: Person, headers: dict[str, str]) -> httpx.Response:
    with client(server, headers) as http:
        return http.post("/products", json={"participant_id": person.participant_id, "name": "Keripik"})


def _finance_write(server: AppServer, person: Person, headers: dict[str, str]) -> httpx.Response:
    body = {
        "participant_id": person.participant_id,
        "period_start": "2023-01-01",
        "period_end": f"2023-02-{next(REPORT_PERIOD_ENDS):02d}",  # a new period each call: never a duplicate
        "revenue": 1_000_000,
        "expenses": 400_000,
        "employees": 2,
        "submitted_on": "2023-04-05",
    }
    with client(server, headers) as http:
        return http.post("/financial-reports", json=body)


SCOPED_WRITES: dict[str, Callable[[AppServer, Person, dict[str, str]], httpx.Response]] = {
    "training": _training_write,
    "permits": _permits_write,
    "mentoring": _mentoring_write,
    "marketing": _marketing_write,
    "finance": _finance_write,
}


@pytest.mark.parametrize("name", list(SCOPED_WRITES))
def test_an_officer_scoped_elsewhere_is_told_the_participant_is_unknown(
    services: dict[str, AppServer], person: Person, facts: Facts, name: str
) -> None:
    role, write = SERVICE_ROLES[name], SCOPED_WRITES[name]
    nobody = Person(str(uuid4()), person.kecamatan_code, person.registration)
    for outside in (bearer(role, kota=ELSEWHERE), bearer(role, agency=OTHER_AGENCY)):
        refused, unknown = write(services[name], person, outside), write(services[name], nobody, outside)
        assert (refused.status_code, refused.json()["code"]) == (422, "unknown_participant"), refused.text
        assert refused.json()["detail"] == unknown.json()["detail"].replace(
            nobody.participant_id, person.participant_id
        )
    allowed = write(services[name], person, bearer(role, kota=HOME, agency=HOME_AGENCY))
    assert allowed.status_code == 201, allowed.text


# Reads of the participant's records, each with where the record's id shows in the answer.
READS: dict[str, list[tuple[str, str, str]]] = {
    "training": [
        ("/classes/{class_id}/completions/{participant_id}", "", "participant_id"),
        ("/placements/{placement_id}", "", "placement_id"),
    ],
    "permits": [("/permits/{permit_id}", "", "permit_id"), ("/permits", "participant_id", "permit_id")],
    "mentoring": [("/sessions/{session_id}", "", "session_id"), ("/sessions", "mentor_id", "session_id")],
    "marketing": [
        ("/products/{product_id}", "", "product_id"),
        ("/products", "participant_id", "product_id"),
        ("/showcases/{showcase_id}", "", "showcase_id"),
        ("/showcases", "exhibition_id", "showcase_id"),
    ],
    "finance": [
        ("/financial-reports/{report_id}", "", "report_id"),
        ("/financial-reports", "", "report_id"),
        ("/financing/{application_id}", "", "application_id"),
        ("/financing", "participant_id", "application_id"),
    ],
}


@pytest.mark.parametrize("name", list(READS))
def test_an_officer_of_the_participants_area_reads_what_others_do_not_see(
    services: dict[str, AppServer], facts: Facts, name: str
) -> None:
    role = SERVICE_ROLES[name]
    for template, query, shows in READS[name]:
        path = re.sub(r"\{([^}]+)\}", lambda m: facts.ids[m.group(1)], template)
        params = {query: facts.ids[query]} if query else {}
        for headers, visible in [
            (bearer(role, kota=HOME), True),
            (bearer(role, agency=HOME_AGENCY), True),
            (bearer(role, kota=HOME, agency=HOME_AGENCY), True),
            (bearer(role), True),
            (bearer(role, kota=ELSEWHERE), False),
            (bearer(role, kota=HOME, agency=OTHER_AGENCY), False),
        ]:
            with client(services[name], headers) as http:
                response = http.get(path, params=params | {"limit": 500})
            if "{" in template:
                assert response.status_code == (200 if visible else 404), (path, headers, response.text)
            else:
                assert response.status_code == 200, response.text
                listed = [item[shows] for item in response.json()["items"]]
                assert (facts.ids[shows] in listed) is visible, (path, headers, listed)


def test_classes_and_mentors_are_created_in_the_callers_kota_only(services: dict[str, AppServer]) -> None:
    course = NEW_CLASS
    with client(services["training"], bearer(Role.TRAINER, kota=ELSEWHERE)) as http:
        refused = http.post("/classes", json=course)
        assert (refused.status_code, refused.json()["code"]) == (403, "out_of_scope"), refused.text
        assert http.post("/classes", json=course | {"kota_code": ELSEWHERE}).status_code == 201
    mentor = {"full_name": "Pendamping", "kecamatan_code": "31.74.01"}
    with client(services["mentoring"], bearer(Role.MENTOR, kota=ELSEWHERE)) as http:
        refused = http.post("/mentors", json=mentor | {"staff_number": f"P-{uuid4().hex[:8]}"})
        assert (refused.status_code, refused.json()["code"]) == (403, "out_of_scope"), refused.text
        mine = mentor | {"staff_number": f"P-{uuid4().hex[:8]}", "kecamatan_code": f"{ELSEWHERE}.01"}
        assert http.post("/mentors", json=mine).status_code == 201


def test_a_permit_number_held_in_another_area_is_only_taken(
    services: dict[str, AppServer], registration: AppServer, facts: Facts
) -> None:
    body = participant(random.Random(7), 4343, date(2023, 1, 10))
    body["domicile"] = {
        "kota_code": ELSEWHERE,
        "kecamatan_code": "31.71.01",
        "kelurahan_code": "31.71.01.1001",
    }
    with client(registration) as http:
        neighbour = _created(http.post("/participants", json=body), "participant_id")
    officer = bearer(Role.PERMIT_OFFICER, kota=ELSEWHERE)
    with client(services["permits"], officer) as http:
        applied = {"participant_id": neighbour, "permit_type": "NIB"}
        permit_id = _created(_when_known(lambda: http.post("/permits", json=applied)), "permit_id")
        taken = http.post(f"/permits/{permit_id}/issue", json={"permit_number": facts.permit_number})
    assert (taken.status_code, taken.json()["code"]) == (409, "duplicate_permit_number"), taken.text
    assert facts.secret["permit_id"] not in taken.text and "permit_id" not in taken.json()


def _audit_lines(server: AppServer) -> list[dict[str, Any]]:
    lines = (server.data_dir / f"{server.service}.log").read_text().splitlines()
    return [entry for entry in map(_json_or_none, lines) if entry and entry.get("audit")]


def _json_or_none(line: str) -> dict[str, Any] | None:
    try:
        found = json.loads(line)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


@pytest.mark.parametrize("name", list(READS))
def test_a_refused_attempt_outside_the_area_is_audited(
    services: dict[str, AppServer], person: Person, facts: Facts, name: str
) -> None:
    template, _, _ = READS[name][0]
    path = re.sub(r"\{([^}]+)\}", lambda m: facts.ids[m.group(1)], template)
    subject = f"auditee-{name}-{uuid4().hex[:6]}"
    with client(services[name], bearer(SERVICE_ROLES[name], subject=subject, kota=ELSEWHERE)) as http:
        assert http.get(path).status_code == 404
    deadline = time.monotonic() + 10
    while not (found := [e for e in _audit_lines(services[name]) if e.get("subject") == subject]):
        assert time.monotonic() < deadline, f"no audit line for {subject}"
        time.sleep(0.1)
    (entry,) = found
    assert entry["audit"] == "refused_outside_area"
    assert (entry["method"], entry["route"]) == ("GET", template)
    assert entry["participant_id"] == person.participant_id
    assert entry["ts"] and entry["answered"] == "not_found"
    written = json.dumps(entry)
    assert not any(str(person.registration[field]) in written for field in ("nik", "full_name", "phone"))
