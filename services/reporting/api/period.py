"""The `from`/`to` query parameters every figure takes: an inclusive range of Asia/Jakarta days."""

from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from shared.dates import PROGRAMME_START, jakarta_today
from shared.errors import RuleViolation

MAX_DAYS = 366 * 30


class InvalidPeriod(RuleViolation):
    code = "invalid_period"


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


async def period(
    start: Annotated[
        date | None, Query(alias="from", description="First day (default: 1 Jan this year)")
    ] = None,
    end: Annotated[date | None, Query(alias="to", description="Last day, inclusive (default: today)")] = None,
) -> Period:
    today = jakarta_today()
    end = end or today
    start = start or date(end.year, 1, 1)
    if start > end:
        raise InvalidPeriod(f"from {start.isoformat()} is after to {end.isoformat()}")
    chosen = Period(start, end)
    if chosen.days > MAX_DAYS:
        raise InvalidPeriod(f"a period may span at most {MAX_DAYS} days")
    if end < PROGRAMME_START.replace(year=PROGRAMME_START.year - 10):
        raise InvalidPeriod("the period ends long before the programme started")
    return chosen


PeriodParams = Annotated[Period, Depends(period)]
