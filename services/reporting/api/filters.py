"""Optional `kota=` / `kecamatan=` / `agency=` filters: figures narrowed to one breakdown row.

Counters hold each dimension separately (not their cross product), so one filter applies at a time.
"""

from typing import Annotated

from fastapi import Depends, Query

from services.reporting.metrics import Dimension
from services.reporting.projection.earliest import TOTAL
from shared.contracts.enums import Agency
from shared.contracts.profile import KECAMATAN_CODE, KOTA_CODE
from shared.errors import RuleViolation

BELOW_KOTA = (Dimension.KECAMATAN,)  # regions finer than a kota: small cells there can single people out


class UnsupportedFilter(RuleViolation):
    code = "unsupported_filter"


async def counter_field(
    kota: Annotated[str | None, Query(pattern=KOTA_CODE, description="Only this kota, e.g. 31.71")] = None,
    kecamatan: Annotated[
        str | None, Query(pattern=KECAMATAN_CODE, description="Only this kecamatan, e.g. 31.71.01")
    ] = None,
    agency: Annotated[Agency | None, Query(description="Only this supervising agency")] = None,
) -> str:
    chosen = [
        (dimension, value)
        for dimension, value in (
            (Dimension.KOTA, kota),
            (Dimension.KECAMATAN, kecamatan),
            (Dimension.AGENCY, agency.value if agency else None),
        )
        if value
    ]
    if len(chosen) > 1:
        raise UnsupportedFilter("filter by one of kota, kecamatan or agency, not several at once")
    if chosen:
        dimension, value = chosen[0]
        return f"{dimension.value}:{value}"
    return TOTAL


def below_kota(field: str) -> bool:
    """Whether a counter field narrows figures to a region finer than a kota."""
    return any(field.startswith(f"{d.value}:") for d in BELOW_KOTA)


FieldParam = Annotated[str, Depends(counter_field)]
