"""`make demo` against real services: reporting ends up showing exactly the plan's figures, and a re-run with
the same seed changes nothing. On SQLite and on PostgreSQL, each in its own period of the same topics.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

import httpx
import pytest
from typer.testing import CliRunner, Result

from operator_cli.demo.command import app
from operator_cli.demo.model import Period
from operator_cli.demo.plan import Figures, Plan, make_plan
from shared.contracts.topics import FINANCE, MARKETING, MENTORING, PERMITS, REGISTRATION, TRAINING
from tests.integration.stack import Stack
from tests.tokens import ADMIN

pytestmark = pytest.mark.integration

PRODUCING = (REGISTRATION, TRAINING, MENTORING, PERMITS, MARKETING, FINANCE)
PARTICIPANTS = 150
SEED = 40  # with it, both periods reach every stage


@dataclass(frozen=True)
class Demo:
    database: str
    period: Period
    seed: int
    urls: dict[str, str]

    @property
    def plan(self) -> Plan:
        return make_plan(self.period, PARTICIPANTS, self.seed)

    def args(self) -> list[str]:
        services = [f"--services={name}={url}" for name, url in self.urls.items()]
        return [
            f"--from={self.period.start}",
            f"--to={self.period.end}",
            f"--participants={PARTICIPANTS}",
            f"--seed={self.seed}",
            "--concurrency=16",
            "--wait=90",
            *services,
        ]


# Separate periods: both databases' services publish to the same topics, read by one reporting.
PERIODS = {
    "sqlite": Period(date(2023, 1, 1), date(2023, 12, 31)),
    "postgres": Period(date(2024, 1, 1), date(2024, 9, 30)),
}


@pytest.fixture(scope="module")
def reporting_url(stack: Stack) -> str:
    return stack.reporting().url


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def demo(request: pytest.FixtureRequest, stack: Stack, reporting_url: str) -> Iterator[Demo]:
    database = str(request.param)
    servers = [stack.producing(name, database) for name in PRODUCING]
    urls = {s.service: s.url for s in servers} | {"reporting": reporting_url}
    yield Demo(database, PERIODS[database], SEED, urls)
    # The next database's services join the same follower groups: stop these first.
    for server in reversed(servers):
        server.stop()


@pytest.fixture(scope="module")
def first_run(demo: Demo) -> Result:
    return CliRunner().invoke(app, demo.args(), env={"COLUMNS": "200"})


def reporting(demo: Demo) -> httpx.Client:
    return httpx.Client(base_url=demo.urls["reporting"], headers=ADMIN, timeout=15.0)


def summary(demo: Demo) -> Figures:
    with reporting(demo) as http:
        response = http.get("/metrics/summary", params=_period(demo))
    assert response.status_code == 200, response.text
    return Figures.of_summary(response.json())


def number(output: str, label: str) -> int:
    found = re.search(rf"{re.escape(label)}\s*│\s*([\d,]+)", output)
    assert found, f"{label!r} not in output:\n{output}"
    return int(found.group(1).replace(",", ""))


def test_the_demo_registers_everyone_and_reporting_shows_the_plans_figures(
    demo: Demo, first_run: Result
) -> None:
    assert first_run.exit_code == 0, first_run.output
    assert number(first_run.output, "participants registered now") == PARTICIPANTS
    assert number(first_run.output, "writes refused") == 0
    assert "reporting showed every expected figure" in first_run.output
    expected = Figures.of(demo.plan.journeys)
    assert summary(demo) == expected
    assert all(value > 0 for _, value in expected.items()), expected


def test_reporting_breaks_the_demo_down_by_kota_as_planned(demo: Demo, first_run: Result) -> None:
    assert first_run.exit_code == 0, first_run.output
    with reporting(demo) as http:
        response = http.get(
            "/metrics/breakdown", params={**_period(demo), "metric": "registered", "by": "kota"}
        )
    assert response.status_code == 200, response.text
    shown = {row["key"]: row["value"] for row in response.json()["rows"] if row["value"]}
    assert shown == Counter(j.person.kota_code for j in demo.plan.journeys)


def test_every_accepted_write_is_one_event(demo: Demo, first_run: Result) -> None:
    events = number(first_run.output, "events generated (accepted writes)")
    plan = demo.plan
    assert events >= PARTICIPANTS + sum(
        len(j.sessions) + len(j.permits) + len(j.reports) for j in plan.journeys
    )
    assert number(first_run.output, "write requests sent (retries included)") >= events


def test_a_rerun_with_the_same_seed_adds_nothing(demo: Demo, first_run: Result) -> None:
    assert first_run.exit_code == 0, first_run.output
    before = summary(demo)
    again = CliRunner().invoke(app, demo.args(), env={"COLUMNS": "200"})
    assert again.exit_code == 0, again.output
    assert number(again.output, "participants registered now") == 0
    assert number(again.output, "already registered (left as they were)") == PARTICIPANTS
    assert number(again.output, "events generated (accepted writes)") == 0
    assert summary(demo) == before


def test_an_unreachable_stage_service_is_named_with_the_way_around_it(demo: Demo) -> None:
    args = [*demo.args(), "--services=marketing=http://127.0.0.1:9", "--participants=1"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "marketing does not answer" in result.output
    assert "--stages training,mentoring,permits,finance" in result.output


def _period(demo: Demo) -> dict[str, str]:
    return {"from": demo.period.start.isoformat(), "to": demo.period.end.isoformat()}
