"""The legacy import's pure parts: batch rules, CSV mapping, dates, batching, checkpoint, error report."""

from __future__ import annotations

import csv
import os
import stat
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from typer.testing import CliRunner

from operator_cli.importer import app, batches
from operator_cli.importer_csv import (
    Columns,
    MalformedFile,
    RowError,
    count_records,
    open_records,
    parse_date,
    resolve_header,
    to_row,
)
from operator_cli.importer_state import (
    Checkpoint,
    ErrorReport,
    Fingerprint,
    Tally,
    UnsafeReport,
    load_checkpoint,
    save_checkpoint,
)
from services.registration.domain.batch import (
    OnDuplicate,
    RowResult,
    RowStatus,
    decide,
    screen,
)
from services.registration.domain.participant import (
    Business,
    Domicile,
    RegisterParticipant,
    register,
)
from shared.contracts.enums import Agency, Gender, Sector
from tests.unit.test_nik import UNICODE_DIGIT_NIKS

TODAY = date(2024, 6, 30)
SITI = RegisterParticipant(
    nik="3171014509900001",
    full_name="Siti Aminah",
    gender=Gender.F,
    birth_date=date(1990, 9, 5),
    phone="081234567890",
    email=None,
    disability=False,
    domicile=Domicile("31.71", "31.71.01", "31.71.01.1001"),
    business=Business("Warung Siti", Sector.KULINER),
    agency=Agency.PPKUKM,
    registered_on=date(2019, 4, 1),
)
BUDI = replace(SITI, nik="3171010101850002", full_name="Budi", gender=Gender.M, birth_date=date(1985, 1, 1))

