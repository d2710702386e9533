from datetime import date

import pytest

from services.registration.domain.nik import is_nik_shaped, mask_nik, nik_problem
from shared.contracts.enums import Gender

WOMAN_BORN = date(1990, 9, 5)  # encoded as day 45


def test_a_womans_nik_carries_day_plus_40() -> None:
    assert nik_problem("3171014509900001", WOMAN_BORN, Gender.F) is None


def test_a_mans_nik_carries_the_plain_day() -> None:
    assert nik_problem("3174070501850123", date(1985, 1, 5), Gender.M) is None


def test_any_indonesian_province_is_accepted() -> None:
    assert nik_problem("3273014509900001", WOMAN_BORN, Gender.F) is None


@pytest.mark.parametrize(
    ("nik", "birth_date", "gender", "reason"),
    [
        ("317101450990000", WOMAN_BORN, Gender.F, "16 digits"),
        ("31710145099000a1", WOMAN_BORN, Gender.F, "16 digits"),
        ("9971014509900001", WOMAN_BORN, Gender.F, "province code 99"),
        ("3100014509900001", WOMAN_BORN, Gender.F, "cannot be 00"),
        ("3171004509900001", WOMAN_BORN, Gender.F, "cannot be 00"),
        ("3171014509900000", WOMAN_BORN, Gender.F, "serial"),
        ("3171010509900001", WOMAN_BORN, Gender.F, "41-71 for a woman"),
        ("3171014509900001", date(1990, 9, 5), Gender.M, "01-31 for a man"),
        ("3171013102900001", date(1990, 2, 28), Gender.M, "not a real date"),
        ("3171014509910001", WOMAN_BORN, Gender.F, "does not match"),
        ("3171014609900001", WOMAN_BORN, Gender.F, "does not match"),
    ],
)
def test_a_nik_that_cannot_belong_to_the_person_is_refused(
    nik: str, birth_date: date, gender: Gender, reason: str
) -> None:
    problem = nik_problem(nik, birth_date, gender)
    assert problem is not None
    assert reason in problem


def test_a_leap_day_birth_is_a_real_date() -> None:
    assert nik_problem("3171016902000001", date(2000, 2, 29), Gender.F) is None


def test_masking_shows_the_last_four_digits_only() -> None:
    assert mask_nik("3171014509900001") == "************0001"


# 3171014509900001 with one character swapped for something `\d`, isdigit() or int() would take as a digit,
# or for a space or a sign.
UNICODE_DIGIT_NIKS = [
    "317\uff11014509900001",  # full-width one
    "".join(chr(0xFF10 + int(d)) for d in "3171014509900001"),  # all full-width
    "317\u0661014509900001",  # Arabic-Indic one
    "317\u06f1014509900001",  # extended Arabic-Indic (Persian) one
    "317\u0967014509900001",  # Devanagari one
    "317\u09e7014509900001",  # Bengali one
    "317\u0e51014509900001",  # Thai one
    "317\U0001d7cf014509900001",  # mathematical bold one
    "317101450990000\u00b9",  # superscript one: isdigit() is true
    "3171014509900001\n",  # a trailing newline, which `$` lets through
    " 3171014509900001",
    "3171 014509900001",
    "+317101450990001",
    "-317101450990001",
]


@pytest.mark.parametrize("nik", UNICODE_DIGIT_NIKS)
def test_only_ascii_digits_make_a_nik(nik: str) -> None:
    assert not is_nik_shaped(nik)
    problem = nik_problem(nik, WOMAN_BORN, Gender.F)
    assert problem is not None and "16 digits" in problem
