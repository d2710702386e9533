"""Which days a report covers: named periods relative to its day (for the schedule) or given dates."""

from datetime import date, timedelta
from enum import StrEnum

from services.reporting.api.period import Period


class NamedPeriod(StrEnum):
    YEAR_TO_DATE = "year_to_date"  # 1 January through the report's day
    MONTH_TO_DATE = "month_to_date"
    LAST_MONTH = "last_month"  # the whole calendar month before the report's day


class InvalidReportPeriod(ValueError):
    pass


def resolve(period: NamedPeriod, today: date) -> Period:
    match period:
        case NamedPeriod.YEAR_TO_DATE:
            return Period(date(today.year, 1, 1), today)
        case NamedPeriod.MONTH_TO_DATE:
            return Period(today.replace(day=1), today)
        case NamedPeriod.LAST_MONTH:
            end = today.replace(day=1) - timedelta(days=1)
            return Period(end.replace(day=1), end)


def parse_period(text: str, today: date) -> Period:
    """A named period, or `FROM..TO` (ISO days, inclusive)."""
    if text in {p.value for p in NamedPeriod}:
        return resolve(NamedPeriod(text), today)
    start, sep, end = text.partition("..")
    try:
        if not sep:
            raise ValueError("no '..'")
        chosen = Period(date.fromisoformat(start), date.fromisoformat(end))
    except ValueError:
        names = ", ".join(p.value for p in NamedPeriod)
        raise InvalidReportPeriod(
            f"period {text!r}: FROM..TO (2024-01-01..2024-06-30) or one of {names}"
        ) from None
    if chosen.start > chosen.end:
        raise InvalidReportPeriod(f"period {text!r}: {start} is after {end}")
    return chosen
