"""Exports and strict queries over real HTTP, on real Kafka and Redis (issue 14 points 4 and 8).

Figures are written through the services (registrations, a class with enrolments and completions,
targets); each figure endpoint's CSV and Excel workbook are parsed back and must hold the numbers of its
JSON. Every figure endpoint — found by walking the served OpenAPI document, so a new one cannot be
missed — refuses a query parameter it does not know with a 422 naming it.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any
from uuid import uuid4

import httpx
import pytest

from devstack.app_server import AppServer
from services.reporting.api.strict_query import SPEC_DIMENSIONS
from shared.auth import Role
from shared.regions import jakarta
from tests.exported import Sheet, norm, read_csv, read_xlsx
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.tokens import bearer

pytestmark = pytest.mark.integration

YEAR = date(2024, 1, 1), date(2024, 12, 31)
PERIOD = {"from": "2024-01-01", "to": "2024-12-31"}
MARCH = {"from": "2024-03-01", "to": "2024-03-31"}
KOTA = "31.71"
FEW_KECAMATAN = "31.71.01"  # 3 registered in March: a small cell, withheld from the public
CSV, XLSX = "text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NOT_FIGURES = {"/healthz", "/readyz"}  # GET operations that are no figure: probes
WITHHELD = "< 5"
SUMMARY_FIELDS = [
    "registered",
    "trained",
    "mentored",
    "permits_issued",
    "products_marketed",
    "financial_reporting",
    "financed",
]


@dataclass(frozen=True)
class Seeded:
    private: AppServer  # figures for analysts (the default), consuming
    public: AppServer  # REPORTING_PUBLIC_AGGREGATES=true, same keyspace
    people: list[dict[str, Any]]  # the registration requests sent, personal data included


def _in_kecamatan(body: dict[str, Any], code: str) -> dict[str, Any]:
    (kota,) = [k for k in jakarta().kota if code.startswith(k.code + ".")]
    (kecamatan,) = [k for k in kota.kecamatan if k.code == code]
    domicile = {"kota_code": kota.code, "kecamatan_code": code, "kelurahan_code": kecamatan.kelurahan[0].code}
    return {**body, "domicile": domicile}


def _until(check: Callable[[], bool], what: str, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.1)


def _posted(http: httpx.Client, path: str, body: dict[str, Any]) -> bool:
    return http.post(path, json=body).status_code == 201


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> Seeded:
    registration, training = stack.registration(), stack.producing("training")
    private = stack.reporting()
    public = stack.reporting(REPORTING_PUBLIC_AGGREGATES="true", REPORTING_CONSUME="false")
    rng, people, ids = random.Random(14), [], []
    with client(registration) as http:
        for serial in range(30):
            body = participant(rng, 14_000 + serial, date(2024, rng.randint(1, 11), rng.randint(1, 28)))
            if serial < 3:
                body = _in_kecamatan({**body, "registered_on": "2024-03-05"}, FEW_KECAMATAN)
            response = http.post("/participants", json=body)
            assert response.status_code == 201, response.text
            people.append(body)
            ids.append(response.json()["participant_id"])
    with client(training) as http:
        course = {
            "title": "Kelas ekspor",
            "program": "entrepreneurship",
            "format": "regular",
            "kota_code": KOTA,
            "starts_on": "2024-11-01",
            "ends_on": "2024-12-20",
            "capacity": 40,
        }
        created = http.post("/classes", json=course)
        assert created.status_code == 201, created.text
        path = f"/classes/{created.json()['class_id']}"
        for n, pid in enumerate(ids[:8]):
            enrol = {"participant_id": pid, "enrolled_on": "2024-11-30"}
            # The training service follows registrations from Kafka: a participant may be unknown a moment.
            _until(partial(_posted, http, f"{path}/enrollments", enrol), f"enrol {pid}")
            if n % 2 == 0:
                done = {"participant_id": pid, "completed_on": "2024-12-10"}
                assert http.post(f"{path}/completions", json=done).status_code == 201
    with client(private) as http:
        targets = [
            {"year": 2024, "metric": "registered", "scope": "province", "value": 40},
            {"year": 2024, "metric": "trained", "scope": "kota", "key": KOTA, "value": 10},
        ]
        assert http.put("/targets", json={"targets": targets}).status_code == 200

        def caught_up() -> bool:
            summary = http.get("/metrics/summary", params=PERIOD).json()
            achieved = http.get("/metrics/achievement", params={"year": 2024}).json()["rows"]
            return summary["registered"] == len(people) and summary["trained"] == 4 and len(achieved) == 2

        _until(caught_up, "reporting did not catch up")
    return Seeded(private, public, people)


# Each figure as the dashboard and leadership ask for it.
FIGURES: list[tuple[str, dict[str, Any]]] = [
    ("/metrics/summary", {**PERIOD, "compare": ["previous", "last_year"]}),
    ("/metrics/summary", {**PERIOD, "kota": KOTA}),
    ("/metrics/breakdown", {**PERIOD, "metric": "registered", "by": "kota"}),
    ("/metrics/breakdown", {**PERIOD, "metric": "trained", "by": "agency"}),
    ("/metrics/timeseries", {**PERIOD, "metric": "registered", "interval": "month"}),
    ("/metrics/timeseries", {**MARCH, "metric": "registered", "interval": "day", "agency": "PPAPP"}),
    ("/metrics/funnel", PERIOD),
    ("/metrics/achievement", {"year": 2024}),
    ("/targets", {"year": 2024}),
]


def _get(server: AppServer, path: str, params: Any, headers: dict[str, str] | None = None) -> Any:
    with client(server, headers) as http:
        response = http.get(path, params=params)
    assert response.status_code == 200, (path, params, response.text)
    return response


def _exports(server: AppServer, path: str, params: dict[str, Any], **extra: str) -> list[Sheet]:
    sheets = []
    for kind, read in (("csv", read_csv), ("xlsx", read_xlsx)):
        response = _get(server, path, {**params, "format": kind, **extra})
        assert response.headers["content-type"].startswith(CSV if kind == "csv" else XLSX)
        assert re.fullmatch(
            rf'attachment; filename="jakpreneur-[a-z]+-[0-9_-]+\.{kind}"',
            response.headers["content-disposition"],
        )
        sheets.append(read(response.content))
    return sheets


def _count(value: int | None) -> Any:
    return norm(WITHHELD if value is None else value)


def _expected(path: str, body: dict[str, Any]) -> list[list[Any]]:
    """The rows a file must hold, straight from the JSON (keys and values, not the names)."""
    match path:
        case "/metrics/summary":
            periods = [body, *(body["compared"] or {}).values()]
            rows = [[f, *(_count(p[f]) for p in periods)] for f in SUMMARY_FIELDS]
            for f in ("trained", "placed"):
                rows.append([f"vocational.{f}", *(_count(p["vocational"][f]) for p in periods)])
            rate = [norm(p["vocational"]["placement_rate"]) for p in periods]
            return [*rows, ["vocational.placement_rate", *rate]]
        case "/metrics/breakdown":
            return [[norm(r["key"]), r["label"], _count(r["value"])] for r in body["rows"]]
        case "/metrics/timeseries":
            return [[norm(p["start"]), _count(p["value"])] for p in body["points"]]
        case "/metrics/funnel":
            return [[s["stage"], _count(s["value"]), norm(s["conversion"])] for s in body["stages"]]
        case "/metrics/achievement":
            return [
                [r["metric"], norm(r["key"]), norm(r["value"]), norm(r["actual"]), norm(r["achievement"])]
                for r in body["rows"]
            ]
        case "/targets":
            return [[t["metric"], norm(t["key"]), norm(t["value"])] for t in body["targets"]]
    raise AssertionError(f"no expectation for {path}")


def _found(path: str, sheet: Sheet) -> list[list[Any]]:
    """The same cells of a file read back, by the columns its header names."""
    header = sheet.header
    match path:
        case "/metrics/summary":
            return [[r[0], *r[2:]] for r in sheet.rows]
        case "/metrics/breakdown" | "/metrics/timeseries":
            return sheet.rows
        case "/metrics/funnel":
            return [[r[0], r[2], r[3]] for r in sheet.rows]
        case "/metrics/achievement":
            at = [0, 3, 5, 6, 7]
            assert [header[i] for i in at] == [
                "Kode",
                "Kode (cakupan)",
                "Target tahunan",
                "Realisasi s.d. tanggal",
                "Capaian dari target",
            ]
            return [[r[i] for i in at] for r in sheet.rows]
        case "/targets":
            return [[r[0], r[3], r[5]] for r in sheet.rows]
    raise AssertionError(f"no reading for {path}")


@pytest.mark.parametrize(("path", "params"), FIGURES, ids=[f"{p} {sorted(q)}" for p, q in FIGURES])
def test_each_figure_as_csv_and_as_workbook_holds_the_numbers_of_its_json(
    seeded: Seeded, path: str, params: dict[str, Any]
) -> None:
    body = _get(seeded.private, path, params).json()
    for sheet in _exports(seeded.private, path, params):
        normal = sheet.normalized()
        assert _found(path, normal) == _expected(path, body)
        assert sheet.about["Sumber"].startswith(path)
        read_at = datetime.fromisoformat(sheet.about["Angka per"])
        assert abs((datetime.now(read_at.tzinfo) - read_at).total_seconds()) < 60
        assert read_at.utcoffset() == timedelta(hours=7)  # Jakarta time, as the programme reads it
        if "from" in params:
            assert sheet.about["Periode"] == f"{params['from']} s.d. {params['to']}"


def test_the_filters_are_written_into_the_file_with_their_names(seeded: Seeded) -> None:
    for sheet in _exports(seeded.private, "/metrics/summary", {**PERIOD, "kota": KOTA}):
        assert sheet.about["Saringan"] == "kota = 31.71 (Kota Administrasi Jakarta Pusat)"
    for sheet in _exports(seeded.private, "/metrics/funnel", PERIOD, lang="en"):
        assert sheet.about["Filters"] == "none (all of Jakarta)"


def test_headers_are_indonesian_and_english_with_lang_en(seeded: Seeded) -> None:
    params = {**PERIOD, "metric": "registered", "by": "kota"}
    indonesian = _exports(seeded.private, "/metrics/breakdown", params)
    english = _exports(seeded.private, "/metrics/breakdown", params, lang="en")
    assert all(
        s.header == ["Kode", "Nama (kota)", "Jumlah"] and s.title == "Rincian angka" for s in indonesian
    )
    assert all(s.header == ["Code", "Name (kota)", "Count"] and s.title == "Breakdown" for s in english)
    assert indonesian[0].rows == english[0].rows  # the same figures in either language


def test_the_stream_exports_the_summary_it_would_send_now(seeded: Seeded) -> None:
    summary = _get(seeded.private, "/metrics/summary", PERIOD).json()
    for sheet in _exports(seeded.private, "/metrics/stream", PERIOD):
        assert _found("/metrics/summary", sheet.normalized()) == _expected("/metrics/summary", summary)


def test_public_exports_withhold_the_small_cells_the_public_json_withholds(seeded: Seeded) -> None:
    params = {**MARCH, "metric": "registered", "by": "kecamatan"}
    public = _get(seeded.public, "/metrics/breakdown", params, headers={}).json()
    withheld = {r["key"] for r in public["rows"] if r.get("suppressed")}
    assert FEW_KECAMATAN in withheld
    with client(seeded.public, {}) as http:
        for kind, read in (("csv", read_csv), ("xlsx", read_xlsx)):
            response = http.get("/metrics/breakdown", params={**params, "format": kind})
            assert response.status_code == 200, response.text
            sheet = read(response.content).normalized()
            assert _found("/metrics/breakdown", sheet) == _expected("/metrics/breakdown", public)
            assert {r[0] for r in sheet.rows if r[2] == WITHHELD} == {norm(k) for k in withheld}
            assert sheet.about["Catatan"].startswith("< 5")
        # An analyst's token sees exact values in the file too.
        analyst = bearer(Role.ANALYST)
        exact = read_csv(
            http.get("/metrics/breakdown", params={**params, "format": "csv"}, headers=analyst).content
        )
    assert dict((r[0], r[2]) for r in exact.rows)[FEW_KECAMATAN] == "3"
    # Below kota level the public gets whole months only, in a file as in the JSON.
    with client(seeded.public, {}) as http:
        short = http.get("/metrics/breakdown", params={**params, "to": "2024-03-20", "format": "xlsx"})
    assert short.status_code == 422 and short.json()["code"] == "invalid_period"


def test_no_personal_data_in_any_file(seeded: Seeded) -> None:
    csv_files = b"".join(
        _get(seeded.private, path, {**params, "format": "csv"}).content for path, params in FIGURES
    )
    texts = "".join(
        str(cell)
        for path, params in FIGURES
        for sheet in _exports(seeded.private, path, params)
        for line in [[sheet.title], *sheet.about.items(), sheet.header, *sheet.rows]
        for cell in line
    )
    for person in seeded.people:
        for secret in (person["nik"], person["full_name"], person["phone"], person["birth_date"]):
            assert secret not in texts and secret.encode() not in csv_files, secret


# --- Issue 14.8: no silent filters, on every figure endpoint of the served document --------------------

SAMPLE = {
    "metric": "registered",
    "by": "kota",
    "interval": "month",
    "year": "2024",
    "from": "2024-01-01",
    "to": "2024-12-31",
}


@pytest.fixture(scope="module")
def figure_operations(seeded: Seeded) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """Every GET operation of reporting's served document but the probes: (path, operation, a valid query)."""
    document = httpx.get(f"{seeded.private.url}/openapi.json", timeout=10).json()
    found = []
    for template, item in document["paths"].items():
        if "get" not in item or template in NOT_FIGURES:
            continue
        operation = item["get"]
        params = operation.get("parameters", [])
        path = template.replace("{participant_id}", str(uuid4()))
        valid = {p["name"]: SAMPLE[p["name"]] for p in params if p["in"] == "query" and p.get("required")}
        found.append((path, operation, valid))
    assert {"/metrics/summary", "/metrics/stream", "/metrics/achievement", "/targets"} <= {
        p for p, *_ in found
    }
    return found


