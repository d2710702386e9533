"""Who sees figures (PRODUCT.md §3): analysts by default (header or session cookie); a public deployment
withholds small cells; event streams per client; the session cookie behind a TLS proxy; periods at the
ends of the calendar."""

from __future__ import annotations

import json
import random
import time
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from devstack.app_server import AppServer
from shared.auth import Role
from shared.regions import jakarta
from tests.integration.people import participant
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
ANALYST = bearer(Role.ANALYST)
MARCH = {"from": "2024-03-01", "to": "2024-03-31"}
ONE_DAY = {"from": "2024-03-05", "to": "2024-03-05"}
# Registered in March 2024: 3 in FEW (a small cell), 6 in MANY, 2 in OTHER's kota; all on 5 March.
FEW, MANY, OTHER = "31.71.01", "31.71.02", "31.72.01"
SEEDED = {FEW: 3, MANY: 6, OTHER: 2}


@dataclass(frozen=True)
class Servers:
    private: AppServer  # the default: figures for analysts only
    public: AppServer  # REPORTING_PUBLIC_AGGREGATES=true, 2 streams per client
    untrusting: AppServer  # believes forwarded headers from 10.255.255.1 only


def _in_kecamatan(body: dict[str, Any], code: str) -> dict[str, Any]:
    (kota,) = [k for k in jakarta().kota if code.startswith(k.code + ".")]
    (kecamatan,) = [k for k in kota.kecamatan if k.code == code]
    domicile = {"kota_code": kota.code, "kecamatan_code": code, "kelurahan_code": kecamatan.kelurahan[0].code}
    return {**body, "domicile": domicile}


@pytest.fixture(scope="module")
def servers(stack: Stack) -> Servers:
    registration = stack.registration()
    private = stack.reporting()
    api_only = {"REPORTING_CONSUME": "false"}  # the same keyspace, filled by `private`
    public = stack.reporting(
        REPORTING_PUBLIC_AGGREGATES="true", REPORTING_MAX_STREAMS_PER_CLIENT="2", **api_only
    )
    untrusting = stack.reporting(REPORTING_FORWARDED_ALLOW_IPS="10.255.255.1", **api_only)
    rng, serial = random.Random(5), 0
    with client(registration) as http:
        for kecamatan, count in SEEDED.items():
            for _ in range(count):
                serial += 1
                body = _in_kecamatan(participant(rng, serial, date(2024, 3, 5)), kecamatan)
                assert http.post("/participants", json=body).status_code == 201
    with client(private, ANALYST) as http:
        deadline = time.monotonic() + 30
        while http.get("/metrics/summary", params=MARCH).json()["registered"] != sum(SEEDED.values()):
            assert time.monotonic() < deadline, "reporting did not catch up"
            time.sleep(0.1)
    return Servers(private, public, untrusting)


@pytest.mark.parametrize("path", READS)
def test_every_figure_needs_an_analyst_by_default(servers: Servers, path: str) -> None:
    refusals = [
        ({}, 401),
        (bearer(Role.ANALYST, ttl=timedelta(minutes=-1)), 401),
        ({"Authorization": "Bearer forged.token.value"}, 401),
        (bearer(Role.TRAINER, Role.REGISTRAR), 403),
    ]
    for headers, status in refusals:
        with client(servers.private, headers) as http:
            assert http.get(path).status_code == status, (path, headers)
    for role in (Role.ANALYST, Role.ADMIN):
        with client(servers.private, bearer(role)) as http:
            assert http.get(path).status_code == 200, (path, role)


def test_a_browser_session_cookie_opens_reads_and_the_stream_but_not_writes(servers: Servers) -> None:
    with client(servers.private, {}) as http:
        assert http.get("/healthz").status_code == 200  # probes stay open
        token = ANALYST["Authorization"].removeprefix("Bearer ")
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


def test_a_session_is_opened_only_for_a_token_that_may_read_figures(servers: Servers) -> None:
    for roles in ([Role.REGISTRAR], [Role.TRAINER, Role.FINANCE]):
        token = bearer(*roles)["Authorization"].removeprefix("Bearer ")
        with client(servers.private, {}) as http:
            refused = http.post("/session", json={"token": token})
            assert refused.status_code == 403 and refused.json()["code"] == "forbidden", roles
            assert "set-cookie" not in refused.headers