LEGACY_HEADER = [
    "NIK",
    "Nama Lengkap",
    "Jenis Kelamin",
    "Tanggal Lahir",
    "No. HP",
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
SITI_CELLS = [
    "3171014509900001",
    " Siti Aminah ",
    "P",
    "05/09/1990",
    "0812-3456-7890",
    "",
    "Tidak",
    "31.71",
    "31.71.01",
    "31.71.01.1001",
    "Warung Siti",
    "Kuliner",
    "ppkukm",
    "1/4/2019",
]


# --- the batch rules (registration's domain) -------------------------------------------------------


def test_each_row_meets_the_registration_rules_and_the_first_row_of_a_nik_wins() -> None:
    refused_shape = RowResult.invalid(1, "validation_error", "nik: String should match pattern")
    too_early = replace(BUDI, registered_on=date(2017, 12, 31))
    screened = screen([SITI, refused_shape, replace(SITI, full_name="Siti Lain"), too_early], TODAY)
    assert [c.index for c in screened.candidates] == [0]
    assert [(r.index, r.code) for r in screened.rejected] == [
        (1, "validation_error"),
        (2, "duplicate_in_file"),
        (3, "rule_violation"),
    ]
    assert "row 0" in (screened.rejected[1].detail or "")
    assert "programme start" in (screened.rejected[2].detail or "")


def test_a_registered_nik_is_skipped_or_restated_as_asked() -> None:
    stored = register(SITI, TODAY)
    moved = replace(SITI, domicile=Domicile("31.74", "31.74.01", "31.74.01.1001"))
    candidates = screen([moved, BUDI], TODAY).candidates

    skipped = decide(candidates, {SITI.nik: stored}, OnDuplicate.SKIP, TODAY)
    assert [r.status for r in skipped.results] == [RowStatus.SKIPPED, RowStatus.CREATED]
    assert skipped.results[0].code == "duplicate_nik"
    assert skipped.results[0].participant_id == stored.participant_id
    assert [p.nik for p in skipped.create] == [BUDI.nik] and not skipped.update

    updated = decide(candidates, {SITI.nik: stored}, OnDuplicate.UPDATE, TODAY)
    assert updated.results[0] == RowResult(0, RowStatus.UPDATED, stored.participant_id)
    [change] = updated.update
    assert change.after.participant_id == stored.participant_id
    assert change.after.domicile.kota_code == "31.74" and change.profile_changed


def test_an_update_that_changes_nothing_is_skipped_and_personal_changes_are_no_news() -> None:
    stored = register(SITI, TODAY)
    same = decide(screen([SITI], TODAY).candidates, {SITI.nik: stored}, OnDuplicate.UPDATE, TODAY)
    assert same.results[0].status is RowStatus.SKIPPED and same.results[0].code == "unchanged"
    assert not same.update

    new_phone = replace(SITI, phone="081299999999", full_name="Siti A.")
    changed = decide(screen([new_phone], TODAY).candidates, {SITI.nik: stored}, OnDuplicate.UPDATE, TODAY)
    [change] = changed.update
    assert change.after.phone == "081299999999"
    assert not change.profile_changed  # followers keep only the profile: no ParticipantUpdated


def test_an_update_without_a_registration_date_keeps_the_stored_one() -> None:
    stored = register(SITI, TODAY)
    undated = replace(SITI, registered_on=None, agency=Agency.SOSIAL)
    decided = decide(screen([undated], TODAY).candidates, {SITI.nik: stored}, OnDuplicate.UPDATE, TODAY)
    assert decided.update[0].after.registered_on == date(2019, 4, 1)


def test_a_dry_run_says_what_would_happen_without_inventing_ids() -> None:
    created = RowResult(0, RowStatus.CREATED, uuid4())
    updated = RowResult(1, RowStatus.UPDATED, uuid4())
    skipped = RowResult(2, RowStatus.SKIPPED, uuid4(), "duplicate_nik", "already")
    assert created.as_dry_run() == RowResult(0, RowStatus.WOULD_CREATE)
    assert updated.as_dry_run() == replace(updated, status=RowStatus.WOULD_UPDATE)
    assert skipped.as_dry_run() == skipped


# --- CSV columns and cells -------------------------------------------------------------------------


def legacy_columns() -> Columns:
    return resolve_header(LEGACY_HEADER)


def test_legacy_headers_map_to_api_fields_whatever_their_case_and_punctuation() -> None:
    columns = resolve_header([*LEGACY_HEADER, "Catatan", "error_line", "Error Code"])
    assert columns.positions["phone"] == 4 and columns.positions["registered_on"] == 13
    assert columns.ignored == ["Catatan"]  # report columns of a fixed error file are expected, not listed


def test_missing_required_columns_are_named() -> None:
    with pytest.raises(MalformedFile, match=r"missing required column.*birth_date, registered_on"):
        resolve_header([h for h in LEGACY_HEADER if h not in ("Tanggal Lahir", "Tanggal Daftar")])


def test_two_columns_meaning_one_field_are_refused() -> None:
    with pytest.raises(MalformedFile, match="'NIK' and 'No KTP' both mean nik"):
        resolve_header([*LEGACY_HEADER, "No KTP"])


def test_a_legacy_row_becomes_an_api_body() -> None:
    assert to_row(legacy_columns(), SITI_CELLS) == {
        "nik": "3171014509900001",
        "full_name": "Siti Aminah",
        "gender": "F",
        "birth_date": "1990-09-05",
        "phone": "081234567890",
        "disability": False,
        "domicile": {"kota_code": "31.71", "kecamatan_code": "31.71.01", "kelurahan_code": "31.71.01.1001"},
        "business": {"name": "Warung Siti", "sector": "kuliner"},
        "agency": "PPKUKM",
        "registered_on": "2019-04-01",
    }


def cells(**changes: str) -> list[str]:
    row = list(SITI_CELLS)
    for name, value in changes.items():
        row[LEGACY_HEADER.index(name.replace("_", " "))] = value
    return row


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"Jenis_Kelamin": "L"}, {"gender": "M"}),
        ({"Jenis_Kelamin": "laki-laki"}, {"gender": "M"}),
        ({"Jenis_Kelamin": "X"}, {"gender": "X"}),  # left for the service to refuse in its own words
        ({"Disabilitas": "Ya"}, {"disability": True}),
        ({"Disabilitas": ""}, {}),
        ({"Nama_Usaha": "", "Sektor": ""}, {"business": None}),
        ({"Sektor": ""}, {"business": {"name": "Warung Siti"}}),
        ({"NIK": "'3171014509900001"}, {"nik": "3171014509900001"}),
    ],
)
def test_legacy_values_are_translated(changes: dict[str, str], expected: dict[str, Any]) -> None:
    row = to_row(legacy_columns(), cells(**changes))
    for key, value in expected.items():
        assert row.get(key) == value


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"Tanggal_Daftar": ""}, "empty required cell(s): registered_on"),
        ({"NIK": "", "Nama_Lengkap": " "}, "empty required cell(s): nik, full_name"),
        ({"Tanggal_Lahir": "1990-13-05"}, "birth_date is not a date"),
        ({"Disabilitas": "mungkin"}, "disability must be"),
        ({"NIK": "3.17101E+15"}, "spreadsheet"),
    ],
)
def test_what_the_file_got_wrong_is_a_row_error(changes: dict[str, str], words: str) -> None:
    with pytest.raises(RowError, match=words.replace("(", r"\(").replace(")", r"\)")) as refused:
        to_row(legacy_columns(), cells(**changes))
    assert refused.value.code == "validation_error"
    assert "1990-13-05" not in refused.value.message  # a birth date is personal: never echoed


