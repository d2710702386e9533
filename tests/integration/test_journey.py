"""A participant's journey on reporting (issue 13 point 6, PRODUCT.md §4), through the HTTP APIs on real
Kafka and Redis: facts of several stage services in date order within a second of each write, a void shown
and no longer counted, a correction re-dated, for officers of the participant's area and admins only, and
the same journey after a rebuild from the topics."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest
from redis import Redis
from redis.asyncio import Redis as AsyncRedis

from devstack import Endpoints
from devstack.app_server import REPO_ROOT, AppServer
from services.reporting.projection.batch import Consumed, Partition, decoded
from services.reporting.store.applier import Applier
from services.reporting.store.fresh import FreshKeyspace
from services.reporting.store.journeys import Journeys
from services.reporting.store.keys import Keys
from services.reporting.store.keyspace import Keyspaces
from shared.auth import Role
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.envelope import EventPayload
from shared.contracts.events import ParticipantMentored, ParticipantRegistered
from tests import factories
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.tokens import bearer

HOME, KECAMATAN, ELSEWHERE = "31.74", "31.74.01", "31.71"
AGENCY, OTHER_AGENCY = "PPKUKM", "SOSIAL"
OFFICERS = [Role.REGISTRAR, Role.TRAINER, Role.MENTOR, Role.PERMIT_OFFICER, Role.MARKETING, Role.FINANCE]
OFFICER = bearer(Role.TRAINER, kota=HOME)
REASON = "salah input"
SERIALS = iter(range(7000, 8000))
SEEN: list[str] = []  # every participant this module gave a journey: the rebuild must restore them all


@dataclass(frozen=True)
class Servers:
    registration: AppServer
    training: AppServer
    mentoring: AppServer
    permits: AppServer
    reporting: AppServer
    mentor_id: str


@pytest.fixture(scope="module")
def servers(stack: Stack) -> Servers:
    names = ("registration", "training", "mentoring", "permits")
    started = {name: stack.producing(name) for name in names}
    reporting = stack.reporting()
    mentor = {
        "staff_number": f"PJLP-{uuid4().hex[:8]}",
        "full_name": "Pendamping Selatan",
        "kecamatan_code": KECAMATAN,
        "assigned_on": "2020-01-02",
    }
    with client(started["mentoring"]) as http:
        created = http.post("/mentors", json=mentor)
    assert created.status_code == 201, created.text
    ready = Servers(**started, reporting=reporting, mentor_id=created.json()["mentor_id"])
    # The consumer joins its group and reads the new topics once: seconds that no later write waits.
    first = register(ready, date(2020, 6, 1))
    _until(lambda: journey(ready, first), lambda r: r.status_code == 200)
    return ready


def _until(send: Callable[[], httpx.Response], done: Callable[[httpx.Response], bool]) -> httpx.Response:
    deadline = time.monotonic() + 20
    while not done(response := send()):
        assert time.monotonic() < deadline, response.text
        time.sleep(0.05)
    return response


def _created(response: httpx.Response, key: str) -> str:
    assert response.status_code in (200, 201), response.text
    return str(response.json()[key])


def register(servers: Servers, registered_on: date) -> str:
    body = participant(random.Random(3), next(SERIALS), registered_on)
    body["domicile"] = {"kota_code": HOME, "kecamatan_code": KECAMATAN, "kelurahan_code": f"{KECAMATAN}.1001"}
    body["agency"] = AGENCY
    with client(servers.registration) as http:
        pid = _created(http.post("/participants", json=body), "participant_id")
    SEEN.append(pid)
    return pid


def _known(response: httpx.Response) -> bool:
    """Stage services learn of a participant from registration's events, within a second."""
    return bool(response.json().get("code") != "unknown_participant")


def complete_class(servers: Servers, pid: str, on: date, program: str = "entrepreneurship") -> str:
    month = on.replace(day=1)
    course = {
        "title": "Kewirausahaan",
        "program": program,
        "kota_code": HOME,
        "starts_on": month.isoformat(),
        "ends_on": month.replace(day=28).isoformat(),
        "capacity": 5,
    }
    with client(servers.training) as http:
        class_id = _created(http.post("/classes", json=course), "class_id")
        enrol = {"participant_id": pid, "enrolled_on": month.isoformat()}
        _created(
            _until(lambda: http.post(f"/classes/{class_id}/enrollments", json=enrol), _known),
            "participant_id",
        )
        done = {"participant_id": pid, "completed_on": on.isoformat()}
        _created(http.post(f"/classes/{class_id}/completions", json=done), "participant_id")
    return class_id


def hold_session(servers: Servers, pid: str, on: date) -> str:
    held = {
        "participant_id": pid,
        "mentor_id": servers.mentor_id,
        "held_on": on.isoformat(),
        "topic": "Modal",
    }
    with client(servers.mentoring) as http:
        return _created(_until(lambda: http.post("/sessions", json=held), _known), "session_id")


