"""Reading and writing financial reports in the finance database."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.finance.adapters.tables import financial_reports as reports
from services.finance.adapters.tables import known_participants
from services.finance.domain.report import FinancialReport
from shared.corrections.voids import is_live, update_live, void_values, voided_of
from shared.db.keyset import given, seq_page
from shared.db.rows import row_by
from shared.errors import NotFound
from shared.participants.area import found_in_area, in_caller_area


async def insert(conn: AsyncConnection, r: FinancialReport) -> None:
    await conn.execute(
        reports.insert().values(
            report_id=str(r.report_id),
            participant_id=str(r.participant_id),
            period_start=r.period_start,
            period_end=r.period_end,
            submitted_on=r.submitted_on,
            revenue=r.revenue,
            expenses=r.expenses,
            employees=r.employees,
            created_at=datetime.now(UTC),
        )
    )


async def get(conn: AsyncConnection, report_id: UUID) -> FinancialReport | None:
    row = await row_by(conn, reports.c.report_id, report_id)
    return _to_report(row) if row else None


async def visible(conn: AsyncConnection, report_id: UUID) -> FinancialReport:
    """The report, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"financial report {report_id} not found")
    return await found_in_area(conn, known_participants, await get(conn, report_id), missing)


async def live_for_period(conn: AsyncConnection, participant_id: UUID, start: date, end: date) -> str | None:
    """The report_id of the participant's live report for exactly this period, if any."""
    query = select(reports.c.report_id).where(
        reports.c.participant_id == str(participant_id),
        reports.c.period_start == start,
        reports.c.period_end == end,
        is_live(reports),
    )
    return (await conn.execute(query)).scalar_one_or_none()


async def save_date(conn: AsyncConnection, r: FinancialReport) -> bool:
    """Store a corrected date unless the report was voided meanwhile (False)."""
    return await _update_live(conn, r.report_id, submitted_on=r.submitted_on)


async def save_void(conn: AsyncConnection, r: FinancialReport) -> bool:
    """Mark the report voided unless another request voided it first (False)."""
    assert r.voided is not None
    return await _update_live(conn, r.report_id, **void_values(r.voided))


async def page(
    conn: AsyncConnection, *, participant_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[FinancialReport], int | None]:
    """One page in submission order, of the caller's area; returns the seq to continue after, or None."""
    area = in_caller_area(reports.c.participant_id, known_participants)
    filters = given((reports.c.participant_id, participant_id))
    rows, next_seq = await seq_page(conn, reports, area, *filters, after_seq=after_seq, limit=limit)
    return [_to_report(r) for r in rows], next_seq


async def _update_live(conn: AsyncConnection, report_id: UUID, **values: Any) -> bool:
    return await update_live(conn, reports, reports.c.report_id == str(report_id), **values)


def _to_report(row: Row[Any]) -> FinancialReport:
    return FinancialReport(
        report_id=UUID(row.report_id),
        participant_id=UUID(row.participant_id),
        period_start=row.period_start,
        period_end=row.period_end,
        submitted_on=row.submitted_on,
        revenue=row.revenue,
        expenses=row.expenses,
        employees=row.employees,
        voided=voided_of(row),
    )