def _query_names(operation: dict[str, Any]) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def _refused(server: AppServer, path: str, query: list[tuple[str, str]]) -> dict[str, Any]:
    with client(server) as http:
        response = http.get(path, params=tuple(query))
    assert response.status_code == 422, (path, query, response.text)
    body: dict[str, Any] = response.json()
    return body


def test_every_figure_endpoint_refuses_an_unknown_parameter_naming_it(
    seeded: Seeded, figure_operations: list[tuple[str, dict[str, Any], dict[str, Any]]]
) -> None:
    for path, operation, valid in figure_operations:
        refused = _refused(seeded.private, path, [*valid.items(), ("colour", "blue")])
        assert refused["code"] == "unknown_parameter" and refused["parameters"] == "colour", (path, refused)
        assert "colour" in refused["detail"], refused
        examples = operation["responses"]["422"]["content"]["application/json"]["examples"]
        assert {"unknown_parameter", "unsupported_filter", "repeated_parameter"} <= set(examples), path


def test_every_figure_endpoint_refuses_a_filter_it_does_not_support_yet_naming_it(
    seeded: Seeded, figure_operations: list[tuple[str, dict[str, Any], dict[str, Any]]]
) -> None:
    refusals = 0
    for path, operation, valid in figure_operations:
        for dimension in sorted(set(SPEC_DIMENSIONS) - _query_names(operation)):
            refused = _refused(seeded.private, path, [*valid.items(), (dimension, "x")])
            assert refused["code"] == "unsupported_filter", (path, dimension, refused)
            assert refused["detail"].startswith(f"not a filter of this figure yet: {dimension}"), refused
            refusals += 1
    # The issue's own example: a summary by gender is refused, not answered unfiltered.
    refused = _refused(seeded.private, "/metrics/summary", [*PERIOD.items(), ("gender", "F")])
    assert refused["parameters"] == "gender" and "kota, kecamatan, agency" in refused["detail"]
    assert refusals >= 40


