"""Financial reports in the finance database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.finance.adapters.repositories import Taken
from services.finance.adapters.tables import financial_reports as reports
from services.finance.adapters.tables import known_participants
from services.finance.domain.report import FinancialReport
from shared.corrections.voids import is_live, update_live, void_values, voided_of
from shared.db.keyset import given, seq_page
from shared.db.rows import row_by
from shared.db.unique import refused_as
from shared.outbox.unit_of_work import Transaction
from shared.participants.area import in_caller_area


@dataclass(frozen=True)
class SqlReportsView:
    conn: AsyncConnection

    async def get(self, report_id: UUID) -> FinancialReport | None:
        row = await row_by(self.conn, reports.c.report_id, report_id)
        return _to_report(row) if row else None

    async def page(
        self, *, participant_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[FinancialReport], int | None]:
        area = in_caller_area(reports.c.participant_id, known_participants)
        filters = given((reports.c.participant_id, participant_id))
        rows, next_seq = await seq_page(self.conn, reports, area, *filters, after_seq=after_seq, limit=limit)
        return [_to_report(r) for r in rows], next_seq

    async def live_for_period(self, participant_id: UUID, start: date, end: date) -> str | None:
        query = select(reports.c.report_id).where(
            reports.c.participant_id == str(participant_id),
            reports.c.period_start == start,
            reports.c.period_end == end,
            is_live(reports),
        )
        return (await self.conn.execute(query)).scalar_one_or_none()


@dataclass(frozen=True)
class SqlReports(SqlReportsView):
    tx: Transaction

    async def add(self, report: FinancialReport) -> None:
        # The one-live-report-per-period index, possibly against a concurrent submission.
        with refused_as(lambda: Taken(f"participant {report.participant_id} has a report for the period")):
            await self.conn.execute(
                reports.insert().values(
                    report_id=str(report.report_id),
                    participant_id=str(report.participant_id),
                    period_start=report.period_start,
                    period_end=report.period_end,
                    submitted_on=report.submitted_on,
                    revenue=report.revenue,
                    expenses=report.expenses,
                    employees=report.employees,
                    created_at=datetime.now(UTC),
                )
            )
        await self.tx.collect(report)

    async def save_date(self, report: FinancialReport) -> bool:
        return await self._update_live(report.report_id, submitted_on=report.submitted_on)

    async def save_void(self, report: FinancialReport) -> bool:
        assert report.voided is not None
        return await self._update_live(report.report_id, **void_values(report.voided))

    async def _update_live(self, report_id: UUID, **values: Any) -> bool:
        return await update_live(self.conn, reports, reports.c.report_id == str(report_id), **values)


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
