"""Leadership reports by e-mail (issue 14.5) on real Kafka and Redis, through a real SMTP server
(aiosmtpd) on loopback.

Figures are written through the services (registrations in a kota and an agency, a class with completions,
targets). A report is sent on demand (`jakpreneur report`) and by the reporting service's schedule; each
attachment is read back — the workbook with openpyxl, the PDF's text with pypdf — and every figure in it
must equal the JSON the reporting API answers over HTTP for the request the sheet names ("Sumber"), and
the counts of the services' own 201 responses. A server that refuses the first tries gets the report after
retries that are logged; one that always refuses ends in a logged error, a failure metric and exit code 1.
"""

from __future__ import annotations

import io
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from openpyxl import load_workbook
from pypdf import PdfReader

from devstack.app_server import REPO_ROOT, AppServer
from devstack.ports import LOOPBACK, free_ports
from services.reporting.exports.words import FIELDS, STAGES, Lang, named
from services.reporting.reports.pdf import text
from shared.dates import jakarta_today
from shared.regions import jakarta
from tests.exported import Sheet, _sheet, norm
from tests.integration.people import participant
from tests.integration.stack import Stack, client

pytestmark = pytest.mark.integration

TODAY = jakarta_today()
YEAR_START = date(TODAY.year, 1, 1)  # the schedule's period: year to date
PERIOD = f"{YEAR_START.isoformat()}..{TODAY.isoformat()}"
KOTA, AGENCY = "31.75", "PPAPP"
SENDER = "laporan@jakpreneur.example"
RECIPIENTS = {KOTA: ["walikota.jaktim@jakpreneur.example"], AGENCY: ["kadis.ppapp@jakpreneur.example"]}
ATTEMPTS = 3


class Inbox:
    """An aiosmtpd handler: refuses the first `refuse_first` messages (451), or every one (554); keeps
    the messages it accepts."""

    def __init__(self, refuse_first: int = 0, refuse_all: bool = False) -> None:
        self.refuse_first = refuse_first
        self.refuse_all = refuse_all
        self.tries = 0
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.tries += 1
        if self.refuse_all:
            return "554 5.3.0 refused for the test"
        if self.tries <= self.refuse_first:
            return "451 4.3.0 busy, try again later"
        content = envelope.content if isinstance(envelope.content, bytes) else b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@dataclass
class MailServer:
    inbox: Inbox
    port: int
    controller: Controller = field(repr=False)

    def settings(self) -> dict[str, str]:
        return {
            "SMTP_HOST": LOOPBACK,
            "SMTP_PORT": str(self.port),
            "SMTP_STARTTLS": "false",  # a loopback test server without a certificate
            "SMTP_TIMEOUT_S": "10",
            "REPORT_FROM": SENDER,
            "REPORT_SEND_ATTEMPTS": str(ATTEMPTS),
            "REPORT_RETRY_FIRST_S": "0.1",
        }


@pytest.fixture
def mail_server() -> Iterator[Callable[[Inbox], MailServer]]:
    started: list[MailServer] = []

    def start(inbox: Inbox) -> MailServer:
        (port,) = free_ports(1)
        controller = Controller(inbox, hostname=LOOPBACK, port=port)
        controller.start()
        started.append(MailServer(inbox, port, controller))
        return started[-1]

    yield start
    for server in started:
        server.controller.stop()


@dataclass(frozen=True)
class Seeded:
    reporting: AppServer
    people: list[dict[str, Any]]  # the registration requests accepted, personal data included


