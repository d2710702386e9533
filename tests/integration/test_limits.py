"""Guards against careless or hostile clients: body size, request rates, and event-stream connections."""

from __future__ import annotations

import time
from collections.abc import Iterator
from uuid import uuid4

import httpx
import pytest
from redis import Redis

from devstack.app_server import AppServer
from shared.auth import Role
from tests.integration.stack import Stack, client
from tests.tokens import bearer

# 5 at once, then 2 a second; in a shared store, a window of 5 per 3 s.
RATES = {
    "LIMIT_WRITE_RATE_PER_S": "2",
    "LIMIT_WRITE_BURST": "5",
    "LIMIT_READ_RATE_PER_S": "2",
    "LIMIT_READ_BURST": "5",
}


def someone() -> str:
    """A subject of its own, so no other test (or earlier run, in the shared store) has spent its quota."""
    return f"officer-{uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def permits(stack: Stack) -> AppServer:
    return stack.producing("permits", LIMIT_MAX_BODY_BYTES="2048", **RATES)


def test_a_body_over_the_limit_is_refused_before_it_is_read(permits: AppServer) -> None:
    with client(permits, bearer(Role.PERMIT_OFFICER, Role.ANALYST, subject=someone())) as http:
        response = http.post(
            "/permits", content=b"{" + b" " * 4096 + b"}", headers={"content-type": "application/json"}
        )
        assert response.status_code == 413
        assert response.json()["code"] == "request_too_large"

        def chunks() -> Iterator[bytes]:
            yield b"{"
            for _ in range(10):
                yield b" " * 512

        streamed = http.post("/permits", content=chunks(), headers={"content-type": "application/json"})
        assert streamed.status_code == 413, streamed.text


def test_a_burst_of_writes_from_one_subject_is_slowed_with_retry_after(permits: AppServer) -> None:
    subject = someone()
    noisy = bearer(Role.PERMIT_OFFICER, subject=subject)
    same_person = bearer(Role.PERMIT_OFFICER, Role.ANALYST, subject=subject, kota="31.71")
    with client(permits, noisy) as http:
        statuses = [http.post("/permits", json={}).status_code for _ in range(8)]
        assert statuses[:5] == [422] * 5  # within the burst: the request itself is judged
        assert 429 in statuses[5:]
        refused = http.post("/permits", json={})
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert http.get("/permits").status_code == 200  # reads have a quota of their own
    with client(permits, same_person) as http:
        assert http.post("/permits", json={}).status_code == 429  # another token, the same subject
    with client(permits, bearer(Role.PERMIT_OFFICER, subject=someone())) as http:
        assert http.post("/permits", json={}).status_code == 422  # another subject has its own bucket


def test_reads_are_limited_apart_from_writes(permits: AppServer) -> None:
    with client(permits, bearer(Role.PERMIT_OFFICER, subject=someone())) as http:
        statuses = [http.get("/permits").status_code for _ in range(8)]
        assert statuses[:5] == [200] * 5 and 429 in statuses[5:]
        refused = http.get("/permits")
        assert refused.json()["code"] == "rate_limited" and int(refused.headers["retry-after"]) >= 1
        assert http.post("/permits", json={}).status_code == 422
        assert http.get("/healthz").status_code == 200  # probes are never refused


def test_two_instances_on_one_store_share_one_quota(stack: Stack) -> None:
    """Instances of one service with LIMIT_STORAGE_URI count a subject's requests together."""
    shared = {"LIMIT_STORAGE_URI": stack.infra.redis_url, **RATES}
    first = stack.producing("permits", **shared)
    second_db = f"sqlite:///{stack.base_dir / f'{stack.name}-permits-second.db'}"
    second = stack.producing("permits", PERMITS_DATABASE_URL=second_db, **shared)
    subject = someone()
    with client(first, bearer(Role.PERMIT_OFFICER, subject=subject)) as http:
        assert [http.post("/permits", json={}).status_code for _ in range(5)] == [422] * 5
    with client(second, bearer(Role.PERMIT_OFFICER, Role.ANALYST, subject=subject)) as http:
        refused = http.post("/permits", json={})
        assert refused.status_code == 429, refused.text
        assert refused.json()["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert http.get("/permits").status_code == 200  # the reads' quota is untouched
    with client(second, bearer(Role.PERMIT_OFFICER, subject=someone())) as http:
        assert http.post("/permits", json={}).status_code == 422
    with Redis.from_url(stack.infra.redis_url) as redis:
        keys = list(redis.scan_iter(match=f"LIMITS:*{subject}*"))
    # One quota per service and kind, named by the verified subject.
    assert {key.split(b"/")[1] for key in keys} == {b"write", b"read"}, keys
    assert all(key.startswith(b"LIMITS:{jakpreneur-permits/") for key in keys), keys


def test_event_streams_are_limited_per_instance(stack: Stack) -> None:
    reporting = stack.reporting(REPORTING_MAX_STREAMS="2")
    with httpx.Client(base_url=reporting.url, timeout=10, headers=bearer(Role.ANALYST)) as http:
        with http.stream("GET", "/metrics/stream") as first, http.stream("GET", "/metrics/stream") as second:
            assert first.status_code == second.status_code == 200
            third = http.get("/metrics/stream")
            assert third.status_code == 503 and third.json()["code"] == "too_many_streams"
        # Closed streams free their places once the server notices the disconnect (asynchronously).
        deadline = time.monotonic() + 10
        while True:
            with http.stream("GET", "/metrics/stream") as again:
                if again.status_code == 200 or time.monotonic() > deadline:
                    break
            time.sleep(0.1)
        assert again.status_code == 200, again.status_code
