"""Use cases of the mentoring service: each one transaction, state and event together."""

from datetime import date
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from services.mentoring.adapters import repository
from services.mentoring.adapters.corrections import SessionStore
from services.mentoring.adapters.tables import correction_log
from services.mentoring.domain.caseload import CaseloadEntry, last_session_by
from services.mentoring.domain.mentor import AssignMentor, DuplicateMentor, Mentor, UnknownMentor, assign
from services.mentoring.domain.session import HoldSession, Session, hold
from shared.auth.context import current_principal
from shared.corrections.use_cases import StageCorrections
from shared.dates import jakarta_today
from shared.errors import NotFound
from shared.outbox.unit_of_work import UnitOfWork
from shared.participants.area import check_own_kota

# Correcting and voiding sessions: the shared lifecycle (shared.corrections), `.correct` / `.void`.
SESSIONS = StageCorrections(correction_log, "held_on", SessionStore)


async def assign_mentor(uow: UnitOfWork, command: AssignMentor) -> Mentor:
    mentor = assign(command, jakarta_today())
    check_own_kota(current_principal(), mentor.kota_code, "a mentor")
    try:
        async with uow.begin() as tx:
            await repository.insert_mentor(tx.conn, mentor)
            await tx.record(mentor.event(), key=str(mentor.mentor_id), occurred_on=mentor.assigned_on)
    except IntegrityError:
        # The unique staff number refused the insert, possibly against a concurrent request.
        async with uow.engine.connect() as conn:
            existing = await repository.mentor_with_staff_number(conn, command.staff_number)
        if existing is None:
            raise
        raise DuplicateMentor(
            f"staff number {command.staff_number} already belongs to mentor {existing}", mentor_id=existing
        ) from None
    return mentor


async def get_mentor(uow: UnitOfWork, mentor_id: UUID) -> Mentor:
    async with uow.engine.connect() as conn:
        found = await repository.mentor(conn, mentor_id)
    if found is None:
        raise NotFound(f"mentor {mentor_id} not found")
    return found


async def mentors_page(
    uow: UnitOfWork, *, kecamatan_code: str | None, after_seq: int, limit: int
) -> tuple[list[Mentor], int | None]:
    async with uow.engine.connect() as conn:
        return await repository.mentors_page(
            conn, kecamatan_code=kecamatan_code, after_seq=after_seq, limit=limit
        )


async def caseload(
    uow: UnitOfWork, mentor_id: UUID, *, idle_days: int | None, position: tuple[date, UUID] | None, limit: int
) -> tuple[list[CaseloadEntry], CaseloadEntry | None]:
    cutoff = None if idle_days is None else last_session_by(jakarta_today(), idle_days)
    async with uow.engine.connect() as conn:
        if await repository.mentor(conn, mentor_id) is None:
            raise NotFound(f"mentor {mentor_id} not found")
        return await repository.caseload(
            conn, mentor_id, last_session_by=cutoff, position=position, limit=limit
        )


async def hold_session(uow: UnitOfWork, command: HoldSession) -> Session:
    async with uow.begin() as tx:
        profile = await repository.profile(tx.conn, command.participant_id)
        mentor = await repository.mentor(tx.conn, command.mentor_id)
        if mentor is None:
            raise UnknownMentor(
                f"mentor {command.mentor_id} does not exist", mentor_id=str(command.mentor_id)
            )
        session = hold(command, profile, mentor, jakarta_today())
        await repository.insert_session(tx.conn, session)
        await tx.record(session.event(profile), key=str(session.participant_id), occurred_on=session.held_on)
    return session


async def get_session(uow: UnitOfWork, session_id: UUID) -> Session:
    async with uow.engine.connect() as conn:
        return await repository.visible_session(conn, session_id)


async def sessions_page(
    uow: UnitOfWork, *, participant_id: UUID | None, mentor_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[Session], int | None]:
    async with uow.engine.connect() as conn:
        return await repository.sessions_page(
            conn, participant_id=participant_id, mentor_id=mentor_id, after_seq=after_seq, limit=limit
        )
