"""Optional `kota=` / `agency=` filters: figures narrowed to one breakdown row.

Counters hold each dimension separately (not their cross product), so one filter applies at a time.
"""

from typing import Annotated

from fastapi import Depends, Query

from services.reporting.metrics import Dimension
from services.reporting.projection.earliest import TOTAL
from shared.contracts.enums import Agency
from shared.contracts.profile import KOTA_CODE
from shared.errors import RuleViolation


class UnsupportedFilter(RuleViolation):
    code = "unsupported_filter"


async def counter_field(
    kota: Annotated[str | None, Query(pattern=KOTA_CODE, description="Only this kota, e.g. 31.71")] = None,
    agency: Annotated[Agency | None, Query(description="Only this supervising agency")] = None,
) -> str:
    if kota and agency:
        raise UnsupportedFilter("filter by kota or by agency, not both at once")
    if kota:
        return f"{Dimension.KOTA.value}:{kota}"
    if agency:
        return f"{Dimension.AGENCY.value}:{agency.value}"
    return TOTAL


FieldParam = Annotated[str, Depends(counter_field)]
