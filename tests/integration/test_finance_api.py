"""The finance API over real HTTP, on SQLite and on PostgreSQL, learning participants from registration."""

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

from devstack.app_server import AppServer
from shared.auth import Role
from shared.contracts.codec import decode
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    FinancialReportSubmitted,
    FinancingApplied,
    FinancingApproved,
    FinancingDisbursed,
    FinancingRejected,
)
from shared.contracts.profile import ParticipantProfile
from shared.dates import jakarta_today
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.pii_scan import free_text
from tests.tokens import bearer

REGISTERED_ON = date(2023, 1, 10)
MISSING = "00000000-0000-4000-8000-000000000000"
SERIALS = itertools.count(1)
TOMORROW = (jakarta_today() + timedelta(days=1)).isoformat()
YEAR_2023 = {"period_start": "2023-01-01", "period_end": "2023-12-31"}
# Corrections and voids take their `by` from the token: the finance client signs in as this officer.
OFFICER = bearer(Role.ADMIN, subject="officer-17")


@dataclass(frozen=True)
class Services:
    registration: AppServer
    finance: AppServer


@dataclass(frozen=True)
class Registered:
    participant_id: str
    request: dict[str, Any]
    response: dict[str, Any]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def services(request: pytest.FixtureRequest, stack: Stack) -> Iterator[Services]:
    started = Services(stack.registration(request.param), stack.producing("finance", request.param))
    yield started
    # Stop this database's services before the next one's start: both follow the same registration topic.
    started.finance.stop()
    started.registration.stop()


@pytest.fixture
def api(services: Services) -> Iterator[httpx.Client]:
    with client(services.finance, OFFICER) as http:
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