def issue_permit(servers: Servers, pid: str, applied_on: date, issued_on: date) -> str:
    applied = {"participant_id": pid, "permit_type": "HALAL", "applied_on": applied_on.isoformat()}
    with client(servers.permits) as http:
        permit_id = _created(_until(lambda: http.post("/permits", json=applied), _known), "permit_id")
        issue = {"permit_number": f"HALAL-{uuid4().hex[:10]}", "issued_on": issued_on.isoformat()}
        _created(http.post(f"/permits/{permit_id}/issue", json=issue), "permit_id")
    return permit_id


def journey(servers: Servers, pid: str, headers: dict[str, str] | None = None) -> httpx.Response:
    with client(servers.reporting, OFFICER if headers is None else headers) as http:
        return http.get(f"/participants/{pid}/journey")


def facts(servers: Servers, pid: str) -> list[dict[str, Any]]:
    response = journey(servers, pid)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()["facts"]
    return found


def shown_within(servers: Servers, pid: str, shows: Callable[[list[dict[str, Any]]], bool]) -> float:
    """Seconds from now (the write's acknowledgement) until the journey shows what the write recorded."""
    began = time.monotonic()
    _until(lambda: journey(servers, pid), lambda r: r.status_code == 200 and shows(r.json()["facts"]))
    return time.monotonic() - began


def has(fact_id: str, **fields: Any) -> Callable[[list[dict[str, Any]]], bool]:
    return lambda found: any(f["fact_id"] == fact_id and fields.items() <= f.items() for f in found)


def summary(servers: Servers, day: date) -> dict[str, Any]:
    with client(servers.reporting) as http:
        response = http.get("/metrics/summary", params={"from": str(day), "to": str(day)})
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def test_facts_of_several_stage_services_show_in_date_order_within_a_second(
    servers: Servers, stack: Stack
) -> None:
    pid = register(servers, date(2021, 1, 4))
    latencies = [shown_within(servers, pid, has("registration"))]
    # Recorded out of date order, by three services.
    class_id = complete_class(servers, pid, date(2021, 3, 20))
    latencies.append(shown_within(servers, pid, has(class_id)))
    later_session = hold_session(servers, pid, date(2021, 2, 15))
    latencies.append(shown_within(servers, pid, has(later_session)))
    permit_id = issue_permit(servers, pid, date(2021, 4, 1), date(2021, 5, 3))
    latencies.append(shown_within(servers, pid, has(permit_id)))
    first_session = hold_session(servers, pid, date(2021, 1, 20))
    latencies.append(shown_within(servers, pid, has(first_session)))
    assert max(latencies) <= 1.0, latencies
    assert facts(servers, pid) == [
        _fact("registration", "registration", "ParticipantRegistered", "registration", "2021-01-04"),
        _fact("mentoring", "mentoring", "ParticipantMentored", first_session, "2021-01-20"),
        _fact("mentoring", "mentoring", "ParticipantMentored", later_session, "2021-02-15", counted=False),
        _fact("training", "training", "TrainingCompleted", class_id, "2021-03-20"),
        _fact("permits", "permits", "PermitIssued", permit_id, "2021-05-03"),
    ]
    with Redis.from_url(stack.infra.redis_url) as redis:
        used = redis.memory_usage(f"{stack.name}:j:{pid}")
    assert used is not None and used <= 120 + 60 * 5, used  # one small hash: key, and ~50 bytes a fact


def _fact(
    stage: str, service: str, event: str, fact_id: str, on: str, *, counted: bool = True, voided: bool = False
) -> dict[str, Any]:
    return {
        "stage": stage,
        "service": service,
        "event": event,
        "fact_id": fact_id,
        "on": on,
        "counted": counted,
        "voided": voided,
    }


def test_a_voided_fact_stays_on_the_journey_voided_and_no_longer_counts(servers: Servers) -> None:
    pid = register(servers, date(2021, 6, 1))
    first, second = date(2021, 6, 7), date(2021, 6, 14)
    voided = hold_session(servers, pid, first)
    kept = hold_session(servers, pid, second)
    shown_within(servers, pid, has(kept))
    assert (summary(servers, first)["mentored"], summary(servers, second)["mentored"]) == (1, 0)
    with client(servers.mentoring) as http:
        _created(http.post(f"/sessions/{voided}/void", json={"reason": REASON}), "session_id")
    assert shown_within(servers, pid, has(voided, voided=True)) <= 1.0
    mentoring = [f for f in facts(servers, pid) if f["stage"] == "mentoring"]
    assert [(f["fact_id"], f["on"], f["counted"], f["voided"]) for f in mentoring] == [
        (voided, "2021-06-07", False, True),
        (kept, "2021-06-14", True, False),
    ]
    # The figures agree: the participant is now counted on the session that remains.
    assert (summary(servers, first)["mentored"], summary(servers, second)["mentored"]) == (0, 1)