def test_every_figure_endpoint_refuses_a_single_parameter_given_twice_and_an_unknown_format(
    seeded: Seeded, figure_operations: list[tuple[str, dict[str, Any], dict[str, Any]]]
) -> None:
    for path, operation, valid in figure_operations:
        names = _query_names(operation)
        if "to" in names:
            query = [*valid.items(), ("to", "2024-06-30"), ("to", "2024-12-31")]
            refused = _refused(seeded.private, path, query)
            assert refused["code"] == "repeated_parameter" and refused["parameters"] == "to", refused
        if "format" in names:
            refused = _refused(seeded.private, path, [*valid.items(), ("format", "pdf")])
            assert refused["code"] == "validation_error" and "format" in refused["detail"], refused
    kotas = [*PERIOD.items(), ("kota", "31.71"), ("kota", "31.72")]
    assert _refused(seeded.private, "/metrics/summary", kotas)["parameters"] == "kota"
    # A list parameter may repeat.
    compare = [*PERIOD.items(), ("compare", "previous"), ("compare", "last_year")]
    assert _get(seeded.private, "/metrics/summary", compare).json()["compared"]


def test_every_figure_endpoint_but_the_journey_exports_csv_and_xlsx(
    seeded: Seeded, figure_operations: list[tuple[str, dict[str, Any], dict[str, Any]]]
) -> None:
    for path, operation, valid in figure_operations:
        if path.startswith("/participants/"):
            # One participant's facts, not a figure: never exported.
            assert "format" not in _query_names(operation)
            continue
        assert {"format", "lang"} <= _query_names(operation), path
        assert {CSV, XLSX} <= set(operation["responses"]["200"]["content"]), path
        for kind, media in (("csv", CSV), ("xlsx", XLSX)):
            answered = _get(seeded.private, path, {**valid, "format": kind})
            assert answered.headers["content-type"].startswith(media), path
