"""Tests for shared.regions: DKI Jakarta's Kemendagri region tree and the province codes.

The national tree is tested in test_regions_national.py, the programme area in test_programme_area.py.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re

import pytest

from shared.regions import (
    PROVINCE_CODES,
    Kecamatan,
    Kelurahan,
    Kota,
    RegionTree,
    jakarta,
    province_name,
)


@pytest.fixture(scope="module")
def tree() -> RegionTree:
    return jakarta()


def _kecamatan(tree: RegionTree) -> list[Kecamatan]:
    return [kec for kota in tree.kota for kec in kota.kecamatan]


def _kelurahan(tree: RegionTree) -> list[Kelurahan]:
    return [kel for kec in _kecamatan(tree) for kel in kec.kelurahan]


def test_counts_match_the_spec(tree: RegionTree) -> None:
    assert len(tree.kota) == 6
    assert len(_kecamatan(tree)) == 44
    assert len(_kelurahan(tree)) == 267


def test_codes_are_dotted_kemendagri_and_prefixed_by_their_parent(tree: RegionTree) -> None:
    for kota in tree.kota:
        assert re.fullmatch(r"31\.[0-9]{2}", kota.code), kota.code
        for kec in kota.kecamatan:
            assert re.fullmatch(r"31\.[0-9]{2}\.[0-9]{2}", kec.code), kec.code
            assert kec.code.startswith(kota.code + "."), kec.code
            for kel in kec.kelurahan:
                # Jakarta has only kelurahan (urban), whose 4-digit part starts with 1; desa start with 2.
                assert re.fullmatch(r"31\.[0-9]{2}\.[0-9]{2}\.1[0-9]{3}", kel.code), kel.code
                assert kel.code.startswith(kec.code + "."), kel.code


def test_no_duplicate_codes_and_names_are_clean(tree: RegionTree) -> None:
    regions: list[Kota | Kecamatan | Kelurahan] = [*tree.kota, *_kecamatan(tree), *_kelurahan(tree)]
    codes = [r.code for r in regions]
    assert len(codes) == len(set(codes)) == 6 + 44 + 267
    for region in regions:
        assert region.name, region.code
        assert region.name == region.name.strip(), region.code
        assert region.name != region.name.upper(), f"{region.code} not in proper case"


def test_the_tree_is_row_for_row_the_one_jakarta_had_before_the_national_data(tree: RegionTree) -> None:
    # sha256 of the sorted [code, name] rows of the Jakarta-only regions.json (commit 5f5ddc1).
    regions: list[Kota | Kecamatan | Kelurahan] = [*tree.kota, *_kecamatan(tree), *_kelurahan(tree)]
    rows = sorted([r.code, r.name] for r in regions)
    digest = hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()
    assert digest == "56cb94890d380ff7380baa340ff29a145e3ec00f7455412d01e790ea900e5b07"
    assert (tree.code, tree.name) == ("31", "Daerah Khusus Ibukota Jakarta")


def test_kota_codes_follow_kemendagri_not_bps(tree: RegionTree) -> None:
    # BPS numbers these differently (3171 = Jakarta Selatan); Kemendagri is what NIK uses.
    assert {k.code: k.name for k in tree.kota} == {
        "31.01": "Kabupaten Administrasi Kepulauan Seribu",
        "31.71": "Kota Administrasi Jakarta Pusat",
        "31.72": "Kota Administrasi Jakarta Utara",
        "31.73": "Kota Administrasi Jakarta Barat",
        "31.74": "Kota Administrasi Jakarta Selatan",
        "31.75": "Kota Administrasi Jakarta Timur",
    }


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("31.71.01", "Gambir"),
        ("31.71.01.1001", "Gambir"),
        ("31.74.07", "Kebayoran Baru"),
        ("31.74.07.1006", "Senayan"),
        ("31.01.02.1002", "Pulau Tidung"),
        ("31.75.10.1008", "Ceger"),
        ("31.72.06", "Kelapa Gading"),
    ],
)
def test_known_names(tree: RegionTree, code: str, name: str) -> None:
    assert tree.label(code) == name


def test_kecamatan_per_kota(tree: RegionTree) -> None:
    assert {k.code: len(k.kecamatan) for k in tree.kota} == {
        "31.01": 2,
        "31.71": 8,
        "31.72": 6,
        "31.73": 8,
        "31.74": 10,
        "31.75": 10,
    }


def test_find_returns_the_right_level_or_none(tree: RegionTree) -> None:
    kota = tree.find_kota("31.74")
    assert kota is not None and kota.name == "Kota Administrasi Jakarta Selatan"
    kec = tree.find_kecamatan("31.74.07")
    assert kec is not None and kec in kota.kecamatan
    kel = tree.find_kelurahan("31.74.07.1006")
    assert kel == Kelurahan("31.74.07.1006", "Senayan") and kel in kec.kelurahan
    # A code of another level, an unknown code, a BPS-style code: all None.
    assert tree.find_kota("31.74.07") is None
    assert tree.find_kecamatan("31.74") is None
    assert tree.find_kelurahan("31.74.07") is None
    assert tree.find_kota("31.76") is None
    assert tree.find_kota("3174") is None
    assert tree.find_kelurahan("31.74.07.9999") is None
    assert tree.label("31.99") is None
    assert tree.label("") is None


def test_check_domicile_accepts_a_consistent_address(tree: RegionTree) -> None:
    assert tree.check_domicile("31.71", "31.71.01", "31.71.01.1001") is None
    assert tree.check_domicile("31.01", "31.01.02", "31.01.02.1003") is None
    # Every kelurahan in the data is valid with its own parents.
    for kota in tree.kota:
        for kec in kota.kecamatan:
            for kel in kec.kelurahan:
                assert tree.check_domicile(kota.code, kec.code, kel.code) is None


@pytest.mark.parametrize(
    ("kota", "kecamatan", "kelurahan", "message"),
    [
        (
            "31.71",
            "31.71.02",
            "31.71.01.1001",
            "kelurahan 31.71.01.1001 does not belong to kecamatan 31.71.02",
        ),
        ("31.74", "31.71.01", "31.71.01.1001", "kecamatan 31.71.01 does not belong to kota 31.74"),
        ("31.76", "31.76.01", "31.76.01.1001", "unknown kota 31.76 (not a kota/kabupaten of DKI Jakarta)"),
        ("32.01", "32.01.01", "32.01.01.1001", "unknown kota 32.01 (not a kota/kabupaten of DKI Jakarta)"),
        ("31.71", "31.71.09", "31.71.09.1001", "unknown kecamatan 31.71.09"),
        ("31.71", "31.71.01", "31.71.01.1099", "unknown kelurahan 31.71.01.1099"),
        (
            "3171",
            "317101",
            "3171011001",
            "kota code '3171' is not a dotted Kemendagri code like 31.74",
        ),
        (
            "31.71",
            "31.71.1",
            "31.71.01.1001",
            "kecamatan code '31.71.1' is not a dotted Kemendagri code like 31.74.07",
        ),
        (
            "31.71",
            "31.71.01",
            " 31.71.01.1001",
            "kelurahan code ' 31.71.01.1001' is not a dotted Kemendagri code like 31.74.07.1001",
        ),
    ],
)
def test_check_domicile_explains_what_is_wrong(
    tree: RegionTree, kota: str, kecamatan: str, kelurahan: str, message: str
) -> None:
    assert tree.check_domicile(kota, kecamatan, kelurahan) == message


def test_tree_is_immutable_and_loaded_once(tree: RegionTree) -> None:
    assert jakarta() is tree
    with pytest.raises(dataclasses.FrozenInstanceError):
        tree.kota[0].name = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        tree.kota = ()  # type: ignore[misc]
    assert isinstance(tree.kota, tuple)
    assert all(isinstance(k, Kota) and isinstance(k.kecamatan, tuple) for k in tree.kota)


def test_province_codes() -> None:
    assert isinstance(PROVINCE_CODES, frozenset)
    assert len(PROVINCE_CODES) == 38
    assert all(re.fullmatch(r"[1-9][0-9]", code) for code in PROVINCE_CODES)
    assert "31" in PROVINCE_CODES
    # The provinces created in 2022 (Kemendagri numbering).
    assert {"91", "92", "93", "94", "95", "96"} <= PROVINCE_CODES
    assert {"00", "20", "37", "97", "3171", "31.71", ""}.isdisjoint(PROVINCE_CODES)


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("11", "Aceh"),
        ("31", "Daerah Khusus Ibukota Jakarta"),
        ("32", "Jawa Barat"),
        ("36", "Banten"),
        ("93", "Papua Selatan"),
        ("94", "Papua Tengah"),
        ("95", "Papua Pegunungan"),
        ("96", "Papua Barat Daya"),
    ],
)
def test_province_name(code: str, name: str) -> None:
    assert province_name(code) == name


def test_province_name_unknown() -> None:
    assert province_name("97") is None
    assert province_name("3") is None
