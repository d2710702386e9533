"""The region data files (see README.md for their provenance), each province read once, when first asked for.

`data/regions.json` holds the provenance, the 38 provinces and each province's counts per level;
`data/provinces/<code>.json.gz` holds one province's regions. A province file is checked against the
counts when it is read, so a truncated or stale file fails loudly instead of serving a partial tree.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Final, TypedDict

from shared.regions.tree import RegionTree, tree_of

DATA: Final = Path(__file__).with_name("data")
INDEX: Final = DATA / "regions.json"
PROVINCES: Final = DATA / "provinces"
LEVELS: Final = ("kota", "kecamatan", "kelurahan")


def count_levels(regions: Mapping[str, str]) -> dict[str, int]:
    """{level: number of codes}: a kota code has one dot, a kecamatan code two, a kelurahan code three."""
    return {level: sum(c.count(".") == depth for c in regions) for depth, level in enumerate(LEVELS, 1)}


def province_file(code: str) -> Path:
    return PROVINCES / f"{code}.json.gz"


class Index(TypedDict):
    provenance: dict[str, str]
    provinces: dict[str, str]  # {code: name}
    counts: dict[str, dict[str, int]]  # {province code: {level: number of regions}}


@cache
def index() -> Index:
    doc: Index = json.loads(INDEX.read_text(encoding="utf-8"))
    return doc


def province_name(code: str) -> str | None:
    """Name of the province with this two-digit Kemendagri code, or None if there is none."""
    return index()["provinces"].get(code)


def counts(code: str) -> Mapping[str, int]:
    """The province's number of kabupaten/kota, kecamatan and kelurahan/desa, as the index records them."""
    return index()["counts"][code]


@cache
def province(code: str) -> RegionTree:
    """The region tree of one province (loaded once); KeyError for a code that is not a province."""
    name = province_name(code)
    if name is None:
        raise KeyError(f"no province {code!r}")
    regions: dict[str, str] = json.loads(gzip.decompress(province_file(code).read_bytes()))
    found = count_levels(regions)
    if found != counts(code):
        raise ValueError(f"{province_file(code).name}: {found} regions, the index says {counts(code)}")
    return tree_of(code, name, regions)


def jakarta() -> RegionTree:
    """DKI Jakarta's 6 kota/kabupaten, 44 kecamatan and 267 kelurahan (loaded once)."""
    return province("31")
