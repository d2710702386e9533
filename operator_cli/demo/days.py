"""When things happen: offices busy on weekdays, quiet on holidays, some months busier than others."""

from __future__ import annotations

import math
import random
from calendar import monthrange
from datetime import date, timedelta
from itertools import accumulate

from operator_cli.demo.model import Period

# Registration happens at kecamatan offices: weekdays, a Saturday service, almost nothing on Sundays.
WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.85, 0.25, 0.05)
# Budget-year rhythm: slow January and December, busy after Lebaran and before the year-end reports.
MONTH_WEIGHT = (0.75, 0.9, 1.1, 1.0, 1.05, 0.95, 1.05, 1.15, 1.1, 1.2, 1.1, 0.7)
FIXED_HOLIDAYS = ((1, 1), (5, 1), (6, 1), (8, 17), (12, 25))
# Idul Fitri (Lebaran): offices close for about a week around it.
IDUL_FITRI = {
    2018: date(2018, 6, 15),
    2019: date(2019, 6, 5),
    2020: date(2020, 5, 24),
    2021: date(2021, 5, 13),
    2022: date(2022, 5, 2),
    2023: date(2023, 4, 22),
    2024: date(2024, 4, 10),
    2025: date(2025, 3, 31),
    2026: date(2026, 3, 20),
    2027: date(2027, 3, 10),
    2028: date(2028, 2, 27),
    2029: date(2029, 2, 14),
    2030: date(2030, 2, 4),
}
HOLIDAY_WEIGHT = 0.03
GROWTH = 0.3  # the programme grows: the period's last day is this much busier than its first


def is_holiday(day: date) -> bool:
    lebaran = IDUL_FITRI.get(day.year)
    if lebaran is not None and -3 <= (day - lebaran).days <= 4:
        return True
    return (day.month, day.day) in FIXED_HOLIDAYS


def day_weight(day: date, position: float, busy_month: float) -> float:
    """How many registrations a day gets relative to an ordinary weekday; position is 0..1 in the period."""
    weight = WEEKDAY_WEIGHT[day.weekday()] * MONTH_WEIGHT[day.month - 1] * busy_month
    weight *= 1.0 + GROWTH * position
    return weight * HOLIDAY_WEIGHT if is_holiday(day) else weight


def registration_days(rng: random.Random, period: Period, count: int) -> list[date]:
    """`count` registration dates in the period, in order; each (year, month) gets its own campaign factor."""
    days = [period.start + timedelta(days=i) for i in range((period.end - period.start).days + 1)]
    campaigns = {(d.year, d.month) for d in days}
    busy = {month: rng.lognormvariate(0.0, 0.25) for month in sorted(campaigns)}
    span = max(len(days) - 1, 1)
    weights = [day_weight(d, i / span, busy[(d.year, d.month)]) for i, d in enumerate(days)]
    return sorted(rng.choices(days, cum_weights=list(accumulate(weights)), k=count))


def workday(day: date) -> date:
    """The day itself, or the next Monday-to-Friday that is not a holiday."""
    while day.weekday() >= 5 or is_holiday(day):
        day += timedelta(days=1)
    return day


def lag(rng: random.Random, median_days: float, sigma: float = 0.6) -> timedelta:
    """A delay with a long tail, as waits between programme steps have."""
    return timedelta(days=round(rng.lognormvariate(math.log(median_days), sigma)))


def later_workday(rng: random.Random, after: date, median_days: float, sigma: float = 0.6) -> date:
    return workday(after + lag(rng, median_days, sigma))


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, or that month's last day if it is shorter."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, monthrange(year, month + 1)[1]))


def between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))
