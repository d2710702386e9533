"""The training repositories wired to the database: every one bound to the same transaction, or to one
read-only connection for queries."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from services.training.adapters.classes import (
    SqlClasses,
    SqlClassesView,
    SqlEnrollments,
    SqlEnrollmentsView,
)
from services.training.adapters.facts import (
    SqlCompletions,
    SqlCompletionsView,
    SqlPlacements,
    SqlPlacementsView,
)
from services.training.adapters.repositories import TrainingFact, TrainingStorage
from services.training.adapters.tables import correction_log, known_participants
from shared.corrections.log import record_correction, record_void
from shared.outbox.unit_of_work import Repositories, Transaction, UnitOfWork
from shared.participants.known import KnownParticipants


@dataclass(frozen=True)
class SqlCorrectionLog:
    tx: Transaction

    async def corrected(
        self, fact: TrainingFact, *, fact_id: str, date_field: str, new_on: date, by: str, reason: str
    ) -> None:
        await record_correction(
            self.tx,
            correction_log,
            fact=fact,
            fact_id=fact_id,
            date_field=date_field,
            new_on=new_on,
            by=by,
            reason=reason,
        )

    async def voided(
        self, fact: TrainingFact, *, fact_id: str, date_field: str, by: str, reason: str
    ) -> None:
        await record_void(
            self.tx, correction_log, fact=fact, fact_id=fact_id, date_field=date_field, by=by, reason=reason
        )


@dataclass(frozen=True)
class SqlTrainingWrites:
    classes: SqlClasses
    enrollments: SqlEnrollments
    completions: SqlCompletions
    placements: SqlPlacements
    participants: KnownParticipants
    corrections: SqlCorrectionLog

    @classmethod
    def on(cls, tx: Transaction) -> "SqlTrainingWrites":
        conn = tx.conn
        return cls(
            SqlClasses(conn, tx),
            SqlEnrollments(conn, tx),
            SqlCompletions(conn, tx),
            SqlPlacements(conn, tx),
            KnownParticipants(conn, known_participants),
            SqlCorrectionLog(tx),
        )


@dataclass(frozen=True)
class SqlTrainingReads:
    classes: SqlClassesView
    enrollments: SqlEnrollmentsView
    completions: SqlCompletionsView
    placements: SqlPlacementsView
    participants: KnownParticipants

    @classmethod
    def on(cls, conn: AsyncConnection) -> "SqlTrainingReads":
        return cls(
            SqlClassesView(conn),
            SqlEnrollmentsView(conn),
            SqlCompletionsView(conn),
            SqlPlacementsView(conn),
            KnownParticipants(conn, known_participants),
        )


def training_storage(uow: UnitOfWork) -> TrainingStorage:
    return Repositories(uow, writes=SqlTrainingWrites.on, reads=SqlTrainingReads.on)
