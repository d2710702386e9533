"""Use cases of financial reports: each one transaction, state and event together."""

from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.finance.adapters import participants, reports
from services.finance.adapters.tables import correction_log, known_participants
from services.finance.domain.facts import CorrectDate, Voided, VoidFact
from services.finance.domain.report import DuplicateReport, FinancialReport, SubmitReport, submit
from shared.corrections import AlreadyVoided
from shared.corrections.log import record_correction, record_void
from shared.dates import jakarta_today
from shared.errors import NotFound
from shared.outbox.unit_of_work import UnitOfWork
from shared.participants.area import found_in_area

DATE_FIELD = "submitted_on"


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


async def correct_report(uow: UnitOfWork, command: CorrectDate) -> FinancialReport:
    today = jakarta_today()
    async with uow.begin() as tx:
        report = await _get(tx.conn, command.fact_id)
        profile = await participants.profile(tx.conn, report.participant_id)
        corrected = report.redate(command.on, profile.registered_on, today)
        if not await reports.save_date(tx.conn, corrected):
            raise _voided_meanwhile(report)
        await record_correction(
            tx,
            correction_log,
            fact=report.event(profile),
            fact_id=str(report.report_id),
            date_field=DATE_FIELD,
            new_on=command.on,
            by=command.by,
            reason=command.reason,
        )
    return corrected


async def void_report(uow: UnitOfWork, command: VoidFact) -> FinancialReport:
    async with uow.begin() as tx:
        report = await _get(tx.conn, command.fact_id)
        profile = await participants.profile(tx.conn, report.participant_id)
        voided = report.void(Voided(datetime.now(UTC), command.by, command.reason))
        if not await reports.save_void(tx.conn, voided):
            raise _voided_meanwhile(report)
        await record_void(
            tx,
            correction_log,
            fact=report.event(profile),
            fact_id=str(report.report_id),
            date_field=DATE_FIELD,
            by=command.by,
            reason=command.reason,
        )
    return voided


async def get_report(uow: UnitOfWork, report_id: UUID) -> FinancialReport:
    async with uow.engine.connect() as conn:
        return await _get(conn, report_id)


async def reports_page(
    uow: UnitOfWork, *, participant_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[FinancialReport], int | None]:
    async with uow.engine.connect() as conn:
        return await reports.page(conn, participant_id=participant_id, after_seq=after_seq, limit=limit)


async def _get(conn: AsyncConnection, report_id: UUID) -> FinancialReport:
    """The report, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"financial report {report_id} not found")
    return await found_in_area(conn, known_participants, await reports.get(conn, report_id), missing)


def _voided_meanwhile(report: FinancialReport) -> AlreadyVoided:
    return AlreadyVoided(
        f"report {report.report_id} was voided by a concurrent request", report_id=str(report.report_id)
    )
