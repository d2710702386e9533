"""Correcting and voiding a permit's issue through the shared correction lifecycle
(`shared.corrections.lifecycle`): a voided issue leaves the permit applied again, its number freed."""

from dataclasses import dataclass
from uuid import UUID

from services.permits.adapters.repositories import PermitsWrites
from services.permits.domain.permit import Permit
from services.permits.handlers.permits import permit_in_area
from shared.contracts.profile import ParticipantProfile
from shared.corrections.lifecycle import Voided
from shared.corrections.use_cases import StageCorrections


@dataclass(frozen=True)
class IssueFacts:
    """Permits' issues as the correction lifecycle reads and writes them (`lifecycle.CorrectionStore`)."""

    tx: PermitsWrites

    async def read(self, fact_id: UUID) -> Permit:
        return await permit_in_area(self.tx.permits, self.tx.participants, fact_id)

    async def context_of(self, fact: Permit) -> ParticipantProfile:
        return await self.tx.participants.profile(fact.participant_id)

    async def save_date(self, read: Permit, corrected: Permit) -> bool:
        assert corrected.issued_on is not None, "a corrected issue has a date"
        return await self.tx.permits.redate_issue(read, corrected.issued_on)

    async def save_void(self, read: Permit, voided: Permit, details: Voided) -> bool:
        return await self.tx.permits.void_issue(read)


# Re-date the issue (to the date it has: nothing changes), or withdraw one recorded by mistake: the permit
# is applied again, to be decided anew.
_corrections = StageCorrections[PermitsWrites, Permit](IssueFacts, lambda tx: tx.corrections)
correct_issue = _corrections.correct
void_issue = _corrections.void
