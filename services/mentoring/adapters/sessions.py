"""Mentoring sessions in the mentoring database, and the caseload they make up."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.mentoring.adapters.repositories import Position
from services.mentoring.adapters.tables import known_participants, sessions
from services.mentoring.domain.caseload import CaseloadEntry
from services.mentoring.domain.session import Session
from shared.corrections.lifecycle import Voided
from shared.corrections.voids import update_live, void_values
from shared.db.keyset import after, given, page_of, seq_page
from shared.db.rows import row_by
from shared.outbox.unit_of_work import Transaction
from shared.participants.area import in_caller_area


@dataclass(frozen=True)
class SqlSessionsView:
    conn: AsyncConnection

    async def get(self, session_id: UUID) -> Session | None:
        row = await row_by(self.conn, sessions.c.session_id, session_id)
        return _to_session(row) if row else None

    async def page(
        self, *, participant_id: UUID | None, mentor_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[Session], int | None]:
        area = in_caller_area(sessions.c.participant_id, known_participants)
        filters = given((sessions.c.participant_id, participant_id), (sessions.c.mentor_id, mentor_id))
        rows, next_seq = await seq_page(self.conn, sessions, area, *filters, after_seq=after_seq, limit=limit)
        return [_to_session(r) for r in rows], next_seq

    async def caseload(
        self, mentor_id: UUID, *, last_session_by: date | None, position: Position | None, limit: int
    ) -> tuple[list[CaseloadEntry], CaseloadEntry | None]:
        last_on = func.max(sessions.c.held_on)
        counted = (last_on.label("last_session_on"), func.count().label("sessions"))
        query = (
            select(sessions.c.participant_id, *counted)
            .where(
                sessions.c.mentor_id == str(mentor_id),
                sessions.c.voided_at.is_(None),
                in_caller_area(sessions.c.participant_id, known_participants),
            )
            .group_by(sessions.c.participant_id)
            .having(after(last_on, sessions.c.participant_id, position))
            .order_by(last_on, sessions.c.participant_id)
        )
        if last_session_by is not None:
            query = query.having(last_on <= last_session_by)
        rows, last = await page_of(self.conn, query, limit)
        return [_to_entry(r) for r in rows], (_to_entry(last) if last else None)


@dataclass(frozen=True)
class SqlSessions(SqlSessionsView):
    tx: Transaction

    async def add(self, session: Session) -> None:
        await self.conn.execute(
            sessions.insert().values(
                session_id=str(session.session_id),
                participant_id=str(session.participant_id),
                mentor_id=str(session.mentor_id),
                held_on=session.held_on,
                topic=session.topic,
                notes=session.notes,
                created_at=datetime.now(UTC),
            )
        )
        await self.tx.collect(session)

    async def redate(self, read: Session, held_on: date) -> bool:
        return await self._update_as_read(read, held_on=held_on)

    async def void(self, read: Session, voided: Voided) -> bool:
        return await self._update_as_read(read, **void_values(voided))

    async def _update_as_read(self, read: Session, **values: Any) -> bool:
        # Conditional on what was read, so the correction log's previous date is always the true one and
        # concurrent corrections and voids cannot both succeed.
        as_read = (sessions.c.session_id == str(read.session_id), sessions.c.held_on == read.held_on)
        return await update_live(self.conn, sessions, *as_read, **values)


def _to_entry(row: Row[Any]) -> CaseloadEntry:
    return CaseloadEntry(UUID(row.participant_id), row.last_session_on, row.sessions)


def _to_session(row: Row[Any]) -> Session:
    return Session(
        session_id=UUID(row.session_id),
        participant_id=UUID(row.participant_id),
        mentor_id=UUID(row.mentor_id),
        held_on=row.held_on,
        topic=row.topic,
        notes=row.notes,
        voided=row.voided_at is not None,
    )
