"""Leadership's reading: comparisons with earlier periods, yearly targets and achievement, over real HTTP."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from devstack.app_server import AppServer
from operator_cli import targets as targets_cli
from services.reporting.store.periods import a_year_earlier, previous_period
from shared.auth import Role
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.tokens import bearer

YEARS = (2023, 2024)


@pytest.fixture(scope="module")
def servers(stack: Stack) -> tuple[AppServer, AppServer]:
    return stack.registration(), stack.reporting()


@pytest.fixture(scope="module")
def accepted(servers: tuple[AppServer, AppServer]) -> list[dict[str, Any]]:
    registration, reporting = servers
    rng = random.Random(44)
    created = []
    with client(registration) as http:
        for serial in range(120):
            day = date(rng.choice(YEARS), rng.randint(1, 12), rng.randint(1, 28))
            response = http.post("/participants", json=participant(rng, 7000 + serial, day))
            assert response.status_code == 201, response.text
            created.append(response.json())
    with client(reporting) as http:
        wait_until(lambda: summary(http, date(2023, 1, 1), date(2024, 12, 31))["registered"] == len(created))
    return created


def wait_until(check: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "reporting did not catch up"
        time.sleep(0.05)


def summary(http: httpx.Client, start: date, end: date, **params: Any) -> dict[str, Any]:
    response = http.get("/metrics/summary", params={"from": str(start), "to": str(end), **params})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def registered(
    people: list[dict[str, Any]], start: date, end: date, keep: Callable[[Any], bool] = bool
) -> int:
    return sum(start <= date.fromisoformat(p["registered_on"]) <= end and keep(p) for p in people)


def test_a_summary_carries_the_previous_period_and_the_same_dates_last_year(
    servers: tuple[AppServer, AppServer], accepted: list[dict[str, Any]]
) -> None:
    start, end = date(2024, 3, 1), date(2024, 6, 30)
    with client(servers[1]) as http:
        body = summary(http, start, end, compare=["previous", "last_year"])
        plain = summary(http, start, end)
    assert body["registered"] == registered(accepted, start, end)
    assert plain["compared"] is None
    for kind, shift in (("previous", previous_period), ("last_year", a_year_earlier)):
        first, last = shift(start, end)
        compared = body["compared"][kind]
        assert (compared["from"], compared["to"]) == (str(first), str(last))
        assert compared["registered"] == registered(accepted, first, last), kind


def test_targets_are_set_read_back_and_measured_year_to_date(
    servers: tuple[AppServer, AppServer], accepted: list[dict[str, Any]]
) -> None:
    in_2023 = [p["domicile"]["kecamatan_code"] for p in accepted if p["registered_on"].startswith("2023")]
    kecamatan = max(sorted(set(in_2023)), key=in_2023.count)  # the busiest: a target with an actual
    targets = [
        {"year": 2023, "metric": "registered", "scope": "province", "key": "31", "value": 80},
        {"year": 2023, "metric": "registered", "scope": "agency", "key": "PPKUKM", "value": 4},
        {"year": 2023, "metric": "registered", "scope": "kota", "key": "31.71", "value": 0},
        {"year": 2023, "metric": "trained", "scope": "province", "key": "31", "value": 50},
        {"year": 2023, "metric": "registered", "scope": "kecamatan", "key": kecamatan, "value": 2},
    ]
    with client(servers[1]) as http:
        response = http.put("/targets", json={"targets": targets})
        assert response.status_code == 200, response.text
        assert response.json() == {"accepted": 5}
        # Replacing a target: the latest value stands.
        replaced = {**targets[0], "value": 90}
        assert http.put("/targets", json={"targets": [replaced]}).status_code == 200

        def stored() -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = http.get("/targets", params={"year": 2023}).json()["targets"]
            return rows

        wait_until(lambda: len(stored()) == 5 and stored()[0]["value"] == 90)
        achievement = http.get("/metrics/achievement", params={"year": 2023}).json()

    assert achievement["as_of"] == "2023-12-31" and achievement["elapsed_share"] == 1.0
    rows = {(r["metric"], r["scope"], r["key"]): r for r in achievement["rows"]}
    year = (date(2023, 1, 1), date(2023, 12, 31))
    province = rows[("registered", "province", "31")]
    assert province["actual"] == registered(accepted, *year)
    assert province["value"] == 90 and province["expected_to_date"] == 90
    assert province["achievement"] == round(province["actual"] / 90, 4)
    assert province["on_track"] is (province["actual"] >= 90)
    agency = rows[("registered", "agency", "PPKUKM")]
    assert agency["actual"] == registered(accepted, *year, keep=lambda p: p["agency"] == "PPKUKM")
    assert agency["label"].startswith("Dinas Perindustrian")
    kota = rows[("registered", "kota", "31.71")]
    assert kota["achievement"] is None and kota["on_track"] is True
    assert rows[("trained", "province", "31")]["actual"] == 0
    own = rows[("registered", "kecamatan", kecamatan)]
    assert own["actual"] == in_2023.count(kecamatan) > 0
    assert own["label"] and own["label"] != kecamatan  # the kecamatan's name
    assert own["on_track"] is (own["actual"] >= 2)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        (
            {"year": 2023, "metric": "registered", "scope": "kota", "key": "PPKUKM", "value": 1},
            "not a valid kota key",
        ),
        (
            {"year": 2023, "metric": "registered", "scope": "agency", "key": "31", "value": 1},
            "not a valid agency key",
        ),
        (
            {"year": 2023, "metric": "registered", "scope": "kecamatan", "key": "31.71", "value": 1},
            "not a valid kecamatan key",
        ),
        (
            {"year": 2023, "metric": "registered", "scope": "kecamatan", "key": "32.73.01", "value": 1},
            "not a valid kecamatan key",
        ),
        ({"year": 2023, "metric": "happiness", "scope": "province", "key": "31", "value": 1}, "metric"),
        ({"year": 2017, "metric": "registered", "scope": "province", "key": "31", "value": 1}, "year"),
        ({"year": 2023, "metric": "registered", "scope": "province", "key": "31", "value": -1}, "value"),
    ],
)
def test_bad_targets_are_refused_with_a_readable_reason(
    servers: tuple[AppServer, AppServer], target: dict[str, Any], message: str
) -> None:
    with client(servers[1]) as http:
        response = http.put("/targets", json={"targets": [target]})
    assert response.status_code == 422
    assert message in response.json()["detail"]


def test_a_target_given_twice_in_one_request_is_refused(servers: tuple[AppServer, AppServer]) -> None:
    target = {"year": 2023, "metric": "registered", "scope": "province", "key": "31", "value": 1}
    with client(servers[1]) as http:
        response = http.put("/targets", json={"targets": [target, target]})
    assert response.status_code == 422 and "given twice" in response.json()["detail"]


def test_only_an_admin_sets_targets(servers: tuple[AppServer, AppServer]) -> None:
    body = {"targets": [{"year": 2023, "metric": "trained", "scope": "province", "value": 1}]}
    cases = [({}, 401, "unauthorized"), (bearer(Role.ANALYST), 403, "forbidden")]
    cases.append((bearer(Role.ADMIN, ttl=timedelta(minutes=-5)), 401, "unauthorized"))
    for headers, status, code in cases:
        with client(servers[1], headers) as http:
            response = http.put("/targets", json=body)
        assert (response.status_code, response.json()["code"]) == (status, code), response.text


def test_targets_are_imported_from_a_spreadsheet(
    servers: tuple[AppServer, AppServer], tmp_path: Path
) -> None:
    sheet = tmp_path / "targets-2025.csv"
    sheet.write_text(
        "year,metric,scope,key,value\n"
        "2025,registered,province,31,20000\n"
        "2025,trained,agency,PPKUKM,3000\n"
        "2025,permits_issued,kota,31.74,800\n"
    )
    runner = CliRunner()
    url = ["--reporting-url", servers[1].url]
    result = runner.invoke(targets_cli.app, ["import", str(sheet), *url])
    assert result.exit_code == 0, result.output
    assert "3 targets set" in result.output
    with client(servers[1]) as http:
        wait_until(lambda: len(http.get("/targets", params={"year": 2025}).json()["targets"]) == 3)

    broken = tmp_path / "broken.csv"
    broken.write_text("year,metric,value\n2025,registered,1\n")
    result = runner.invoke(targets_cli.app, ["import", str(broken), *url])
    assert result.exit_code == 2 and "missing column(s) scope, key" in result.output
    refused = tmp_path / "refused.csv"
    refused.write_text("year,metric,scope,key,value\n2025,registered,kota,31.99,5\n")
    result = runner.invoke(targets_cli.app, ["import", str(refused), *url])
    assert result.exit_code == 1 and "not a valid kota key" in result.output