def _until(check: Callable[[], bool], what: str, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, what
        time.sleep(0.2)


def _posted(http: httpx.Client, path: str, body: dict[str, Any]) -> bool:
    return http.post(path, json=body).status_code == 201


def _in_kota(rng: random.Random, body: dict[str, Any], code: str) -> dict[str, Any]:
    (kota,) = [k for k in jakarta().kota if k.code == code]
    kecamatan = rng.choice(kota.kecamatan)
    domicile = {
        "kota_code": code,
        "kecamatan_code": kecamatan.code,
        "kelurahan_code": kecamatan.kelurahan[0].code,
    }
    return {**body, "domicile": domicile}


@pytest.fixture(scope="module")
def seeded(stack: Stack) -> Seeded:
    registration, training = stack.registration(), stack.producing("training")
    reporting = stack.reporting()
    rng, people, ids = random.Random(145), [], []
    days = (TODAY - YEAR_START).days
    with client(registration) as http:
        for serial in range(24):
            on = YEAR_START + timedelta(days=rng.randint(0, days))
            body = participant(rng, 14_500 + serial, on)
            if serial < 14:
                body = _in_kota(rng, body, KOTA)
            if serial % 2 == 0:
                body["agency"] = AGENCY
            response = http.post("/participants", json=body)
            assert response.status_code == 201, response.text
            people.append(body)
            ids.append(response.json()["participant_id"])
    with client(training) as http:
        course = {
            "title": "Kelas laporan",
            "program": "entrepreneurship",
            "format": "regular",
            "kota_code": KOTA,
            "starts_on": YEAR_START.isoformat(),
            "ends_on": TODAY.isoformat(),
            "capacity": 40,
        }
        created = http.post("/classes", json=course)
        assert created.status_code == 201, created.text
        path = f"/classes/{created.json()['class_id']}"
        for pid, body in list(zip(ids, people, strict=True))[:6]:
            on = body["registered_on"]
            _until(
                partial(_posted, http, f"{path}/enrollments", {"participant_id": pid, "enrolled_on": on}), pid
            )
            done = {"participant_id": pid, "completed_on": TODAY.isoformat()}
            assert http.post(f"{path}/completions", json=done).status_code == 201
    with client(reporting) as http:
        year = TODAY.year
        targets = [
            {"year": year, "metric": "registered", "scope": "province", "value": 50},
            {"year": year, "metric": "trained", "scope": "kota", "key": KOTA, "value": 10},
            {"year": year, "metric": "registered", "scope": "agency", "key": AGENCY, "value": 20},
        ]
        assert http.put("/targets", json={"targets": targets}).status_code == 200

        def caught_up() -> bool:
            summary = http.get(
                "/metrics/summary", params={"from": YEAR_START.isoformat(), "to": TODAY.isoformat()}
            ).json()
            achieved = http.get("/metrics/achievement", params={"year": year}).json()["rows"]
            return summary["registered"] == len(people) and summary["trained"] == 6 and len(achieved) == 3

        _until(caught_up, "reporting did not catch up")
    return Seeded(reporting, people)


def _report_env(stack: Stack, mail: MailServer) -> dict[str, str]:
    return {
        **os.environ,
        **stack.common_env(),
        "REPORTING_REDIS_URL": stack.infra.redis_url,
        "REPORTING_KEYSPACE": stack.name,
        **mail.settings(),
    }


def _report_command(stack: Stack, mail: MailServer, *args: str) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "operator_cli.main", "report", *args]
    return subprocess.run(
        argv,
        env=_report_env(stack, mail),
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    found = {}
    for part in message.iter_attachments():
        name, content = part.get_filename(), part.get_payload(decode=True)
        assert isinstance(name, str) and isinstance(content, bytes)
        found[Path(name).suffix] = content
    return found


def _sheets(content: bytes) -> dict[str, Sheet]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    found = {
        sheet.title: _sheet([list(line) for line in sheet.iter_rows(values_only=True)])
        for sheet in workbook.worksheets
    }
    workbook.close()
    return found


def _api(server: AppServer, source: str) -> dict[str, Any]:
    """The JSON the API answers for the request a sheet names."""
    asked = urlsplit(source)
    with client(server) as http:
        response = http.get(asked.path, params=parse_qs(asked.query))
    assert response.status_code == 200, (source, response.text)
    body: dict[str, Any] = response.json()
    return body


def _in_scope(sheet_name: str, scope: str, body: dict[str, Any], source: str) -> dict[str, Any]:
    """The API's rows the report keeps: a scope's own targets, and a kota's own kecamatan (until the
    breakdown takes a kota filter)."""
    if sheet_name == "achievement":
        kind = "kota" if scope == KOTA else "agency"
        return {**body, "rows": [r for r in body["rows"] if (r["scope"], r["key"]) == (kind, scope)]}
    if sheet_name.startswith("kecamatan") and scope == KOTA and "kota=" not in source:
        return {**body, "rows": [r for r in body["rows"] if r["key"].startswith(f"{KOTA}.")]}
    return body


def _expected_rows(sheet_name: str, body: dict[str, Any]) -> list[list[Any]]:
    """The rows a sheet must hold, straight from the API's JSON."""
    if sheet_name == "summary":
        periods = [body, *body["compared"].values()]

        def value(p: dict[str, Any], name: str) -> Any:
            head, _, rest = name.partition(".")
            return p[head][rest] if rest else p[head]

        return [[norm(f), named(FIELDS, f, Lang.ID), *(norm(value(p, f)) for p in periods)] for f in FIELDS]
    if sheet_name == "achievement":
        return [
            [r["metric"], norm(r["key"]), norm(r["value"]), norm(r["actual"]), norm(r["achievement"])]
            for r in body["rows"]
        ]
    if sheet_name == "funnel":
        return [[s["stage"], named(STAGES, s["stage"], Lang.ID), norm(s["value"])] for s in body["stages"]]
    return [[norm(r["key"]), r["label"], norm(r["value"])] for r in body["rows"]]


def _found_rows(sheet_name: str, sheet: Sheet) -> list[list[Any]]:
    rows = sheet.normalized().rows
    if sheet_name == "achievement":
        return [[r[i] for i in (0, 3, 5, 6, 7)] for r in rows]
    if sheet_name == "funnel":
        return [r[:3] for r in rows]
    return rows


def _pdf_lines(sheet_name: str, body: dict[str, Any]) -> list[str]:
    """Lines the PDF must print for a figure (the achievement's long names wrap inside their cells)."""
    if sheet_name == "summary":
        periods = [body, *body["compared"].values()]
        lines = [
            " ".join([f, named(FIELDS, f, Lang.ID), *(text(p[f]) for p in periods)])
            for f in FIELDS
            if "." not in f
        ]
        vocational = [
            " ".join(
                [
                    f"vocational.{f}",
                    named(FIELDS, f"vocational.{f}", Lang.ID),
                    *(text(p["vocational"][f]) for p in periods),
                ]
            )
            for f in ("trained", "placed")
        ]
        return [*lines, *vocational]
    if sheet_name == "funnel":
        return [
            f"{s['stage']} {named(STAGES, s['stage'], Lang.ID)} {s['value']} {text(s['conversion'])}"
            for s in body["stages"]
        ]
    if sheet_name == "achievement":
        return []
    return [f"{r['key']} {r['label']} {r['value']}" for r in body["rows"]]


def _check_report(seeded: Seeded, message: EmailMessage, scope: str) -> dict[str, Sheet]:
    """Every figure of the report's workbook and PDF equals the API's; the report names its scope."""
    files = _attachments(message)
    assert set(files) == {".xlsx", ".pdf"}
    sheets = _sheets(files[".xlsx"])
    assert list(sheets)[:2] == ["summary", "achievement"] and list(sheets)[-1] == "funnel"
    assert len([s for s in sheets if s.startswith("kecamatan ")]) == 9
    printed = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files[".pdf"])).pages)
    lines = set(printed.splitlines())
    for name, sheet in sheets.items():
        source = sheet.about["Sumber"]
        body = _in_scope(name, scope, _api(seeded.reporting, source), source)
        assert _found_rows(name, sheet) == _expected_rows(name, body), name
        missing = [line for line in _pdf_lines(name, body) if line not in lines]
        assert not missing, (name, missing)
    assert f"({scope})" in str(message["Subject"])
    return sheets


