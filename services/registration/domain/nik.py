"""The NIK (Nomor Induk Kependudukan): 16 digits encoding province, regency, district, birth date and sex.

PRODUCT.md §2: the embedded date must be real, equal the declared birth date (YY = year mod 100) and agree
with the declared gender (women have 40 added to the day). The NIK never yields an address.

Exactly 16 ASCII digits: `\\d`, `str.isdigit()` and `int()` also take full-width, Arabic-Indic and other
Unicode digits, which would make a second identity of one person (another keyed digest), so the shape is
`[0-9]{16}`, checked with `fullmatch` (a `$` also matches before a trailing newline). Every place a NIK
enters — the API schema, the batch rows, the CLI import — uses NIK_PATTERN or is_nik_shaped from here.
"""

import re
from datetime import date

from shared.contracts.enums import Gender
from shared.regions import PROVINCE_CODES

NIK_PATTERN = r"^[0-9]{16}$"
_SHAPE = re.compile("[0-9]{16}", re.ASCII)
_FEMALE_DAY_OFFSET = 40
MASK_KEEPS = 4  # PRODUCT.md §2: the first 12 digits encode region and birth date


def is_nik_shaped(text: str) -> bool:
    return _SHAPE.fullmatch(text) is not None


def nik_problem(nik: str, birth_date: date, gender: Gender) -> str | None:
    """Why this NIK cannot belong to a person of this birth date and gender, or None if it can."""
    if not is_nik_shaped(nik):
        return "NIK must be exactly 16 digits, ASCII 0-9 only"
    province, regency, district = nik[0:2], nik[2:4], nik[4:6]
    day, month, year = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    if province not in PROVINCE_CODES:
        return f"NIK province code {province} is not an Indonesian province"
    if regency == "00" or district == "00":
        return "NIK regency and district codes cannot be 00"
    if nik[12:16] == "0000":
        return "NIK serial number cannot be 0000"
    if gender is Gender.F:
        if not 41 <= day <= 71:
            return "NIK birth day must be 41-71 for a woman (day + 40)"
        day -= _FEMALE_DAY_OFFSET
    elif not 1 <= day <= 31:
        return "NIK birth day must be 01-31 for a man"
    try:
        embedded = date(birth_date.year, month, day)
    except ValueError:
        return f"NIK birth date {nik[6:12]} is not a real date"
    if year != birth_date.year % 100 or embedded != birth_date:
        return f"NIK birth date {nik[6:12]} does not match birth_date {birth_date.isoformat()}"
    return None


def is_dki_nik(nik: str) -> bool:
    return nik.startswith("31")


def mask_nik(nik: str) -> str:
    """Only the last 4 digits, for recognition: with region and birth date a NIK narrows to a few people."""
    return "*" * (len(nik) - MASK_KEEPS) + nik[-MASK_KEEPS:]
