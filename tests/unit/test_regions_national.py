"""The whole Kemendagri tree (idn-area-data 4.0.1, Kepmendagri 300.2.2-2138/2025): counts per level,
codes, names and the data files' provenance, read province by province as a national deployment does."""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import tarfile
from pathlib import Path

import pytest

from shared.regions import PROVINCE_CODES, Kecamatan, Kelurahan, Kota, RegionTree, province, province_name
from shared.regions.build_data import build, compressed
from shared.regions.source import INDEX, count_levels, index, province_file
from shared.regions.tree import tree_of

# The decree's national totals (README.md): 514 kabupaten/kota, 7,285 kecamatan, 83,762 desa/kelurahan.
TOTALS = {"provinsi": 38, "kota": 514, "kecamatan": 7285, "kelurahan": 83762}


@pytest.fixture(scope="module")
def trees() -> list[RegionTree]:
    return [province(code) for code in sorted(PROVINCE_CODES)]


def _kecamatan(trees: list[RegionTree]) -> list[Kecamatan]:
    return [kec for tree in trees for kota in tree.kota for kec in kota.kecamatan]


def _kelurahan(trees: list[RegionTree]) -> list[Kelurahan]:
    return [kel for kec in _kecamatan(trees) for kel in kec.kelurahan]


def test_national_counts_per_level_match_the_decree(trees: list[RegionTree]) -> None:
    assert len(trees) == TOTALS["provinsi"]
    assert sum(len(tree.kota) for tree in trees) == TOTALS["kota"]
    assert len(_kecamatan(trees)) == TOTALS["kecamatan"]
    assert len(_kelurahan(trees)) == TOTALS["kelurahan"]


def test_each_province_has_the_counts_its_index_records(trees: list[RegionTree]) -> None:
    for tree in trees:
        found = {
            "kota": len(tree.kota),
            "kecamatan": sum(len(k.kecamatan) for k in tree.kota),
            "kelurahan": sum(len(c.kelurahan) for k in tree.kota for c in k.kecamatan),
        }
        assert found == index()["counts"][tree.code], tree.code
    totals = {level: sum(c[level] for c in index()["counts"].values()) for level in ("kota", "kecamatan")}
    assert totals == {"kota": TOTALS["kota"], "kecamatan": TOTALS["kecamatan"]}


@pytest.mark.parametrize(
    ("code", "kota", "kecamatan", "kelurahan"),
    [
        ("31", 6, 44, 267),  # DKI Jakarta: 5 kota administrasi + Kepulauan Seribu
        ("32", 27, 627, 5957),  # Jawa Barat: 18 kabupaten + 9 kota
        ("34", 5, 78, 438),  # DI Yogyakarta
        ("51", 9, 57, 716),  # Bali
        ("11", 23, 290, 6500),  # Aceh
        ("95", 8, 252, 2627),  # Papua Pegunungan, created in 2022
    ],
)
def test_spot_check_counts_of_provinces(code: str, kota: int, kecamatan: int, kelurahan: int) -> None:
    tree = province(code)
    assert len(tree.kota) == kota
    assert sum(len(k.kecamatan) for k in tree.kota) == kecamatan
    assert sum(len(c.kelurahan) for k in tree.kota for c in k.kecamatan) == kelurahan


def test_spot_check_a_kota_down_to_its_kelurahan() -> None:
    bandung = province("32").find_kota("32.73")
    assert bandung is not None and bandung.name == "Kota Bandung"
    assert len(bandung.kecamatan) == 30
    assert sum(len(kec.kelurahan) for kec in bandung.kecamatan) == 151
    assert [k.name for k in province("34").kota] == [
        "Kabupaten Kulon Progo",
        "Kabupaten Bantul",
        "Kabupaten Gunungkidul",
        "Kabupaten Sleman",
        "Kota Yogyakarta",
    ]


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("32.04", "Kabupaten Bandung"),
        ("32.73", "Kota Bandung"),
        ("32.73.01", "Sukasari"),
        ("33.74", "Kota Semarang"),
        ("35.78", "Kota Surabaya"),
        ("51.71", "Kota Denpasar"),
        ("64.72", "Kota Samarinda"),
        ("96.71", "Kota Sorong"),
        ("11.01.01.2001", "Keude Bakongan"),
        ("91.03.01.3007", "Desa Adat Yoboi"),
    ],
)
def test_known_names_across_the_country(code: str, name: str) -> None:
    assert province(code[:2]).label(code) == name


def test_codes_are_dotted_kemendagri_prefixed_by_their_parent_and_unique(trees: list[RegionTree]) -> None:
    codes: list[str] = []
    for tree in trees:
        assert re.fullmatch(r"[1-9][0-9]", tree.code) and province_name(tree.code) == tree.name
        for kota in tree.kota:
            assert re.fullmatch(rf"{tree.code}\.[0-9]{{2}}", kota.code), kota.code
            for kec in kota.kecamatan:
                assert re.fullmatch(rf"{kota.code}\.[0-9]{{2}}", kec.code), kec.code
                for kel in kec.kelurahan:
                    # 1xxx kelurahan, 2xxx desa, 3xxx desa adat (Papua)
                    assert re.fullmatch(rf"{kec.code}\.[123][0-9]{{3}}", kel.code), kel.code
                codes += [kec.code, *(kel.code for kel in kec.kelurahan)]
            codes.append(kota.code)
    assert len(codes) == len(set(codes)) == TOTALS["kota"] + TOTALS["kecamatan"] + TOTALS["kelurahan"]


