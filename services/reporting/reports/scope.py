"""Whom a report is about: all of Jakarta, one kota or one supervising agency (the target scopes)."""

from dataclasses import dataclass

from services.reporting.labels import label
from services.reporting.metrics import Dimension
from shared.contracts.enums import Agency, TargetScope
from shared.regions import jakarta

PROVINCE_KEY = "31"  # DKI Jakarta's province code, as targets name it


class UnknownScope(ValueError):
    """Neither the province code, a kota code nor an agency code."""


@dataclass(frozen=True)
class Scope:
    kind: TargetScope
    key: str

    @property
    def name(self) -> str:
        match self.kind:
            case TargetScope.PROVINCE:
                return "DKI Jakarta"
            case TargetScope.KOTA:
                return label(Dimension.KOTA, self.key)
            case TargetScope.AGENCY:
                return label(Dimension.AGENCY, self.key)

    @property
    def filter(self) -> dict[str, str]:
        """The query parameter that narrows a figure to the scope (none for the province)."""
        return {} if self.kind is TargetScope.PROVINCE else {self.kind.value: self.key}


def scope_of(key: str) -> Scope:
    """'31' for the province, a kota code (31.75) or an agency code (PPAPP)."""
    if key == PROVINCE_KEY:
        return Scope(TargetScope.PROVINCE, key)
    if key in {k.code for k in jakarta().kota}:
        return Scope(TargetScope.KOTA, key)
    if key in {a.value for a in Agency}:
        return Scope(TargetScope.AGENCY, key)
    kota = ", ".join(k.code for k in jakarta().kota)
    raise UnknownScope(
        f"{key!r} is not a report scope: {PROVINCE_KEY} (DKI Jakarta), a kota ({kota}) "
        f"or an agency ({', '.join(a.value for a in Agency)})"
    )