def _counted(seeded: Seeded, scope: str) -> int:
    """Registered in the scope this year, from the services' 201 responses."""
    field_of = "kota" if scope == KOTA else "agency"
    return sum(
        1
        for p in seeded.people
        if (p["domicile"]["kota_code"] if field_of == "kota" else p["agency"]) == scope
    )


def _no_personal_data(seeded: Seeded, message: EmailMessage) -> None:
    files = _attachments(message)
    cells = " ".join(
        str(cell)
        for sheet in _sheets(files[".xlsx"]).values()
        for cell in [*sheet.about.values(), *(c for row in sheet.rows for c in row)]
    )
    printed = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(files[".pdf"])).pages)
    for person in seeded.people:
        for value in (person["nik"], person["full_name"], person["phone"], person["birth_date"]):
            assert value not in cells and value not in printed


@pytest.mark.parametrize("scope", [KOTA, AGENCY])
def test_a_report_on_demand_holds_the_api_figures_in_its_workbook_and_its_pdf(
    stack: Stack, seeded: Seeded, mail_server: Callable[[Inbox], MailServer], scope: str
) -> None:
    mail = mail_server(Inbox())
    option = "--kota" if scope == KOTA else "--agency"
    done = _report_command(stack, mail, option, scope, "--period", PERIOD, "--to", RECIPIENTS[scope][0])
    assert done.returncode == 0, done.stderr
    (message,) = mail.inbox.messages
    assert (message["From"], message["To"]) == (SENDER, RECIPIENTS[scope][0])
    sheets = _check_report(seeded, message, scope)
    summary = sheets["summary"].normalized()
    assert summary.rows[0][:3] == ["registered", "Peserta baru terdaftar", norm(_counted(seeded, scope))]
    if scope == KOTA:  # the kota's kecamatan rows add up to the kota
        kecamatan = sheets["kecamatan registered"].rows
        assert all(str(r[0]).startswith(f"{KOTA}.") for r in kecamatan)
        assert sum(r[2] for r in kecamatan) == _counted(seeded, KOTA)
    _no_personal_data(seeded, message)


