"""Possible duplicates: two registrations that may be one person (the same normalised name and birth date,
different NIKs). An officer who finds they are two people dismisses the pair; merging is out of scope."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from shared.errors import Conflict


class NotPossibleDuplicates(Conflict):
    code = "not_possible_duplicates"


@dataclass(frozen=True)
class Dismissal:
    first_id: UUID
    second_id: UUID
    dismissed_by: str  # the account (token subject)
    dismissed_at: datetime
    reason: str


def canonical(a: UUID, b: UUID) -> tuple[UUID, UUID]:
    """A pair in one order, whichever way it is named: the smaller id first."""
    return (a, b) if str(a) < str(b) else (b, a)
