"""Calendar arithmetic: counters are kept per day, month and year; a period is read from the fewest."""

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
    while day <= end:
        year_end = date(day.year, 12, 31)
        month_end = _month_end(day)
        if day.month == 1 and day.day == 1 and year_end <= end:
            buckets.append(Bucket("y", str(day.year)))
            day = year_end + timedelta(days=1)
        elif day.day == 1 and month_end <= end:
            buckets.append(Bucket("m", day.isoformat()[:7]))
            day = month_end + timedelta(days=1)
        else:
            buckets.append(Bucket("d", day.isoformat()))
            day += timedelta(days=1)
    return buckets


def _month_end(day: date) -> date:
    first_of_next = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def split(start: date, end: date, interval: Literal["day", "week", "month"]) -> list[tuple[date, date]]:
    """Consecutive sub-ranges of start..end, one per day, ISO week (Monday-based) or month, clipped."""
    ranges = []
    day = start
    while day <= end:
        if interval == "day":
            last = day
        elif interval == "week":
            last = day + timedelta(days=6 - day.weekday())
        else:
            last = _month_end(day)
        last = min(last, end)
        ranges.append((day, last))
        day = last + timedelta(days=1)
    return ranges


def previous_period(start: date, end: date) -> tuple[date, date]:
    """The period of equal length that ends the day before `start`."""
    length = end - start
    last = start - timedelta(days=1)
    return last - length, last


def a_year_earlier(start: date, end: date) -> tuple[date, date]:
    """The same calendar dates one year earlier; 29 February becomes 28 February."""
    return _year_back(start), _year_back(end)


def _year_back(day: date) -> date:
    if day.month == 2 and day.day == 29:
        return date(day.year - 1, 2, 28)
    return day.replace(year=day.year - 1)
