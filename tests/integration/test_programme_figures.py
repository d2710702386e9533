"""Issue-3 scenario: registrations, classes, completions, placements and permits through the HTTP APIs;
every core figure of PRODUCT.md §3 must equal a count computed independently, before and after a rebuild."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import time
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx
import pytest

from devstack.app_server import REPO_ROOT
from tests.integration.scenario import Expected, History, permit, place, register, train
from tests.integration.stack import Stack
from tests.tokens import ADMIN

PERIODS = [
    (date(2018, 1, 1), date(2026, 11, 1)),
    (date(2022, 10, 17), date(2023, 3, 24)),
    (date(2021, 6, 1), date(2022, 6, 30)),
    (date(2023, 2, 13), date(2023, 2, 19)),
    (date(2024, 1, 1), date(2024, 12, 31)),
]
# A larger history for a one-off acceptance run: JP_SCENARIO_PARTICIPANTS=3000 pytest tests/integration/...
PARTICIPANTS = int(os.environ.get("JP_SCENARIO_PARTICIPANTS", "250"))
METRICS = ["registered", "trained", "vocational_trained", "vocational_placed", "permits_issued"]
SUMMARY_FIELDS = {
    "registered": ("registered",),
    "trained": ("trained",),
    "permits_issued": ("permits_issued",),
    "vocational_trained": ("vocational", "trained"),
    "vocational_placed": ("vocational", "placed"),
}


class Services:
    def __init__(self, stack: Stack) -> None:
        self.registration = stack.producing("registration", "postgres")
        self.training = stack.producing("training", "sqlite")
        self.permits = stack.producing("permits", "postgres")
        self.reporting = stack.reporting()


@pytest.fixture(scope="module")
def services(stack: Stack) -> Services:
    return Services(stack)


@pytest.fixture(scope="module")
async def history(services: Services) -> History:
    rng = random.Random(303)
    result = History()
    async with (
        httpx.AsyncClient(headers=ADMIN, base_url=services.registration.url, timeout=30) as reg,
        httpx.AsyncClient(headers=ADMIN, base_url=services.training.url, timeout=30) as training,
        httpx.AsyncClient(headers=ADMIN, base_url=services.permits.url, timeout=30) as permits,
    ):
        await register(reg, rng, PARTICIPANTS, result)
        await train(training, rng, result)
        await place(training, rng, result)
        await permit(permits, rng, result)
    return result


def field_of(summary: dict[str, Any], metric: str) -> int:
    value: Any = summary
    for part in SUMMARY_FIELDS[metric]:
        value = value[part]
    return int(value)


async def snapshot(http: httpx.AsyncClient) -> dict[str, Any]:
    """Every figure the scenario checks, as served."""
    figures: dict[str, Any] = {}
    for start, end in PERIODS:
        period = {"from": str(start), "to": str(end)}
        figures[f"summary {start}"] = (await http.get("/metrics/summary", params=period)).json()
        figures[f"funnel {start}"] = (await http.get("/metrics/funnel", params=period)).json()
        for metric in [*METRICS, "permit_holders"]:
            for by in ("kota", "kecamatan", "gender", "sector", "agency"):
                params = {**period, "metric": metric, "by": by}
                figures[f"{metric} by {by} {start}"] = (
                    await http.get("/metrics/breakdown", params=params)
                ).json()
            params = {**period, "metric": metric, "interval": "month"}
            figures[f"{metric} monthly {start}"] = (
                await http.get("/metrics/timeseries", params=params)
            ).json()
    return figures


async def settled(http: httpx.AsyncClient, expected: Expected) -> float:
    """Seconds until every summary figure matches (printed: the scenario's freshness after its last write)."""
    start, end = PERIODS[0]
    began = time.monotonic()
    for _ in range(300):
        summary = (await http.get("/metrics/summary", params={"from": str(start), "to": str(end)})).json()
        if all(field_of(summary, m) == expected.count(m, start, end) for m in METRICS):
            return time.monotonic() - began
        await asyncio.sleep(0.02)
    raise AssertionError(f"figures never settled: {summary}")


async def test_the_scenario_exercised_every_refusal(history: History) -> None:
    assert history.completions and history.placements and history.issued
    for code in ("already_completed", "invalid_transition", "duplicate_nib", "no_vocational_completion"):
        assert history.refused[code] > 0, (code, history.refused)


async def test_every_core_figure_equals_an_independent_count(services: Services, history: History) -> None:
    expected = Expected(history)
    async with httpx.AsyncClient(headers=ADMIN, base_url=services.reporting.url, timeout=30) as http:
        waited = await settled(http, expected)
        print(
            f"\n{len(history.people)} participants, {len(history.completions)} completions, "
            f"{len(history.issued)} permits issued: settled {waited * 1000:.0f} ms after the last write"
        )
        figures = await snapshot(http)
    for start, end in PERIODS:
        summary = figures[f"summary {start}"]
        for metric in METRICS:
            assert field_of(summary, metric) == expected.count(metric, start, end), (metric, start)
            for by in ("kota", "gender", "sector", "agency", "kecamatan"):
                rows = figures[f"{metric} by {by} {start}"]["rows"]
                served = {row["key"]: row["value"] for row in rows if row["value"]}
                assert served == expected.breakdown(metric, by, start, end), (metric, by, start)
            monthly = figures[f"{metric} monthly {start}"]["points"]
            assert sum(p["value"] for p in monthly) == expected.count(metric, start, end)
        trained, placed = (
            expected.count("vocational_trained", start, end),
            expected.count("vocational_placed", start, end),
        )
        rate = summary["vocational"]["placement_rate"]
        exact = None if trained == 0 else Decimal(placed) / Decimal(trained)
        assert rate == (None if exact is None else float(exact.quantize(Decimal("0.0001"), ROUND_HALF_UP)))
        stages = {s["stage"]: s["value"] for s in figures[f"funnel {start}"]["stages"]}
        assert stages["registration"] == expected.count("registered", start, end)
        assert stages["training"] == expected.reached("trained", start, end)
        assert stages["permits"] == expected.reached("permit_holders", start, end)
        assert list(stages) == [
            "registration",
            "training",
            "mentoring",
            "permits",
            "marketing",
            "financial_reporting",
            "financing",
        ]


async def test_a_rebuild_from_the_topics_changes_no_figure(services: Services, stack: Stack) -> None:
    async with httpx.AsyncClient(headers=ADMIN, base_url=services.reporting.url, timeout=30) as http:
        before = await snapshot(http)
        env = {
            **os.environ,
            **stack.common_env(),
            "REPORTING_REDIS_URL": stack.infra.redis_url,
            "REPORTING_KEYSPACE": stack.name,
        }
        done = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "services.reporting.rebuild"],
            env=env,
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        assert "rebuilt" in done.stdout
        after = await snapshot(http)
    assert after == before


async def test_summaries_filtered_by_kota_or_agency_match_the_breakdown_rows(
    services: Services, history: History
) -> None:
    expected = Expected(history)
    start, end = PERIODS[0]
    period = {"from": str(start), "to": str(end)}
    async with httpx.AsyncClient(headers=ADMIN, base_url=services.reporting.url, timeout=30) as http:
        await settled(http, expected)
        for by, values in (("kota", ["31.71", "31.74", "31.01"]), ("agency", ["PPKUKM", "SOSIAL"])):
            for value in values:
                summary = (await http.get("/metrics/summary", params={**period, by: value})).json()
                for metric in METRICS:
                    assert field_of(summary, metric) == expected.breakdown(metric, by, start, end).get(
                        value, 0
                    )
        both = await http.get("/metrics/summary", params={**period, "kota": "31.71", "agency": "SOSIAL"})
    assert both.status_code == 422 and both.json()["code"] == "unsupported_filter"