def test_a_row_with_more_or_fewer_fields_than_the_header_is_refused() -> None:
    with pytest.raises(RowError, match="15 fields where the header has 14"):
        to_row(legacy_columns(), [*SITI_CELLS, "extra"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2019-04-01", date(2019, 4, 1)),
        ("01/04/2019", date(2019, 4, 1)),
        ("1/4/2019", date(2019, 4, 1)),
        ("01-04-2019", date(2019, 4, 1)),
        ("31/12/2020", date(2020, 12, 31)),
    ],
)
def test_dates_are_read_day_first_or_iso(text: str, expected: date) -> None:
    assert parse_date("registered_on", text) == expected


@pytest.mark.parametrize("text", ["12/31/2020", "2019/04/01", "1 April 2019", "01.04.2019", "19-04-01"])
def test_other_date_shapes_are_refused(text: str) -> None:
    with pytest.raises(RowError, match="registered_on is not a date in yyyy-mm-dd, dd/mm/yyyy or dd-mm-yyyy"):
        parse_date("registered_on", text)


# --- reading files ---------------------------------------------------------------------------------


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_semicolons_a_bom_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    header = ";".join(LEGACY_HEADER)
    siti = ";".join(SITI_CELLS)
    multi_line = siti.replace("Warung Siti", '"Warung\nSiti"')
    path = write(tmp_path / "a.csv", f"\ufeff{header}\r\n{siti}\r\n\r\n{multi_line}\r\n{siti}\r\n")
    with open_records(path) as (columns, records):
        found = [(r.line, r.last_line) for r in records]
    assert columns.positions["nik"] == 0  # the BOM is not part of the first header
    assert found == [(2, 2), (4, 5), (6, 6)]
    assert count_records(path) == 3


def test_a_line_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    body = ",".join(LEGACY_HEADER) + "\n" + ",".join(SITI_CELLS) + "\n"
    path = tmp_path / "latin.csv"
    path.write_bytes(body.encode() + ",".join(cells(Nama_Lengkap="Sité")).encode("latin-1") + b"\n")
    with pytest.raises(MalformedFile, match="line 3 is not UTF-8"):
        count_records(path)


def test_an_empty_file_is_malformed(tmp_path: Path) -> None:
    with pytest.raises(MalformedFile, match="empty"):
        count_records(write(tmp_path / "empty.csv", "\n"))


# --- batching ----------------------------------------------------------------------------------------


def legacy_file(tmp_path: Path, rows: list[list[str]]) -> Path:
    path = tmp_path / "legacy.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        csv.writer(file).writerows([LEGACY_HEADER, *rows])
    return path


def test_batches_hold_up_to_n_rows_and_refuse_later_lines_of_a_nik(tmp_path: Path) -> None:
    other = cells(NIK="3171010101850002", Jenis_Kelamin="L", Tanggal_Lahir="01/01/1985")
    broken = cells(NIK="3171010202850003", Tanggal_Daftar="")
    path = legacy_file(tmp_path, [SITI_CELLS, broken, other, SITI_CELLS, other])
    with open_records(path) as (columns, records):
        found = list(batches(columns, records, 1, resume_after=0))
    assert [(b.lines, b.last_line) for b in found] == [([2], 2), ([4], 4), ([], 6)]
    assert [(r.line, r.code) for b in found for r in b.refused] == [
        (3, "validation_error"),
        (5, "duplicate_in_file"),
        (6, "duplicate_in_file"),
    ]
    assert "line 2" in found[2].refused[0].message and "line 4" in found[2].refused[1].message


