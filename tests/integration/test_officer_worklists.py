"""Officers' lists and bulk work over real HTTP, on SQLite and PostgreSQL (issue 13.7): training's class
list, roster, withdrawal and batch completion, permits' waiting work list, a mentor's caseload — each
area-scoped and refusing what it must with its documented code."""

from __future__ import annotations

import asyncio
import random
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
from shared.contracts.codec import decode
from shared.contracts.events import TrainingCompleted
from shared.dates import jakarta_today
from shared.web.paging import encode_cursor
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.tokens import bearer

HOME = {"kota_code": "31.74", "kecamatan_code": "31.74.01", "kelurahan_code": "31.74.01.1001"}
ELSEWHERE = "31.71"
MISSING = "00000000-0000-4000-8000-000000000000"
TODAY = jakarta_today()
LONG_AGO = date(2023, 1, 2)  # every participant here registered then, before every fact


@dataclass(frozen=True)
class Servers:
    registration: AppServer
    training: AppServer
    permits: AppServer
    mentoring: AppServer


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def servers(request: pytest.FixtureRequest, stack: Stack) -> Servers:
    database = request.param
    return Servers(
        stack.registration(database),
        stack.producing("training", database),
        stack.producing("permits", database),
        stack.producing("mentoring", database),
    )


@pytest.fixture
def training(servers: Servers) -> Iterator[httpx.Client]:
    with client(servers.training) as http:
        yield http


@pytest.fixture
def permits(servers: Servers) -> Iterator[httpx.Client]:
    with client(servers.permits) as http:
        yield http


@pytest.fixture
def mentoring(servers: Servers) -> Iterator[httpx.Client]:
    with client(servers.mentoring) as http:
        yield http


def register(servers: Servers, agency: str = "PPKUKM", domicile: dict[str, str] = HOME) -> str:
    body = participant(random.Random(), random.randrange(1, 9000), LONG_AGO)
    body |= {"domicile": domicile, "agency": agency}
    with client(servers.registration) as http:
        response = http.post("/participants", json=body)
    assert response.status_code == 201, response.text
    return str(response.json()["participant_id"])


