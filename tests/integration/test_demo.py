"""`make demo` against real services: reporting ends up showing exactly the plan's figures, and a re-run with
the same seed changes nothing. On SQLite and on PostgreSQL, each in its own period of the same topics.

The demo's registrars edit records (some participants move to another kota) after every stage fact, and
its trainers withdraw enrolments, refill full classes and complete classes by batch: the tests check that
each of these happened, through the services' own reads, and that the figures follow them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from operator_cli.demo.command import app
from operator_cli.demo.executor import events, shared_writes
from operator_cli.demo.model import Period
from operator_cli.demo.plan import STAGE_SERVICES, Figures, Plan, make_plan
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


def breakdown(demo: Demo, metric: str, by: str) -> Counter[str]:
    with reporting(demo) as http:
        response = http.get("/metrics/breakdown", params={**_period(demo), "metric": metric, "by": by})
    assert response.status_code == 200, response.text
    return Counter({row["key"]: row["value"] for row in response.json()["rows"] if row["value"]})


def pages(http: httpx.Client, path: str) -> list[dict[str, Any]]:
    """Every item of a paged list."""
    items: list[dict[str, Any]] = []
    cursor: str | None = None
    while True:
        response = http.get(path, params={"limit": 500, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        items += response.json()["items"]
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return items


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


def test_the_demo_edits_withdraws_refills_and_completes_by_batch_as_planned(
    demo: Demo, first_run: Result
) -> None:
    plan, output = demo.plan, first_run.output
    enrolments = [e for j in plan.journeys for e in j.courses + j.vocational]
    completers = Counter((e.class_key, e.completed_on) for e in enrolments if e.completed_on)
    done = {
        "records edited (PATCH /participants)": sum(len(j.edits) for j in plan.journeys),
        "of them moves to another kota": sum(j.moved_kota for j in plan.journeys),
        "enrolments withdrawn": sum(e.withdrawn_on is not None for e in enrolments),
        "freed places taken in full classes": sum(e.refills for e in enrolments),
        "batch completion calls": sum(n >= 2 for n in completers.values()),
        "completions recorded by batch calls": sum(n for n in completers.values() if n >= 2),
        "completions recorded one by one": sum(n == 1 for n in completers.values()),
    }
    assert {label: number(output, label) for label in done} == done
    assert all(n > 0 for n in done.values()), done


def test_reporting_counts_the_demo_by_kota_and_kecamatan_where_participants_live_now(
    demo: Demo, first_run: Result
) -> None:
    assert first_run.exit_code == 0, first_run.output
    journeys = demo.plan.journeys
    for by in ("kota", "kecamatan"):
        assert breakdown(demo, "registered", by) == Counter(getattr(j.home, f"{by}_code") for j in journeys)
    assert breakdown(demo, "registered", "kota") != Counter(j.person.kota_code for j in journeys)


def test_a_moved_participants_stage_counts_follow_them_to_their_new_kota(
    demo: Demo, first_run: Result
) -> None:
    assert first_run.exit_code == 0, first_run.output
    reached = [(j.home.kota_code, dict(Figures.of([j]).items())) for j in demo.plan.journeys]
    for metric in ("trained", "mentored", "permits_issued", "vocational_trained"):
        expected = Counter({kota: 0 for kota, _ in reached})
        for kota, figures in reached:
            expected[kota] += figures[metric]
        assert breakdown(demo, metric, "kota") == +expected, metric


def test_the_edits_are_in_the_registration_records(demo: Demo, first_run: Result) -> None:
    assert first_run.exit_code == 0, first_run.output
    edited = [j for j in demo.plan.journeys if j.edits]
    with httpx.Client(base_url=demo.urls[REGISTRATION], headers=ADMIN, timeout=15.0) as http:
        for j in edited:
            found = http.post("/participants/lookup", json={"nik": j.person.nik})
            assert found.status_code == 200, found.text
            record = found.json()
            assert record["domicile"] == asdict(j.home)
            phones = [e.phone for e in j.edits if e.phone]
            assert record["phone"] == (phones[-1] if phones else j.person.phone)


def test_the_rosters_show_the_withdrawals_refills_and_completions(demo: Demo, first_run: Result) -> None:
    assert first_run.exit_code == 0, first_run.output
    plan = demo.plan
    enrolments = [e for j in plan.journeys for e in j.courses + j.vocational]
    states: Counter[str] = Counter()
    with httpx.Client(base_url=demo.urls[TRAINING], headers=ADMIN, timeout=15.0) as http:
        classes = pages(http, "/classes")
        assert len(classes) == len({e.class_key for e in enrolments})
        for cls in classes:
            roster = pages(http, f"/classes/{cls['class_id']}/enrollments")
            states.update(e["state"] for e in roster)
            assert cls["enrolled"] == sum(e["state"] != "withdrawn" for e in roster) <= cls["capacity"]
    assert states == {
        "withdrawn": sum(e.withdrawn_on is not None for e in enrolments),
        "completed": sum(e.completed_on is not None for e in enrolments),
        "enrolled": sum(e.withdrawn_on is None and e.completed_on is None for e in enrolments),
    }


def test_every_accepted_write_records_the_events_the_contract_says(demo: Demo, first_run: Result) -> None:
    journeys, services = demo.plan.journeys, STAGE_SERVICES
    recorded = number(first_run.output, "events generated")
    assert recorded == sum(events(j, services) for j in journeys) + shared_writes(journeys, services)
    accepted = number(first_run.output, "writes accepted (each row of a batch counted)")
    withdrawals = sum(e.withdrawn_on is not None for j in journeys for e in j.courses + j.vocational)
    phone_fixes = sum(not e.changes_profile for j in journeys for e in j.edits)
    assert accepted == recorded + withdrawals + phone_fixes
    # A batch call is one request for all its rows.
    rows_in_batches = number(first_run.output, "completions recorded by batch calls")
    requests = accepted - rows_in_batches + number(first_run.output, "batch completion calls")
    assert number(first_run.output, "write requests sent (retries included)") >= requests


def test_a_rerun_with_the_same_seed_adds_nothing(demo: Demo, first_run: Result) -> None:
    assert first_run.exit_code == 0, first_run.output
    before = summary(demo)
    again = CliRunner().invoke(app, demo.args(), env={"COLUMNS": "200"})
    assert again.exit_code == 0, again.output
    assert number(again.output, "participants registered now") == 0
    assert number(again.output, "already registered (left as they were)") == PARTICIPANTS
    assert number(again.output, "events generated") == 0
    assert number(again.output, "records edited (PATCH /participants)") == 0
    assert number(again.output, "enrolments withdrawn") == 0
    assert summary(demo) == before


def test_an_unreachable_stage_service_is_named_with_the_way_around_it(demo: Demo) -> None:
    args = [*demo.args(), "--services=marketing=http://127.0.0.1:9", "--participants=1"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 2, result.output
    assert "marketing does not answer" in result.output
    assert "--stages training,mentoring,permits,finance" in result.output


def _period(demo: Demo) -> dict[str, str]:
    return {"from": demo.period.start.isoformat(), "to": demo.period.end.isoformat()}
