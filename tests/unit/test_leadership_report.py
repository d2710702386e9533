"""The leadership report without servers (issue 14.5): its workbook and PDF hold exactly the figures they
are given, the schedule's next runs, the settings' refusals, and the retry policy on a failing sender."""

from __future__ import annotations

import io
import logging
import smtplib
from datetime import date, datetime
from email.message import EmailMessage
from typing import Any

import pytest
from openpyxl import load_workbook
from prometheus_client import REGISTRY
from pydantic import ValidationError
from pypdf import PdfReader

from services.reporting.api.period import Period
from services.reporting.exports.table import Context, Kind, table_of
from services.reporting.exports.words import Lang
from services.reporting.reports.compose import Report, Section
from services.reporting.reports.delivery import ReportNotSent, RetryPolicy, deliver
from services.reporting.reports.formats import Format
from services.reporting.reports.mail import report_message
from services.reporting.reports.pdf import text, write_pdf
from services.reporting.reports.period import InvalidReportPeriod, NamedPeriod, parse_period, resolve
from services.reporting.reports.render import render
from services.reporting.reports.schedule import InvalidSchedule, parse_schedule
from services.reporting.reports.scope import UnknownScope, scope_of
from services.reporting.reports.settings import ReportSettings, SmtpSettings
from services.reporting.reports.workbook import write_workbook
from shared.dates import JAKARTA

AS_OF = datetime(2024, 7, 1, 7, 0, tzinfo=JAKARTA)
SUMMARY_TOTALS = {
    "registered": 120,
    "trained": 45,
    "mentored": 30,
    "permits_issued": 12,
    "products_marketed": 9,
    "financial_reporting": 7,
    "financed": 3,
}


def _summary(start: str, end: str, scale: int) -> dict[str, Any]:
    return {
        "from": start,
        "to": end,
        **{k: v * scale for k, v in SUMMARY_TOTALS.items()},
        "vocational": {"trained": 20 * scale, "placed": 15 * scale, "placement_rate": 0.75},
    }


SUMMARY = {
    **_summary("2024-01-01", "2024-06-30", 1),
    "compared": {
        "previous": _summary("2023-07-04", "2023-12-31", 2),
        "last_year": _summary("2023-01-01", "2023-06-30", 3),
    },
}
BREAKDOWN = {
    "metric": "registered",
    "by": "kecamatan",
    "from": "2024-01-01",
    "to": "2024-06-30",
    "rows": [
        {"key": "31.75.01", "label": "Pasar Rebo", "value": 70, "suppressed": False},
        {"key": "31.75.02", "label": "Ciracas", "value": 50, "suppressed": False},
    ],
}
ACHIEVEMENT = {
    "year": 2024,
    "as_of": "2024-06-30",
    "elapsed_share": 0.4973,
    "rows": [
        {
            "metric": "trained",
            "scope": "kota",
            "key": "31.75",
            "label": "Kota Administrasi Jakarta Timur",
            "value": 100,
            "actual": 45,
            "achievement": 0.45,
            "expected_to_date": 50,
            "on_track": False,
        }
    ],
}
FUNNEL = {
    "from": "2024-01-01",
    "to": "2024-06-30",
    "stages": [
        {"stage": "registration", "value": 120, "conversion": 1.0, "suppressed": False},
        {"stage": "training", "value": 45, "conversion": 0.375, "suppressed": False},
    ],
}


def _report(lang: Lang = Lang.ID) -> Report:
    context = Context(
        lang,
        AS_OF,
        (("kota", "31.75", "Kota Administrasi Jakarta Timur"),),
        "/metrics/summary?from=2024-01-01",
    )
    sections = [
        Section(sheet, table_of(kind, body, context))
        for sheet, kind, body in (
            ("summary", Kind.SUMMARY, SUMMARY),
            ("achievement", Kind.ACHIEVEMENT, ACHIEVEMENT),
            ("kecamatan registered", Kind.BREAKDOWN, BREAKDOWN),
            ("funnel", Kind.FUNNEL, FUNNEL),
        )
    ]
    return Report(scope_of("31.75"), Period(date(2024, 1, 1), date(2024, 6, 30)), lang, AS_OF, sections)


