"""The programme area: the regions a deployment serves, a province (DKI Jakarta by default) or Indonesia.

Set once per deployment with `PROGRAMME_AREA` (every service reads the same variable): a province code
(`31`, `32` …) or `national`. Domiciles must lie in it, and `GET /regions` serves it (PRODUCT.md §5).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.errors import RuleViolation
from shared.regions.source import index, province, province_name
from shared.regions.tree import (
    Kecamatan,
    Kelurahan,
    Kota,
    Region,
    RegionTree,
    shape_problem,
    short_name,
)

NATIONAL: Final = "national"
DEFAULT: Final = "31"  # DKI Jakarta, where the programme began
_LEVELS: Final[dict[str, tuple[type[Region], str]]] = {
    "kota": (Kota, "kota/kabupaten"),
    "kecamatan": (Kecamatan, "kecamatan"),
    "kelurahan": (Kelurahan, "kelurahan/desa"),
}


@dataclass(frozen=True)
class ProgrammeArea:
    """`code` is the setting: a province code or "national"; `provinces` are the province codes it spans."""

    code: str
    name: str
    provinces: tuple[str, ...]

    @classmethod
    def of(cls, setting: str) -> ProgrammeArea:
        """The area a `PROGRAMME_AREA` value names; ValueError with a readable reason for any other value."""
        if setting == NATIONAL:
            return cls(NATIONAL, "Indonesia", tuple(index()["provinces"]))
        name = province_name(setting)
        if name is None:
            raise ValueError(
                f"the programme area must be {NATIONAL!r} or a two-digit Kemendagri province code "
                f"like {DEFAULT} (DKI Jakarta), not {setting!r}"
            )
        return cls(setting, short_name(name), (setting,))

    @property
    def national(self) -> bool:
        return self.code == NATIONAL

    def province_names(self) -> dict[str, str]:
        """{code: name} of the area's provinces, in code order."""
        names = index()["provinces"]
        return {code: names[code] for code in self.provinces}

    def holds(self, code: str) -> bool:
        """Whether a region code of any level (or a province code) lies in this area."""
        return code[:2] in self.provinces and code[2:3] in ("", ".")

    def province(self, code: str) -> RegionTree | None:
        """The tree of a province of this area, or None for any other code."""
        return province(code) if code in self.provinces else None

    def find(self, code: str) -> Region | None:
        """The region of this area with this code, at any level, or None."""
        tree = self.province(code[:2]) if self.holds(code) else None
        return tree.find(code) if tree is not None else None

    def label(self, code: str) -> str | None:
        region = self.find(code)
        return region.name if region is not None else None

    def check_domicile(self, kota_code: str, kecamatan_code: str, kelurahan_code: str) -> str | None:
        """A readable error if the address is not a consistent one of this area, else None."""
        if problem := shape_problem(kota_code, kecamatan_code, kelurahan_code):
            return problem
        if self.national:
            tree = self.province(kota_code[:2])
            if tree is None:
                return f"unknown kota {kota_code} ({kota_code[:2]} is not a province code)"
        else:
            # One province: any other kota is unknown to it, answered as the province's tree answers.
            tree = province(self.code)
        return tree.check_domicile(kota_code, kecamatan_code, kelurahan_code)

    def is_region(self, level: str, code: str) -> bool:
        """Whether `code` is a region of `level` (kota, kecamatan, kelurahan) of this area."""
        kind, _ = _LEVELS[level]
        return isinstance(self.find(code), kind)

    def region_problem(self, level: str, code: str) -> str | None:
        """A readable error unless `code` is a region of `level` (kota, kecamatan, kelurahan) of this area."""
        if self.is_region(level, code):
            return None
        return f"{level} {code} is not a {_LEVELS[level][1]} of the programme area ({self.name})"

    def tree(self, provinsi: str | None = None) -> RegionTree:
        """The regions served at once: the area's province, or when national the province asked for.

        Raises RuleViolation (422) for a province outside the area, or none asked for when national.
        """
        if provinsi is None and self.national:
            raise RuleViolation(
                "the programme area is national: ask for one province at a time, e.g. provinsi=32"
            )
        code = provinsi or self.code
        tree = self.province(code)
        if tree is None:
            raise RuleViolation(f"provinsi {code} is not a province of the programme area ({self.name})")
        return tree


class ProgrammeAreaSettings(BaseSettings):
    """`PROGRAMME_AREA`, the same for every service of a deployment (no service prefix)."""

    model_config = SettingsConfigDict(extra="ignore")

    programme_area: str = Field(
        default=DEFAULT,
        description=f"The province whose residents the programme serves (Kemendagri code, {DEFAULT} = "
        f"DKI Jakarta), or {NATIONAL!r} for all of Indonesia",
    )

    @field_validator("programme_area")
    @classmethod
    def _known(cls, value: str) -> str:
        ProgrammeArea.of(value)  # a misspelt area fails where the settings are read, not at a registration
        return value


@cache
def programme_area() -> ProgrammeArea:
    """This deployment's programme area, as `PROGRAMME_AREA` sets it (read once)."""
    return ProgrammeArea.of(ProgrammeAreaSettings().programme_area)