def test_a_correction_re_dates_the_fact_and_moves_it_in_the_journey(servers: Servers) -> None:
    pid = register(servers, date(2021, 8, 2))
    class_id = complete_class(servers, pid, date(2021, 9, 20))
    session = hold_session(servers, pid, date(2021, 9, 10))
    shown_within(servers, pid, has(session))
    assert [f["stage"] for f in facts(servers, pid)] == ["registration", "mentoring", "training"]
    with client(servers.training) as http:
        corrected = http.post(
            f"/classes/{class_id}/completions/{pid}/correct", json={"date": "2021-09-03", "reason": REASON}
        )
    assert corrected.status_code == 200, corrected.text
    assert shown_within(servers, pid, has(class_id, on="2021-09-03")) <= 1.0
    assert [(f["stage"], f["on"], f["counted"]) for f in facts(servers, pid)] == [
        ("registration", "2021-08-02", True),
        ("training", "2021-09-03", True),
        ("mentoring", "2021-09-10", True),
    ]
    trained = [summary(servers, date(2021, 9, day))["trained"] for day in (3, 20)]
    assert trained == [1, 0]  # the figures moved with it


def _answer(response: httpx.Response, real: str, unknown: str) -> tuple[int, Any]:
    return response.status_code, json.loads(response.text.replace(unknown, real))


def test_officers_of_the_participants_area_and_admins_read_it_and_nobody_else(
    servers: Servers, stack: Stack
) -> None:
    pid = register(servers, date(2021, 10, 4))
    shown_within(servers, pid, has("registration"))
    for role in OFFICERS:
        for kota, agency in ((HOME, None), (None, AGENCY), (HOME, AGENCY), (None, None)):
            allowed = journey(servers, pid, bearer(role, kota=kota, agency=agency))
            assert allowed.status_code == 200, (role, kota, agency)
    assert journey(servers, pid, bearer(Role.ADMIN)).status_code == 200
    for analyst in (bearer(Role.ANALYST), bearer(Role.ANALYST, kota=HOME)):
        refused = journey(servers, pid, analyst)
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden"), refused.text
    assert journey(servers, pid, {}).status_code == 401
    unknown = str(uuid4())
    subject = f"outsider-{uuid4().hex[:6]}"
    for kota, agency in ((ELSEWHERE, None), (None, OTHER_AGENCY), (HOME, OTHER_AGENCY)):
        headers = bearer(Role.REGISTRAR, subject=subject, kota=kota, agency=agency)
        refused, nobody = journey(servers, pid, headers), journey(servers, unknown, headers)
        assert refused.status_code == 404 and refused.json()["code"] == "not_found", refused.text
        assert _answer(refused, pid, pid) == _answer(nobody, pid, unknown), (kota, agency)
    with client(servers.reporting, OFFICER) as http:
        assert http.get("/participants/not-a-uuid/journey").status_code == 422
    audited = _audit_lines(servers.reporting, subject)
    assert len(audited) == 3 and {e["participant_id"] for e in audited} == {pid}
    assert {(e["audit"], e["route"], e["answered"]) for e in audited} == {
        ("refused_outside_area", "/participants/{participant_id}/journey", "not_found")
    }


def _audit_lines(server: AppServer, subject: str) -> list[dict[str, Any]]:
    deadline = time.monotonic() + 10
    while True:
        lines = (server.data_dir / f"{server.service}.log").read_text().splitlines()
        found = [e for e in map(_json_or_none, lines) if e and e.get("subject") == subject]
        if len(found) >= 3 or time.monotonic() > deadline:
            return found
        time.sleep(0.1)


def _json_or_none(line: str) -> dict[str, Any] | None:
    try:
        found = json.loads(line)
    except ValueError:
        return None
    return found if isinstance(found, dict) and found.get("audit") else None


def test_a_vocational_trainee_has_completion_and_placement_on_one_vocational_stage(servers: Servers) -> None:
    pid = register(servers, date(2022, 1, 3))
    class_id = complete_class(servers, pid, date(2022, 2, 18), program="vocational")
    with client(servers.training) as http:
        placed = {"participant_id": pid, "employer": "Kopi Kita", "placed_on": "2022-03-01"}
        placement_id = _created(http.post("/placements", json=placed), "placement_id")
    shown_within(servers, pid, has(placement_id))
    assert [(f["stage"], f["event"], f["fact_id"], f["counted"]) for f in facts(servers, pid)][1:] == [
        ("vocational", "TrainingCompleted", class_id, True),
        ("vocational", "ParticipantPlaced", placement_id, True),
    ]


