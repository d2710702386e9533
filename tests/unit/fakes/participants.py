"""A stage service's known participants in memory, answering as `shared.participants.known.KnownParticipants`
does: a participant outside the caller's area reads as unknown, a record of theirs as missing."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from uuid import UUID

from shared.auth.context import current_principal
from shared.contracts.profile import ParticipantProfile
from shared.errors import DomainError
from shared.participants.area import OutsideArea, Record
from shared.participants.directory import UnknownParticipant


def in_caller_area(known: Mapping[UUID, ParticipantProfile], participant_id: UUID) -> bool:
    """As the SQL's area clause: everything when unscoped, else only known participants of the area."""
    caller = current_principal()
    if caller is None or not caller.scoped:
        return True
    found = known.get(participant_id)
    return found is not None and caller.covers(found.kota_code, found.agency.value)


@dataclass(frozen=True)
class FakeParticipants:
    known: Mapping[UUID, ParticipantProfile]
    locks: list[str] = field(default_factory=list)  # what the transaction locked, in order

    async def profile(self, participant_id: UUID) -> ParticipantProfile:
        unknown = UnknownParticipant(
            f"participant {participant_id} is not known here (yet): register first, or retry shortly",
            participant_id=str(participant_id),
        )
        found = self.known.get(participant_id)
        if found is None:
            raise unknown
        if not in_caller_area(self.known, participant_id):
            raise OutsideArea(unknown, participant_id=str(participant_id))
        return found

    async def found_in_area(self, record: Record | None, missing: DomainError) -> Record:
        if record is None:
            raise missing
        if not in_caller_area(self.known, record.participant_id):
            raise OutsideArea(missing, participant_id=str(record.participant_id))
        return record

    async def lock(self, participant_id: UUID) -> None:
        self.locks.append(f"participant {participant_id}")
