"""Legacy OK OCE participant files: their columns, legacy header names, and one CSV record → one API row.

Only the file's shape is handled here (headers, dates, yes/no, L/P); every rule of registration is left to
the registration service, which applies exactly those of `POST /participants`.
"""

from __future__ import annotations

import csv
import functools
import itertools
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO

REQUIRED = (
    "nik",
    "full_name",
    "gender",
    "birth_date",
    "kota_code",
    "kecamatan_code",
    "kelurahan_code",
    "registered_on",
)
OPTIONAL = ("phone", "email", "disability", "business_name", "sector", "agency")

# Header names seen in OK OCE exports and spreadsheets, compared after normalising (see `normalise`).
ALIASES: dict[str, tuple[str, ...]] = {
    "nik": ("no_nik", "nomor_nik", "no_ktp", "nik_ktp"),
    "full_name": ("nama", "nama_lengkap", "nama_peserta"),
    "gender": ("jenis_kelamin", "jk", "l_p"),
    "birth_date": ("tanggal_lahir", "tgl_lahir"),
    "phone": ("no_hp", "nomor_hp", "no_telp", "telepon", "hp"),
    "email": ("e_mail", "surel"),
    "disability": ("disabilitas", "penyandang_disabilitas"),
    "kota_code": ("kode_kota", "kode_kab_kota", "kode_kabupaten_kota"),
    "kecamatan_code": ("kode_kecamatan", "kode_kec"),
    "kelurahan_code": ("kode_kelurahan", "kode_kel"),
    "business_name": ("nama_usaha",),
    "sector": ("sektor", "sektor_usaha", "bidang_usaha"),
    "agency": ("instansi", "instansi_pembina", "pembina", "skpd"),
    "registered_on": ("tanggal_daftar", "tgl_daftar", "tanggal_registrasi", "tanggal_pendaftaran"),
}
# The columns an error report adds in front of the rows it returns; importing a fixed report ignores them.
REPORT_COLUMNS = ("error_line", "error_code", "error_message")

DATE_FORMATS_HELP = "yyyy-mm-dd, dd/mm/yyyy or dd-mm-yyyy (day first; 1-digit day and month allowed)"
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y")
_GENDER = {
    "m": "M",
    "l": "M",
    "laki_laki": "M",
    "pria": "M",
    "f": "F",
    "p": "F",
    "perempuan": "F",
    "wanita": "F",
}
_YES = {"ya", "y", "yes", "true", "1"}
_NO = {"tidak", "no", "n", "false", "0"}
_SCIENTIFIC = re.compile(r"^[0-9](?:[.,][0-9]+)?[eE]\+?[0-9]+$")
# What a spreadsheet takes for the start of a formula (or strips to reach one): OWASP "CSV injection".
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PHONE_NOISE = re.compile(r"[\s\-.()]")
_DELIMITERS = ",;\t"
_BY_NAME = {normal: field for field, names in ALIASES.items() for normal in (field, *names)}


class MalformedFile(Exception):
    """The file cannot be imported at all (nothing is sent): a readable reason."""


class RowError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class Columns:
    header: list[str]
    positions: dict[str, int]  # API field → column index
    ignored: list[str]  # headers this tool does not know (report columns excepted)

    def cell(self, cells: list[str], field: str) -> str:
        at = self.positions.get(field)
        return as_written(cells[at]).strip() if at is not None else ""


@dataclass(frozen=True)
class Record:
    line: int  # physical line where the record starts (the header is line 1)
    last_line: int  # where it ends: a quoted cell may span lines
    cells: list[str]


