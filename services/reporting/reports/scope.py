"""Whom a report is about: the whole programme area, one kota or one supervising agency (target scopes)."""

from dataclasses import dataclass

from services.reporting.target_scopes import province_key, scope_keys, scope_label
from shared.contracts.enums import TargetScope

REPORT_SCOPES = (TargetScope.PROVINCE, TargetScope.KOTA, TargetScope.AGENCY)  # leadership's, not kecamatan


class UnknownScope(ValueError):
    """Neither the province code, a kota code nor an agency code."""


@dataclass(frozen=True)
class Scope:
    kind: TargetScope
    key: str

    @property
    def name(self) -> str:
        return scope_label(self.kind, self.key)

    @property
    def filter(self) -> dict[str, str]:
        """The query parameter that narrows a figure to the scope (none for the province)."""
        return {} if self.kind is TargetScope.PROVINCE else {self.kind.value: self.key}


def scope_of(key: str) -> Scope:
    """The province's code ('31' for DKI Jakarta), a kota code (31.75) or an agency code (PPAPP)."""
    for kind in REPORT_SCOPES:
        if key in scope_keys(kind):
            return Scope(kind, key)
    kota = ", ".join(scope_keys(TargetScope.KOTA))
    province = province_key()
    raise UnknownScope(
        f"{key!r} is not a report scope: {province} ({scope_label(TargetScope.PROVINCE, province)}), "
        f"a kota ({kota}) or an agency ({', '.join(scope_keys(TargetScope.AGENCY))})"
    )