def post_when_known(api: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST, retried while registration's event has not reached the finance service yet."""
    deadline = time.monotonic() + 20.0
    while True:
        response = api.post(path, json=body)
        unknown = response.status_code == 422 and response.json()["code"] == "unknown_participant"
        if not unknown or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def submit(api: httpx.Client, participant_id: str, **fields: Any) -> httpx.Response:
    body = {
        "participant_id": participant_id,
        **YEAR_2023,
        "revenue": 480_000_000,
        "expenses": 365_500_000,
        "employees": 4,
        "submitted_on": "2024-01-15",
        **fields,
    }
    return post_when_known(api, "/financial-reports", body)


def apply(api: httpx.Client, participant_id: str, **fields: Any) -> httpx.Response:
    body = {
        "participant_id": participant_id,
        "lender": "Bank DKI",
        "product": "KUR_MIKRO",
        "amount": 50_000_000,
        "applied_on": "2024-02-01",
        **fields,
    }
    return post_when_known(api, "/financing", body)


def created(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def step(api: httpx.Client, application_id: str, verb: str, **body: Any) -> httpx.Response:
    defaults: dict[str, dict[str, Any]] = {
        "approve": {"approved_amount": 40_000_000, "approved_on": "2024-02-20"},
        "reject": {"reason": "insufficient collateral", "rejected_on": "2024-02-20"},
        "disburse": {"disbursed_on": "2024-03-01"},
    }
    return api.post(f"/financing/{application_id}/{verb}", json={**defaults[verb], **body})


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def approved(api: httpx.Client, registrar: httpx.Client) -> dict[str, Any]:
    application = created(apply(api, register(registrar).participant_id))
    return ok(step(api, application["application_id"], "approve"))


def disbursed(api: httpx.Client, registrar: httpx.Client) -> dict[str, Any]:
    return ok(step(api, approved(api, registrar)["application_id"], "disburse"))


def assert_refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"]
    return body


NOT_VOIDED = {"voided": False, "voided_at": None, "voided_by": None, "void_reason": None}


# --- financial reports ---------------------------------------------------------------------------------


def test_a_report_is_submitted_with_its_period_and_figures(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar).participant_id
    report = created(submit(api, person))
    assert report == {
        "report_id": report["report_id"],
        "participant_id": person,
        "period_start": "2023-01-01",
        "period_end": "2023-12-31",
        "submitted_on": "2024-01-15",
        "revenue": 480_000_000,
        "expenses": 365_500_000,
        "employees": 4,
        **NOT_VOIDED,
    }
    assert ok(api.get(f"/financial-reports/{report['report_id']}")) == report


def test_a_report_is_submitted_today_by_default(api: httpx.Client, registrar: httpx.Client) -> None:
    report = created(submit(api, register(registrar).participant_id, submitted_on=None))
    assert report["submitted_on"] == jakarta_today().isoformat()


def test_one_live_report_per_participant_and_period(api: httpx.Client, registrar: httpx.Client) -> None:
    person = register(registrar).participant_id
    first = created(submit(api, person))
    refused = assert_refused(submit(api, person, revenue=1), 409, "duplicate_report")
    assert refused["report_id"] == first["report_id"]
    created(submit(api, person, period_start="2023-01-01", period_end="2023-06-30"))
    ok(api.post(f"/financial-reports/{first['report_id']}/void", json={"reason": "wrong figures"}))
    replacement = created(submit(api, person, revenue=500_000_000))
    refused = assert_refused(submit(api, person), 409, "duplicate_report")
    assert refused["report_id"] == replacement["report_id"]


def test_concurrent_reports_for_one_period_create_exactly_one(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar).participant_id
    created(submit(api, person, period_start="2022-01-01", period_end="2022-12-31"))  # known before the race
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: submit(api, person), range(8)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7
    winner = next(r.json()["report_id"] for r in responses if r.status_code == 201)
    assert {r.json()["report_id"] for r in responses if r.status_code == 409} == {winner}


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"period_start": "2023-07-01", "period_end": "2023-06-30"}, "before period_start"),
        ({"period_start": "2023-01-01", "period_end": "2024-01-01"}, "longer than a year"),
        ({"submitted_on": "2023-12-30"}, "before period_end"),
        (
            {"period_start": "2022-01-01", "period_end": "2022-12-31", "submitted_on": "2023-01-09"},
            "before the participant's registration",
        ),
        ({"submitted_on": TOMORROW}, "after today"),
        (
            {"period_start": "2017-01-01", "period_end": "2017-06-30", "submitted_on": "2017-12-31"},
            "programme",
        ),
    ],
    ids=["backwards", "over-a-year", "before-period-end", "before-registration", "future", "before-2018"],
)
def test_report_rules_are_checked(
    api: httpx.Client, registrar: httpx.Client, fields: dict[str, str], words: str
) -> None:
    response = submit(api, register(registrar).participant_id, **fields)
    assert words in assert_refused(response, 422, "rule_violation")["detail"]


def test_a_report_date_is_corrected_under_the_same_rules(api: httpx.Client, registrar: httpx.Client) -> None:
    report = created(submit(api, register(registrar).participant_id))
    path = f"/financial-reports/{report['report_id']}/correct"
    corrected = ok(api.post(path, json={"date": "2024-02-01", "reason": "typo"}))
    assert corrected == {**report, "submitted_on": "2024-02-01"}
    early = api.post(path, json={"date": "2023-12-30", "reason": "typo"})
    assert "before period_end" in assert_refused(early, 422, "rule_violation")["detail"]
    late = api.post(path, json={"date": TOMORROW, "reason": "typo"})
    assert "after today" in assert_refused(late, 422, "rule_violation")["detail"]
    assert ok(api.get(f"/financial-reports/{report['report_id']}")) == corrected


