"""Calendar arithmetic: counters are kept per day, month and year; a period is read from the fewest.

Every step stops at the period's last day before stepping past it, so periods that touch date.max
(9999-12-31) or date.min (0001-01-01) never overflow.
"""

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

Grain = Literal["d", "m", "y"]


@dataclass(frozen=True)
class Bucket:
    grain: Grain
    label: str  # 2023-01-10 | 2023-01 | 2023


def cover(start: date, end: date) -> list[Bucket]:
    """The fewest buckets whose union is exactly the inclusive range start..end."""
    buckets: list[Bucket] = []
    day = start
    while True:
        year_end = date(day.year, 12, 31)
        month_end = _month_end(day)
        if day.month == 1 and day.day == 1 and year_end <= end:
            buckets.append(Bucket("y", str(day.year)))
            last = year_end
        elif day.day == 1 and month_end <= end:
            buckets.append(Bucket("m", day.isoformat()[:7]))
            last = month_end
        else:
            buckets.append(Bucket("d", day.isoformat()))
            last = day
        if last >= end:
            return buckets
        day = last + timedelta(days=1)


def buckets_of(day: date) -> tuple[Bucket, Bucket, Bucket]:
    """The day, month and year buckets that hold a day."""
    iso = day.isoformat()
    return Bucket("d", iso), Bucket("m", iso[:7]), Bucket("y", iso[:4])


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def split(start: date, end: date, interval: Literal["day", "week", "month"]) -> list[tuple[date, date]]:
    """Consecutive sub-ranges of start..end, one per day, ISO week (Monday-based) or month, clipped."""
    ranges = []
    day = start
    while True:
        if interval == "day":
            last = day
        elif interval == "week":
            # Sunday of the day's ISO week, or `end` if that comes first (so never past date.max).
            last = day + timedelta(days=min(6 - day.weekday(), (end - day).days))
        else:
            last = _month_end(day)
        last = min(last, end)
        ranges.append((day, last))
        if last >= end:
            return ranges
        day = last + timedelta(days=1)


def spans_a_month(start: date, end: date) -> bool:
    """At least as many days as the month the period starts in (a whole month, or any stretch that long)."""
    return (end - start).days + 1 >= monthrange(start.year, start.month)[1]


class NoEarlierPeriod(ValueError):
    """The compared period would begin before 1 January of year 1."""


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of equal length that ends the day before `start`."""
    length = end - start
    if (start - date.min).days < length.days + 1:
        raise NoEarlierPeriod(f"no period of {length.days + 1} days ends before {start.isoformat()}")
    last = start - timedelta(days=1)
    return last - length, last


def a_year_earlier(start: date, end: date) -> tuple[date, date]:
    """The same calendar dates one year earlier; 29 February becomes 28 February."""
    if start.year == date.min.year:
        raise NoEarlierPeriod(f"there is no year before {start.year}")
    return _year_back(start), _year_back(end)


def _year_back(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)
