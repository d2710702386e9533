"""Deciding an application (a permit, a financing request …) — free of I/O: the status a step needs, and
the dates a decision may carry."""

from datetime import date
from enum import StrEnum

from shared.dates import check_fact_date
from shared.errors import Conflict, RuleViolation


class InvalidTransition(Conflict):
    code = "invalid_transition"


def require_status(status: StrEnum, needed: StrEnum, *, verb: str, what: str, **ids: str) -> None:
    """Refuse to `verb` `what` unless its status is `needed`; the refusal names the status it has."""
    if status is not needed:
        raise InvalidTransition(
            f"cannot {verb} {what}: it is {status}, not {needed}", **ids, status=status.value
        )


def refuse(problem: str | None) -> None:
    """Turn a date rule's finding (from shared.dates) into a 422."""
    if problem:
        raise RuleViolation(problem)


def check_decision_date(field: str, day: date, today: date, applied_on: date) -> None:
    """A decision's date: a fact date (not in the future, not before the programme) not before the
    application."""
    refuse(check_fact_date(field, day, today))
    if day < applied_on:
        raise RuleViolation(f"{field} {day} is before applied_on {applied_on}")