def test_the_stream_refuses_without_a_session(servers: Servers) -> None:
    with httpx.Client(base_url=servers.private.url, timeout=10) as http:
        assert http.get("/metrics/stream").status_code == 401


def _session_cookie(server: AppServer, headers: dict[str, str]) -> str:
    token = ANALYST["Authorization"].removeprefix("Bearer ")
    with client(server, headers) as http:
        opened = http.post("/session", json={"token": token})
        assert opened.status_code == 200, opened.text
        return opened.headers["set-cookie"].lower()


def test_the_cookie_is_secure_behind_a_trusted_tls_proxy_and_cannot_be_spoofed(servers: Servers) -> None:
    over_tls = {"X-Forwarded-Proto": "https"}
    # The default trusts a proxy on the same host (127.0.0.1, where this test connects from).
    assert "; secure" in _session_cookie(servers.private, over_tls)
    assert "; secure" not in _session_cookie(servers.private, {})
    # A server that trusts another proxy ignores the header from anyone else: plain HTTP stays plain.
    assert "; secure" not in _session_cookie(servers.untrusting, over_tls)


def _get(server: AppServer, path: str, params: dict[str, Any], headers: dict[str, str] | None = None) -> Any:
    with client(server, headers or {}) as http:
        return http.get(path, params=params)


