"""What a stage service's handlers may ask about its known participants, as a protocol: implemented on
the database by `shared.participants.known.KnownParticipants`, in memory by the unit tests' fakes."""

from typing import Protocol
from uuid import UUID

from shared.contracts.profile import ParticipantProfile
from shared.errors import DomainError
from shared.participants.area import Record


class ParticipantsView(Protocol):
    async def profile(self, participant_id: UUID) -> ParticipantProfile:
        """The profile, or 422 unknown_participant — also for one outside the caller's area."""
        ...

    async def found_in_area(self, record: Record | None, missing: DomainError) -> Record:
        """The record, or `missing` if there is none the caller may see."""
        ...
