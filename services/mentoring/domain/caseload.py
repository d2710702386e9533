"""A mentor's caseload: the participants they have held sessions with, and how long each has waited since
the last one — free of I/O.

Sessions voided as mistakes do not count: a participant whose only sessions with the mentor were voided is
not on the caseload. Most idle first, so `idle_days=30` reads as "who needs a visit".
"""

from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

MAX_IDLE_DAYS = 36_500


@dataclass(frozen=True)
class CaseloadEntry:
    participant_id: UUID
    last_session_on: date
    sessions: int  # sessions that stand, with this mentor

    def idle_days(self, today: date) -> int:
        return (today - self.last_session_on).days


def last_session_by(today: date, idle_days: int) -> date:
    """The latest last-session date of a participant idle for `idle_days` days or more."""
    return today - timedelta(days=idle_days)
