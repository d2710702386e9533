"""The exporter (services.reporting.exports): a figure's JSON as a table, written as CSV and as an Excel
workbook, read back with the same numbers, headers in the chosen language, what the figures cover inside
the file, and no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from io import BytesIO
from typing import Any

import pytest
from openpyxl import load_workbook

from services.reporting.exports.csv_file import write_csv
from services.reporting.exports.table import WITHHELD, Context, Kind, file_name, table_of
from services.reporting.exports.words import FIELDS, Lang
from services.reporting.exports.xlsx_file import write_xlsx
from shared.dates import JAKARTA
from tests.exported import Sheet, norm, read_csv, read_xlsx

AS_OF = datetime(2024, 7, 1, 9, 30, 5, tzinfo=JAKARTA)
KOTA = (("kota", "31.71", "Kota Administrasi Jakarta Pusat"),)
CONTEXT = Context(Lang.ID, AS_OF, KOTA, "/metrics/summary?from=2024-03-01&to=2024-06-30&kota=31.71")


def _summary(registered: int | None, placed: int, trained: int) -> dict[str, Any]:
    rate = round(placed / trained, 4) if trained else None
    return {
        "from": "2024-03-01",
        "to": "2024-06-30",
        "registered": registered,
        "trained": 812,
        "mentored": 0,
        "permits_issued": 37,
        "products_marketed": 5,
        "financial_reporting": 2,
        "financed": 1,
        "vocational": {"trained": trained, "placed": placed, "placement_rate": rate},
    }


SUMMARY = {
    **_summary(18183, 5871, 7626),
    "compared": {"previous": _summary(17000, 3, 0), "last_year": _summary(None, 1, 2)},
}
FIGURES: dict[Kind, dict[str, Any]] = {
    Kind.SUMMARY: SUMMARY,
    Kind.BREAKDOWN: {
        "metric": "registered",
        "by": "kota",
        "from": "2024-03-01",
        "to": "2024-06-30",
        "rows": [
            {"key": "31.71", "label": "Kota Administrasi Jakarta Pusat", "value": 12},
            {"key": "31.72", "label": "Kota Administrasi Jakarta Utara", "value": None, "suppressed": True},
        ],
    },
    Kind.TIMESERIES: {
        "metric": "trained",
        "interval": "month",
        "from": "2024-03-01",
        "to": "2024-04-30",
        "points": [{"start": "2024-03-01", "value": 4}, {"start": "2024-04-01", "value": 0}],
    },
    Kind.FUNNEL: {
        "from": "2024-03-01",
        "to": "2024-06-30",
        "stages": [
            {"stage": "registration", "value": 40, "conversion": 1.0},
            {"stage": "training", "value": 10, "conversion": 0.25},
        ],
    },
    Kind.ACHIEVEMENT: {
        "year": 2024,
        "as_of": "2024-07-01",
        "elapsed_share": 0.4973,
        "rows": [
            {
                "metric": "trained",
                "scope": "kota",
                "key": "31.71",
                "label": "Kota Administrasi Jakarta Pusat",
                "value": 1000,
                "actual": 512,
                "achievement": 0.512,
                "expected_to_date": 497,
                "on_track": True,
            }
        ],
    },
    Kind.TARGETS: {
        "year": 2024,
        "targets": [
            {"metric": "trained", "scope": "province", "key": "31", "label": "DKI Jakarta", "value": 9}
        ],
    },
}


def _both(kind: Kind, figure: dict[str, Any], context: Context = CONTEXT) -> list[Sheet]:
    """The figure's file as CSV and as a workbook, read back, each cell normalised (tests.exported.norm)."""
    table = table_of(kind, figure, context)
    return [read_csv(write_csv(table)).normalized(), read_xlsx(write_xlsx(table)).normalized()]


def _n(*values: Any) -> list[Any]:
    return [norm(v) for v in values]


@pytest.mark.parametrize("kind", list(Kind))
def test_every_figure_reads_back_the_same_from_csv_and_from_the_workbook(kind: Kind) -> None:
    from_csv, from_xlsx = _both(kind, FIGURES[kind])
    assert from_csv == from_xlsx
    assert from_csv.rows and all(len(row) == len(from_csv.header) for row in from_csv.rows)


def test_a_summary_holds_each_figure_of_the_json_beside_its_comparisons() -> None:
    for sheet in _both(Kind.SUMMARY, SUMMARY):
        assert sheet.title == "Ringkasan angka program"
        assert sheet.header == [
            "Kode",
            "Ukuran",
            "Periode ini 2024-03-01 s.d. 2024-06-30",
            "Periode sebelumnya 2024-03-01 s.d. 2024-06-30",
            "Periode yang sama tahun lalu 2024-03-01 s.d. 2024-06-30",
        ]
        assert sheet.column("Kode") == list(FIELDS)
        by_field = {row[0]: row[2:] for row in sheet.rows}
        assert by_field["registered"] == _n(18183, 17000, WITHHELD)
        assert by_field["vocational.placed"] == _n(5871, 3, 1)
        # A rate is null when nobody was trained: an empty cell, never "< 5".
        assert by_field["vocational.placement_rate"] == _n(0.7699, None, 0.5)


