"""A report as one Excel workbook: a sheet per section, each laid out as the exports lay a figure."""

import io

from openpyxl import Workbook

from services.reporting.exports.xlsx_file import SHEET_TITLE_MAX, _cell
from services.reporting.reports.compose import Report

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def write_workbook(report: Report) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.title = report.title
    for section in report.sections:
        sheet = workbook.create_sheet(section.sheet[:SHEET_TITLE_MAX])
        lines = section.table.lines()
        header_at = len(lines) - len(section.table.rows) - 1
        for number, line in enumerate(lines):
            sheet.append([_cell(sheet, value, number in (0, header_at)) for value in line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
