"""The mentoring repositories wired to the database: every one bound to the same transaction, or to one
read-only connection for queries."""

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncConnection

from services.mentoring.adapters.mentors import SqlMentors, SqlMentorsView
from services.mentoring.adapters.repositories import MentoringStorage
from services.mentoring.adapters.sessions import SqlSessions, SqlSessionsView
from services.mentoring.adapters.tables import correction_log, known_participants
from shared.contracts.corrections import redated_field
from shared.contracts.events import ParticipantMentored
from shared.corrections.log import SqlCorrectionLog
from shared.outbox.unit_of_work import Repositories, Transaction, UnitOfWork
from shared.participants.known import KnownParticipants

HELD_ON = redated_field(ParticipantMentored)  # the date field corrections change


@dataclass(frozen=True)
class SqlMentoringWrites:
    mentors: SqlMentors
    sessions: SqlSessions
    participants: KnownParticipants
    corrections: SqlCorrectionLog

    @classmethod
    def on(cls, tx: Transaction) -> "SqlMentoringWrites":
        conn = tx.conn
        return cls(
            SqlMentors(conn, tx),
            SqlSessions(conn, tx),
            KnownParticipants(conn, known_participants),
            SqlCorrectionLog(tx, correction_log, HELD_ON),
        )


@dataclass(frozen=True)
class SqlMentoringReads:
    mentors: SqlMentorsView
    sessions: SqlSessionsView
    participants: KnownParticipants

    @classmethod
    def on(cls, conn: AsyncConnection) -> "SqlMentoringReads":
        return cls(SqlMentorsView(conn), SqlSessionsView(conn), KnownParticipants(conn, known_participants))


def mentoring_storage(uow: UnitOfWork) -> MentoringStorage:
    return Repositories(uow, writes=SqlMentoringWrites.on, reads=SqlMentoringReads.on)