def test_a_voided_report_is_kept_and_cannot_change_again(api: httpx.Client, registrar: httpx.Client) -> None:
    report = created(submit(api, register(registrar).participant_id))
    base = f"/financial-reports/{report['report_id']}"
    voided = ok(api.post(f"{base}/void", json={"reason": "entered twice"}))
    assert voided["voided"] is True and voided["voided_by"] == "officer-17"
    assert voided["void_reason"] == "entered twice" and voided["voided_at"]
    assert {k: v for k, v in voided.items() if k not in NOT_VOIDED} == {
        k: v for k, v in report.items() if k not in NOT_VOIDED
    }
    assert ok(api.get(base)) == voided
    refused = assert_refused(api.post(f"{base}/void", json={"reason": "again"}), 409, "already_voided")
    assert refused["report_id"] == report["report_id"]
    correction = {"date": "2024-02-01", "reason": "typo"}
    assert_refused(api.post(f"{base}/correct", json=correction), 409, "already_voided")


def test_concurrent_voids_of_a_report_succeed_exactly_once(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    report = created(submit(api, register(registrar).participant_id))
    path = f"/financial-reports/{report['report_id']}/void"
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda n: api.post(path, json={"reason": f"r{n}"}), range(8)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_voided"}


def test_reports_are_listed_by_participant_in_pages(api: httpx.Client, registrar: httpx.Client) -> None:
    person = register(registrar).participant_id
    quarters = [("2023-01-01", "2023-03-31"), ("2023-04-01", "2023-06-30"), ("2023-07-01", "2023-09-30")]
    ids = [created(submit(api, person, period_start=s, period_end=e))["report_id"] for s, e in quarters]
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {
            "participant_id": person,
            "limit": 2,
            **({"cursor": cursor} if cursor else {}),
        }
        page = ok(api.get("/financial-reports", params=params))
        assert all(r["participant_id"] == person for r in page["items"])
        seen += [r["report_id"] for r in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == ids
    assert_refused(api.get("/financial-reports", params={"cursor": "garbage"}), 422, "rule_violation")


# --- financing -----------------------------------------------------------------------------------------


def test_an_application_is_approved_and_disbursed(api: httpx.Client, registrar: httpx.Client) -> None:
    person = register(registrar).participant_id
    application = created(apply(api, person, product="KUR_KECIL", amount=150_000_000))
    assert application == {
        "application_id": application["application_id"],
        "participant_id": person,
        "lender": "Bank DKI",
        "product": "KUR_KECIL",
        "amount": 150_000_000,
        "status": "applied",
        "applied_on": "2024-02-01",
        "approved_amount": None,
        "approved_on": None,
        "rejected_on": None,
        "rejection_reason": None,
        "disbursements": [],
    }
    application_id = application["application_id"]
    approval = ok(step(api, application_id, "approve", approved_amount=120_000_000))
    assert approval == {
        **application,
        "status": "approved",
        "approved_amount": 120_000_000,
        "approved_on": "2024-02-20",
    }
    paid = ok(step(api, application_id, "disburse"))
    (disbursement,) = paid["disbursements"]
    assert paid == {**approval, "status": "disbursed", "disbursements": [disbursement]}
    assert disbursement == {
        "disbursement_id": disbursement["disbursement_id"],
        "amount": 120_000_000,
        "disbursed_on": "2024-03-01",
        **NOT_VOIDED,
    }
    assert ok(api.get(f"/financing/{application_id}")) == paid


def test_a_rejection_records_its_reason_and_date(api: httpx.Client, registrar: httpx.Client) -> None:
    application = created(apply(api, register(registrar).participant_id))
    rejected = ok(step(api, application["application_id"], "reject"))
    assert rejected == {
        **application,
        "status": "rejected",
        "rejected_on": "2024-02-20",
        "rejection_reason": "insufficient collateral",
    }


def test_dates_default_to_today_and_a_part_may_be_disbursed(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    today = jakarta_today().isoformat()
    application = created(apply(api, register(registrar).participant_id, applied_on=None))
    application_id = application["application_id"]
    assert application["applied_on"] == today
    assert ok(step(api, application_id, "approve", approved_on=None))["approved_on"] == today
    paid = ok(step(api, application_id, "disburse", disbursed_on=None, amount=15_000_000))
    assert [(d["amount"], d["disbursed_on"]) for d in paid["disbursements"]] == [(15_000_000, today)]


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
def test_only_the_allowed_transitions_are_taken(
    api: httpx.Client, registrar: httpx.Client, status: str, verb: str
) -> None:
    application_id = created(apply(api, register(registrar).participant_id))["application_id"]
    path = {"approved": ["approve"], "rejected": ["reject"], "disbursed": ["approve", "disburse"]}
    for earlier in path.get(status, []):
        ok(step(api, application_id, earlier))
    refused = assert_refused(step(api, application_id, verb), 409, "invalid_transition")
    assert (refused["application_id"], refused["status"]) == (application_id, status)
    assert ok(api.get(f"/financing/{application_id}"))["status"] == status


@pytest.mark.parametrize("verb", ["approve", "disburse"])
def test_concurrent_steps_on_one_application_succeed_exactly_once(
    api: httpx.Client, registrar: httpx.Client, verb: str
) -> None:
    application = (
        approved(api, registrar)
        if verb == "disburse"
        else created(apply(api, register(registrar).participant_id))
    )
    application_id = application["application_id"]
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: step(api, application_id, verb), range(8)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"invalid_transition"}
    winner = next(r.json() for r in responses if r.status_code == 200)
    assert ok(api.get(f"/financing/{application_id}")) == winner
    assert len(winner["disbursements"]) == (1 if verb == "disburse" else 0)


@pytest.mark.parametrize(
    ("verb", "body", "words"),
    [
        ("approve", {"approved_amount": 50_000_001}, "exceeds the amount applied for"),
        ("approve", {"approved_on": "2024-01-31"}, "before applied_on"),
        ("approve", {"approved_on": TOMORROW}, "after today"),
        ("reject", {"rejected_on": "2024-01-31"}, "before applied_on"),
        ("reject", {"rejected_on": TOMORROW}, "after today"),
    ],
    ids=["over-amount", "approved-early", "approved-future", "rejected-early", "rejected-future"],
)
def test_decision_rules_are_checked(
    api: httpx.Client, registrar: httpx.Client, verb: str, body: dict[str, Any], words: str
) -> None:
    application_id = created(apply(api, register(registrar).participant_id))["application_id"]
    assert words in assert_refused(step(api, application_id, verb, **body), 422, "rule_violation")["detail"]
    assert ok(api.get(f"/financing/{application_id}"))["status"] == "applied"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"amount": 40_000_001}, "exceeds the approved amount"),
        ({"disbursed_on": "2024-02-19"}, "before approved_on"),
        ({"disbursed_on": TOMORROW}, "after today"),
    ],
    ids=["over-approved", "before-approval", "future"],
)
def test_disbursement_rules_are_checked(
    api: httpx.Client, registrar: httpx.Client, body: dict[str, Any], words: str
) -> None:
    application_id = approved(api, registrar)["application_id"]
    assert (
        words
        in assert_refused(step(api, application_id, "disburse", **body), 422, "rule_violation")["detail"]
    )
    assert ok(api.get(f"/financing/{application_id}"))["status"] == "approved"


