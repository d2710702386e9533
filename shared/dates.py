"""Business dates: Asia/Jakarta calendar days, the only 'today' the programme knows."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

JAKARTA = ZoneInfo("Asia/Jakarta")
PROGRAMME_START = date(2018, 1, 1)


def jakarta_today() -> date:
    return datetime.now(JAKARTA).date()


def check_fact_date(field: str, value: date, today: date) -> str | None:
    """Why a recorded fact's date is unacceptable, or None. Facts are backdated, never future-dated."""
    if value < PROGRAMME_START:
        return f"{field} {value.isoformat()} is before the programme start {PROGRAMME_START.isoformat()}"
    if value > today:
        return f"{field} {value.isoformat()} is after today ({today.isoformat()}, Asia/Jakarta)"
    return None


def check_stage_date(field: str, value: date, today: date, registered_on: date) -> str | None:
    """A stage fact's date: a valid fact date that does not precede the participant's registration."""
    problem = check_fact_date(field, value, today)
    if problem is None and value < registered_on:
        return f"{field} {value.isoformat()} is before the participant's registration on {registered_on}"
    return problem