def _sheet_rows(content: bytes) -> dict[str, list[list[Any]]]:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    found = {
        sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in workbook.worksheets
    }
    workbook.close()
    return found


def _trimmed(line: list[Any]) -> list[Any]:
    while line and line[-1] is None:
        line = line[:-1]
    return line


def test_the_workbook_has_a_sheet_per_figure_whose_cells_are_the_figures_given() -> None:
    report = _report()
    sheets = _sheet_rows(write_workbook(report))
    assert list(sheets) == ["summary", "achievement", "kecamatan registered", "funnel"]
    for section in report.sections:
        lines = [_trimmed(line) for line in sheets[section.sheet]]
        table = section.table
        assert lines[0] == [table.title]
        assert lines[-len(table.rows) :] == table.rows
    summary = [_trimmed(line) for line in sheets["summary"]]
    registered = next(line for line in summary if line and line[0] == "registered")
    assert registered == ["registered", "Peserta baru terdaftar", 120, 240, 360]  # both comparisons
    assert ["vocational.placement_rate", "Tingkat penempatan", 0.75, 0.75, 0.75] in summary
    breakdown = [_trimmed(line) for line in sheets["kecamatan registered"]]
    assert breakdown[-2:] == [["31.75.01", "Pasar Rebo", 70], ["31.75.02", "Ciracas", 50]]
    assert ["Saringan", "kota = 31.75 (Kota Administrasi Jakarta Timur)"] in breakdown


def test_the_pdf_prints_every_row_of_every_figure_given() -> None:
    report = _report(Lang.EN)
    reader = PdfReader(io.BytesIO(write_pdf(report)))
    printed = "\n".join(page.extract_text() for page in reader.pages)
    lines = set(printed.splitlines())
    assert report.title in printed and "Jakpreneur leadership report" in report.title
    for section in report.sections:
        assert section.table.title in lines
        for name, value in section.table.about:
            assert f"{name}: {text(value)}" in lines
        if section.sheet != "achievement":  # its long names wrap inside their cells
            for row in section.table.rows:
                assert " ".join(text(cell) for cell in row) in lines
    assert "registered New participants registered 120 240 360" in lines
    assert "trained Trained (entrepreneurship) 45 90 135" in lines
    assert "31.75.01 Pasar Rebo 70" in lines
    assert "training Training 45 0.375" in lines
    achievement = " ".join(printed.split())
    assert all(f" {n} " in achievement for n in ("100", "45", "0.45", "50"))


def test_the_files_and_the_message_name_the_scope_and_period_and_carry_both_attachments() -> None:
    report = _report()
    files = render(report, [Format.XLSX, Format.PDF, Format.XLSX])
    assert [f.filename for f in files] == [
        "jakpreneur-report-31.75-2024-01-01_2024-06-30.xlsx",
        "jakpreneur-report-31.75-2024-01-01_2024-06-30.pdf",
    ]
    message = report_message(report, files, "laporan@jakarta.go.id", ["a@jakarta.go.id", "b@jakarta.go.id"])
    assert message["Subject"] == (
        "Laporan pimpinan Jakpreneur: Kota Administrasi Jakarta Timur (31.75), 2024-01-01 - 2024-06-30"
    )
    assert message["To"] == "a@jakarta.go.id, b@jakarta.go.id"
    attached = {part.get_filename(): part.get_content_type() for part in message.iter_attachments()}
    assert attached == {
        files[0].filename: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        files[1].filename: "application/pdf",
    }