def test_names_are_present_and_stripped(trees: list[RegionTree]) -> None:
    regions: list[Kota | Kecamatan | Kelurahan] = [k for t in trees for k in t.kota]
    regions += [*_kecamatan(trees), *_kelurahan(trees)]
    for region in regions:
        assert region.name and region.name == region.name.strip(), region.code


def test_every_kelurahan_in_the_data_is_a_valid_domicile_of_its_province(trees: list[RegionTree]) -> None:
    for tree in trees:
        for kota in tree.kota:
            for kec in kota.kecamatan:
                for kel in kec.kelurahan:
                    assert tree.check_domicile(kota.code, kec.code, kel.code) is None, kel.code


def test_another_provinces_address_is_unknown_to_a_province() -> None:
    assert (
        province("32").check_domicile("31.71", "31.71.01", "31.71.01.1001")
        == "unknown kota 31.71 (not a kota/kabupaten of Jawa Barat)"
    )
    assert (
        province("34").check_domicile("34.99", "34.99.01", "34.99.01.1001")
        == "unknown kota 34.99 (not a kota/kabupaten of DI Yogyakarta)"
    )


def test_a_province_is_read_once_and_an_unknown_one_is_a_key_error() -> None:
    assert province("32") is province("32")
    with pytest.raises(KeyError):
        province("97")


def test_the_files_carry_their_provenance_and_match_their_index() -> None:
    doc = json.loads(INDEX.read_text(encoding="utf-8"))
    provenance = doc["provenance"]
    assert provenance["source"].startswith("npm package idn-area-data 4.0.1 ")
    assert provenance["licence"].startswith("Open Database License (ODbL) 1.0")
    assert provenance["integrity"] == (
        "sha512-PhNSIl5T7swVwwWxJOFMtCaeHAF9TUu0HLDf+36EIWZro9j7au83AFIJiBQGL+iRsBDA2OlpJ5fjiqxNYndzOQ=="
    )
    assert set(doc["provinces"]) == set(doc["counts"]) == PROVINCE_CODES
    for code in PROVINCE_CODES:
        rows = json.loads(gzip.decompress(province_file(code).read_bytes()))
        assert count_levels(rows) == doc["counts"][code]
        assert list(rows) == sorted(rows), f"{code}: parents before children"


def test_all_of_it_stays_compact() -> None:
    # Read province by province: a Jakarta deployment never opens the other 37 files.
    sizes = {code: province_file(code).stat().st_size for code in PROVINCE_CODES}
    assert sum(sizes.values()) < 1_000_000
    assert sizes["31"] < 5_000


@pytest.mark.parametrize(
    ("rows", "bad"),
    [
        ({"32.01": "K", "32.01.01.2001": "D"}, "'32.01.01.2001'"),  # its kecamatan is missing
        ({"32.01": "K", "33.01": "L"}, "'33.01'"),  # of another province
        ({"32.01": "K", "32.01.1": "X"}, "'32.01.1'"),  # malformed
    ],
)
def test_a_row_without_its_place_in_the_tree_fails_loudly(rows: dict[str, str], bad: str) -> None:
    with pytest.raises(ValueError, match=bad):
        tree_of("32", "Jawa Barat", rows)


def test_the_committed_files_are_what_build_data_writes_for_their_rows() -> None:
    for code in ("31", "32", "96"):
        committed = province_file(code).read_bytes()
        assert compressed(json.loads(gzip.decompress(committed))) == committed  # deterministic bytes


def _tarball(path: Path, name: str = "idn-area-data") -> Path:
    files = {
        "package/package.json": json.dumps({"name": name, "version": "9.9.9"}),
        "package/data/provinces.csv": "code,name\n31,Daerah Khusus Ibukota Jakarta\n32,Jawa Barat\n",
        "package/data/regencies.csv": "code,province_code,name\n32.73,32,Kota Bandung\n31.71,31,Kota X \n",
        "package/data/districts.csv": "code,regency_code,name\n32.73.01,32.73,Sukasari\n"
        "31.71.01,31.71,Gambir\n",
        "package/data/villages.csv": 'code,district_code,name\n32.73.01.1001,32.73.01,"Sukarasa, Atas"\n'
        "31.71.01.1001,31.71.01,Gambir\n31.71.01.1002,31.71.01,Kebon Kelapa\n",
    }
    with tarfile.open(path, "w:gz") as tar:
        for member, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(member)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_build_data_splits_the_tarball_by_province_with_counts_and_provenance(tmp_path: Path) -> None:
    tarball = _tarball(tmp_path / "idn.tgz")
    doc, rows = build(tarball)
    assert rows == {
        "31": {
            "31.71": "Kota X",
            "31.71.01": "Gambir",
            "31.71.01.1001": "Gambir",
            "31.71.01.1002": "Kebon Kelapa",
        },
        "32": {"32.73": "Kota Bandung", "32.73.01": "Sukasari", "32.73.01.1001": "Sukarasa, Atas"},
    }
    assert doc["counts"] == {
        "31": {"kota": 1, "kecamatan": 1, "kelurahan": 2},
        "32": {"kota": 1, "kecamatan": 1, "kelurahan": 1},
    }
    provenance = doc["provenance"]
    assert isinstance(provenance, dict)
    assert provenance["source"].startswith("npm package idn-area-data 9.9.9 ")
    digest = base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    assert provenance["integrity"] == f"sha512-{digest}"
    with pytest.raises(SystemExit, match="not an idn-area-data tarball"):
        build(_tarball(tmp_path / "other.tgz", name="left-pad"))
