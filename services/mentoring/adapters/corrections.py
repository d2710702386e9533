"""Sessions as the correction lifecycle reads and writes them (shared.corrections.lifecycle)."""

from uuid import UUID

from services.mentoring.adapters import repository
from services.mentoring.domain.session import Session, SessionContext
from shared.corrections import Voided
from shared.corrections.use_cases import SqlStore


class SessionStore(SqlStore):
    async def read(self, fact_id: UUID) -> Session:
        return await repository.visible_session(self.conn, fact_id)

    async def context_of(self, fact: Session) -> SessionContext:
        profile = await repository.profile(self.conn, fact.participant_id)
        mentor = await repository.mentor(self.conn, fact.mentor_id)
        assert mentor is not None, "the foreign key keeps every session's mentor"
        return SessionContext(profile, mentor)

    async def save_date(self, read: Session, corrected: Session) -> bool:
        return await repository.redate(self.conn, read, corrected.held_on)

    async def save_void(self, read: Session, voided: Session, details: Voided) -> bool:
        return await repository.mark_voided(self.conn, read, details)