@pytest.mark.parametrize(
    ("schedule", "now", "expected"),
    [
        ("daily 07:00", datetime(2024, 5, 17, 6, 59), datetime(2024, 5, 17, 7, 0)),
        ("daily 07:00", datetime(2024, 5, 17, 7, 0), datetime(2024, 5, 18, 7, 0)),  # strictly after
        ("daily 07:00", datetime(2024, 12, 31, 23, 0), datetime(2025, 1, 1, 7, 0)),
        ("weekly mon 07:30", datetime(2024, 5, 17, 12, 0), datetime(2024, 5, 20, 7, 30)),  # a Friday
        ("weekly fri 07:30", datetime(2024, 5, 17, 7, 0), datetime(2024, 5, 17, 7, 30)),
        ("monthly 1 06:00", datetime(2024, 2, 1, 6, 1), datetime(2024, 3, 1, 6, 0)),
        ("monthly 28 06:00", datetime(2024, 2, 27, 0, 0), datetime(2024, 2, 28, 6, 0)),
        ("every 30s", datetime(2024, 5, 17, 7, 0), datetime(2024, 5, 17, 7, 0, 30)),
        ("Every 2h", datetime(2024, 5, 17, 23, 0), datetime(2024, 5, 18, 1, 0)),
    ],
)
def test_the_next_run_is_the_first_one_after_now_in_jakarta_time(
    schedule: str, now: datetime, expected: datetime
) -> None:
    assert parse_schedule(schedule).next_after(now.replace(tzinfo=JAKARTA)) == expected.replace(
        tzinfo=JAKARTA
    )


def test_a_schedule_is_read_in_jakarta_time_whatever_the_clock_s_zone() -> None:
    utc_midnight = datetime.fromisoformat("2024-05-17T00:30:00+00:00")  # 07:30 in Jakarta
    assert parse_schedule("daily 07:00").next_after(utc_midnight) == datetime(
        2024, 5, 18, 7, 0, tzinfo=JAKARTA
    )


@pytest.mark.parametrize(
    "schedule", ["daily 7", "daily 24:00", "weekly sun", "monthly 31 07:00", "every 0s", "x"]
)
def test_a_schedule_that_does_not_read_is_refused_with_the_forms_it_takes(schedule: str) -> None:
    with pytest.raises(InvalidSchedule, match="'daily HH:MM'"):
        parse_schedule(schedule)


def test_named_and_given_periods() -> None:
    today = date(2024, 3, 15)
    assert resolve(NamedPeriod.YEAR_TO_DATE, today) == Period(date(2024, 1, 1), today)
    assert resolve(NamedPeriod.MONTH_TO_DATE, today) == Period(date(2024, 3, 1), today)
    assert resolve(NamedPeriod.LAST_MONTH, today) == Period(date(2024, 2, 1), date(2024, 2, 29))
    assert resolve(NamedPeriod.LAST_MONTH, date(2024, 1, 5)) == Period(date(2023, 12, 1), date(2023, 12, 31))
    assert parse_period("2024-01-01..2024-06-30", today) == Period(date(2024, 1, 1), date(2024, 6, 30))
    for bad in ("2024-06-30..2024-01-01", "2024-01-01", "last_year", "2024-13-01..2024-12-31"):
        with pytest.raises(InvalidReportPeriod):
            parse_period(bad, today)


def test_scopes_are_the_province_a_kota_or_an_agency() -> None:
    assert scope_of("31").filter == {}
    assert scope_of("31.75").filter == {"kota": "31.75"}
    assert scope_of("PPAPP").filter == {"agency": "PPAPP"}
    with pytest.raises(UnknownScope, match="not a report scope"):
        scope_of("31.99")


def test_the_settings_refuse_an_unknown_scope_a_bad_schedule_and_a_schedule_without_a_sender() -> None:
    smtp = SmtpSettings(host="127.0.0.1")
    recipients = {"31.75": ["walikota@jakarta.go.id"]}
    with pytest.raises(ValidationError, match="not a report scope"):
        ReportSettings(recipients={"31.99": ["a@jakarta.go.id"]}, smtp=smtp)
    with pytest.raises(ValidationError, match="'daily HH:MM'"):
        ReportSettings(schedule="hourly", smtp=smtp)
    with pytest.raises(ValidationError, match="REPORT_FROM is required"):
        ReportSettings(schedule="daily 07:00", recipients=recipients, smtp=smtp)
    with pytest.raises(ValidationError):
        ReportSettings(recipients={"31.75": ["not an address"]}, smtp=smtp)
    ready = ReportSettings(
        schedule="daily 07:00", recipients=recipients, sender="laporan@jakarta.go.id", smtp=smtp
    )
    assert ready.scheduled
    assert not ReportSettings(schedule="daily 07:00", recipients=recipients, smtp=SmtpSettings()).scheduled


