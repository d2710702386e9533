"""The finance repositories wired to the database: every one bound to the same transaction, or to one
read-only connection for queries."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from services.finance.adapters.financing import SqlApplications, SqlApplicationsView
from services.finance.adapters.reports import SqlReports, SqlReportsView
from services.finance.adapters.repositories import FinanceStorage
from services.finance.adapters.tables import correction_log, known_participants
from shared.contracts.corrections import redated_field
from shared.contracts.events import FinancialReportSubmitted, FinancingDisbursed
from shared.corrections.log import SqlCorrectionLog
from shared.outbox.unit_of_work import Repositories, Transaction, UnitOfWork
from shared.participants.known import KnownParticipants

# The date field of each fact's event that corrections change.
SUBMITTED_ON = redated_field(FinancialReportSubmitted)
DISBURSED_ON = redated_field(FinancingDisbursed)


@dataclass(frozen=True)
class SqlFinanceWrites:
    reports: SqlReports
    applications: SqlApplications
    participants: KnownParticipants
    report_log: SqlCorrectionLog
    disbursement_log: SqlCorrectionLog

    @classmethod
    def on(cls, tx: Transaction) -> "SqlFinanceWrites":
        conn = tx.conn
        return cls(
            SqlReports(conn, tx),
            SqlApplications(conn, tx),
            KnownParticipants(conn, known_participants),
            SqlCorrectionLog(tx, correction_log, SUBMITTED_ON),
            SqlCorrectionLog(tx, correction_log, DISBURSED_ON),
        )


@dataclass(frozen=True)
class SqlFinanceReads:
    reports: SqlReportsView
    applications: SqlApplicationsView
    participants: KnownParticipants

    @classmethod
    def on(cls, conn: AsyncConnection) -> "SqlFinanceReads":
        return cls(
            SqlReportsView(conn), SqlApplicationsView(conn), KnownParticipants(conn, known_participants)
        )


def finance_storage(uow: UnitOfWork) -> FinanceStorage:
    return Repositories(uow, writes=SqlFinanceWrites.on, reads=SqlFinanceReads.on)
