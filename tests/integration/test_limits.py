"""Guards against careless or hostile clients: body size, write rate, and event-stream connections."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from devstack.app_server import AppServer
from shared.auth import Role
from tests.integration.stack import Stack, client
from tests.tokens import bearer


@pytest.fixture(scope="module")
def permits(stack: Stack) -> AppServer:
    return stack.producing(
        "permits", LIMIT_WRITE_RATE_PER_S="2", LIMIT_WRITE_BURST="5", LIMIT_MAX_BODY_BYTES="2048"
    )


def test_a_body_over_the_limit_is_refused_before_it_is_read(permits: AppServer) -> None:
    with client(permits, bearer(Role.PERMIT_OFFICER, Role.ANALYST)) as http:
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


def test_a_burst_of_writes_from_one_client_is_slowed_with_retry_after(permits: AppServer) -> None:
    noisy, quiet = bearer(Role.PERMIT_OFFICER), bearer(Role.PERMIT_OFFICER, kota="31.71")
    with client(permits, noisy) as http:
        statuses = [http.post("/permits", json={}).status_code for _ in range(8)]
        assert statuses[:5] == [422] * 5  # within the burst: the request itself is judged
        assert 429 in statuses[5:]
        refused = http.post("/permits", json={})
        assert refused.status_code == 429 and refused.json()["code"] == "rate_limited"
        assert int(refused.headers["retry-after"]) >= 1
        assert http.get("/permits").status_code != 429  # reads are not rate limited
    with client(permits, quiet) as http:
        assert http.post("/permits", json={}).status_code == 422  # another client has its own bucket


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