def test_only_a_well_formed_nik_claims_its_later_lines(tmp_path: Path) -> None:
    mangled = cells(NIK="3.17101E+15")
    path = legacy_file(tmp_path, [mangled, mangled])
    with open_records(path) as (columns, records):
        [batch] = list(batches(columns, records, 500, resume_after=0))
    assert [r.message.startswith("nik was turned into a number") for r in batch.refused] == [True, True]


def test_resuming_passes_over_answered_lines_but_remembers_their_niks(tmp_path: Path) -> None:
    other = cells(NIK="3171010101850002", Jenis_Kelamin="L", Tanggal_Lahir="01/01/1985")
    path = legacy_file(tmp_path, [SITI_CELLS, other, SITI_CELLS])
    with open_records(path) as (columns, records):
        [batch] = list(batches(columns, records, 500, resume_after=3))
    assert batch.lines == [] and [(r.line, r.code) for r in batch.refused] == [(4, "duplicate_in_file")]


# --- checkpoint and error report -------------------------------------------------------------------


def test_a_checkpoint_is_resumed_only_for_the_same_file_and_choice(tmp_path: Path) -> None:
    source = legacy_file(tmp_path, [SITI_CELLS])
    progress = tmp_path / "legacy.csv.progress"
    tally = Tally()
    tally.count("created")
    tally.count("invalid", "rule_violation")
    saved = Checkpoint(1201, Fingerprint.of(source), "skip", tally)
    save_checkpoint(progress, saved)

    assert load_checkpoint(progress, Fingerprint.of(source), "skip") == (saved, "")
    assert load_checkpoint(progress, Fingerprint.of(source), "update")[1] == (
        "the interrupted run used --on-duplicate skip"
    )
    edited = Fingerprint(source.stat().st_size + 1, source.stat().st_mtime_ns)
    assert load_checkpoint(progress, edited, "skip") == (None, "the file changed since the interrupted run")
    assert load_checkpoint(tmp_path / "none.progress", edited, "skip") == (None, "")
    progress.write_text("{half a checkpo")
    assert load_checkpoint(progress, Fingerprint.of(source), "skip")[1] == "legacy.csv.progress is unreadable"


def test_the_tally_names_its_reasons() -> None:
    tally = Tally()
    for status, code in [("skipped", "duplicate_nik"), ("skipped", "unchanged"), ("skipped", "unchanged")]:
        tally.count(status, code)
    tally.count("created")
    assert tally.rows == 4
    assert tally.reasons_of("skipped") == " (duplicate_nik 1, unchanged 2)"
    assert tally.reasons_of("created") == ""


