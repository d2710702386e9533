"""The permits repositories wired to the database: every one bound to the same transaction, or to one
read-only connection for queries."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from services.permits.adapters.permits import SqlPermits, SqlPermitsView
from services.permits.adapters.repositories import PermitsStorage
from services.permits.adapters.tables import correction_log, known_participants
from shared.contracts.corrections import redated_field
from shared.contracts.events import PermitIssued
from shared.corrections.log import SqlCorrectionLog
from shared.outbox.unit_of_work import Repositories, Transaction, UnitOfWork
from shared.participants.known import KnownParticipants

ISSUED_ON = redated_field(PermitIssued)  # the date field corrections change


@dataclass(frozen=True)
class SqlPermitsWrites:
    permits: SqlPermits
    participants: KnownParticipants
    corrections: SqlCorrectionLog

    @classmethod
    def on(cls, tx: Transaction) -> "SqlPermitsWrites":
        conn = tx.conn
        return cls(
            SqlPermits(conn, tx),
            KnownParticipants(conn, known_participants),
            SqlCorrectionLog(tx, correction_log, ISSUED_ON),
        )


@dataclass(frozen=True)
class SqlPermitsReads:
    permits: SqlPermitsView
    participants: KnownParticipants

    @classmethod
    def on(cls, conn: AsyncConnection) -> "SqlPermitsReads":
        return cls(SqlPermitsView(conn), KnownParticipants(conn, known_participants))


def permits_storage(uow: UnitOfWork) -> PermitsStorage:
    return Repositories(uow, writes=SqlPermitsWrites.on, reads=SqlPermitsReads.on)
