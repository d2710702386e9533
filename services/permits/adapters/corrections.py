"""Permits' issues as the correction lifecycle reads and writes them (shared.corrections.lifecycle)."""

from uuid import UUID

from services.permits.adapters import repository
from services.permits.domain.permit import Permit
from shared.contracts.profile import ParticipantProfile
from shared.corrections import Voided
from shared.corrections.use_cases import SqlStore


class IssueStore(SqlStore):
    async def read(self, fact_id: UUID) -> Permit:
        return await repository.visible(self.conn, fact_id)

    async def context_of(self, fact: Permit) -> ParticipantProfile:
        return await repository.profile(self.conn, fact.participant_id)

    async def save_date(self, read: Permit, corrected: Permit) -> bool:
        assert corrected.issued_on is not None, "a corrected issue has a date"
        return await repository.save_issue_date(self.conn, read, corrected.issued_on)

    async def save_void(self, read: Permit, voided: Permit, details: Voided) -> bool:
        return await repository.save_issue_void(self.conn, read)
