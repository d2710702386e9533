"""DKI Jakarta's administrative regions and Indonesia's province codes (Kemendagri codes).

Codes are the dotted Kemendagri codes (kota ``31.74``, kecamatan ``31.74.07``, kelurahan
``31.74.07.1001``). BPS codes number Jakarta's kota differently, so never mix the two.
The data and its provenance live in ``data/regions.json`` (see README.md).
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Final, TypeAlias

__all__ = [
    "PROVINCE_CODES",
    "Kecamatan",
    "Kelurahan",
    "Kota",
    "RegionTree",
    "jakarta",
    "province_name",
]

# Dotted Kemendagri forms; [0-9] rather than \d so other Unicode digits are rejected.
_KOTA_RE: Final = re.compile(r"[0-9]{2}\.[0-9]{2}")
_KECAMATAN_RE: Final = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}")
_KELURAHAN_RE: Final = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{2}\.[0-9]{4}")


@dataclass(frozen=True, slots=True)
class Kelurahan:
    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Kecamatan:
    code: str
    name: str
    kelurahan: tuple[Kelurahan, ...]


@dataclass(frozen=True, slots=True)
class Kota:
    """A kota administrasi, or the Kabupaten Administrasi Kepulauan Seribu (31.01)."""

    code: str
    name: str
    kecamatan: tuple[Kecamatan, ...]


Region: TypeAlias = Kota | Kecamatan | Kelurahan


@dataclass(frozen=True)
class RegionTree:
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
        for level, code, pattern, example in (
            ("kota", kota_code, _KOTA_RE, "31.74"),
            ("kecamatan", kecamatan_code, _KECAMATAN_RE, "31.74.07"),
            ("kelurahan", kelurahan_code, _KELURAHAN_RE, "31.74.07.1001"),
        ):
            if not pattern.fullmatch(code):
                # A common slip is the undotted (NIK/BPS-style) form, so show the expected shape.
                return f"{level} code {code!r} is not a dotted Kemendagri code like {example}"
        # Checked in order; the first failing check is reported. Kemendagri codes are
        # hierarchical, so a child belongs to a parent iff its code extends the parent's.
        checks = (
            (
                self.find_kota(kota_code) is None,
                f"unknown kota {kota_code} (not a kota/kabupaten of DKI Jakarta)",
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


@cache
def _document() -> Mapping[str, Mapping[str, str]]:
    text = (resources.files(__name__) / "data" / "regions.json").read_text(encoding="utf-8")
    doc: dict[str, dict[str, str]] = json.loads(text)
    return doc


@cache
def jakarta() -> RegionTree:
    """DKI Jakarta's 6 kota/kabupaten, 44 kecamatan and 267 kelurahan (loaded once)."""
    codes = _document()["jakarta"]
    children: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, name in codes.items():
        parent = code.rpartition(".")[0]
        # A malformed row or one whose parent is missing would silently vanish from the tree.
        depth_ok = any(p.fullmatch(code) for p in (_KOTA_RE, _KECAMATAN_RE, _KELURAHAN_RE))
        if not depth_ok or (parent != "31" and parent not in codes):
            raise ValueError(f"regions.json: bad or orphaned code {code!r}")
        children[parent].append((code, name))
    return RegionTree(
        tuple(
            Kota(
                kota_code,
                kota_name,
                tuple(
                    Kecamatan(kec_code, kec_name, tuple(Kelurahan(c, n) for c, n in children[kec_code]))
                    for kec_code, kec_name in children[kota_code]
                ),
            )
            for kota_code, kota_name in children["31"]
        )
    )


def province_name(code: str) -> str | None:
    """Name of the province with this two-digit Kemendagri code, or None if there is none."""
    return _document()["provinces"].get(code)


# The 38 provinces; the NIK validator checks the first two NIK digits against this.
PROVINCE_CODES: Final[frozenset[str]] = frozenset(_document()["provinces"])