def test_the_period_filters_and_time_of_the_figures_are_inside_the_file() -> None:
    for sheet in _both(Kind.SUMMARY, SUMMARY):
        assert sheet.about["Periode"] == "2024-03-01 s.d. 2024-06-30"
        assert sheet.about["Saringan"] == "kota = 31.71 (Kota Administrasi Jakarta Pusat)"
        assert sheet.about["Angka per"] == "2024-07-01T09:30:05+07:00"
        assert sheet.about["Sumber"] == CONTEXT.source
        assert sheet.about["Catatan"].startswith("< 5")  # a withheld cell is explained
    unfiltered = Context(Lang.EN, AS_OF)
    for sheet in _both(Kind.TIMESERIES, FIGURES[Kind.TIMESERIES], unfiltered):
        assert sheet.about["Filters"] == "none (all of Jakarta)"
        assert sheet.about["Metric"] == "Trained (entrepreneurship) (trained)"
        assert "Note" not in sheet.about  # nothing withheld, nothing to explain


def test_headers_are_indonesian_by_default_and_english_with_lang_en() -> None:
    english = Context(Lang.EN, AS_OF, KOTA)
    indonesian, english_sheet = (
        read_csv(write_csv(table_of(Kind.FUNNEL, FIGURES[Kind.FUNNEL], c))).normalized()
        for c in (CONTEXT, english)
    )
    assert indonesian.header == ["Kode", "Tahap", "Jumlah", "Konversi dari pendaftaran"]
    assert english_sheet.header == ["Code", "Stage", "Count", "Conversion from registration"]
    assert [r[1] for r in indonesian.rows] == ["Pendaftaran", "Pelatihan"]
    assert [r[1] for r in english_sheet.rows] == ["Registration", "Training"]
    assert [r[2:] for r in indonesian.rows] == [_n(40, 1.0), _n(10, 0.25)]


def test_days_are_dates_in_the_workbook_and_iso_days_in_the_csv() -> None:
    table = table_of(Kind.TIMESERIES, FIGURES[Kind.TIMESERIES], CONTEXT)
    assert read_xlsx(write_xlsx(table)).column("Mulai") == [date(2024, 3, 1), date(2024, 4, 1)]
    assert b"\r\n2024-03-01,4\r\n" in write_csv(table)


def test_a_withheld_count_is_marked_never_written_as_zero() -> None:
    for sheet in _both(Kind.BREAKDOWN, FIGURES[Kind.BREAKDOWN]):
        assert sheet.rows == [
            _n("31.71", "Kota Administrasi Jakarta Pusat", 12),
            _n("31.72", "Kota Administrasi Jakarta Utara", WITHHELD),
        ]


@pytest.mark.parametrize("hostile", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\t=1"])
def test_no_text_cell_can_run_as_a_formula(hostile: str) -> None:
    figure = {**FIGURES[Kind.BREAKDOWN], "rows": [{"key": hostile, "label": hostile, "value": 3}]}
    table = table_of(Kind.BREAKDOWN, figure, Context(Lang.ID, AS_OF, (("kota", hostile, hostile),), hostile))
    cells = [cell for line in csv.reader(io.StringIO(write_csv(table).decode("utf-8-sig"))) for cell in line]
    assert cells.count(f"'{hostile}") == 3  # the key, the label and the source (the filter is inside a line)
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t"))]
    workbook = write_xlsx(table)
    sheet = load_workbook(BytesIO(workbook)).worksheets[0]
    texts = [(c.data_type, c.value) for row in sheet.iter_rows() for c in row if isinstance(c.value, str)]
    assert texts and all(kind == "s" and not text.startswith("=") for kind, text in texts)
    with zipfile.ZipFile(BytesIO(workbook)) as parts:
        assert all(b"<f>" not in parts.read(name) for name in parts.namelist() if name.endswith(".xml"))


def test_file_names_say_the_figure_and_what_it_covers() -> None:
    assert file_name(Kind.SUMMARY, SUMMARY, "csv") == "jakpreneur-summary-2024-03-01_2024-06-30.csv"
    assert file_name(Kind.TARGETS, FIGURES[Kind.TARGETS], "xlsx") == "jakpreneur-targets-2024.xlsx"


def test_the_achievement_sheet_says_on_track_in_words_with_the_year_and_its_pace() -> None:
    for sheet in _both(Kind.ACHIEVEMENT, FIGURES[Kind.ACHIEVEMENT], Context(Lang.EN, AS_OF)):
        assert sheet.about["Year"] == norm(2024)
        assert sheet.about["Share of the year elapsed"] == norm(0.4973)
        assert sheet.about["Period"] == "2024-01-01 to 2024-07-01"
        (row,) = sheet.rows
        assert row[-5:] == _n(1000, 512, 0.512, 497, "yes")
