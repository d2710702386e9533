"""A table as an Excel workbook (openpyxl): one sheet, the title and header bold, numbers as numbers and
days as dates, so sums and filters work in the spreadsheet as they do on the JSON."""

import io
from datetime import date, datetime, time

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell as SheetCell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from services.reporting.exports.cells import inert
from services.reporting.exports.table import Cell, Table

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)
SHEET_TITLE_MAX = 31  # Excel's limit


def write_xlsx(table: Table) -> bytes:
    workbook = Workbook(write_only=True)
    workbook.properties.title = table.title
    sheet = workbook.create_sheet(table.title[:SHEET_TITLE_MAX])
    header_at = len(table.lines()) - len(table.rows) - 1
    for number, line in enumerate(table.lines()):
        bold = number in (0, header_at)
        sheet.append([_cell(sheet, value, bold) for value in line])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet: WriteOnlyWorksheet, value: Cell, bold: bool) -> SheetCell:
    if isinstance(value, date):  # a day: a date cell, shown without a time
        cell = WriteOnlyCell(sheet, value=datetime.combine(value, time()))
        cell.number_format = "yyyy-mm-dd"
    else:
        cell = WriteOnlyCell(sheet, value=inert(value) if isinstance(value, str) else value)
    if bold:
        cell.font = BOLD
    return cell