def once_known(send: Callable[[], httpx.Response]) -> httpx.Response:
    """The answer once the service has heard of the participant (registration reaches it within a second)."""
    deadline = time.monotonic() + 20
    while True:
        response = send()
        if response.json().get("code") != "unknown_participant" or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def ok(response: httpx.Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"], body
    return body


def every_page(http: httpx.Client, path: str, key: str, **params: Any) -> list[Any]:
    """The `key` of every item, following cursors two at a time."""
    seen: list[Any] = []
    cursor: str | None = None
    while True:
        page = ok(http.get(path, params={**params, "limit": 2, **({"cursor": cursor} if cursor else {})}))
        seen += [item[key] for item in page["items"]]
        if (cursor := page["next_cursor"]) is None:
            return seen


# --- training -------------------------------------------------------------------------------------------


def new_class(http: httpx.Client, **overrides: Any) -> str:
    body = {
        "title": "Kewirausahaan Dasar",
        "program": "entrepreneurship",
        "kota_code": HOME["kota_code"],
        "starts_on": "2023-03-01",
        "ends_on": "2023-03-31",
        "capacity": 5,
        **overrides,
    }
    return str(ok(http.post("/classes", json=body), 201)["class_id"])


def enrol(http: httpx.Client, class_id: str, pid: str, on: str = "2023-03-01") -> httpx.Response:
    body = {"participant_id": pid, "enrolled_on": on}
    return once_known(lambda: http.post(f"/classes/{class_id}/enrollments", json=body))


def withdraw(http: httpx.Client, class_id: str, pid: str, **body: Any) -> httpx.Response:
    body = {"reason": "pindah domisili", **body}
    return http.post(f"/classes/{class_id}/enrollments/{pid}/withdraw", json=body)


def test_classes_are_listed_by_start_date_filtered_and_paged(training: httpx.Client) -> None:
    year = 2019  # a year no other test here schedules classes in
    first = new_class(training, starts_on=f"{year}-05-01", ends_on=f"{year}-05-10", kota_code="31.71")
    vocational = new_class(
        training,
        starts_on=f"{year}-05-02",
        ends_on=f"{year}-05-20",
        kota_code="31.71",
        program="vocational",
        format="mobile_unit",
    )
    elsewhere = new_class(training, starts_on=f"{year}-05-03", ends_on=f"{year}-05-04", kota_code="31.72")
    later = new_class(training, starts_on=f"{year}-06-01", ends_on=f"{year}-06-30", kota_code="31.71")
    running = {"active_on": f"{year}-05-03"}

    assert every_page(training, "/classes", "class_id", **running) == [first, vocational, elsewhere]
    assert every_page(training, "/classes", "class_id", **running, kota_code="31.71") == [first, vocational]
    for only in ({"program": "vocational"}, {"format": "mobile_unit"}):
        assert every_page(training, "/classes", "class_id", **running, **only) == [vocational]
    assert later in every_page(training, "/classes", "class_id", kota_code="31.71")
    [shown] = ok(training.get("/classes", params={**running, "kota_code": "31.72"}))["items"]
    assert shown == ok(training.get(f"/classes/{elsewhere}"))
    assert shown["enrolled"] == 0 and shown["capacity"] == 5

    refused(training.get("/classes", params={"cursor": "garbage"}), 422, "rule_violation")
    refused(training.get("/classes", params={"cursor": encode_cursor(3)}), 422, "rule_violation")
    refused(training.get("/classes", params={"kota_code": "31.7"}), 422, "validation_error")
    refused(training.get("/classes", params={"active_on": "yesterday"}), 422, "validation_error")


def test_a_trainer_scoped_to_a_kota_lists_every_class(servers: Servers, training: httpx.Client) -> None:
    class_id = new_class(training, kota_code="31.72", starts_on="2019-07-01", ends_on="2019-07-05")
    with client(servers.training, bearer(Role.TRAINER, kota=ELSEWHERE)) as scoped:
        assert class_id in every_page(scoped, "/classes", "class_id", active_on="2019-07-01")


def test_the_roster_shows_each_enrolment_with_its_state_to_the_callers_area_only(
    servers: Servers, training: httpx.Client
) -> None:
    people = [register(servers) for _ in range(3)] + [register(servers, agency="SOSIAL")]
    class_id = new_class(training)
    for day, pid in zip(["2023-03-01", "2023-03-02", "2023-03-02", "2023-03-03"], people, strict=True):
        ok(enrol(training, class_id, pid, day), 201)
    completion = {"participant_id": people[0], "completed_on": "2023-03-31"}
    ok(training.post(f"/classes/{class_id}/completions", json=completion), 201)
    ok(withdraw(training, class_id, people[1], withdrawn_on="2023-03-05"))

    roster = f"/classes/{class_id}/enrollments"
    second_day = sorted(people[1:3])
    assert every_page(training, roster, "participant_id") == [people[0], *second_day, people[3]]
    items = {e["participant_id"]: e for e in ok(training.get(roster))["items"]}
    assert items[people[0]] == {
        "class_id": class_id,
        "participant_id": people[0],
        "enrolled_on": "2023-03-01",
        "completed_on": "2023-03-31",
        "withdrawn_on": None,
        "state": "completed",
    }
    assert (items[people[1]]["state"], items[people[1]]["withdrawn_on"]) == ("withdrawn", "2023-03-05")
    assert (items[people[2]]["state"], items[people[2]]["completed_on"]) == ("enrolled", None)
    assert ok(training.get(f"/classes/{class_id}"))["enrolled"] == 3  # the withdrawn one takes no place

    for headers, visible in [
        (bearer(Role.TRAINER, kota=HOME["kota_code"]), set(people)),
        (bearer(Role.TRAINER, agency="SOSIAL"), {people[3]}),
        (bearer(Role.TRAINER, kota=HOME["kota_code"], agency="PPKUKM"), set(people[:3])),
        (bearer(Role.TRAINER, kota=ELSEWHERE), set()),
    ]:
        with client(servers.training, headers) as scoped:
            assert set(every_page(scoped, roster, "participant_id")) == visible, headers

    refused(training.get(f"/classes/{MISSING}/enrollments"), 404, "not_found")
    refused(training.get(roster, params={"cursor": "garbage"}), 422, "rule_violation")


def test_a_withdrawal_frees_the_place_of_a_full_class_for_good(
    servers: Servers, training: httpx.Client
) -> None:
    first, second, waiting = (register(servers) for _ in range(3))
    class_id = new_class(training, capacity=2)
    ok(enrol(training, class_id, first), 201)
    ok(enrol(training, class_id, second), 201)
    refused(enrol(training, class_id, waiting), 409, "class_full")

    left = ok(withdraw(training, class_id, first, withdrawn_on="2023-03-04"))
    assert (left["state"], left["withdrawn_on"], left["enrolled_on"]) == (
        "withdrawn",
        "2023-03-04",
        "2023-03-01",
    )
    assert ok(training.get(f"/classes/{class_id}"))["enrolled"] == 1
    ok(enrol(training, class_id, waiting, "2023-03-05"), 201)
    assert ok(training.get(f"/classes/{class_id}"))["enrolled"] == 2

    gone = refused(enrol(training, class_id, first), 409, "enrollment_withdrawn")
    assert gone["withdrawn_on"] == "2023-03-04"
    completion = {"participant_id": first, "completed_on": "2023-03-31"}
    refused(training.post(f"/classes/{class_id}/completions", json=completion), 409, "enrollment_withdrawn")
    refused(withdraw(training, class_id, first), 409, "enrollment_withdrawn")


def test_a_completed_enrolment_cannot_be_withdrawn_until_its_completion_is_voided(
    servers: Servers, training: httpx.Client
) -> None:
    pid = register(servers)
    class_id = new_class(training)
    ok(enrol(training, class_id, pid), 201)
    completion = {"participant_id": pid, "completed_on": "2023-03-31"}
    ok(training.post(f"/classes/{class_id}/completions", json=completion), 201)
    kept = refused(withdraw(training, class_id, pid), 409, "already_completed")
    assert (
        "a completed enrolment cannot be withdrawn" in kept["detail"] and kept["completed_on"] == "2023-03-31"
    )
    ok(training.post(f"/classes/{class_id}/completions/{pid}/void", json={"reason": "wrong class"}))
    assert ok(withdraw(training, class_id, pid))["state"] == "withdrawn"


def test_a_withdrawal_is_refused_with_its_code_and_another_area_is_told_not_enrolled(
    servers: Servers, training: httpx.Client
) -> None:
    pid, stranger = register(servers), register(servers)
    class_id = new_class(training)
    ok(enrol(training, class_id, pid), 201)
    refused(withdraw(training, MISSING, pid), 404, "not_found")
    absent = refused(withdraw(training, class_id, stranger), 404, "not_found")
    assert absent["detail"] == f"participant {stranger} is not enrolled in class {class_id}"
    refused(withdraw(training, class_id, pid, withdrawn_on="2023-02-28"), 422, "rule_violation")
    future = (TODAY + timedelta(days=1)).isoformat()
    refused(withdraw(training, class_id, pid, withdrawn_on=future), 422, "rule_violation")
    refused(
        training.post(f"/classes/{class_id}/enrollments/{pid}/withdraw", json={}), 422, "validation_error"
    )
    refused(withdraw(training, class_id, pid, reason="  "), 422, "validation_error")
    for outside in (bearer(Role.TRAINER, kota=ELSEWHERE), bearer(Role.TRAINER, agency="SOSIAL")):
        with client(servers.training, outside) as scoped:
            hidden = refused(withdraw(scoped, class_id, pid), 404, "not_found")
            assert hidden["detail"] == f"participant {pid} is not enrolled in class {class_id}"
    with client(servers.training, bearer(Role.TRAINER, kota=HOME["kota_code"], subject="trainer-7")) as own:
        assert ok(withdraw(own, class_id, pid))["state"] == "withdrawn"


def test_a_batch_of_completions_gives_each_participant_its_own_result(
    servers: Servers, training: httpx.Client, stack: Stack
) -> None:
    done, also, not_enrolled, withdrawn, completed = (register(servers) for _ in range(5))
    class_id = new_class(training, capacity=10)
    for pid in (done, also, withdrawn, completed):
        ok(enrol(training, class_id, pid), 201)
    ok(withdraw(training, class_id, withdrawn))
    before = {"participant_id": completed, "completed_on": "2023-03-30"}
    ok(once_known(lambda: training.post(f"/classes/{class_id}/completions", json=before)), 201)
    once_known(
        lambda: training.post(f"/classes/{class_id}/completions", json={"participant_id": not_enrolled})
    )

    batch = [done, also, not_enrolled, withdrawn, completed, MISSING, done]
    body = {"completed_on": "2023-03-31", "participant_ids": batch}
    results = ok(training.post(f"/classes/{class_id}/completions/batch", json=body))["results"]
    assert [(r["index"], r["status"], r.get("code")) for r in results] == [
        (0, 201, None),
        (1, 201, None),
        (2, 422, "not_enrolled"),
        (3, 409, "enrollment_withdrawn"),
        (4, 409, "already_completed"),
        (5, 422, "unknown_participant"),
        (6, 409, "already_completed"),  # listed twice: completed once
    ]
    assert all(r["detail"] for r in results if r["status"] != 201)
    assert not any(pid in str(results) for pid in batch), "rows are named by index, never by id"
    for pid in (done, also):
        shown = ok(training.get(f"/classes/{class_id}/completions/{pid}"))
        assert (shown["completed_on"], shown["voided"]) == ("2023-03-31", False)
    roster = {
        e["participant_id"]: e["state"] for e in ok(training.get(f"/classes/{class_id}/enrollments"))["items"]
    }
    assert roster == {done: "completed", also: "completed", withdrawn: "withdrawn", completed: "completed"}

    def completions(seen: list[Any]) -> list[TrainingCompleted]:
        events = [decode(r.value)[1] for r in seen if class_id.encode() in r.value]
        return [e for e in events if isinstance(e, TrainingCompleted)]

    records = asyncio.run(
        read_topic(
            stack.infra.kafka_bootstrap,
            stack.topic("training"),
            until=lambda seen: len(completions(seen)) >= 3,
        )
    )
    assert sorted(str(e.participant_id) for e in completions(records)) == sorted([completed, done, also])


def test_a_batch_refuses_the_whole_request_only_for_the_class_or_its_shape(
    servers: Servers, training: httpx.Client
) -> None:
    pid = register(servers)
    class_id = new_class(training)
    ok(enrol(training, class_id, pid), 201)
    path = f"/classes/{class_id}/completions/batch"
    refused(
        training.post(
            f"/classes/{MISSING}/completions/batch",
            json={"completed_on": "2023-03-31", "participant_ids": [pid]},
        ),
        404,
        "not_found",
    )
    for body in (
        {"completed_on": "2023-03-31", "participant_ids": []},
        {"completed_on": "2023-03-31", "participant_ids": [str(uuid4()) for _ in range(501)]},
        {"participant_ids": [pid]},
        {"completed_on": "2023-03-31", "participant_ids": ["nobody"]},
        {"completed_on": "2023-03-31", "participant_ids": [pid], "dry_run": True},
    ):
        refused(training.post(path, json=body), 422, "validation_error")
    [outside_dates] = ok(training.post(path, json={"completed_on": "2023-04-01", "participant_ids": [pid]}))[
        "results"
    ]
    assert (outside_dates["status"], outside_dates["code"]) == (422, "rule_violation")
    assert "outside the class dates" in outside_dates["detail"]
    assert ok(training.get(f"/classes/{class_id}/enrollments"))["items"][0]["state"] == "enrolled"


def test_a_batch_answers_a_participant_of_another_area_as_unknown(
    servers: Servers, training: httpx.Client
) -> None:
    pid = register(servers)
    class_id = new_class(training)
    ok(enrol(training, class_id, pid), 201)
    body = {"completed_on": "2023-03-31", "participant_ids": [pid, MISSING]}
    for outside in (bearer(Role.TRAINER, kota=ELSEWHERE), bearer(Role.TRAINER, agency="SOSIAL")):
        with client(servers.training, outside) as scoped:
            hidden, unknown = ok(scoped.post(f"/classes/{class_id}/completions/batch", json=body))["results"]
            assert (hidden["status"], hidden["code"]) == (422, "unknown_participant")
            assert {k: v for k, v in hidden.items() if k != "index"} == {
                k: v for k, v in unknown.items() if k != "index"
            }
    with client(servers.training, bearer(Role.TRAINER, kota=HOME["kota_code"])) as own:
        results = ok(own.post(f"/classes/{class_id}/completions/batch", json=body))["results"]
    assert [r["status"] for r in results] == [201, 422]


# --- permits --------------------------------------------------------------------------------------------


def apply(http: httpx.Client, pid: str, applied_on: date, permit_type: str = "HKI") -> str:
    body = {"participant_id": pid, "permit_type": permit_type, "applied_on": applied_on.isoformat()}
    return str(ok(once_known(lambda: http.post("/permits", json=body)), 201)["permit_id"])


def test_the_work_list_holds_applications_waiting_oldest_first(
    servers: Servers, permits: httpx.Client
) -> None:
    pid = register(servers)
    ages = [45, 31, 30, 30, 29, 0]
    ids = {age_index: apply(permits, pid, TODAY - timedelta(days=age)) for age_index, age in enumerate(ages)}
    decided = apply(permits, pid, TODAY - timedelta(days=60))
    ok(permits.post(f"/permits/{decided}/reject", json={"reason": "berkas tidak lengkap"}))

    waiting = every_page(permits, "/permits", "permit_id", waiting_days=30, participant_id=pid)
    same_day = sorted([ids[2], ids[3]])
    assert waiting == [ids[0], ids[1], *same_day]
    page = ok(
        permits.get("/permits", params={"waiting_days": 30, "status": "applied", "participant_id": pid})
    )
    assert [p["waiting_days"] for p in page["items"]] == [45, 31, 30, 30]
    assert all(p["status"] == "applied" for p in page["items"])
    everything = every_page(permits, "/permits", "permit_id", waiting_days=0, participant_id=pid)
    assert everything == [ids[0], ids[1], *same_day, ids[4], ids[5]]
    assert ok(permits.get(f"/permits/{decided}"))["waiting_days"] is None
    assert ok(permits.get(f"/permits/{ids[5]}"))["waiting_days"] == 0

    refused(permits.get("/permits", params={"waiting_days": 30, "status": "issued"}), 422, "rule_violation")
    refused(permits.get("/permits", params={"waiting_days": -1}), 422, "validation_error")
    refused(
        permits.get("/permits", params={"waiting_days": 30, "cursor": encode_cursor(5)}),
        422,
        "rule_violation",
    )
    handed_out = ok(permits.get("/permits", params={"waiting_days": 0, "limit": 1}))["next_cursor"]
    refused(permits.get("/permits", params={"cursor": handed_out}), 422, "rule_violation")  # another list's


def test_the_work_list_shows_the_callers_area_only(servers: Servers, permits: httpx.Client) -> None:
    home, sosial = register(servers), register(servers, agency="SOSIAL")
    old = TODAY - timedelta(days=90)
    mine, theirs = apply(permits, home, old), apply(permits, sosial, old)
    for headers, visible, hidden in [
        (bearer(Role.PERMIT_OFFICER, kota=HOME["kota_code"]), {mine, theirs}, set()),
        (bearer(Role.PERMIT_OFFICER, agency="SOSIAL"), {theirs}, {mine}),
        (bearer(Role.PERMIT_OFFICER, kota=ELSEWHERE), set(), {mine, theirs}),
    ]:
        with client(servers.permits, headers) as scoped:
            listed = set(every_page(scoped, "/permits", "permit_id", waiting_days=90))
            assert visible <= listed and not hidden & listed, headers


# --- mentoring ------------------------------------------------------------------------------------------


def new_mentor(http: httpx.Client, kecamatan_code: str = HOME["kecamatan_code"]) -> str:
    body = {
        "staff_number": f"PJLP-{uuid4().hex[:8]}",
        "full_name": "Pendamping Selatan",
        "kecamatan_code": kecamatan_code,
        "assigned_on": LONG_AGO.isoformat(),
    }
    return str(ok(http.post("/mentors", json=body), 201)["mentor_id"])


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def hold(http: httpx.Client, pid: str, mentor_id: str, days_ago: int) -> str:
    body = {
        "participant_id": pid,
        "mentor_id": mentor_id,
        "held_on": ago(days_ago),
        "topic": "Keuangan",
    }
    return str(ok(once_known(lambda: http.post("/sessions", json=body)), 201)["session_id"])


def test_a_caseload_lists_the_mentors_participants_most_idle_first(
    servers: Servers, mentoring: httpx.Client
) -> None:
    mentor, other_mentor = new_mentor(mentoring), new_mentor(mentoring)
    recent, idle, idler, voided_only = (register(servers) for _ in range(4))
    for days_ago in (100, 3):
        hold(mentoring, recent, mentor, days_ago)
    hold(mentoring, idle, mentor, 30)
    hold(mentoring, idler, mentor, 45)
    hold(mentoring, idler, other_mentor, 1)  # another mentor's session: not this caseload's
    mistake = hold(mentoring, voided_only, mentor, 2)
    ok(mentoring.post(f"/sessions/{mistake}/void", json={"reason": "peserta salah"}))
    hold(mentoring, voided_only, other_mentor, 2)

    caseload = f"/mentors/{mentor}/caseload"
    assert every_page(mentoring, caseload, "participant_id") == [idler, idle, recent]
    items = ok(mentoring.get(caseload))["items"]
    assert items == [
        {"participant_id": pid, "last_session_on": ago(days), "idle_days": days, "sessions": sessions}
        for pid, days, sessions in [(idler, 45, 1), (idle, 30, 1), (recent, 3, 2)]
    ]
    assert every_page(mentoring, caseload, "participant_id", idle_days=30) == [idler, idle]
    assert every_page(mentoring, caseload, "participant_id", idle_days=31) == [idler]
    assert every_page(mentoring, caseload, "participant_id", idle_days=0) == [idler, idle, recent]
    assert every_page(mentoring, f"/mentors/{other_mentor}/caseload", "participant_id") == [
        voided_only,
        idler,
    ]

    refused(mentoring.get(f"/mentors/{MISSING}/caseload"), 404, "not_found")
    refused(mentoring.get(caseload, params={"idle_days": -1}), 422, "validation_error")
    refused(mentoring.get(caseload, params={"cursor": encode_cursor(2)}), 422, "rule_violation")


def test_a_caseload_shows_the_callers_area_only(servers: Servers, mentoring: httpx.Client) -> None:
    mentor = new_mentor(mentoring)
    home, sosial = register(servers), register(servers, agency="SOSIAL")
    hold(mentoring, home, mentor, 10)
    hold(mentoring, sosial, mentor, 20)
    caseload = f"/mentors/{mentor}/caseload"
    for headers, visible in [
        (bearer(Role.MENTOR, kota=HOME["kota_code"]), [sosial, home]),
        (bearer(Role.MENTOR, agency="SOSIAL"), [sosial]),
        (bearer(Role.MENTOR, kota=HOME["kota_code"], agency="PPKUKM"), [home]),
        (bearer(Role.MENTOR, kota=ELSEWHERE), []),
    ]:
        with client(servers.mentoring, headers) as scoped:
            assert every_page(scoped, caseload, "participant_id") == visible, headers