def _rows(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {row["key"]: row for row in body["rows"]}


def test_a_public_breakdown_withholds_cells_of_one_to_four(servers: Servers) -> None:
    params = {**MARCH, "metric": "registered", "by": "kecamatan"}
    public = _get(servers.public, "/metrics/breakdown", params)
    assert public.status_code == 200, public.text
    rows = _rows(public.json())
    assert rows[FEW]["value"] is None and rows[FEW]["suppressed"] is True
    assert rows[MANY]["value"] == 6 and "suppressed" not in rows[MANY]
    assert rows["31.71.03"]["value"] == 0 and "suppressed" not in rows["31.71.03"]  # a zero reveals nobody
    for exact in (servers.private, servers.public):  # an analyst's token sees exact cells either way
        rows = _rows(_get(exact, "/metrics/breakdown", params, ANALYST).json())
        assert {k: rows[k]["value"] for k in SEEDED} == SEEDED
        assert not any("suppressed" in row for row in rows.values())
    # By kota (kota level): a one-day breakdown is served, still without its small cells.
    by_kota = _rows(
        _get(servers.public, "/metrics/breakdown", {**ONE_DAY, "metric": "registered", "by": "kota"}).json()
    )
    assert by_kota["31.71"]["value"] == 9
    assert by_kota["31.72"] == {
        "key": "31.72",
        "label": by_kota["31.72"]["label"],
        "value": None,
        "suppressed": True,
    }


def test_public_figures_below_kota_level_need_a_month(servers: Servers) -> None:
    below = [
        ("/metrics/breakdown", {**ONE_DAY, "metric": "registered", "by": "kecamatan"}),
        (
            "/metrics/breakdown",
            {"from": "2024-03-01", "to": "2024-03-30", "metric": "registered", "by": "kecamatan"},
        ),
        ("/metrics/summary", {**ONE_DAY, "kecamatan": MANY}),
        ("/metrics/timeseries", {**MARCH, "kecamatan": MANY, "metric": "registered", "interval": "day"}),
        ("/metrics/timeseries", {**MARCH, "kecamatan": MANY, "metric": "registered", "interval": "week"}),
        (
            "/metrics/timeseries",
            {
                "from": "2024-03-05",
                "to": "2024-04-30",
                "kecamatan": MANY,
                "metric": "registered",
                "interval": "month",
            },
        ),
        ("/metrics/stream", {**ONE_DAY, "kecamatan": MANY}),
    ]
    for path, params in below:
        refused = _get(servers.public, path, params)
        assert refused.status_code == 422, (path, params, refused.text)
        assert refused.json()["code"] == "invalid_period" and "below kota level" in refused.json()["detail"]
    for path, params in below[:-1]:  # analysts are not limited
        assert _get(servers.public, path, params, ANALYST).status_code == 200, (path, params)
    at_kota = _get(servers.public, "/metrics/summary", {**ONE_DAY, "kota": "31.72"})
    assert at_kota.status_code == 200 and at_kota.json()["registered"] == 2  # kota level: exact


def test_public_figures_filtered_below_kota_level_withhold_small_counts(servers: Servers) -> None:
    few = _get(servers.public, "/metrics/summary", {**MARCH, "kecamatan": FEW}).json()
    assert few["registered"] is None and few["suppressed"] is True
    assert few["trained"] == 0 and few["vocational"]["placement_rate"] is None
    many = _get(servers.public, "/metrics/summary", {**MARCH, "kecamatan": MANY}).json()
    assert many["registered"] == 6 and "suppressed" not in many
    exact = _get(servers.public, "/metrics/summary", {**MARCH, "kecamatan": FEW}, ANALYST).json()
    assert exact["registered"] == 3 and "suppressed" not in exact

    series = {"from": "2024-02-01", "to": "2024-04-30", "metric": "registered", "interval": "month"}
    points = _get(servers.public, "/metrics/timeseries", {**series, "kecamatan": FEW}).json()["points"]
    assert points == [
        {"start": "2024-02-01", "value": 0},
        {"start": "2024-03-01", "value": None, "suppressed": True},
        {"start": "2024-04-01", "value": 0},
    ]
    exact_points = _get(servers.public, "/metrics/timeseries", {**series, "kecamatan": FEW}, ANALYST).json()
    assert [p["value"] for p in exact_points["points"]] == [0, 3, 0]

    with (
        httpx.Client(base_url=servers.public.url, timeout=10) as http,
        http.stream("GET", "/metrics/stream", params={**MARCH, "kecamatan": FEW}) as stream,
    ):
        assert stream.status_code == 200
        data = next(line for line in stream.iter_lines() if line.startswith("data:"))
        streamed = json.loads(data.removeprefix("data:"))
        assert streamed["registered"] is None and streamed["suppressed"] is True


def test_a_public_funnel_and_unfiltered_figures_are_exact(servers: Servers) -> None:
    # Province-wide figures single nobody out: the public sees them as analysts do.
    funnel = _get(servers.public, "/metrics/funnel", ONE_DAY).json()
    assert funnel["stages"][0] == {"stage": "registration", "value": 11, "conversion": 1.0}
    assert _get(servers.public, "/metrics/summary", ONE_DAY).json()["registered"] == 11


def test_a_public_deployment_still_refuses_a_bad_token(servers: Servers) -> None:
    for headers in (
        {"Authorization": "Bearer forged.token.value"},
        bearer(Role.ANALYST, ttl=timedelta(minutes=-5)),
    ):
        assert _get(servers.public, "/metrics/summary", MARCH, headers).status_code == 401
    registrar = _get(servers.public, "/metrics/summary", {**MARCH, "kecamatan": FEW}, bearer(Role.REGISTRAR))
    assert registrar.json()["registered"] is None  # a token without the analyst role: the public view


def _open(held: ExitStack, http: httpx.Client, **request: Any) -> httpx.Response:
    """Open a stream and keep it open; a 429 is retried for a while, since a stream this client closed
    a moment ago keeps its place until the server notices the disconnect."""
    deadline = time.monotonic() + 10
    while True:
        opened = held.enter_context(http.stream("GET", "/metrics/stream", **request))
        if opened.status_code != 429 or time.monotonic() > deadline:
            return opened
        time.sleep(0.1)


def test_event_streams_are_capped_per_client(servers: Servers) -> None:
    first_subject, other_subject = bearer(Role.ANALYST, subject="a-1"), bearer(Role.ANALYST, subject="a-2")
    with httpx.Client(base_url=servers.public.url, timeout=10) as http, ExitStack() as held:
        assert _open(held, http, headers=first_subject).status_code == 200
        assert _open(held, http, headers=bearer(Role.ANALYST, subject="a-1")).status_code == 200
        third = http.get("/metrics/stream", headers=first_subject)  # the same subject, any of its tokens
        assert third.status_code == 429 and third.json()["code"] == "too_many_streams"
        assert _open(held, http, headers=other_subject).status_code == 200
        # Without a token the client is its address: two places of its own, whoever else streams.
        assert _open(held, http).status_code == 200
        assert _open(held, http).status_code == 200
        assert http.get("/metrics/stream").status_code == 429


def test_a_client_cannot_ask_for_a_debounce_below_the_minimum(servers: Servers) -> None:
    own = bearer(Role.ANALYST, subject="debouncing")
    with httpx.Client(base_url=servers.public.url, timeout=10, headers=own) as http, ExitStack() as held:
        refused = http.get("/metrics/stream", params={"debounce_ms": 10})
        assert refused.status_code == 422 and refused.json()["code"] == "debounce_too_short"
        assert "at least 100" in refused.json()["detail"]
        assert _open(held, http, params={"debounce_ms": 100}).status_code == 200


def test_a_stream_ends_when_its_token_expires(servers: Servers) -> None:
    short = bearer(Role.ANALYST, subject="short-lived", ttl=timedelta(seconds=3))
    with (
        httpx.Client(base_url=servers.private.url, timeout=30, headers=short) as http,
        http.stream("GET", "/metrics/stream") as stream,
    ):
        assert stream.status_code == 200
        events = [
            line for line in stream.iter_lines() if line.startswith("event:")
        ]  # until the server ends it
    assert events[0] == "event: summary" and events[-1] == "event: expired"


EXTREMES = {
    "year 9999": {"from": "9999-01-01", "to": "9999-12-31"},
    "its last week": {"from": "9999-12-27", "to": "9999-12-31"},
    "the last day": {"from": "9999-12-31", "to": "9999-12-31"},
    "year 1": {"from": "0001-01-01", "to": "0001-12-31"},
    "the first day": {"from": "0001-01-01", "to": "0001-01-01"},
    "year 1 to 9999": {"from": "0001-01-01", "to": "9999-12-31"},
}
ENDPOINTS: list[tuple[str, dict[str, Any]]] = [
    ("/metrics/summary", {}),
    ("/metrics/summary", {"compare": ["previous", "last_year"]}),
    ("/metrics/summary", {"compare": ["previous", "last_year"], "kota": "31.71"}),
    *[
        ("/metrics/breakdown", {"metric": "trained", "by": by})
        for by in ("kota", "kecamatan", "gender", "sector", "agency")
    ],
    *[("/metrics/timeseries", {"metric": "registered", "interval": i}) for i in ("day", "week", "month")],
    ("/metrics/funnel", {}),
]


@pytest.mark.parametrize("extreme", list(EXTREMES))
def test_periods_at_the_ends_of_the_calendar_are_answered_or_refused_never_a_5xx(
    servers: Servers, extreme: str
) -> None:
    period = EXTREMES[extreme]
    with client(servers.private, ANALYST) as http:
        for path, params in ENDPOINTS:
            answer = http.get(path, params={**period, **params})
            if period["from"].startswith("9999"):  # a valid period with nothing in it
                assert answer.status_code == 200, (path, params, answer.text)
            else:  # ends before the programme, or too long
                assert answer.status_code == 422, (path, params, answer.text)
                assert answer.json()["code"] == "invalid_period" and answer.json()["detail"]
        with http.stream("GET", "/metrics/stream", params=period) as stream:
            assert stream.status_code in {200, 422}
            if stream.status_code == 200:
                assert (
                    next(line for line in stream.iter_lines() if line.startswith("event:"))
                    == "event: summary"
                )


def test_the_weekly_series_ending_on_9999_12_31_is_iso_weeks_clipped(servers: Servers) -> None:
    params = {"from": "9999-12-01", "to": "9999-12-31", "metric": "registered", "interval": "week"}
    with client(servers.private, ANALYST) as http:
        body = http.get("/metrics/timeseries", params=params).json()
        starts = [p["start"] for p in body["points"]]
        assert starts == ["9999-12-01", "9999-12-06", "9999-12-13", "9999-12-20", "9999-12-27"]
        compared = http.get(
            "/metrics/summary",
            params={"from": "9999-12-31", "to": "9999-12-31", "compare": ["previous", "last_year"]},
        ).json()
        assert compared["compared"]["previous"]["from"] == "9999-12-30"
        assert compared["compared"]["last_year"]["from"] == "9998-12-31"
