"""Financial reports: submitting one, correcting and voiding it; a report and the report list."""

from dataclasses import dataclass
from uuid import UUID

from services.finance.adapters.repositories import FinanceStorage, FinanceWrites, ReportsView, Taken
from services.finance.commands import SubmitReport
from services.finance.domain.report import DuplicateReport, FinancialReport, submit
from shared.contracts.profile import ParticipantProfile
from shared.corrections import Voided
from shared.corrections.use_cases import StageCorrections
from shared.dates import jakarta_today
from shared.db.unique import naming_holder
from shared.errors import NotFound
from shared.participants.views import ParticipantsView


async def submit_report(uow: FinanceStorage, command: SubmitReport) -> FinancialReport:
    # The one-live-report-per-period index refused it, possibly against a concurrent submission.
    async with (
        naming_holder(
            uow.view,
            Taken,
            lambda view: view.reports.live_for_period(
                command.participant_id, command.period_start, command.period_end
            ),
            lambda existing: DuplicateReport(
                f"participant {command.participant_id} already has report {existing} for "
                f"{command.period_start}..{command.period_end}: correct or void it instead",
                report_id=existing,
            ),
        ),
        uow.begin() as tx,
    ):
        profile = await tx.participants.profile(command.participant_id)
        report = submit(command, profile, jakarta_today())
        await tx.reports.add(report)
    return report


async def get_report(uow: FinanceStorage, report_id: UUID) -> FinancialReport:
    async with uow.view() as view:
        return await visible_report(view.reports, view.participants, report_id)


async def reports_page(
    uow: FinanceStorage, *, participant_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[FinancialReport], int | None]:
    async with uow.view() as view:
        return await view.reports.page(participant_id=participant_id, after_seq=after_seq, limit=limit)


async def visible_report(
    reports: ReportsView, participants: ParticipantsView, report_id: UUID
) -> FinancialReport:
    """The report, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"financial report {report_id} not found")
    return await participants.found_in_area(await reports.get(report_id), missing)


@dataclass(frozen=True)
class ReportCorrections:
    """Reports as the correction lifecycle reads and writes them (`lifecycle.CorrectionStore`), through one
    transaction's repositories."""

    tx: FinanceWrites

    async def read(self, fact_id: UUID) -> FinancialReport:
        return await visible_report(self.tx.reports, self.tx.participants, fact_id)

    async def context_of(self, fact: FinancialReport) -> ParticipantProfile:
        return await self.tx.participants.profile(fact.participant_id)

    async def save_date(self, read: FinancialReport, corrected: FinancialReport) -> bool:
        return await self.tx.reports.save_date(corrected)

    async def save_void(self, read: FinancialReport, voided: FinancialReport, details: Voided) -> bool:
        return await self.tx.reports.save_void(voided)


# A report's correction to the date it has is logged too (log_same_date).
_corrections = StageCorrections[FinanceWrites, FinancialReport](
    ReportCorrections, lambda tx: tx.report_log, log_same_date=True
)
correct_report = _corrections.correct
void_report = _corrections.void