def test_a_rebuild_from_the_topics_gives_every_journey_back_the_same(servers: Servers, stack: Stack) -> None:
    assert len(SEEN) >= 5, "runs after the tests that record journeys"
    before = {pid: facts(servers, pid) for pid in SEEN}
    env = {
        **os.environ,
        **stack.common_env(),
        "REPORTING_REDIS_URL": stack.infra.redis_url,
        "REPORTING_KEYSPACE": stack.name,
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.reporting.rebuild"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert {pid: facts(servers, pid) for pid in SEEN} == before
    with Redis.from_url(stack.infra.redis_url) as redis:  # the keyspace replaced went, journeys too
        assert list(redis.scan_iter(match=f"{stack.name}:j:*")) == []


def _history(rng: random.Random) -> tuple[list[ParticipantRegistered], list[EventPayload]]:
    """Registrations, and stage facts with corrections and voids (each after its fact, as on its topic)."""
    registrations: list[ParticipantRegistered] = []
    stage: list[EventPayload] = []
    for _ in range(40):
        pid = uuid4()
        profile = factories.profile(registered_on=date(2022, 1, 1) + timedelta(days=rng.randrange(60)))
        registrations.append(ParticipantRegistered(participant_id=pid, profile=profile))
        for _ in range(rng.randrange(4)):
            held = profile.registered_on + timedelta(days=rng.randrange(1, 90))
            fact = ParticipantMentored(
                session_id=uuid4(), participant_id=pid, mentor_id=uuid4(), held_on=held, profile=profile
            )
            stage.append(fact)
            if rng.random() < 0.3:
                moved = fact.model_copy(update={"held_on": held + timedelta(days=rng.randrange(1, 9))})
                by = "officer-1"
                stage.append(
                    FactCorrected(
                        participant_id=pid, fact_type=fact.event_type, fact=moved, previous_on=held, by=by
                    )
                )
                fact = moved
            if rng.random() < 0.3:
                stage.append(FactVoided(participant_id=pid, fact_type=fact.event_type, fact=fact, by="o-1"))
    return registrations, stage


async def test_redelivered_batches_and_a_fresh_rebuild_store_the_same_journeys(infra: Endpoints) -> None:
    rng = random.Random(17)
    registrations, stage = _history(rng)
    live, rebuilt = Keyspaces(f"journey-{uuid4().hex[:8]}"), Keyspaces(f"journey-{uuid4().hex[:8]}")
    reg, mentoring = Partition("registration", 0), Partition("mentoring", 0)
    async with AsyncRedis.from_url(infra.redis_url, decode_responses=True) as redis:
        applier = Applier(redis, live)
        topics: list[tuple[Partition, Sequence[EventPayload]]] = [(mentoring, stage), (reg, registrations)]
        for partition, events in topics:  # stage facts first
            offset = 0
            while offset < len(events):
                size = rng.randrange(1, 12)
                batch = [Consumed(offset + i, e) for i, e in enumerate(events[offset : offset + size])]
                for _ in range(rng.choice((1, 1, 2))):  # now and then delivered again
                    await applier.apply({partition: batch})
                offset += size
        fresh = FreshKeyspace(redis, Keys(rebuilt.base))
        await fresh.apply(
            {p: [decoded(Consumed(i, e)) for i, e in enumerate(events)] for p, events in topics}
        )
        await fresh.finish()
        expected = _last_word(stage)
        for event in registrations:
            pid = str(event.participant_id)
            stored = await redis.hgetall(Keys(live.base).journey(pid))
            assert stored == await redis.hgetall(Keys(rebuilt.base).journey(pid))
            journey = await Journeys(redis, live).of(pid)
            assert journey is not None and (journey.kota, journey.agency) == ("31.71", "PPKUKM")
            sessions = {(s.fact_id, s.on, s.voided) for s in journey.steps if s.fact_id != "registration"}
            assert sessions == expected.get(pid, set())


def _last_word(stage: Sequence[EventPayload]) -> dict[str, set[tuple[str, str, bool]]]:
    """Per participant, each session as its last event left it: (id, day, voided)."""
    last: dict[tuple[str, str], tuple[str, bool]] = {}
    for event in stage:
        fact = event.fact if isinstance(event, FactCorrected | FactVoided) else event
        assert isinstance(fact, ParticipantMentored)
        last[(str(fact.participant_id), str(fact.session_id))] = (
            str(fact.held_on),
            isinstance(event, FactVoided),
        )
    expected: dict[str, set[tuple[str, str, bool]]] = {}
    for (pid, session), (on, voided) in last.items():
        expected.setdefault(pid, set()).add((session, on, voided))
    return expected
