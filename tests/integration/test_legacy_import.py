"""`jakpreneur import participants` against a real registration service (SQLite and PostgreSQL) and Kafka."""

from __future__ import annotations

import csv
import itertools
import json
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner, Result

from devstack.app_server import REPO_ROOT, AppServer
from operator_cli import importer
from operator_cli.main import app
from shared.contracts.codec import decode
from shared.contracts.events import ParticipantRegistered, ParticipantUpdated
from shared.db.engine import sync_url
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.stack import Stack, client

pytestmark = pytest.mark.integration

SERIALS = itertools.count(1)
LEGACY_HEADER = [
    "NIK",
    "Nama Lengkap",
    "Jenis Kelamin",
    "Tanggal Lahir",
    "No HP",
    "Email",
    "Disabilitas",
    "Kode Kota",
    "Kode Kecamatan",
    "Kode Kelurahan",
    "Nama Usaha",
    "Sektor",
    "Instansi",
    "Tanggal Daftar",
]
SENAYAN = {"kota_code": "31.74", "kecamatan_code": "31.74.01", "kelurahan_code": "31.74.01.1001"}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def registration(request: pytest.FixtureRequest, stack: Stack) -> AppServer:
    server: AppServer = stack.registration(request.param)
    return server


@pytest.fixture
def api(registration: AppServer) -> Iterator[httpx.Client]:
    with client(registration) as http:
        yield http


def people(n: int, registered_on: date = date(2020, 5, 17)) -> list[dict[str, Any]]:
    """Valid `POST /participants` bodies with NIKs no other test of the module uses."""
    bodies = []
    for _ in range(n):
        serial = next(SERIALS)
        bodies.append(participant(random.Random(serial), serial, registered_on))
    return bodies


def legacy_cells(body: dict[str, Any]) -> list[str]:
    """A body as an OK OCE spreadsheet holds it: L/P, day-first dates, capitalised sectors."""
    business = body.get("business") or {}
    return [
        body["nik"],
        body["full_name"],
        {"M": "L", "F": "P"}[body["gender"]],
        date.fromisoformat(body["birth_date"]).strftime("%d/%m/%Y"),
        body.get("phone", ""),
        body.get("email", ""),
        "Ya" if body.get("disability") else "Tidak",
        body["domicile"]["kota_code"],
        body["domicile"]["kecamatan_code"],
        body["domicile"]["kelurahan_code"],
        business.get("name", ""),
        business.get("sector", "").capitalize(),
        body["agency"],
        date.fromisoformat(body["registered_on"]).strftime("%d/%m/%Y"),
    ]