@pytest.mark.parametrize(
    ("applied_on", "words"),
    [
        ((REGISTERED_ON - timedelta(days=1)).isoformat(), "before the participant's registration"),
        (TOMORROW, "after today"),
        ("2017-12-31", "before the programme start"),
    ],
    ids=["before-registration", "after-today", "before-programme"],
)
def test_an_application_date_is_checked(
    api: httpx.Client, registrar: httpx.Client, applied_on: str, words: str
) -> None:
    response = apply(api, register(registrar).participant_id, applied_on=applied_on)
    assert words in assert_refused(response, 422, "rule_violation")["detail"]


def test_a_disbursement_date_is_corrected_under_the_same_rules(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    paid = disbursed(api, registrar)
    path = f"/financing/{paid['application_id']}/disbursement/correct"
    corrected = ok(api.post(path, json={"date": "2024-02-20", "reason": "bank statement"}))
    assert corrected == {
        **paid,
        "disbursements": [{**paid["disbursements"][0], "disbursed_on": "2024-02-20"}],
    }
    early = api.post(path, json={"date": "2024-02-19", "reason": "typo"})
    assert "before approved_on" in assert_refused(early, 422, "rule_violation")["detail"]
    late = api.post(path, json={"date": TOMORROW, "reason": "typo"})
    assert "after today" in assert_refused(late, 422, "rule_violation")["detail"]
    assert ok(api.get(f"/financing/{paid['application_id']}")) == corrected


def test_a_voided_disbursement_is_kept_and_the_application_can_be_disbursed_again(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    paid = disbursed(api, registrar)
    base = f"/financing/{paid['application_id']}"
    voided = ok(api.post(f"{base}/disbursement/void", json={"reason": "wrong account"}))
    assert voided["status"] == "approved"
    (withdrawn,) = voided["disbursements"]
    assert withdrawn["voided"] is True and withdrawn["voided_by"] == "officer-17" and withdrawn["voided_at"]
    assert withdrawn["disbursement_id"] == paid["disbursements"][0]["disbursement_id"]
    void_again = api.post(f"{base}/disbursement/void", json={"reason": "again"})
    assert assert_refused(void_again, 409, "already_voided")["application_id"] == paid["application_id"]
    correction = {"date": "2024-03-02", "reason": "typo"}
    assert_refused(api.post(f"{base}/disbursement/correct", json=correction), 409, "already_voided")
    again = ok(step(api, paid["application_id"], "disburse", disbursed_on="2024-03-04"))
    assert again["status"] == "disbursed"
    assert [(d["disbursed_on"], d["voided"]) for d in again["disbursements"]] == [
        ("2024-03-01", True),
        ("2024-03-04", False),
    ]
    assert ok(api.get(base)) == again


def test_nothing_disbursed_can_be_neither_corrected_nor_voided(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    base = f"/financing/{approved(api, registrar)['application_id']}/disbursement"
    assert_refused(api.post(f"{base}/void", json={"reason": "x"}), 409, "not_disbursed")
    correction = {"date": "2024-03-02", "reason": "x"}
    assert_refused(api.post(f"{base}/correct", json=correction), 409, "not_disbursed")


def test_concurrent_voids_of_a_disbursement_succeed_exactly_once(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    path = f"/financing/{disbursed(api, registrar)['application_id']}/disbursement/void"
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda n: api.post(path, json={"reason": f"r{n}"}), range(8)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_voided"}


def test_applications_are_listed_by_participant_and_status_in_pages(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar).participant_id
    ids = [created(apply(api, person))["application_id"] for _ in range(3)]
    ok(step(api, ids[1], "approve"))
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {
            "participant_id": person,
            "limit": 2,
            **({"cursor": cursor} if cursor else {}),
        }
        page = ok(api.get("/financing", params=params))
        seen += [a["application_id"] for a in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            break
    assert seen == ids
    only = ok(api.get("/financing", params={"participant_id": person, "status": "approved"}))
    assert [a["application_id"] for a in only["items"]] == [ids[1]] and only["next_cursor"] is None
    assert_refused(api.get("/financing", params={"status": "lost"}), 422, "validation_error")


# --- errors common to both -----------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/financial-reports", "/financing"])
def test_an_unknown_participant_gets_a_422_clients_may_retry(api: httpx.Client, path: str) -> None:
    stranger = str(uuid4())
    body = (
        {"participant_id": stranger, **YEAR_2023, "revenue": 1, "expenses": 1, "employees": 1}
        if path == "/financial-reports"
        else {"participant_id": stranger, "lender": "Bank DKI", "product": "KUR_MIKRO", "amount": 1}
    )
    refused = assert_refused(api.post(path, json=body), 422, "unknown_participant")
    assert refused["participant_id"] == stranger


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", f"/financial-reports/{MISSING}", None),
        ("POST", f"/financial-reports/{MISSING}/void", {"reason": "x"}),
        ("POST", f"/financial-reports/{MISSING}/correct", {"date": "2024-01-01", "reason": "x"}),
        ("GET", f"/financing/{MISSING}", None),
        ("POST", f"/financing/{MISSING}/approve", {"approved_amount": 1}),
        ("POST", f"/financing/{MISSING}/reject", {"reason": "x"}),
        ("POST", f"/financing/{MISSING}/disburse", {}),
        ("POST", f"/financing/{MISSING}/disbursement/void", {"reason": "x"}),
        (
            "POST",
            f"/financing/{MISSING}/disbursement/correct",
            {"date": "2024-01-01", "reason": "x"},
        ),
    ],
)
def test_an_unknown_report_or_application_is_404(
    api: httpx.Client, method: str, path: str, body: dict[str, Any] | None
) -> None:
    assert_refused(api.request(method, path, json=body), 404, "not_found")


REPORT = {"participant_id": MISSING, **YEAR_2023, "revenue": 1, "expenses": 1, "employees": 1}
APPLICATION = {"participant_id": MISSING, "lender": "Bank DKI", "product": "KUR_MIKRO", "amount": 1}


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/financial-reports", {**REPORT, "revenue": -1}, "revenue"),
        ("/financial-reports", {**REPORT, "expenses": 1.5}, "expenses"),
        ("/financial-reports", {**REPORT, "employees": -3}, "employees"),
        ("/financial-reports", {**REPORT, "period_end": "31-12-2023"}, "period_end"),
        ("/financial-reports", {**REPORT, "revenue": 10**20}, "revenue"),
        ("/financing", {**APPLICATION, "product": "PINJOL"}, "product"),
        ("/financing", {**APPLICATION, "amount": 0}, "amount"),
        ("/financing", {**APPLICATION, "lender": "  "}, "lender"),
        ("/financing", {**APPLICATION, "participant_id": "nobody"}, "participant_id"),
        (f"/financing/{MISSING}/approve", {"approved_amount": -5}, "approved_amount"),
        (f"/financing/{MISSING}/reject", {"reason": ""}, "reason"),
        (f"/financing/{MISSING}/disburse", {"amount": 0}, "amount"),
        (f"/financing/{MISSING}/disburse", {"extra": 1}, "extra"),
        (f"/financial-reports/{MISSING}/correct", {"reason": "x"}, "date"),
        (f"/financial-reports/{MISSING}/void", {"reason": "x", "by": "o"}, "by"),
        (f"/financing/{MISSING}/disbursement/void", {"reason": " "}, "reason"),
        ("/financial-reports/not-a-uuid/void", {"reason": "x"}, "report_id"),
    ],
)
def test_malformed_requests_get_a_readable_422(
    api: httpx.Client, path: str, body: dict[str, Any], words: str
) -> None:
    assert words in assert_refused(api.post(path, json=body), 422, "validation_error")["detail"]


def test_ready_when_database_and_kafka_are_reachable(api: httpx.Client) -> None:
    ready = api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}
    assert api.get("/docs").status_code == 200
    paths = api.get("/openapi.json").json()["paths"]
    assert paths["/financing/{application_id}/disburse"]["post"]["summary"] == "Record the disbursement"


