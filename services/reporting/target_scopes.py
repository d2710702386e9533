"""What a yearly target (and a leadership report) can be about, in this deployment's programme area.

The programme area's province as a whole, one of its kota or kecamatan, or one supervising agency. Each scope
has the counter field its actual is read from. A national programme's provinces have no target scope yet:
their actuals need a province dimension (issue 16.1), and a target read from the wrong field would mislead.
"""

from services.reporting.labels import known_keys, label
from services.reporting.metrics import Dimension
from services.reporting.projection.earliest import TOTAL
from shared.contracts.enums import TargetScope
from shared.regions import programme_area

# The counter dimension each scope below the province is counted in.
SCOPE_DIMENSIONS = {
    TargetScope.KOTA: Dimension.KOTA,
    TargetScope.KECAMATAN: Dimension.KECAMATAN,
    TargetScope.AGENCY: Dimension.AGENCY,
}


def province_key() -> str:
    """The key of the programme area's province-wide targets ('31' for DKI Jakarta)."""
    return programme_area().code


def scope_keys(scope: TargetScope) -> list[str]:
    """Every key a target of this scope may have, in code order."""
    if scope is TargetScope.PROVINCE:
        area = programme_area()
        return [] if area.national else [area.code]
    return known_keys(SCOPE_DIMENSIONS[scope])


def scope_label(scope: TargetScope, key: str) -> str:
    if scope is TargetScope.PROVINCE:
        return programme_area().name
    return label(SCOPE_DIMENSIONS[scope], key)


def actual_field(scope: TargetScope, key: str) -> str:
    """The counter field that holds a target's actual."""
    if scope is TargetScope.PROVINCE:
        return TOTAL
    return f"{SCOPE_DIMENSIONS[scope].value}:{key}"
