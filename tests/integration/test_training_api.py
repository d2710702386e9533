"""The training API over real HTTP on SQLite and PostgreSQL: classes, enrolment, completion, placement."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import ConsumerRecord

from devstack.app_server import AppServer
from shared.auth import Role
from shared.contracts.codec import decode
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.events import ParticipantPlaced, TrainingCompleted
from shared.dates import jakarta_today
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.scenario import History, post
from tests.integration.stack import Stack
from tests.pii_scan import free_text
from tests.tokens import ADMIN, bearer

MISSING = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def servers(request: pytest.FixtureRequest, stack: Stack) -> tuple[AppServer, AppServer]:
    return stack.registration(request.param), stack.producing("training", request.param)


@pytest.fixture
async def api(servers: tuple[AppServer, AppServer]) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(headers=ADMIN, base_url=servers[1].url, timeout=30) as http:
        yield http


async def registered(servers: tuple[AppServer, AppServer], on: date) -> str:
    async with httpx.AsyncClient(headers=ADMIN, base_url=servers[0].url) as http:
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


async def completed(
    servers: tuple[AppServer, AppServer],
    api: httpx.AsyncClient,
    *,
    pid: str | None = None,
    completed_on: str = "2023-03-20",
    **class_overrides: Any,
) -> tuple[str, dict[str, Any]]:
    """A class completed by a participant (a fresh one unless given): its completion path and body."""
    pid = pid or await registered(servers, date(2023, 1, 5))
    cls = await new_class(api, **class_overrides)
    path = f"/classes/{cls['class_id']}"
    history = History()
    assert await post(
        api, f"{path}/enrollments", {"participant_id": pid, "enrolled_on": "2023-03-01"}, history
    )
    done = await post(
        api, f"{path}/completions", {"participant_id": pid, "completed_on": completed_on}, history
    )
    assert done is not None, history.refused
    return f"{path}/completions/{pid}", done


async def placed(api: httpx.AsyncClient, pid: str, placed_on: str) -> dict[str, Any]:
    response = await api.post(
        "/placements", json={"participant_id": pid, "employer": "PT Maju", "placed_on": placed_on}
    )
    assert response.status_code == 201, response.text
    return dict(response.json())


async def correct(
    api: httpx.AsyncClient, path: str, on: str, by: str = "officer-17", **extra: Any
) -> httpx.Response:
    body = {"date": on, "reason": "typed the wrong day", **extra}
    return await api.post(f"{path}/correct", json=body, headers=bearer(Role.ADMIN, subject=by))


async def void(api: httpx.AsyncClient, path: str, by: str = "officer-17", **extra: Any) -> httpx.Response:
    body = {"reason": "recorded for the wrong participant", **extra}
    return await api.post(f"{path}/void", json=body, headers=bearer(Role.ADMIN, subject=by))


def assert_refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"]
    return body


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
        "withdrawn_on": None,
        "state": "enrolled",
    }
    for completed_on, code in (("2023-04-01", "rule_violation"), ("2023-02-25", "rule_violation")):
        refused = await api.post(
            f"{path}/completions", json={"participant_id": pid, "completed_on": completed_on}
        )
        assert refused.status_code == 422 and refused.json()["code"] == code
    done = await api.post(f"{path}/completions", json={"participant_id": pid, "completed_on": "2023-03-30"})
    assert done.status_code == 201 and done.json() == {
        "class_id": cls["class_id"],
        "participant_id": pid,
        "program": "entrepreneurship",
        "enrolled_on": "2023-02-20",
        "completed_on": "2023-03-30",
        "voided": False,
    }
    assert (await api.get(f"{path}/completions/{pid}")).json() == done.json()
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


async def test_a_completion_is_corrected_under_the_rules_of_the_original(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    path, done = await completed(servers, api)
    corrected = await correct(api, path, "2023-03-02")
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == {**done, "completed_on": "2023-03-02"}
    assert (await api.get(path)).json() == corrected.json()
    assert (await correct(api, path, "2023-03-02")).json() == corrected.json()  # nothing left to correct
    tomorrow = str(jakarta_today() + timedelta(days=1))
    for on, words in [
        ("2023-02-28", "before enrolled_on"),
        ("2023-04-01", "outside the class dates"),
        (tomorrow, "after today"),
    ]:
        assert words in assert_refused(await correct(api, path, on), 422, "rule_violation")["detail"]
    assert (await api.get(path)).json() == corrected.json()


async def test_a_corrected_completion_does_not_precede_registration(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    pid = await registered(servers, date(2023, 3, 10))
    cls = await new_class(api)
    path = f"/classes/{cls['class_id']}"
    history = History()
    assert await post(
        api, f"{path}/enrollments", {"participant_id": pid, "enrolled_on": "2023-03-10"}, history
    )
    assert await post(
        api, f"{path}/completions", {"participant_id": pid, "completed_on": "2023-03-20"}, history
    )
    early = await correct(api, f"{path}/completions/{pid}", "2023-03-09")
    assert "registration" in assert_refused(early, 422, "rule_violation")["detail"]


async def test_a_voided_completion_is_kept_and_may_be_recorded_again(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    path, done = await completed(servers, api)
    voided = await void(api, path)
    assert voided.status_code == 200, voided.text
    assert voided.json() == {**done, "voided": True}
    assert (await api.get(path)).json() == voided.json()
    assert_refused(await void(api, path), 409, "already_voided")
    assert_refused(await correct(api, path, "2023-03-21"), 409, "already_voided")
    class_path, pid = path.rsplit("/completions/", 1)
    again = await api.post(
        f"{class_path}/completions", json={"participant_id": pid, "completed_on": "2023-03-25"}
    )
    assert again.status_code == 201, again.text
    assert again.json() == {**done, "completed_on": "2023-03-25"}
    assert (await api.get(path)).json() == again.json()  # the completion that stands now
    twice = await api.post(
        f"{class_path}/completions", json={"participant_id": pid, "completed_on": "2023-03-26"}
    )
    assert_refused(twice, 409, "already_completed")
    assert (await correct(api, path, "2023-03-26")).json()["completed_on"] == "2023-03-26"


async def test_a_placement_is_corrected_and_voided_once(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    _, done = await completed(servers, api, program="vocational")
    placement = await placed(api, done["participant_id"], "2023-05-01")
    assert placement["voided"] is False
    at = f"/placements/{placement['placement_id']}"
    assert (await api.get(at)).json() == placement
    corrected = await correct(api, at, "2023-03-20")  # the day of the vocational completion itself
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == {**placement, "placed_on": "2023-03-20"}
    tomorrow = str(jakarta_today() + timedelta(days=1))
    for on, words in [("2023-03-19", "before the first vocational completion"), (tomorrow, "after today")]:
        assert words in assert_refused(await correct(api, at, on), 422, "rule_violation")["detail"]
    voided = await void(api, at)
    assert voided.status_code == 200, voided.text
    assert voided.json() == {**corrected.json(), "voided": True}
    assert (await api.get(at)).json() == voided.json()
    assert_refused(await void(api, at), 409, "already_voided")
    assert_refused(await correct(api, at, "2023-03-25"), 409, "already_voided")


async def test_a_vocational_completion_a_placement_relies_on_stays(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    long_class = {"program": "vocational", "starts_on": "2023-03-01", "ends_on": "2023-06-30"}
    first, done = await completed(servers, api, completed_on="2023-03-20", **long_class)
    pid = done["participant_id"]
    placement = await placed(api, pid, "2023-04-15")
    refused = assert_refused(await void(api, first), 409, "placement_depends_on_it")
    assert refused["placement_id"] == placement["placement_id"]
    assert_refused(await correct(api, first, "2023-04-16"), 409, "placement_depends_on_it")
    assert (await correct(api, first, "2023-04-15")).status_code == 200  # the placement still follows it
    entrepreneurship, _ = await completed(servers, api, pid=pid)
    assert (await void(api, entrepreneurship)).status_code == 200  # placements rely on vocational ones only
    second, _ = await completed(servers, api, pid=pid, completed_on="2023-04-01", **long_class)
    assert (await void(api, first)).status_code == 200  # the second completion supports the placement
    assert_refused(await void(api, second), 409, "placement_depends_on_it")
    assert (await void(api, f"/placements/{placement['placement_id']}")).status_code == 200
    assert (await void(api, second)).status_code == 200
    assert (await api.get(first)).json()["voided"] and (await api.get(second)).json()["voided"]


async def test_voiding_a_completion_racing_a_placement_never_orphans_it(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    for _ in range(3):
        path, done = await completed(servers, api, program="vocational")
        body = {"participant_id": done["participant_id"], "employer": "PT Maju", "placed_on": "2023-05-01"}
        voided, placement = await asyncio.gather(void(api, path), api.post("/placements", json=body))
        # Exactly one wins: the void (no completion left to place after) or the placement (which needs it).
        assert (voided.status_code, placement.status_code) in {(200, 422), (409, 201)}, (
            voided.text,
            placement.text,
        )
        if voided.status_code == 409:
            assert voided.json()["code"] == "placement_depends_on_it"
        else:
            assert placement.json()["code"] == "no_vocational_completion"


async def test_concurrent_voids_of_one_completion_succeed_exactly_once(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    path, _ = await completed(servers, api)
    responses = await asyncio.gather(*(void(api, path) for _ in range(8)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_voided"}


async def test_unknown_completions_and_placements_are_404(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient
) -> None:
    pid = await registered(servers, date(2023, 1, 5))
    cls = await new_class(api)
    history = History()
    path = f"/classes/{cls['class_id']}"
    assert await post(
        api, f"{path}/enrollments", {"participant_id": pid, "enrolled_on": "2023-03-01"}, history
    )
    for missing in (
        f"{path}/completions/{pid}",
        f"/classes/{MISSING}/completions/{pid}",
        f"/placements/{MISSING}",
    ):
        assert_refused(await api.get(missing), 404, "not_found")
        assert_refused(await correct(api, missing, "2023-03-10"), 404, "not_found")
        assert_refused(await void(api, missing), 404, "not_found")


@pytest.mark.parametrize(
    ("action", "body", "words"),
    [
        ("correct", {"date": "2023-02-30", "reason": "x"}, "date"),
        ("correct", {"date": "2023-03-10", "reason": "x", "by": "o-1"}, "by"),
        ("void", {"reason": ""}, "reason"),
        ("void", {"reason": "x", "date": "2023-03-10"}, "date"),
    ],
    ids=["bad-date", "officer-in-body", "empty-reason", "extra-field"],
)
@pytest.mark.parametrize("fact", ["completion", "placement"])
async def test_malformed_corrections_get_a_readable_422(
    api: httpx.AsyncClient, fact: str, action: str, body: dict[str, Any], words: str
) -> None:
    path = f"/classes/{MISSING}/completions/{MISSING}" if fact == "completion" else f"/placements/{MISSING}"
    response = await api.post(f"{path}/{action}", json=body)
    assert words in assert_refused(response, 422, "validation_error")["detail"]


async def test_corrections_and_voids_reach_the_topic_in_the_facts_own_shape(
    servers: tuple[AppServer, AppServer], api: httpx.AsyncClient, stack: Stack
) -> None:
    title = free_text("Barista")
    reasons = [free_text(why) for why in ("contract date", "wrong participant", "typo", "twice")]
    path, done = await completed(servers, api, program="vocational", title=title)
    pid, class_id = done["participant_id"], done["class_id"]
    assert (await api.get(f"/classes/{class_id}")).json()["title"] == title  # answered from the database
    placement = await placed(api, pid, "2023-05-01")
    at = f"/placements/{placement['placement_id']}"
    assert (await correct(api, at, "2023-04-20", reason=reasons[0])).status_code == 200
    assert (await void(api, at, by="officer-9", reason=reasons[1])).status_code == 200
    assert (await correct(api, path, "2023-03-15", reason=reasons[2])).status_code == 200
    assert (await void(api, path, reason=reasons[3])).status_code == 200
    class_path = path.rsplit("/completions/", 1)[0]
    again = await api.post(
        f"{class_path}/completions", json={"participant_id": pid, "completed_on": "2023-03-18"}
    )
    assert again.status_code == 201, again.text

    def about(seen: list[ConsumerRecord], some_id: str, event_type: bytes) -> list[Any]:
        return [
            decode(r.value)
            for r in seen
            if f'"{some_id}"'.encode() in r.value and dict(r.headers)["event_type"] == event_type
        ]

    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("training"),
        until=lambda seen: (
            len(about(seen, class_id, b"TrainingCompleted")) == 2
            and bool(about(seen, class_id, b"TrainingClassScheduled"))
        ),
    )
    assert all(r.key == pid.encode() for r in records if f'"{pid}"'.encode() in r.value)
    assert about(records, class_id, b"TrainingClassScheduled")
    for text in (title, *reasons):
        assert not any(text.encode() in r.value for r in records), "free text stays in the training database"

    [(_, placed_event)] = about(records, placement["placement_id"], b"ParticipantPlaced")
    [(envelope, corrected)] = about(records, placement["placement_id"], b"FactCorrected")
    assert isinstance(placed_event, ParticipantPlaced) and isinstance(corrected, FactCorrected)
    assert envelope.occurred_on == date(2023, 4, 20) and corrected.previous_on == date(2023, 5, 1)
    assert corrected.fact == placed_event.model_copy(update={"placed_on": date(2023, 4, 20)})
    assert (corrected.fact_type, corrected.by) == ("ParticipantPlaced", "officer-17")
    [(_, voided)] = about(records, placement["placement_id"], b"FactVoided")
    assert isinstance(voided, FactVoided) and voided.fact == corrected.fact
    assert voided.by == "officer-9"

    (_, first), (_, second) = about(records, class_id, b"TrainingCompleted")
    assert isinstance(first, TrainingCompleted) and isinstance(second, TrainingCompleted)
    [(envelope, corrected)] = about(records, class_id, b"FactCorrected")
    assert isinstance(corrected, FactCorrected) and corrected.fact_type == "TrainingCompleted"
    assert corrected.fact == first.model_copy(update={"completed_on": date(2023, 3, 15)})
    assert (envelope.occurred_on, corrected.previous_on) == (date(2023, 3, 15), date(2023, 3, 20))
    [(_, voided)] = about(records, class_id, b"FactVoided")
    assert isinstance(voided, FactVoided) and voided.fact == corrected.fact and voided.by == "officer-17"
    assert second == first.model_copy(update={"completed_on": date(2023, 3, 18)})
