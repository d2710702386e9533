"""The permit officer's work list: applications still waiting for a decision, oldest first — free of I/O.

`waiting_days=N` keeps the applications applied on or before N days ago (today counts as 0 days), so the
longest waiting come first and `waiting_days=0` lists them all.
"""

from datetime import date, timedelta

from services.permits.domain.permit import Permit, PermitStatus
from shared.errors import RuleViolation

MAX_WAITING_DAYS = 36_500


def check_work_list(status: PermitStatus | None) -> None:
    """The work list holds undecided applications only."""
    if status not in (None, PermitStatus.APPLIED):
        raise RuleViolation(
            f"waiting_days lists applications still applied, not {status}: drop status, or use status=applied"
        )


def applied_by(today: date, waiting_days: int) -> date:
    """The latest `applied_on` of an application waiting at least `waiting_days` days."""
    return today - timedelta(days=waiting_days)


def waiting_days(permit: Permit, today: date) -> int | None:
    """Days since the application while it awaits a decision; None once issued or rejected."""
    return (today - permit.applied_on).days if permit.status is PermitStatus.APPLIED else None
