"""Indonesia's administrative regions under Kemendagri codes, and the programme area a deployment serves.

Codes are the dotted Kemendagri codes (province ``31``, kota ``31.74``, kecamatan ``31.74.07``, kelurahan
``31.74.07.1001``). BPS codes number Jakarta's kota differently, so never mix the two. The data and its
provenance live in ``data/`` (see README.md); each province is read when first asked for.
"""

from typing import Final

from shared.regions.area import NATIONAL, ProgrammeArea, ProgrammeAreaSettings, programme_area
from shared.regions.source import index, jakarta, province, province_name
from shared.regions.tree import Kecamatan, Kelurahan, Kota, Region, RegionTree

__all__ = [
    "NATIONAL",
    "PROVINCE_CODES",
    "Kecamatan",
    "Kelurahan",
    "Kota",
    "ProgrammeArea",
    "ProgrammeAreaSettings",
    "Region",
    "RegionTree",
    "jakarta",
    "programme_area",
    "province",
    "province_name",
]

# The 38 provinces; the NIK validator checks the first two NIK digits against this.
PROVINCE_CODES: Final[frozenset[str]] = frozenset(index()["provinces"])
