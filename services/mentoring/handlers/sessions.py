"""Sessions: holding one, reading and listing them, and correcting or voiding one through the shared
correction lifecycle (`shared.corrections.lifecycle`)."""

from dataclasses import dataclass
from uuid import UUID

from services.mentoring.adapters.repositories import (
    MentoringStorage,
    MentoringWrites,
    SessionsView,
)
from services.mentoring.commands import HoldSession
from services.mentoring.domain.mentor import UnknownMentor
from services.mentoring.domain.session import Session, SessionContext, hold
from shared.corrections.lifecycle import Voided
from shared.corrections.use_cases import StageCorrections
from shared.dates import jakarta_today
from shared.errors import NotFound
from shared.participants.views import ParticipantsView


async def hold_session(uow: MentoringStorage, command: HoldSession) -> Session:
    async with uow.begin() as tx:
        profile = await tx.participants.profile(command.participant_id)
        mentor = await tx.mentors.get(command.mentor_id)
        if mentor is None:
            raise UnknownMentor(
                f"mentor {command.mentor_id} does not exist", mentor_id=str(command.mentor_id)
            )
        session = hold(command, profile, mentor, jakarta_today())
        await tx.sessions.add(session)
    return session


async def get_session(uow: MentoringStorage, session_id: UUID) -> Session:
    async with uow.view() as view:
        return await session_in_area(view.sessions, view.participants, session_id)


async def sessions_page(
    uow: MentoringStorage, *, participant_id: UUID | None, mentor_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[Session], int | None]:
    async with uow.view() as view:
        return await view.sessions.page(
            participant_id=participant_id, mentor_id=mentor_id, after_seq=after_seq, limit=limit
        )


async def session_in_area(
    sessions: SessionsView, participants: ParticipantsView, session_id: UUID
) -> Session:
    """The session, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"session {session_id} not found")
    return await participants.found_in_area(await sessions.get(session_id), missing)


@dataclass(frozen=True)
class SessionFacts:
    """Sessions as the correction lifecycle reads and writes them (`lifecycle.CorrectionStore`)."""

    tx: MentoringWrites

    async def read(self, fact_id: UUID) -> Session:
        return await session_in_area(self.tx.sessions, self.tx.participants, fact_id)

    async def context_of(self, fact: Session) -> SessionContext:
        profile = await self.tx.participants.profile(fact.participant_id)
        mentor = await self.tx.mentors.get(fact.mentor_id)
        assert mentor is not None, "the foreign key keeps every session's mentor"
        return SessionContext(profile, mentor)

    async def save_date(self, read: Session, corrected: Session) -> bool:
        return await self.tx.sessions.redate(read, corrected.held_on)

    async def save_void(self, read: Session, voided: Session, details: Voided) -> bool:
        return await self.tx.sessions.void(read, details)


# Re-date a session (to the date it has: nothing changes), or withdraw one recorded by mistake.
_corrections = StageCorrections[MentoringWrites, Session](SessionFacts, lambda tx: tx.corrections)
correct_session = _corrections.correct
void_session = _corrections.void
