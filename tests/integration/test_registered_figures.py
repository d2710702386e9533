"""End to end: registrations through HTTP → outbox → Kafka → reporting → exact `registered` figures."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import date, timedelta

import httpx
import pytest

from devstack.app_server import AppServer
from shared.dates import PROGRAMME_START, jakarta_today
from tests.integration.figures import assert_registered_figures, registered_between, wait_for_registered
from tests.integration.people import participant
from tests.integration.stack import Stack
from tests.integration.writer import Outcome, mixed_requests, send_all
from tests.tokens import ADMIN

WRITES = 1500


@pytest.fixture(scope="module")
def servers(stack: Stack) -> tuple[AppServer, AppServer]:
    return stack.registration("postgres"), stack.reporting()


@pytest.fixture(scope="module")
async def outcome(servers: tuple[AppServer, AppServer]) -> Outcome:
    registration, _ = servers
    result = await send_all(registration.url, mixed_requests(random.Random(2026), WRITES))
    assert not result.other, result.other[:3]
    return result


def periods(rng: random.Random) -> list[tuple[date, date]]:
    today = jakarta_today()
    chosen = [
        (PROGRAMME_START, today),
        (date(2022, 10, 17), date(2023, 3, 24)),  # the period the government published
        (date(2020, 2, 29), date(2020, 2, 29)),
        (date(2019, 12, 30), date(2021, 1, 3)),
    ]
    for _ in range(4):
        start = PROGRAMME_START + timedelta(days=rng.randrange((today - PROGRAMME_START).days))
        chosen.append((start, min(today, start + timedelta(days=rng.randrange(1, 900)))))
    return chosen


async def test_every_accepted_write_is_counted_once_and_nothing_else(
    servers: tuple[AppServer, AppServer], outcome: Outcome
) -> None:
    _, reporting = servers
    assert len(outcome.accepted) > WRITES * 0.8
    assert outcome.duplicates > 0 and outcome.rejected > 0
    async with httpx.AsyncClient(headers=ADMIN, base_url=reporting.url) as http:
        everything = (PROGRAMME_START, jakarta_today())
        await wait_for_registered(http, *everything, expected=len(outcome.accepted))
        for start, end in periods(random.Random(7)):
            await assert_registered_figures(http, outcome.accepted, start, end)


async def test_other_metrics_report_zero_until_their_services_exist(
    servers: tuple[AppServer, AppServer], outcome: Outcome
) -> None:
    _, reporting = servers
    async with httpx.AsyncClient(headers=ADMIN, base_url=reporting.url) as http:
        summary = (await http.get("/metrics/summary", params={"from": "2018-01-01"})).json()
    assert summary["trained"] == summary["permits_issued"] == summary["financed"] == 0
    assert summary["vocational"] == {"trained": 0, "placed": 0, "placement_rate": None}
    assert summary["registered"] == len(outcome.accepted)


async def test_the_stream_pushes_a_new_summary_after_a_write(
    servers: tuple[AppServer, AppServer], outcome: Outcome
) -> None:
    registration, reporting = servers
    day = date(2021, 6, 15)
    before = registered_between(outcome.accepted, day, day)
    params = {"from": str(day), "to": str(day), "debounce_ms": "100"}  # the least allowed
    async with (
        httpx.AsyncClient(headers=ADMIN, base_url=reporting.url, timeout=30) as http,
        http.stream("GET", "/metrics/stream", params=params) as stream,
    ):
        summaries = _summaries(stream)
        assert (await anext(summaries))["registered"] == before
        written = await send_all(registration.url, [participant(random.Random(5), 90000, day)])
        assert len(written.accepted) == 1
        pushed = await asyncio.wait_for(anext(summaries), 10)
    assert pushed["registered"] == before + 1
    outcome.accepted.extend(written.accepted)


async def _summaries(stream: httpx.Response):  # type: ignore[no-untyped-def]
    event = None
    async for line in stream.aiter_lines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "summary":
            yield json.loads(line.split(":", 1)[1])


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"from": "2023-02-01", "to": "2023-01-01"}, "invalid_period"),
        ({"from": "2023-02-30"}, "validation_error"),
        ({"metric": "nonsense", "by": "kota"}, "validation_error"),
    ],
)
async def test_bad_queries_get_a_readable_422(
    servers: tuple[AppServer, AppServer], params: dict[str, str], code: str
) -> None:
    _, reporting = servers
    path = "/metrics/breakdown" if "metric" in params else "/metrics/summary"
    async with httpx.AsyncClient(headers=ADMIN, base_url=reporting.url) as http:
        response = await http.get(path, params=params)
    assert response.status_code == 422
    assert response.json()["code"] == code


async def test_operators_see_backlog_lag_and_applied_events(
    servers: tuple[AppServer, AppServer], outcome: Outcome
) -> None:
    registration, reporting = servers
    async with httpx.AsyncClient(headers=ADMIN, timeout=30) as http:
        async with httpx.AsyncClient(headers=ADMIN, base_url=reporting.url) as figures:
            await wait_for_registered(figures, PROGRAMME_START, jakarta_today(), len(outcome.accepted))
        await asyncio.sleep(2.5)  # gauges refresh about once a second
        produced = (await http.get(f"{registration.url}/ops/metrics")).text
        consumed = (await http.get(f"{reporting.url}/ops/metrics")).text
    assert 'outbox_backlog{service="registration"} 0.0' in produced
    assert 'outbox_publish_lag_seconds_count{service="registration"}' in produced
    assert "reporting_consumer_lag{" in consumed
    assert all(
        line.endswith(" 0.0") for line in consumed.splitlines() if line.startswith("reporting_consumer_lag{")
    )
    assert "reporting_events_applied_total{" in consumed
