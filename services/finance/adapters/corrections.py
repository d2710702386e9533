"""Reports and disbursements as the correction lifecycle reads and writes them (shared.corrections)."""

from uuid import UUID

from services.finance.adapters import financing, participants, reports
from services.finance.domain.financing import FinancingApplication, FinancingStatus
from services.finance.domain.report import FinancialReport
from shared.contracts.profile import ParticipantProfile
from shared.corrections import Voided
from shared.corrections.use_cases import SqlStore


class _Participants(SqlStore):
    async def context_of(self, fact: FinancialReport | FinancingApplication) -> ParticipantProfile:
        return await participants.profile(self.conn, fact.participant_id)


class ReportStore(_Participants):
    async def read(self, fact_id: UUID) -> FinancialReport:
        return await reports.visible(self.conn, fact_id)

    async def save_date(self, read: FinancialReport, corrected: FinancialReport) -> bool:
        return await reports.save_date(self.conn, corrected)

    async def save_void(self, read: FinancialReport, voided: FinancialReport, details: Voided) -> bool:
        return await reports.save_void(self.conn, voided)


class DisbursementStore(_Participants):
    """An application's live disbursement: its date, or its void (the application approved again)."""

    async def read(self, fact_id: UUID) -> FinancingApplication:
        return await financing.visible(self.conn, fact_id)

    async def save_date(self, read: FinancingApplication, corrected: FinancingApplication) -> bool:
        assert corrected.disbursement is not None, "a corrected disbursement is live"
        return await financing.save_disbursement_date(self.conn, corrected.disbursement)

    async def save_void(
        self, read: FinancingApplication, voided: FinancingApplication, details: Voided
    ) -> bool:
        withdrawn = voided.disbursements[-1]
        return await financing.save_transition(
            self.conn, voided, was=FinancingStatus.DISBURSED
        ) and await financing.save_disbursement_void(self.conn, withdrawn)
