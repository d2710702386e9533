from datetime import date

import pytest

from services.registration.domain.nik import mask_nik, nik_problem
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


def test_masking_hides_birth_date_and_serial() -> None:
    masked = mask_nik("3171014509900001")
    assert masked == "317101********01"
    assert "450990" not in masked