# --- events --------------------------------------------------------------------------------------------


async def test_every_fact_reaches_the_topic_with_the_profile_and_no_personal_data(
    services: Services, stack: Stack
) -> None:
    with client(services.registration) as registrar, client(services.finance, OFFICER) as api:
        person = register(registrar)
        pid = person.participant_id
        lender, reason, typo = free_text("Bank DKI"), free_text("insufficient collateral"), free_text("typo")
        report = created(submit(api, pid))["report_id"]
        fix = {"reason": typo}
        ok(api.post(f"/financial-reports/{report}/correct", json={"date": "2024-01-20", **fix}))
        ok(api.post(f"/financial-reports/{report}/void", json=fix))
        application = created(apply(api, pid, lender=lender))["application_id"]
        ok(step(api, application, "approve"))
        ok(step(api, application, "disburse"))
        ok(api.post(f"/financing/{application}/disbursement/correct", json={"date": "2024-02-25", **fix}))
        ok(api.post(f"/financing/{application}/disbursement/void", json=fix))
        ok(step(api, application, "disburse", amount=30_000_000, disbursed_on="2024-03-04"))
        ok(
            step(
                api,
                created(apply(api, pid, applied_on="2024-04-01"))["application_id"],
                "reject",
                rejected_on="2024-04-02",
                reason=reason,
            )
        )
        assert ok(api.get(f"/financing/{application}"))["lender"] == lender  # answered from the database
    expected = 11
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("finance"),
        until=lambda seen: sum(r.key == pid.encode() for r in seen) >= expected,
    )
    mine = [r for r in records if r.key == pid.encode()]
    for record in mine:
        for personal in ("nik", "full_name", "phone", "birth_date"):
            assert person.request[personal].encode() not in record.value
        for text in (lender, reason, typo):
            assert text.encode() not in record.value, "free text stays in the finance database"
    decoded = [decode(r.value) for r in mine]
    events = [event for _, event in decoded]
    assert [type(e) for e in events] == [
        FinancialReportSubmitted,
        FactCorrected,
        FactVoided,
        FinancingApplied,
        FinancingApproved,
        FinancingDisbursed,
        FactCorrected,
        FactVoided,
        FinancingDisbursed,
        FinancingApplied,
        FinancingRejected,
    ]
    assert [envelope.occurred_on.isoformat() for envelope, _ in decoded] == [
        "2024-01-15",
        "2024-01-20",
        "2024-01-20",
        "2024-02-01",
        "2024-02-20",
        "2024-03-01",
        "2024-02-25",
        "2024-02-25",
        "2024-03-04",
        "2024-04-01",
        "2024-04-02",
    ]
    profile = _profile_of(person.response)
    assert all(_profile(e) == profile for e in events)
    corrected_report, voided_report = events[1], events[2]
    assert isinstance(corrected_report, FactCorrected) and isinstance(voided_report, FactVoided)
    assert corrected_report.fact_type == "FinancialReportSubmitted"
    assert corrected_report.previous_on == date(2024, 1, 15) and corrected_report.by == "officer-17"
    assert isinstance(corrected_report.fact, FinancialReportSubmitted)
    assert str(corrected_report.fact.report_id) == report
    assert corrected_report.fact.submitted_on == date(2024, 1, 20) == _date(voided_report, "submitted_on")
    corrected_paid, voided_paid, paid_again = events[6], events[7], events[8]
    assert isinstance(corrected_paid, FactCorrected) and isinstance(voided_paid, FactVoided)
    assert corrected_paid.fact_type == voided_paid.fact_type == "FinancingDisbursed"
    assert corrected_paid.previous_on == date(2024, 3, 1)
    assert _date(corrected_paid, "disbursed_on") == date(2024, 2, 25) == _date(voided_paid, "disbursed_on")
    assert isinstance(paid_again, FinancingDisbursed)
    assert (str(paid_again.application_id), paid_again.amount) == (application, 30_000_000)


def _date(correction: FactCorrected | FactVoided, field: str) -> date:
    value: date = getattr(correction.fact, field)
    return value


def _profile(event: EventPayload) -> ParticipantProfile:
    """The profile a finance event carries: on the fact itself for corrections and voids."""
    fact = event.fact if isinstance(event, FactCorrected | FactVoided) else event
    return ParticipantProfile.model_validate(fact.model_dump()["profile"])


def _profile_of(p: dict[str, Any]) -> ParticipantProfile:
    """The profile registration's own answer implies: what every finance event must carry."""
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
