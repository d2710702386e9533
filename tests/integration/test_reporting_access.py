"""Figures behind sign-in (REPORTING_PUBLIC_AGGREGATES=false): analysts by header or session cookie."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from devstack.app_server import AppServer
from shared.auth import Role
from tests.integration.stack import Stack, client
from tests.tokens import bearer

READS = [
    "/metrics/summary",
    "/metrics/breakdown?metric=registered&by=kota",
    "/metrics/timeseries?metric=trained&interval=month",
    "/metrics/funnel",
    "/metrics/achievement?year=2024",
    "/targets?year=2024",
]


@pytest.fixture(scope="module")
def reporting(stack: Stack) -> AppServer:
    return stack.reporting(REPORTING_PUBLIC_AGGREGATES="false")


@pytest.mark.parametrize("path", READS)
def test_every_figure_needs_an_analyst(reporting: AppServer, path: str) -> None:
    refusals = [
        ({}, 401),
        (bearer(Role.ANALYST, ttl=timedelta(minutes=-1)), 401),
        ({"Authorization": "Bearer forged.token.value"}, 401),
        (bearer(Role.TRAINER, Role.REGISTRAR), 403),
    ]
    for headers, status in refusals:
        with client(reporting, headers) as http:
            assert http.get(path).status_code == status, (path, headers)
    for role in (Role.ANALYST, Role.ADMIN):
        with client(reporting, bearer(role)) as http:
            assert http.get(path).status_code == 200, (path, role)


def test_a_browser_session_cookie_opens_reads_and_the_stream_but_not_writes(reporting: AppServer) -> None:
    with client(reporting, {}) as http:
        assert http.get("/healthz").status_code == 200  # probes stay open
        token = bearer(Role.ANALYST)["Authorization"].removeprefix("Bearer ")
        assert http.post("/session", json={"token": "not-a-token"}).status_code == 401
        opened = http.post("/session", json={"token": token})
        assert opened.status_code == 200 and opened.json()["roles"] == ["analyst"]
        cookie = opened.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert http.get("/metrics/summary").status_code == 200
        with http.stream("GET", "/metrics/stream") as stream:
            assert stream.status_code == 200
            first = next(line for line in stream.iter_lines() if line.startswith("event:"))
            assert first == "event: summary"
        target = {"year": 2024, "metric": "trained", "scope": "province", "value": 5}
        assert http.put("/targets", json={"by": "x", "targets": [target]}).status_code == 401
        assert http.delete("/session").status_code == 204
        http.cookies.clear()
        assert http.get("/metrics/summary").status_code == 401


def test_the_stream_refuses_without_a_session(reporting: AppServer) -> None:
    with httpx.Client(base_url=reporting.url, timeout=10) as http:
        assert http.get("/metrics/stream").status_code == 401
