"""What both finance facts share: whole-rupiah amounts, and correcting or voiding a recorded fact."""

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID

from shared.errors import RuleViolation

# A thousand trillion rupiah: far above any UMKM figure, well inside a 64-bit column.
MAX_RUPIAH = 10**15


@dataclass(frozen=True)
class CorrectDate:
    """Re-date a recorded fact (`fact_id`) that was entered with the wrong business date."""

    fact_id: UUID
    on: date
    by: str
    reason: str


@dataclass(frozen=True)
class VoidFact:
    """Withdraw a fact (`fact_id`) that was recorded by mistake."""

    fact_id: UUID
    by: str
    reason: str


@dataclass(frozen=True)
class Voided:
    """A voided fact is kept, marked with when, by whom and why it was withdrawn."""

    at: datetime
    by: str
    reason: str


def refuse(problem: str | None) -> None:
    """Turn a date rule's finding (from shared.dates) into a 422."""
    if problem:
        raise RuleViolation(problem)
