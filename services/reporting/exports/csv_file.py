"""A table as CSV: UTF-8 with a byte-order mark (so Excel reads the accents), comma-separated, CRLF."""

import csv
import io
from datetime import date

from services.reporting.exports.cells import inert
from services.reporting.exports.table import Cell, Table

MEDIA_TYPE = "text/csv; charset=utf-8"


def write_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for line in table.lines():
        writer.writerow([_text(cell) for cell in line])
    return out.getvalue().encode("utf-8-sig")


def _text(cell: Cell) -> str | int | float:
    match cell:
        case None:
            return ""
        case str():
            return inert(cell)
        case date():
            return cell.isoformat()
        case _:
            return cell
