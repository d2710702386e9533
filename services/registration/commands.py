"""What the registration service is asked to do, as the API (or any caller) states it.

Registering (one or a batch) and correcting a record are stated in the domain's own terms: the rules that
check them take them (`domain.participant`, `domain.upkeep`, `domain.batch`), and the domain imports
nothing above it. Erasing and dismissing a possible duplicate name their participants and a reason.
"""

from dataclasses import dataclass
from uuid import UUID

from services.registration.domain.batch import OnDuplicate
from services.registration.domain.participant import RegisterParticipant
from services.registration.domain.upkeep import EditParticipant

__all__ = ["DismissDuplicate", "EditParticipant", "EraseParticipant", "OnDuplicate", "RegisterParticipant"]


@dataclass(frozen=True)
class EraseParticipant:
    participant_id: UUID
    reason: str


@dataclass(frozen=True)
class DismissDuplicate:
    """That the pair, listed as possible duplicates, are two people."""

    pair: tuple[UUID, UUID]
    reason: str
