"""Achievement against yearly targets: year-to-date actuals against the full-year and pro-rated target.

Two readings, both reported: `achievement` is actual ÷ the full-year target (how much of the year's goal is
done), and `expected_to_date` pro-rates the target linearly by elapsed days, so `on_track` says whether the
pace so far would reach it.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class YearToDate:
    year: int
    as_of: date  # last day counted, within the year

    @property
    def start(self) -> date:
        return date(self.year, 1, 1)

    @property
    def elapsed_share(self) -> float:
        days_in_year = (date(self.year, 12, 31) - self.start).days + 1
        return ((self.as_of - self.start).days + 1) / days_in_year


def year_to_date(year: int, today: date) -> YearToDate:
    """Up to today in the current year, the whole year for a past one, its first day for a future one."""
    if year < today.year:
        return YearToDate(year, date(year, 12, 31))
    if year > today.year:
        return YearToDate(year, date(year, 1, 1))
    return YearToDate(year, today)


def expected_to_date(target: int, period: YearToDate) -> int:
    """The target pro-rated by elapsed days, rounded half up."""
    exact = Decimal(target) * Decimal(period.elapsed_share)
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
