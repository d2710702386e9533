"""One province's region tree: kabupaten/kota, kecamatan and kelurahan/desa under Kemendagri codes."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, TypeAlias

# Dotted Kemendagri forms; [0-9] rather than \d so other Unicode digits are rejected.
PROVINSI_RE: Final = re.compile(r"[0-9]{2}")
KOTA_RE: Final = re.compile(r"[0-9]{2}\.[0-9]{2}")
KECAMATAN_RE: Final = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}")
KELURAHAN_RE: Final = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")

# The official short forms of the two special regions' titles ("DKI Jakarta", "DI Yogyakarta").
_TITLES: Final = (("Daerah Khusus Ibukota ", "DKI "), ("Daerah Istimewa ", "DI "))


@dataclass(frozen=True, slots=True)
class Kelurahan:
    """A kelurahan (urban, 4-digit part 1xxx) or desa (rural, 2xxx); Jakarta has kelurahan only."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Kecamatan:
    code: str
    name: str
    kelurahan: tuple[Kelurahan, ...]


@dataclass(frozen=True, slots=True)
class Kota:
    """A kabupaten or kota; in Jakarta a kota administrasi, or the Kabupaten Administrasi Kepulauan Seribu."""

    code: str
    name: str
    kecamatan: tuple[Kecamatan, ...]


Region: TypeAlias = Kota | Kecamatan | Kelurahan


def short_name(province: str) -> str:
    """A province's name as people write it: "Daerah Khusus Ibukota Jakarta" is "DKI Jakarta"."""
    for title, short in _TITLES:
        if province.startswith(title):
            return short + province.removeprefix(title)
    return province


def shape_problem(kota_code: str, kecamatan_code: str, kelurahan_code: str) -> str | None:
    """A readable error if a domicile's codes are not dotted Kemendagri codes of their levels, else None."""
    for level, code, pattern, example in (
        ("kota", kota_code, KOTA_RE, "31.74"),
        ("kecamatan", kecamatan_code, KECAMATAN_RE, "31.74.07"),
        ("kelurahan", kelurahan_code, KELURAHAN_RE, "31.74.07.1001"),
    ):
        if not pattern.fullmatch(code):
            # A common slip is the undotted (NIK/BPS-style) form, so show the expected shape.
            return f"{level} code {code!r} is not a dotted Kemendagri code like {example}"
    return None


@dataclass(frozen=True)
class RegionTree:
    """A province (`code` 31, `name` as Kemendagri writes it) and every region below it."""

    code: str
    name: str
    kota: tuple[Kota, ...]
    _index: Mapping[str, Region] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        index: dict[str, Region] = {}
        for kota in self.kota:
            index[kota.code] = kota
            for kec in kota.kecamatan:
                index[kec.code] = kec
                for kel in kec.kelurahan:
                    index[kel.code] = kel
        object.__setattr__(self, "_index", MappingProxyType(index))

    def find(self, code: str) -> Region | None:
        """The region with this code, at any level, or None if unknown."""
        return self._index.get(code)

    def find_kota(self, code: str) -> Kota | None:
        region = self._index.get(code)
        return region if isinstance(region, Kota) else None

    def find_kecamatan(self, code: str) -> Kecamatan | None:
        region = self._index.get(code)
        return region if isinstance(region, Kecamatan) else None

    def find_kelurahan(self, code: str) -> Kelurahan | None:
        region = self._index.get(code)
        return region if isinstance(region, Kelurahan) else None

    def label(self, code: str) -> str | None:
        """Name of the region with this code, at any level, or None if unknown."""
        region = self._index.get(code)
        return region.name if region is not None else None

    def check_domicile(self, kota_code: str, kecamatan_code: str, kelurahan_code: str) -> str | None:
        """Return a readable error if the three codes are not a consistent address, else None."""
        if problem := shape_problem(kota_code, kecamatan_code, kelurahan_code):
            return problem
        # Checked in order; the first failing check is reported. Kemendagri codes are
        # hierarchical, so a child belongs to a parent iff its code extends the parent's.
        checks = (
            (
                self.find_kota(kota_code) is None,
                f"unknown kota {kota_code} (not a kota/kabupaten of {short_name(self.name)})",
            ),
            (self.find_kecamatan(kecamatan_code) is None, f"unknown kecamatan {kecamatan_code}"),
            (self.find_kelurahan(kelurahan_code) is None, f"unknown kelurahan {kelurahan_code}"),
            (
                not kecamatan_code.startswith(kota_code + "."),
                f"kecamatan {kecamatan_code} does not belong to kota {kota_code}",
            ),
            (
                not kelurahan_code.startswith(kecamatan_code + "."),
                f"kelurahan {kelurahan_code} does not belong to kecamatan {kecamatan_code}",
            ),
        )
        return next((message for failed, message in checks if failed), None)


def tree_of(code: str, name: str, regions: Mapping[str, str]) -> RegionTree:
    """The tree of province `code` from its rows {code: name}, parents listed before their children.

    Raises ValueError for a row that is malformed, of another province, or whose parent is missing: such
    a row would otherwise silently vanish from the tree.
    """
    children: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for child, child_name in regions.items():
        parent = child.rpartition(".")[0]
        depth_ok = any(p.fullmatch(child) for p in (KOTA_RE, KECAMATAN_RE, KELURAHAN_RE))
        if not depth_ok or not child.startswith(code + ".") or (parent != code and parent not in regions):
            raise ValueError(f"province {code}: bad or orphaned code {child!r}")
        children[parent].append((child, child_name))
    return RegionTree(
        code,
        name,
        tuple(
            Kota(
                kota_code,
                kota_name,
                tuple(
                    Kecamatan(kec_code, kec_name, tuple(Kelurahan(c, n) for c, n in children[kec_code]))
                    for kec_code, kec_name in children[kota_code]
                ),
            )
            for kota_code, kota_name in children[code]
        ),
    )