def test_the_settings_are_read_from_report_and_smtp_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REPORT_SCHEDULE", "weekly mon 07:00")
    monkeypatch.setenv("REPORT_RECIPIENTS", '{"PPAPP": ["kadis@jakarta.go.id"]}')
    monkeypatch.setenv("REPORT_FROM", "laporan@jakarta.go.id")
    monkeypatch.setenv("SMTP_HOST", "mail.jakarta.go.id")
    monkeypatch.setenv("SMTP_PORT", "2525")
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    found = ReportSettings()
    assert found.scheduled and found.sender == "laporan@jakarta.go.id"
    assert (found.smtp.host, found.smtp.port, found.smtp.starttls) == ("mail.jakarta.go.id", 2525, False)
    assert found.recipients == {"PPAPP": ["kadis@jakarta.go.id"]}


class FailingSender:
    """Fails its first `failures` sends (all of them with None), then accepts."""

    def __init__(self, failures: int | None, error: Exception) -> None:
        self.failures = failures
        self.error = error
        self.tries = 0
        self.sent: list[EmailMessage] = []

    async def send(self, message: EmailMessage) -> None:
        self.tries += 1
        if self.failures is None or self.tries <= self.failures:
            raise self.error
        self.sent.append(message)


def _metric(name: str, labels: dict[str, str] | None = None) -> float:
    return REGISTRY.get_sample_value(name, labels or {}) or 0.0


async def test_a_failed_send_is_tried_again_after_doubling_waits_and_each_failure_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    sender = FailingSender(3, smtplib.SMTPDataError(451, b"4.3.0 mailbox of walikota@jakarta.go.id busy"))
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    failures_before = _metric("reporting_report_send_failures_total")
    sent_before = _metric("reporting_reports_total", {"outcome": "sent"})
    policy = RetryPolicy(attempts=5, first_wait_s=2, max_wait_s=5)
    with caplog.at_level(logging.INFO, logger="services.reporting.reports.delivery"):
        tries = await deliver(sender, EmailMessage(), policy, "31.75 2024-01-01..2024-06-30", sleep)
    assert (tries, len(sender.sent), waits) == (4, 1, [2, 4, 5])  # doubling, at most max_wait_s
    failed = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in failed] == [
        f"report 31.75 2024-01-01..2024-06-30: try {n} of 5 failed with SMTPDataError (code 451); "
        f"trying again in {w:.1f}s"
        for n, w in ((1, 2), (2, 4), (3, 5))
    ]
    assert "walikota" not in caplog.text  # an address is personal data: never logged
    assert _metric("reporting_report_send_failures_total") == failures_before + 3
    assert _metric("reporting_reports_total", {"outcome": "sent"}) == sent_before + 1


async def test_a_send_that_always_fails_ends_in_an_error_logged_and_counted_never_dropped(
    caplog: pytest.LogCaptureFixture,
) -> None:
    refused = smtplib.SMTPRecipientsRefused({"kadis@jakarta.go.id": (550, b"5.1.1 no such user")})
    sender = FailingSender(None, refused)

    async def sleep(_: float) -> None:
        return None

    failed_before = _metric("reporting_reports_total", {"outcome": "failed"})
    with caplog.at_level(logging.WARNING), pytest.raises(ReportNotSent, match="after 3 tries") as raised:
        await deliver(sender, EmailMessage(), RetryPolicy(3, 0, 0), "PPAPP 2024-01-01..2024-06-30", sleep)
    assert sender.tries == 3 and not sender.sent
    assert raised.value.__cause__ is refused
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        "report PPAPP 2024-01-01..2024-06-30 not sent: all 3 tries failed, the last with "
        "SMTPRecipientsRefused (codes 550)"
    ]
    assert "kadis" not in caplog.text
    assert _metric("reporting_reports_total", {"outcome": "failed"}) == failed_before + 1


async def test_an_unreachable_server_is_retried_like_a_refusal() -> None:
    sender = FailingSender(1, ConnectionRefusedError(111, "Connection refused"))

    async def sleep(_: float) -> None:
        return None

    assert await deliver(sender, EmailMessage(), RetryPolicy(2, 0, 0), "31 2024", sleep) == 2