def read_report(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_the_error_report_carries_line_code_message_and_the_row(tmp_path: Path) -> None:
    path = tmp_path / "errors.csv"
    report = ErrorReport(path, LEGACY_HEADER, keep_through=None)
    report.write(7, "rule_violation", "unknown kota 31.99", SITI_CELLS)
    report.close()
    header, row = read_report(path)
    assert header == ["error_line", "error_code", "error_message", *LEGACY_HEADER]
    assert row == ["7", "rule_violation", "unknown kota 31.99", *SITI_CELLS]


def test_a_resumed_report_keeps_lines_up_to_the_checkpoint_only(tmp_path: Path) -> None:
    path = tmp_path / "errors.csv"
    first = ErrorReport(path, LEGACY_HEADER, keep_through=None)
    for line in (3, 9, 14):
        first.write(line, "rule_violation", "x", SITI_CELLS)
    first.close()
    resumed = ErrorReport(path, LEGACY_HEADER, keep_through=9)
    resumed.write(14, "rule_violation", "again", SITI_CELLS)
    resumed.close()
    assert [(row[0], row[2]) for row in read_report(path)[1:]] == [("3", "x"), ("9", "x"), ("14", "again")]
    assert resumed.rows == 3


def test_a_fixed_error_report_can_be_imported_and_reported_on_again(tmp_path: Path) -> None:
    report_header = ["error_line", "error_code", "error_message", *LEGACY_HEADER]
    assert resolve_header(report_header).positions["nik"] == 3
    path = tmp_path / "errors-again.csv"
    report = ErrorReport(path, report_header, keep_through=None)
    report.write(2, "rule_violation", "still wrong", ["7", "rule_violation", "old message", *SITI_CELLS])
    report.close()
    assert read_report(path) == [report_header, ["2", "rule_violation", "still wrong", *SITI_CELLS]]


def test_the_error_report_is_the_owners_alone_even_over_an_older_one(tmp_path: Path) -> None:
    path = tmp_path / "errors.csv"
    path.write_text("an older report, readable by all\n")
    path.chmod(0o644)
    linked = tmp_path / "a-hard-link-to-the-old-one.csv"
    os.link(path, linked)
    report = ErrorReport(path, LEGACY_HEADER, keep_through=None)
    report.write(2, "rule_violation", "x", SITI_CELLS)
    report.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert linked.read_text() == "an older report, readable by all\n"  # replaced, not written into


@pytest.mark.parametrize("keep_through", [None, 9])
def test_the_error_report_is_never_written_through_a_symbolic_link(
    tmp_path: Path, keep_through: int | None
) -> None:
    target = tmp_path / "someone-elses.txt"
    target.write_text("precious\n")
    path = tmp_path / "errors.csv"
    path.symlink_to(target)
    with pytest.raises(UnsafeReport, match="symbolic link"):
        ErrorReport(path, LEGACY_HEADER, keep_through=keep_through)
    assert target.read_text() == "precious\n" and path.is_symlink()


def test_the_import_command_refuses_a_symbolic_link_as_its_report(tmp_path: Path) -> None:
    source = legacy_file(tmp_path, [SITI_CELLS])
    target = tmp_path / "elsewhere.txt"
    target.write_text("precious\n")
    (tmp_path / "legacy.errors.csv").symlink_to(target)
    result = CliRunner().invoke(app, [str(source), "--registration-url", "http://127.0.0.1:9"])
    assert result.exit_code == 2 and "symbolic link" in result.output
    assert target.read_text() == "precious\n"


FORMULAS = ['=HYPERLINK("http://x")', "+62812", "-1+1", "@SUM(A1)", "\tleading tab", "\r=1+1"]


def test_the_error_report_neutralises_every_cell_a_spreadsheet_would_run(tmp_path: Path) -> None:
    path = tmp_path / "errors.csv"
    header = [*LEGACY_HEADER, "=cmd|' /C calc'!A0"]
    report = ErrorReport(path, header, keep_through=None)
    report.write(3, "rule_violation", "-bad", [*SITI_CELLS, "x"])
    report.write(4, "validation_error", "x", [*FORMULAS, *SITI_CELLS[len(FORMULAS) :], "@x"])
    report.close()
    header_row, first, second = read_report(path)
    assert header_row[-1] == "'=cmd|' /C calc'!A0" and first[2] == "'-bad"
    assert second[3 : 3 + len(FORMULAS)] == ["'" + cell for cell in FORMULAS]
    assert not [cell for row in read_report(path) for cell in row if cell.startswith(tuple("=+-@\t\r"))]
    resumed = ErrorReport(path, header, keep_through=9)  # rows kept from before stay neutralised
    resumed.close()
    assert read_report(path)[2] == second


def test_a_neutralised_cell_imports_as_it_was_written(tmp_path: Path) -> None:
    report_header = ["error_line", "error_code", "error_message", *LEGACY_HEADER]
    path = tmp_path / "errors.csv"
    report = ErrorReport(path, report_header, keep_through=None)
    phone_at = LEGACY_HEADER.index("No. HP")
    with_plus = [*SITI_CELLS[:phone_at], "+6281234567890", *SITI_CELLS[phone_at + 1 :]]
    report.write(2, "rule_violation", "x", ["7", "rule_violation", "old", *with_plus])
    report.close()
    with open_records(path) as (columns, records):
        [record] = list(records)
        assert record.cells[3 + phone_at] == "'+6281234567890"
        assert to_row(columns, record.cells)["phone"] == "+6281234567890"


@pytest.mark.parametrize(
    "nik", [nik for nik in UNICODE_DIGIT_NIKS if nik == nik.strip()]
)  # cells are trimmed
def test_a_nik_of_other_digits_claims_no_later_line_and_is_sent_as_it_is(tmp_path: Path, nik: str) -> None:
    odd = cells(NIK=nik)
    path = legacy_file(tmp_path, [odd, odd])
    with open_records(path) as (columns, records):
        [batch] = list(batches(columns, records, 500, resume_after=0))
    # Not a NIK: the service refuses each line with the API's own 422 wording (nothing normalised here).
    assert [row["nik"] for row in batch.rows] == [columns.cell(odd, "nik")] * 2