def neutralised(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, made text by a leading apostrophe (shown as nothing)."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def as_written(cell: str) -> str:
    """The inverse of `neutralised`, so a fixed error report imports the values it was given."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_STARTS) else cell


def normalise(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")


def resolve_header(header: list[str]) -> Columns:
    positions: dict[str, int] = {}
    ignored: list[str] = []
    for at, name in enumerate(header):
        field = _BY_NAME.get(normalise(name))
        if field is None:
            if normalise(name) not in REPORT_COLUMNS:
                ignored.append(name)
        elif field in positions:
            first = header[positions[field]]
            raise MalformedFile(f"columns {first!r} and {name!r} both mean {field}: keep one")
        else:
            positions[field] = at
    missing = [field for field in REQUIRED if field not in positions]
    if missing:
        raise MalformedFile(
            f"missing required column(s): {', '.join(missing)} "
            f"(found: {', '.join(header) or 'no header'}); see `jakpreneur import participants --help`"
        )
    return Columns(header, positions, ignored)


@contextmanager
def open_records(path: Path) -> Iterator[tuple[Columns, Iterator[Record]]]:
    """The file's columns and its records, read lazily; MalformedFile for what makes it unreadable."""
    with path.open("rb") as binary:
        lines = _decoded(binary)
        first = next(lines, "")
        if not first.strip():
            raise MalformedFile("the file is empty: its first line must name the columns")
        reader = csv.reader(itertools.chain([first], lines), delimiter=_delimiter(first))

        def records() -> Iterator[Record]:
            previous = reader.line_num
            try:
                for cells in reader:
                    if any(cell.strip() for cell in cells):  # blank lines carry no record
                        yield Record(previous + 1, reader.line_num, cells)
                    previous = reader.line_num
            except csv.Error as exc:
                raise MalformedFile(f"line {previous + 1}: {exc}") from None

        header = next(records()).cells
        yield resolve_header(header), records()


def count_records(path: Path) -> int:
    """A first pass that also proves the whole file readable before anything is sent."""
    with open_records(path) as (_, records):
        return sum(1 for _ in records)


def _decoded(binary: BinaryIO) -> Iterator[str]:
    # Line by line, so that a byte that is not UTF-8 is reported on its own line.
    for number, raw in enumerate(binary, start=1):
        try:
            yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise MalformedFile(f"line {number} is not UTF-8 text: save the file as 'CSV UTF-8'") from None


def _delimiter(header_line: str) -> str:
    """Comma, or the semicolon of spreadsheets in Indonesian locales, or tab: whichever the header uses."""
    return max(_DELIMITERS, key=header_line.count)


def nik_of(columns: Columns, cells: list[str]) -> str:
    """The NIK as the file holds it, minus a spreadsheet's leading apostrophe (text marker)."""
    return columns.cell(cells, "nik").lstrip("'")


def to_row(columns: Columns, cells: list[str]) -> dict[str, Any]:
    """The registration API's body for one record; RowError for what the file itself got wrong."""
    if len(cells) != len(columns.header):
        raise RowError(
            "validation_error",
            f"the row has {len(cells)} fields where the header has {len(columns.header)} "
            "(a separator inside an unquoted cell?)",
        )
    cell = functools.partial(columns.cell, cells)
    empty = [field for field in REQUIRED if not cell(field)]
    if empty:
        raise RowError("validation_error", f"empty required cell(s): {', '.join(empty)}")
    nik = nik_of(columns, cells)
    if _SCIENTIFIC.match(nik):
        raise RowError(
            "validation_error",
            "nik was turned into a number by a spreadsheet (e.g. 3.17E+15): format that column as text",
        )
    row: dict[str, Any] = {
        "nik": nik,
        "full_name": cell("full_name"),
        "gender": _GENDER.get(normalise(cell("gender")), cell("gender")),
        "birth_date": parse_date("birth_date", cell("birth_date")).isoformat(),
        "domicile": {
            "kota_code": cell("kota_code"),
            "kecamatan_code": cell("kecamatan_code"),
            "kelurahan_code": cell("kelurahan_code"),
        },
        "registered_on": parse_date("registered_on", cell("registered_on")).isoformat(),
    }
    if cell("phone"):
        row["phone"] = _PHONE_NOISE.sub("", cell("phone"))
    if cell("email"):
        row["email"] = cell("email")
    if cell("disability"):
        row["disability"] = parse_yes_no("disability", cell("disability"))
    if cell("agency"):
        row["agency"] = cell("agency").upper()
    if cell("business_name") or cell("sector"):
        # Both or neither: a missing half is left out so that the service names it.
        business = {"name": cell("business_name"), "sector": cell("sector").lower()}
        row["business"] = {key: value for key, value in business.items() if value}
    return row


def parse_date(field: str, text: str) -> date:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    # The value itself is personal data (a birth date): name the field, not what it held.
    raise RowError("validation_error", f"{field} is not a date in {DATE_FORMATS_HELP}")


def parse_yes_no(field: str, text: str) -> bool:
    value = text.strip().lower()
    if value in _YES:
        return True
    if value in _NO:
        return False
    raise RowError("validation_error", f"{field} must be ya/tidak, yes/no, true/false or 1/0")