def test_the_schedule_sends_every_scope_its_report(
    stack: Stack, seeded: Seeded, mail_server: Callable[[Inbox], MailServer]
) -> None:
    mail = mail_server(Inbox())
    scheduled = stack.reporting(
        REPORTING_CONSUME="false",
        REPORT_SCHEDULE="every 2s",
        REPORT_RECIPIENTS=json.dumps(RECIPIENTS),
        **mail.settings(),
    )
    try:
        _until(lambda: len({str(m["To"]) for m in mail.inbox.messages}) == 2, "both scopes' reports", 90)
        for scope, (address,) in RECIPIENTS.items():
            message = next(m for m in mail.inbox.messages if m["To"] == address)
            _check_report(seeded, message, scope)
    finally:
        scheduled.stop(timeout=15)


def test_a_server_refusing_the_first_tries_gets_the_report_after_retries_that_are_logged(
    stack: Stack, seeded: Seeded, mail_server: Callable[[Inbox], MailServer]
) -> None:
    mail = mail_server(Inbox(refuse_first=ATTEMPTS - 1))
    done = _report_command(stack, mail, "--kota", KOTA, "--period", PERIOD, "--to", RECIPIENTS[KOTA][0])
    assert done.returncode == 0, done.stderr
    assert mail.inbox.tries == ATTEMPTS and len(mail.inbox.messages) == 1
    failed = [line for line in done.stderr.splitlines() if "failed with SMTPDataError (code 451)" in line]
    assert len(failed) == ATTEMPTS - 1, done.stderr
    assert f"(try {ATTEMPTS})" in done.stdout
    assert "walikota" not in done.stderr  # addresses are personal data, never logged
    _check_report(seeded, mail.inbox.messages[0], KOTA)


def test_a_server_that_always_refuses_ends_in_a_logged_error_and_exit_code_1(
    stack: Stack, seeded: Seeded, mail_server: Callable[[Inbox], MailServer]
) -> None:
    mail = mail_server(Inbox(refuse_all=True))
    done = _report_command(stack, mail, "--agency", AGENCY, "--period", PERIOD, "--to", RECIPIENTS[AGENCY][0])
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert mail.inbox.tries == ATTEMPTS and not mail.inbox.messages
    assert f"all {ATTEMPTS} tries failed, the last with SMTPDataError (code 554)" in done.stderr
    assert f"not sent: report {AGENCY} {PERIOD} not sent after {ATTEMPTS} tries" in done.stderr


def _metric(server: AppServer, name: str) -> float:
    with client(server) as http:
        for line in http.get("/ops/metrics").text.splitlines():
            if line.startswith(name + " ") or line.startswith(name + "{"):
                return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_a_scheduled_report_that_cannot_be_sent_is_logged_and_counted_not_dropped(
    stack: Stack, seeded: Seeded, mail_server: Callable[[Inbox], MailServer]
) -> None:
    mail = mail_server(Inbox(refuse_all=True))
    scheduled = stack.reporting(
        REPORTING_CONSUME="false",
        REPORT_SCHEDULE="every 2s",
        REPORT_RECIPIENTS=json.dumps({KOTA: RECIPIENTS[KOTA]}),
        **mail.settings(),
    )
    failed = 'reporting_reports_total{outcome="failed"}'
    try:
        _until(lambda: _metric(scheduled, failed) >= 1, "a failed report counted", 90)
        assert _metric(scheduled, "reporting_report_send_failures_total") >= ATTEMPTS
        log = (scheduled.data_dir / "reporting.log").read_text()
        errors = [json.loads(line) for line in log.splitlines() if " not sent: " in line]
        assert errors and errors[0]["level"] == "ERROR"
        assert errors[0]["message"].startswith(
            f"report {KOTA} {PERIOD} not sent: all {ATTEMPTS} tries failed"
        )
        assert "walikota" not in log
        assert not mail.inbox.messages
    finally:
        scheduled.stop(timeout=15)
