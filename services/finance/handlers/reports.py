"""Use cases of financial reports: each one transaction, state and event together."""

from uuid import UUID

from sqlalchemy.exc import IntegrityError

from services.finance.adapters import participants, reports
from services.finance.adapters.corrections import ReportStore
from services.finance.adapters.tables import correction_log
from services.finance.domain.report import DuplicateReport, FinancialReport, SubmitReport, submit
from shared.corrections.use_cases import StageCorrections
from shared.dates import jakarta_today
from shared.outbox.unit_of_work import UnitOfWork

# Finance has always logged and published a correction to the date a report already has.
REPORTS = StageCorrections(correction_log, "submitted_on", ReportStore, log_same_date=True)


async def submit_report(uow: UnitOfWork, command: SubmitReport) -> FinancialReport:
    try:
        async with uow.begin() as tx:
            profile = await participants.profile(tx.conn, command.participant_id)
            report = submit(command, profile, jakarta_today())
            await reports.insert(tx.conn, report)
            await tx.record(
                report.event(profile), key=str(report.participant_id), occurred_on=report.submitted_on
            )
    except IntegrityError:
        # The one-live-report-per-period index refused the insert, possibly against a concurrent submit.
        async with uow.engine.connect() as conn:
            existing = await reports.live_for_period(
                conn, command.participant_id, command.period_start, command.period_end
            )
        if existing is None:
            raise
        raise DuplicateReport(
            f"participant {command.participant_id} already has report {existing} for "
            f"{command.period_start}..{command.period_end}: correct or void it instead",
            report_id=existing,
        ) from None
    return report


async def get_report(uow: UnitOfWork, report_id: UUID) -> FinancialReport:
    async with uow.engine.connect() as conn:
        return await reports.visible(conn, report_id)


async def reports_page(
    uow: UnitOfWork, *, participant_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[FinancialReport], int | None]:
    async with uow.engine.connect() as conn:
        return await reports.page(conn, participant_id=participant_id, after_seq=after_seq, limit=limit)
