"""Reads an exported figure (CSV or Excel workbook) back into its parts, as a spreadsheet user would see
them: the title, the lines that say what the figures cover, the header and the rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook


@dataclass(frozen=True)
class Sheet:
    title: str
    about: dict[str, Any]
    header: list[str]
    rows: list[list[Any]]

    def column(self, name: str) -> list[Any]:
        at = self.header.index(name)
        return [row[at] for row in self.rows]

    def normalized(self) -> Sheet:
        """Every cell as `norm` has it: a CSV's text and a workbook's typed cells become comparable."""
        return Sheet(
            title=self.title,
            about={k: norm(v) for k, v in self.about.items()},
            header=self.header,
            rows=[[norm(cell) for cell in row] for row in self.rows],
        )


def norm(cell: Any) -> Any:
    """A cell or a JSON value in one form: numbers (or text that reads as one) as repr(float), days as ISO
    text, empty as None. A CSV's text and a workbook's typed cells for the same figure compare equal."""
    if isinstance(cell, date):
        return cell.isoformat()
    if cell is None or cell == "":
        return None
    if isinstance(cell, bool):
        return cell
    try:
        return repr(float(cell))
    except ValueError:
        return cell


def read_csv(content: bytes) -> Sheet:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff"), "a byte-order mark, so Excel reads the file as UTF-8"
    lines = [[cell or None for cell in line] for line in csv.reader(io.StringIO(text[1:]))]
    return _sheet(lines)


def read_xlsx(content: bytes) -> Sheet:
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    (sheet,) = workbook.worksheets
    lines = [[_day(cell) for cell in row] for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return _sheet(lines)


def _sheet(lines: list[list[Any]]) -> Sheet:
    blank = next(i for i, line in enumerate(lines) if all(cell is None for cell in line))
    about = {line[0]: line[1] for line in lines[1:blank]}
    header = _trimmed(lines[blank + 1])
    rows = [[*row[: len(header)], *[None] * (len(header) - len(row))] for row in lines[blank + 2 :]]
    return Sheet(title=lines[0][0], about=about, header=header, rows=rows)


def _day(cell: Any) -> Any:
    return cell.date() if isinstance(cell, datetime) else cell


def _trimmed(line: list[Any]) -> list[Any]:
    """A line without the empty cells a workbook pads it with up to the widest line."""
    while line and line[-1] is None:
        line = line[:-1]
    return line
