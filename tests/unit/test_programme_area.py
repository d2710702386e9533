"""The programme area (PROGRAMME_AREA): DKI Jakarta by default, any one province, or national."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from shared.errors import RuleViolation
from shared.regions import NATIONAL, PROVINCE_CODES, ProgrammeArea, ProgrammeAreaSettings, jakarta

JAKARTA = ProgrammeArea.of("31")
JABAR = ProgrammeArea.of("32")
INDONESIA = ProgrammeArea.of(NATIONAL)


def test_dki_jakarta_is_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROGRAMME_AREA", raising=False)
    assert ProgrammeArea.of(ProgrammeAreaSettings().programme_area) == JAKARTA
    assert (JAKARTA.code, JAKARTA.name, JAKARTA.provinces, JAKARTA.national) == (
        "31",
        "DKI Jakarta",
        ("31",),
        False,
    )
    assert JAKARTA.tree() is jakarta()


@pytest.mark.parametrize("value", ["32", NATIONAL])
def test_the_setting_names_a_province_or_national(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PROGRAMME_AREA", value)
    assert ProgrammeAreaSettings().programme_area == value


@pytest.mark.parametrize("value", ["", "3", "37", "31.71", "Jakarta", "NATIONAL", "٣١"])
def test_any_other_setting_is_refused_at_start_up(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PROGRAMME_AREA", value)
    with pytest.raises(ValidationError, match="must be 'national' or a two-digit Kemendagri province code"):
        ProgrammeAreaSettings()


def test_national_spans_every_province() -> None:
    assert INDONESIA.national and INDONESIA.name == "Indonesia"
    assert set(INDONESIA.provinces) == PROVINCE_CODES == set(INDONESIA.province_names())
    assert INDONESIA.province_names()["96"] == "Papua Barat Daya"
    assert JAKARTA.province_names() == {"31": "Daerah Khusus Ibukota Jakarta"}
    assert ProgrammeArea.of("34").name == "DI Yogyakarta"


@pytest.mark.parametrize(
    ("area", "kota", "kecamatan", "kelurahan"),
    [
        (JAKARTA, "31.71", "31.71.01", "31.71.01.1001"),
        (JABAR, "32.73", "32.73.01", "32.73.01.1001"),
        (INDONESIA, "31.71", "31.71.01", "31.71.01.1001"),
        (INDONESIA, "32.04", "32.04.05", "32.04.05.2001"),
        (INDONESIA, "91.03", "91.03.01", "91.03.01.3007"),
    ],
)
def test_a_domicile_of_the_area_is_accepted(
    area: ProgrammeArea, kota: str, kecamatan: str, kelurahan: str
) -> None:
    assert area.check_domicile(kota, kecamatan, kelurahan) is None


@pytest.mark.parametrize(
    ("area", "domicile", "message"),
    [
        # Jakarta's answers are today's, word for word.
        (
            JAKARTA,
            ("32.73", "32.73.01", "32.73.01.1001"),
            "unknown kota 32.73 (not a kota/kabupaten of DKI Jakarta)",
        ),
        (
            JAKARTA,
            ("31.71", "31.71.02", "31.71.01.1001"),
            "kelurahan 31.71.01.1001 does not belong to kecamatan 31.71.02",
        ),
        (
            JABAR,
            ("31.71", "31.71.01", "31.71.01.1001"),
            "unknown kota 31.71 (not a kota/kabupaten of Jawa Barat)",
        ),
        (
            JABAR,
            ("32.73", "32.73.01", "32.73.02.1001"),
            "kelurahan 32.73.02.1001 does not belong to kecamatan 32.73.01",
        ),
        (INDONESIA, ("99.01", "99.01.01", "99.01.01.1001"), "unknown kota 99.01 (99 is not a province code)"),
        (
            INDONESIA,
            ("32.99", "32.99.01", "32.99.01.1001"),
            "unknown kota 32.99 (not a kota/kabupaten of Jawa Barat)",
        ),
        (
            INDONESIA,
            ("32.73", "31.71.01", "31.71.01.1001"),
            "unknown kecamatan 31.71.01",
        ),
        (
            INDONESIA,
            ("3273", "327301", "3273011001"),
            "kota code '3273' is not a dotted Kemendagri code like 31.74",
        ),
    ],
)
def test_a_domicile_outside_the_area_or_inconsistent_is_explained(
    area: ProgrammeArea, domicile: tuple[str, str, str], message: str
) -> None:
    assert area.check_domicile(*domicile) == message


def test_regions_are_found_only_within_the_area() -> None:
    assert JAKARTA.label("31.74.07") == "Kebayoran Baru"
    assert JAKARTA.find("32.73") is None and JAKARTA.label("32.73") is None
    assert JABAR.label("32.73") == "Kota Bandung" and JABAR.find("31.71") is None
    assert INDONESIA.label("32.73") == INDONESIA.label("32.73") == "Kota Bandung"
    assert INDONESIA.label("96.71") == "Kota Sorong"
    for code in ("", "3", "99.01", "3273", "32.7", "32x73"):
        assert INDONESIA.find(code) is None, code
    assert JAKARTA.holds("31") and JAKARTA.holds("31.71.01") and not JAKARTA.holds("32.73")
    assert not JAKARTA.holds("311") and INDONESIA.holds("95.01")


@pytest.mark.parametrize(
    ("area", "level", "code", "problem"),
    [
        (JAKARTA, "kota", "31.71", None),
        (JAKARTA, "kecamatan", "31.71.01", None),
        (JAKARTA, "kelurahan", "31.71.01.1001", None),
        (JAKARTA, "kota", "32.73", "kota 32.73 is not a kota/kabupaten of the programme area (DKI Jakarta)"),
        (JAKARTA, "kota", "31.99", "kota 31.99 is not a kota/kabupaten of the programme area (DKI Jakarta)"),
        (
            JAKARTA,
            "kota",
            "31.71.01",
            "kota 31.71.01 is not a kota/kabupaten of the programme area (DKI Jakarta)",
        ),
        (
            JABAR,
            "kecamatan",
            "31.71.01",
            "kecamatan 31.71.01 is not a kecamatan of the programme area (Jawa Barat)",
        ),
        (INDONESIA, "kelurahan", "32.73.01.1001", None),
        (
            INDONESIA,
            "kelurahan",
            "99.01.01.1001",
            "kelurahan 99.01.01.1001 is not a kelurahan/desa of the programme area (Indonesia)",
        ),
    ],
)
def test_a_region_filter_is_checked_against_the_area(
    area: ProgrammeArea, level: str, code: str, problem: str | None
) -> None:
    assert area.region_problem(level, code) == problem


def test_the_tree_served_is_the_areas_province_or_the_one_asked_for_when_national() -> None:
    assert JAKARTA.tree("31") is JAKARTA.tree() is jakarta()
    assert JABAR.tree().code == "32"
    assert INDONESIA.tree("32") is JABAR.tree() and INDONESIA.tree("96").name == "Papua Barat Daya"
    with pytest.raises(RuleViolation, match=r"national: ask for one province at a time, e\.g\. provinsi=32"):
        INDONESIA.tree()
    with pytest.raises(
        RuleViolation, match=r"provinsi 32 is not a province of the programme area \(DKI Jakarta\)"
    ):
        JAKARTA.tree("32")
    with pytest.raises(
        RuleViolation, match=r"provinsi 97 is not a province of the programme area \(Indonesia\)"
    ):
        INDONESIA.tree("97")
