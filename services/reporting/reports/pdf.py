"""A report as a PDF (fpdf2): its title, then each section's title, the lines saying what it covers and
its table, rows unbroken across pages (the header repeats)."""

from datetime import date

from fpdf import FPDF
from fpdf.fonts import FontFace

from services.reporting.exports.table import Cell, Table
from services.reporting.reports.compose import Report

MEDIA_TYPE = "application/pdf"
FONT = "Helvetica"  # a core PDF font: nothing to ship; Latin-1 text


def write_pdf(report: Report) -> bytes:
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(_latin1(report.title))
    pdf.set_creator("Jakpreneur reporting")
    pdf.add_page()
    _heading(pdf, report.title, size=14)
    for section in report.sections:
        _section(pdf, section.table)
    return bytes(pdf.output())


def _section(pdf: FPDF, table: Table) -> None:
    pdf.ln(4)
    _heading(pdf, table.title, size=11)
    pdf.set_font(FONT, size=8)
    for name, value in table.about:
        pdf.multi_cell(0, 4.5, _latin1(f"{name}: {text(value)}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    with pdf.table(headings_style=FontFace(emphasis="BOLD"), line_height=5) as grid:
        lines: list[list[Cell]] = [[*table.header], *table.rows]
        for line in lines:
            row = grid.row()
            for value in line:
                row.cell(_latin1(text(value)))


def _heading(pdf: FPDF, title: str, size: int) -> None:
    pdf.set_font(FONT, "B", size)
    pdf.multi_cell(0, size * 0.6, _latin1(title), new_x="LMARGIN", new_y="NEXT")


def text(value: Cell) -> str:
    """A cell as the PDF prints it: numbers as the JSON has them, days in ISO form, nothing for null."""
    match value:
        case None:
            return ""
        case date():
            return value.isoformat()
        case _:
            return str(value)


def _latin1(value: str) -> str:
    return value.encode("latin-1", "replace").decode("latin-1")
