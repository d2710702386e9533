"""Who sees exact figures (PRODUCT.md §3, "Who sees figures").

By default every figure needs an analyst (or admin) token and is exact. A deployment may serve figures
publicly; a public caller then gets small cells withheld, so that no figure singles out a handful of people:
a count of 1-4 in any breakdown row, or in any figure filtered below kota level, is `null` with
`"suppressed": true`, and below kota level (a kecamatan filter, a breakdown by kecamatan) a period shorter
than a month is refused. A caller who sends an analyst's token sees exact values either way.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Request

from services.reporting.api.filters import BELOW_KOTA, below_kota
from services.reporting.api.period import InvalidPeriod, Period
from services.reporting.metrics import Dimension, Interval
from services.reporting.store.periods import spans_a_month
from shared.auth import Role
from shared.auth.cookie import Presented, presented

SMALL = range(1, 5)  # counts a public caller does not see; 0 reveals nobody and stays
READERS = (Role.ANALYST,)  # admin holds every role


@dataclass(frozen=True)
class Disclosure:
    exact: bool  # an analyst's (or admin's) view

    def cell(self, value: int) -> int | None:
        """A count as this caller may see it: None when withheld."""
        return None if not self.exact and value in SMALL else value

    def figure(self, value: int, field: str) -> int | None:
        """A figure (not a breakdown row) with the period's filter: withheld only below kota level."""
        return self.cell(value) if below_kota(field) else value

    def check(self, period: Period, field: str, by: Dimension | None = None) -> None:
        """Refuse a public figure below kota level over less than a month."""
        if self.exact or not (below_kota(field) or by in BELOW_KOTA):
            return
        if not spans_a_month(period.start, period.end):
            raise InvalidPeriod(
                "public figures below kota level cover at least a month; choose a longer period "
                "or sign in as an analyst"
            )

    def check_series(self, period: Period, field: str, interval: Interval) -> None:
        """Every point of a public series below kota level is a whole month."""
        if self.exact or not below_kota(field):
            return
        if interval is not Interval.MONTH or not _whole_months(period.start, period.end):
            raise InvalidPeriod(
                "a public series below kota level has whole months only: interval=month, from the 1st "
                "of a month to the last day of a month (or sign in as an analyst)"
            )


async def disclosure(request: Request, found: Annotated[Presented | None, Depends(presented)]) -> Disclosure:
    """Exact for an analyst; in a public deployment, withheld small cells for anyone else."""
    if not request.app.state.public_aggregates:
        return Disclosure(exact=True)  # the router let only analysts in
    return Disclosure(exact=found is not None and any(found.principal.has(r) for r in READERS))


DisclosureDep = Annotated[Disclosure, Depends(disclosure)]


def _whole_months(start: date, end: date) -> bool:
    return start.day == 1 and end.day == monthrange(end.year, end.month)[1]
