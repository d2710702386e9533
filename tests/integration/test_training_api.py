"""The training API over real HTTP on SQLite and PostgreSQL: classes, enrolment, completion, placement."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from devstack.app_server import AppServer
from shared.dates import jakarta_today
from tests.integration.people import participant
from tests.integration.scenario import History, post
from tests.integration.stack import Stack


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def servers(request: pytest.FixtureRequest, stack: Stack) -> tuple[AppServer, AppServer]:
    return stack.registration(request.param), stack.producing("training", request.param)


@pytest.fixture
async def api(servers: tuple[AppServer, AppServer]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=servers[1].url, timeout=30) as http:
        yield http


async def registered(servers: tuple[AppServer, AppServer], on: date) -> str:
    async with httpx.AsyncClient(base_url=servers[0].url) as http:
        body = participant(random.Random(), random.randrange(1, 9000), on)
        response = await http.post("/participants", json=body)
        assert response.status_code == 201, response.text
        return str(response.json()["participant_id"])


async def new_class(api: httpx.AsyncClient, **overrides: Any) -> dict[str, Any]:
    body = {
        "title": "Kewirausahaan Dasar",
        "program": "entrepreneurship",
        "kota_code": "31.74",
        "starts_on": "2023-03-01",
        "ends_on": "2023-03-31",
        "capacity": 2,
        **overrides,
    }
    response = await api.post("/classes", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


async def test_enrol_and_complete_within_the_class_dates(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    pid = await registered(servers, date(2023, 1, 5))
    cls = await new_class(api)
    path = f"/classes/{cls['class_id']}"
    history = History()
    enrolled = await post(
        api, f"{path}/enrollments", {"participant_id": pid, "enrolled_on": "2023-02-20"}, history
    )
    assert enrolled is not None, history.refused
    assert enrolled == {
        "class_id": cls["class_id"],
        "participant_id": pid,
        "enrolled_on": "2023-02-20",
        "completed_on": None,
    }
    for completed_on, code in (("2023-04-01", "rule_violation"), ("2023-02-25", "rule_violation")):
        refused = await api.post(
            f"{path}/completions", json={"participant_id": pid, "completed_on": completed_on}
        )
        assert refused.status_code == 422 and refused.json()["code"] == code
    done = await api.post(f"{path}/completions", json={"participant_id": pid, "completed_on": "2023-03-30"})
    assert done.status_code == 201 and done.json()["completed_on"] == "2023-03-30"
    again = await api.post(f"{path}/completions", json={"participant_id": pid, "completed_on": "2023-03-30"})
    assert again.status_code == 409 and again.json()["code"] == "already_completed"
    assert (await api.get(path)).json()["enrolled"] == 1


async def test_enrolment_rules(servers: tuple[AppServer, AppServer], api: httpx.AsyncClient) -> None:
    pids = [await registered(servers, date(2023, 1, 5)) for _ in range(4)]
    history = History()
    cls = await new_class(api, capacity=2)
    path = f"/classes/{cls['class_id']}/enrollments"
    results = await asyncio.gather(
        *(post(api, path, {"participant_id": pid, "enrolled_on": "2023-02-01"}, history) for pid in pids)
    )
    assert sum(r is not None for r in results) == 2 and history.refused["class_full"] == 2
    first = next(pid for pid, r in zip(pids, results, strict=True) if r is not None)
    repeat = await api.post(path, json={"participant_id": first, "enrolled_on": "2023-02-01"})
    assert repeat.status_code == 409 and repeat.json()["code"] == "already_enrolled"
    roomy = await new_class(api, capacity=10)
    roomy_path = f"/classes/{roomy['class_id']}/enrollments"
    early = await api.post(roomy_path, json={"participant_id": pids[0], "enrolled_on": "2023-01-04"})
    assert early.status_code == 422 and "registration" in early.json()["detail"]
    unknown = await api.post(roomy_path, json={"participant_id": "00000000-0000-4000-8000-000000000000"})
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_participant"
    missing = await api.post(
        "/classes/00000000-0000-4000-8000-000000000000/enrollments", json={"participant_id": pids[0]}
    )
    assert missing.status_code == 404


async def test_completion_needs_an_enrolment(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    pid = await registered(servers, date(2023, 1, 5))
    cls = await new_class(api)
    history = History()
    body = {"participant_id": pid, "completed_on": "2023-03-10"}
    assert await post(api, f"/classes/{cls['class_id']}/completions", body, history) is None
    assert history.refused["not_enrolled"] == 1


async def test_placement_follows_a_vocational_completion(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    pid = await registered(servers, date(2023, 1, 5))
    history = History()
    placement = {"participant_id": pid, "employer": "PT Maju", "placed_on": "2023-05-01"}
    assert await post(api, "/placements", placement, history) is None
    assert history.refused["no_vocational_completion"] == 1
    cls = await new_class(api, program="vocational", format="mobile_unit")
    path = f"/classes/{cls['class_id']}"
    assert await post(
        api, f"{path}/enrollments", {"participant_id": pid, "enrolled_on": "2023-03-01"}, history
    )
    assert await post(
        api, f"{path}/completions", {"participant_id": pid, "completed_on": "2023-03-20"}, history
    )
    before = await api.post("/placements", json={**placement, "placed_on": "2023-03-19"})
    assert before.status_code == 422
    placed = await api.post("/placements", json=placement)
    assert placed.status_code == 201 and placed.json()["placed_on"] == "2023-05-01"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"ends_on": "2023-02-01"}, "rule_violation"),
        ({"kota_code": "31.99"}, "rule_violation"),
        ({"program": "other"}, "validation_error"),
        ({"capacity": 0}, "validation_error"),
        ({"starts_on": "2017-01-01", "ends_on": "2017-02-01"}, "rule_violation"),
    ],
)
async def test_bad_classes_are_refused(api: httpx.AsyncClient, overrides: dict[str, Any], code: str) -> None:
    body = {
        "title": "K",
        "program": "entrepreneurship",
        "kota_code": "31.74",
        "starts_on": "2023-03-01",
        "ends_on": "2023-03-31",
        "capacity": 5,
        **overrides,
    }
    response = await api.post("/classes", json=body)
    assert response.status_code == 422 and response.json()["code"] == code


async def test_future_completion_dates_are_refused(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    pid = await registered(servers, jakarta_today() - timedelta(days=3))
    today = jakarta_today()
    cls = await new_class(
        api, starts_on=str(today - timedelta(days=2)), ends_on=str(today + timedelta(days=30))
    )
    path = f"/classes/{cls['class_id']}"
    assert await post(api, f"{path}/enrollments", {"participant_id": pid}, History())
    tomorrow = await api.post(
        f"{path}/completions", json={"participant_id": pid, "completed_on": str(today + timedelta(days=1))}
    )
    assert tomorrow.status_code == 422 and "after today" in tomorrow.json()["detail"]