def write_csv(path: Path, rows: list[list[str]], header: list[str] = LEGACY_HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([header, *rows])
    return path


def run_import(path: Path, server: AppServer, *options: str) -> Result:
    args = ["import", "participants", str(path), "--registration-url", server.url, *options]
    with ThreadPoolExecutor(1) as worker:  # the command calls asyncio.run: not from within a running loop
        return worker.submit(CliRunner().invoke, app, args, env={"COLUMNS": "200"}).result()


def assert_nothing_personal(output: str, bodies: list[dict[str, Any]]) -> None:
    assert "Peserta" not in output and "Usaha " not in output  # names and business names of people.py
    for body in bodies:
        assert body["nik"] not in output and body["phone"] not in output


def lookup(api: httpx.Client, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What registration holds for these NIKs, asked through a dry run (which writes nothing)."""
    results = []
    for start in range(0, len(bodies), 500):
        response = api.post(
            "/participants/batch", json={"rows": bodies[start : start + 500], "dry_run": True}
        )
        assert response.status_code == 200, response.text
        results += response.json()["results"]
    return results


def stored(api: httpx.Client, body: dict[str, Any]) -> dict[str, Any]:
    [found] = lookup(api, [body])
    assert found["code"] == "duplicate_nik", found
    response = api.get(f"/participants/{found['participant_id']}")
    assert response.status_code == 200
    result: dict[str, Any] = response.json()
    return result


def outbox_events(server: AppServer, participant_id: str) -> list[str]:
    engine = sa.create_engine(sync_url(server.env["REGISTRATION_DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT event_type FROM outbox WHERE key = :key ORDER BY id"), {"key": participant_id}
            )
            return [row.event_type for row in rows]
    finally:
        engine.dispose()


# --- the batch endpoint ----------------------------------------------------------------------------


def test_the_batch_endpoint_answers_every_row_in_order(api: httpx.Client) -> None:
    good, taken = people(2)
    assert api.post("/participants", json=taken).status_code == 201
    rows = [
        good,
        {**good, "full_name": "Second of the same NIK"},
        {**good, "nik": "123"},
        {**people(1)[0], "domicile": {**SENAYAN, "kota_code": "31.71"}},
        taken,
    ]
    response = api.post("/participants/batch", json={"rows": rows})
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["index"], r["status"], r.get("code")) for r in results] == [
        (0, "created", None),
        (1, "invalid", "duplicate_in_file"),
        (2, "invalid", "validation_error"),
        (3, "invalid", "rule_violation"),
        (4, "skipped", "duplicate_nik"),
    ]
    assert "nik" in results[2]["detail"] and "does not belong" in results[3]["detail"]
    assert results[4]["participant_id"] == stored(api, taken)["participant_id"]
    assert api.get(f"/participants/{results[0]['participant_id']}").json()["registered_on"] == "2020-05-17"


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"rows": []}, "rows"),
        ({"rows": [{}] * 501}, "rows"),
        ({"rows": [{}], "on_duplicate": "replace"}, "on_duplicate"),
        ({"rows": ["not an object"]}, "rows.0"),
        ({"rows": [{}], "extra": 1}, "extra"),
    ],
)
def test_a_malformed_batch_gets_a_readable_422(api: httpx.Client, body: dict[str, Any], words: str) -> None:
    response = api.post("/participants/batch", json=body)
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "validation_error" and words in response.json()["detail"]


def test_concurrent_batches_of_the_same_rows_register_each_nik_once(api: httpx.Client) -> None:
    bodies = people(40)
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: api.post("/participants/batch", json={"rows": bodies}), range(4)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    for index in range(len(bodies)):
        outcomes = [a.json()["results"][index] for a in answers]
        assert sorted(o["status"] for o in outcomes) == ["created", "skipped", "skipped", "skipped"]
        assert len({o["participant_id"] for o in outcomes}) == 1


# --- the CLI -----------------------------------------------------------------------------------------


async def test_a_legacy_file_is_imported_with_its_original_dates(
    api: httpx.Client, registration: AppServer, stack: Stack, tmp_path: Path
) -> None:
    bodies = people(30, date(2019, 8, 17)) + people(30, date(2022, 1, 3))
    path = write_csv(tmp_path / "okoce.csv", [legacy_cells(b) for b in bodies])

    result = run_import(path, registration, "--batch-size", "25")

    assert result.exit_code == 0, result.output
    assert "60 rows in" in result.output and "created 60 · updated 0 · skipped 0 · invalid 0" in result.output
    assert_nothing_personal(result.output, bodies)
    assert not (tmp_path / "okoce.csv.progress").exists() and not (tmp_path / "okoce.errors.csv").exists()
    first = stored(api, bodies[0])
    assert first["registered_on"] == "2019-08-17" and first["birth_date"] == bodies[0]["birth_date"]
    assert first["gender"] == bodies[0]["gender"] and first["domicile"] == bodies[0]["domicile"]
    ids = {r["participant_id"] for r in lookup(api, bodies)}
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("registration"),
        until=lambda seen: ids <= {r.key.decode() for r in seen},
    )
    dates = {
        str(event.participant_id): event.profile.registered_on
        for _, event in (decode(r.value) for r in records)
        if isinstance(event, ParticipantRegistered) and str(event.participant_id) in ids
    }
    assert sorted(dates.values()) == [date(2019, 8, 17)] * 30 + [date(2022, 1, 3)] * 30


def test_a_file_without_a_required_column_is_refused_before_anything_is_sent(
    api: httpx.Client, registration: AppServer, tmp_path: Path
) -> None:
    bodies = people(3)
    header = [h for h in LEGACY_HEADER if h != "Tanggal Daftar"]
    path = write_csv(tmp_path / "undated.csv", [legacy_cells(b)[:-1] for b in bodies], header)

    result = run_import(path, registration)

    assert result.exit_code == 2, result.output
    assert "missing required column(s): registered_on" in result.output
    assert [r["status"] for r in lookup(api, bodies)] == ["would_create"] * 3


def test_a_file_that_is_not_utf8_is_refused_before_anything_is_sent(
    api: httpx.Client, registration: AppServer, tmp_path: Path
) -> None:
    bodies = people(3)
    path = write_csv(tmp_path / "latin1.csv", [legacy_cells(b) for b in bodies[:2]])
    with path.open("ab") as file:
        file.write(",".join(legacy_cells({**bodies[2], "full_name": "Sité"})).encode("latin-1") + b"\n")

    result = run_import(path, registration)

    assert result.exit_code == 2, result.output
    assert "line 4 is not UTF-8" in result.output
    assert [r["status"] for r in lookup(api, bodies)] == ["would_create"] * 3


def test_refused_rows_go_to_the_error_report_with_line_code_and_message(
    registration: AppServer, tmp_path: Path
) -> None:
    good, wrong_place, bad_date = people(3)
    wrong_place["domicile"] = {**SENAYAN, "kota_code": "31.71"}
    rows = [legacy_cells(good), legacy_cells(wrong_place), legacy_cells(bad_date), legacy_cells(good)]
    rows[2][3] = "31/02/1990"
    path = write_csv(tmp_path / "mixed.csv", rows)

    result = run_import(path, registration, "--errors", str(tmp_path / "refused.csv"))

    assert result.exit_code == 1, result.output
    assert "created 1 · updated 0 · skipped 0 · invalid 3" in result.output
    assert "(duplicate_in_file 1, rule_violation 1, validation_error 1)" in result.output
    assert_nothing_personal(result.output, [good, wrong_place, bad_date])
    with (tmp_path / "refused.csv").open(newline="") as file:
        report = list(csv.reader(file))
    assert report[0] == ["error_line", "error_code", "error_message", *LEGACY_HEADER]
    assert [(r[0], r[1]) for r in report[1:]] == [
        ("3", "rule_violation"),
        ("4", "validation_error"),
        ("5", "duplicate_in_file"),
    ]
    assert "does not belong" in report[1][2] and "birth_date is not a date" in report[2][2]
    assert report[3][2].startswith("the same NIK as line 2") and report[1][3:] == rows[1]


async def test_duplicates_are_skipped_or_updated_and_updates_are_published(
    api: httpx.Client, registration: AppServer, stack: Stack, tmp_path: Path
) -> None:
    bodies = people(6)
    first = run_import(write_csv(tmp_path / "v1.csv", [legacy_cells(b) for b in bodies]), registration)
    assert first.exit_code == 0, first.output
    moved = {**bodies[0], "domicile": SENAYAN, "registered_on": "2020-06-01"}
    new_phone = {**bodies[1], "phone": "081298765432"}
    second_file = write_csv(tmp_path / "v2.csv", [legacy_cells(b) for b in [moved, new_phone, *bodies[2:]]])

    skipped = run_import(second_file, registration)
    assert skipped.exit_code == 0, skipped.output
    assert "created 0 · updated 0 · skipped 6 (duplicate_nik 6) · invalid 0" in skipped.output
    assert stored(api, bodies[0])["domicile"] == bodies[0]["domicile"]

    updated = run_import(second_file, registration, "--on-duplicate", "update")
    assert updated.exit_code == 0, updated.output
    assert "created 0 · updated 2 · skipped 4 (unchanged 4) · invalid 0" in updated.output
    assert_nothing_personal(updated.output, [moved, new_phone, *bodies])
    now_moved, now_new_phone = stored(api, bodies[0]), stored(api, bodies[1])
    assert now_moved["domicile"] == SENAYAN and now_moved["registered_on"] == "2020-06-01"
    assert now_new_phone["phone"] == "081298765432"

    moved_id = now_moved["participant_id"]
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("registration"),
        until=lambda seen: any(
            r.key == moved_id.encode() and dict(r.headers)["event_type"] == b"ParticipantUpdated"
            for r in seen
        ),
    )
    [(_, update)] = [
        decoded
        for decoded in (decode(r.value) for r in records if r.key == moved_id.encode())
        if isinstance(decoded[1], ParticipantUpdated)
    ]
    assert isinstance(update, ParticipantUpdated)
    assert update.profile.kota_code == "31.74" and update.profile.registered_on == date(2020, 6, 1)
    for record in records:
        for personal in (moved["nik"], moved["full_name"], moved["phone"]):
            assert personal.encode() not in record.value
    # A new phone number changes no profile: followers are not told.
    assert outbox_events(registration, now_new_phone["participant_id"]) == ["ParticipantRegistered"]

    again = run_import(second_file, registration, "--on-duplicate", "update")
    assert "updated 0 · skipped 6 (unchanged 6)" in again.output


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(
    api: httpx.Client, registration: AppServer, tmp_path: Path
) -> None:
    new, existing = people(5), people(1)
    assert api.post("/participants", json=existing[0]).status_code == 201
    changed = {**existing[0], "agency": "SOSIAL"}
    broken = legacy_cells(people(1)[0])
    broken[13] = ""
    path = write_csv(tmp_path / "try.csv", [*(legacy_cells(b) for b in new), legacy_cells(changed), broken])

    skip = run_import(path, registration, "--dry-run")
    update = run_import(path, registration, "--dry-run", "--on-duplicate", "update")

    assert skip.exit_code == update.exit_code == 1, skip.output + update.output
    assert "dry run: nothing was written" in skip.output
    assert "would create 5 · would update 0 · skipped 1 (duplicate_nik 1) · invalid 1" in skip.output
    assert "would create 5 · would update 1 · skipped 0 · invalid 1" in update.output
    assert not (tmp_path / "try.csv.progress").exists()
    assert [r["status"] for r in lookup(api, new)] == ["would_create"] * 5
    assert stored(api, existing[0])["agency"] == existing[0]["agency"]


def test_an_interrupted_import_resumes_after_the_last_answered_line(
    api: httpx.Client, registration: AppServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bodies = people(50)
    path = write_csv(tmp_path / "long.csv", [legacy_cells(b) for b in bodies])
    post = importer.Importer._post
    calls = itertools.count(1)

    async def outage_at_the_fourth_batch(self: importer.Importer, http: httpx.AsyncClient, batch: Any) -> Any:
        if next(calls) == 4:
            raise importer.ImportStopped("simulated outage")
        return await post(self, http, batch)

    with monkeypatch.context() as patched:
        patched.setattr(importer.Importer, "_post", outage_at_the_fourth_batch)
        stopped = run_import(path, registration, "--batch-size", "10", "--concurrency", "1")

    assert stopped.exit_code == 3, stopped.output
    assert "simulated outage" in stopped.output and "every line up to 31 was answered" in stopped.output
    assert "run the same command again" in stopped.output
    checkpoint = json.loads((tmp_path / "long.csv.progress").read_text())
    assert checkpoint["line"] == 31 and checkpoint["tally"]["statuses"] == {"created": 30}
    assert [r["status"] for r in lookup(api, bodies)] == ["skipped"] * 30 + ["would_create"] * 20

    resumed = run_import(path, registration, "--batch-size", "10", "--concurrency", "1")

    assert resumed.exit_code == 0, resumed.output
    assert "resumed after line 31" in resumed.output and "20 rows in" in resumed.output
    assert "created 50 · updated 0 · skipped 0 · invalid 0" in resumed.output
    assert not (tmp_path / "long.csv.progress").exists()
    assert [r["status"] for r in lookup(api, bodies)] == ["skipped"] * 50


def test_a_killed_import_is_completed_by_running_it_again(
    api: httpx.Client, registration: AppServer, tmp_path: Path
) -> None:
    bodies = people(1500)
    path = write_csv(tmp_path / "killed.csv", [legacy_cells(b) for b in bodies])
    progress = tmp_path / "killed.csv.progress"
    argv = ["import", "participants", str(path), "--registration-url", registration.url, "--batch-size", "5"]
    child = subprocess.Popen(
        [sys.executable, "-m", "operator_cli.main", *argv],
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (progress.exists() and json.loads(progress.read_text())["line"] > 100):
            assert child.poll() is None, "the import ended before it could be killed"
            assert time.monotonic() < deadline, "no progress after 60 s"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    done_before = json.loads(progress.read_text())["tally"]["statuses"]["created"]

    again = run_import(path, registration, "--batch-size", "100")

    assert again.exit_code == 0, again.output
    statuses = {s: int(n.replace(",", "")) for n, s in _counts(again.output)}
    # Batches in flight when the process died may have been stored: they come back as duplicates.
    assert statuses["created"] + statuses["skipped"] == 1500 and statuses["created"] >= done_before
    assert statuses["skipped"] <= 4 * 5
    assert {r["code"] for r in lookup(api, bodies)} == {"duplicate_nik"}


def _counts(output: str) -> list[tuple[str, str]]:
    [line] = [line for line in output.splitlines() if line.startswith("created ")]
    return [(part.split()[1], part.split()[0]) for part in line.split(" · ")]
