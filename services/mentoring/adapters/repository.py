"""Reading and writing mentors and sessions, and the profiles of known participants, in the mentoring DB."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.mentoring.adapters.tables import known_participants, mentors, sessions
from services.mentoring.domain.caseload import CaseloadEntry
from services.mentoring.domain.mentor import Mentor
from services.mentoring.domain.session import Session
from shared.contracts.profile import ParticipantProfile
from shared.corrections import Voided
from shared.corrections.voids import update_live, void_values
from shared.db.keyset import after, given, page_of, seq_page
from shared.db.rows import row_by
from shared.errors import NotFound
from shared.participants.area import found_in_area, in_caller_area
from shared.participants.directory import profile_of


async def profile(conn: AsyncConnection, participant_id: UUID) -> ParticipantProfile:
    """Raises UnknownParticipant (422) if registration has not told this service of them (yet)."""
    return await profile_of(conn, known_participants, participant_id)


async def insert_mentor(conn: AsyncConnection, m: Mentor) -> None:
    await conn.execute(
        mentors.insert().values(
            mentor_id=str(m.mentor_id),
            staff_number=m.staff_number,
            full_name=m.full_name,
            kota_code=m.kota_code,
            kecamatan_code=m.kecamatan_code,
            assigned_on=m.assigned_on,
            created_at=datetime.now(UTC),
        )
    )


async def mentor(conn: AsyncConnection, mentor_id: UUID) -> Mentor | None:
    row = await row_by(conn, mentors.c.mentor_id, mentor_id)
    return _to_mentor(row) if row else None


async def mentor_with_staff_number(conn: AsyncConnection, staff_number: str) -> str | None:
    query = select(mentors.c.mentor_id).where(mentors.c.staff_number == staff_number)
    return (await conn.execute(query)).scalar_one_or_none()


async def mentors_page(
    conn: AsyncConnection, *, kecamatan_code: str | None, after_seq: int, limit: int
) -> tuple[list[Mentor], int | None]:
    filters = given((mentors.c.kecamatan_code, kecamatan_code))
    rows, next_seq = await seq_page(conn, mentors, *filters, after_seq=after_seq, limit=limit)
    return [_to_mentor(r) for r in rows], next_seq


async def insert_session(conn: AsyncConnection, s: Session) -> None:
    await conn.execute(
        sessions.insert().values(
            session_id=str(s.session_id),
            participant_id=str(s.participant_id),
            mentor_id=str(s.mentor_id),
            held_on=s.held_on,
            topic=s.topic,
            notes=s.notes,
            created_at=datetime.now(UTC),
        )
    )


async def session(conn: AsyncConnection, session_id: UUID) -> Session | None:
    row = await row_by(conn, sessions.c.session_id, session_id)
    return _to_session(row) if row else None


async def visible_session(conn: AsyncConnection, session_id: UUID) -> Session:
    """The session, or 404 when there is none the caller may see (another area's answers as missing)."""
    found = await session(conn, session_id)
    return await found_in_area(conn, known_participants, found, NotFound(f"session {session_id} not found"))


async def redate(conn: AsyncConnection, current: Session, held_on: date) -> bool:
    """Store the new date only if nobody changed the session since it was read; False if someone did."""
    return await _update_unchanged(conn, current, held_on=held_on)


async def mark_voided(conn: AsyncConnection, current: Session, voided: Voided) -> bool:
    """Void the session only if nobody changed it since it was read; False if someone did."""
    return await _update_unchanged(conn, current, **void_values(voided))


async def sessions_page(
    conn: AsyncConnection, *, participant_id: UUID | None, mentor_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[Session], int | None]:
    """Sessions of the caller's area only."""
    area = in_caller_area(sessions.c.participant_id, known_participants)
    filters = given((sessions.c.participant_id, participant_id), (sessions.c.mentor_id, mentor_id))
    rows, next_seq = await seq_page(conn, sessions, area, *filters, after_seq=after_seq, limit=limit)
    return [_to_session(r) for r in rows], next_seq


async def caseload(
    conn: AsyncConnection,
    mentor_id: UUID,
    *,
    last_session_by: date | None,
    position: tuple[date, UUID] | None,
    limit: int,
) -> tuple[list[CaseloadEntry], CaseloadEntry | None]:
    """The mentor's participants of the caller's area, most idle first (then by id), from the sessions
    that stand; the last one shown if more follow."""
    last_on = func.max(sessions.c.held_on)
    query = (
        select(sessions.c.participant_id, last_on.label("last_session_on"), func.count().label("sessions"))
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
    rows, last = await page_of(conn, query, limit)
    return [_to_entry(r) for r in rows], (_to_entry(last) if last else None)


def _to_entry(row: Row[Any]) -> CaseloadEntry:
    return CaseloadEntry(UUID(row.participant_id), row.last_session_on, row.sessions)


async def _update_unchanged(conn: AsyncConnection, current: Session, **values: Any) -> bool:
    # Conditional on what was read, so the correction log's previous date is always the true one and
    # concurrent corrections and voids cannot both succeed.
    read = (sessions.c.session_id == str(current.session_id), sessions.c.held_on == current.held_on)
    return await update_live(conn, sessions, *read, **values)


def _to_mentor(row: Row[Any]) -> Mentor:
    return Mentor(
        mentor_id=UUID(row.mentor_id),
        staff_number=row.staff_number,
        full_name=row.full_name,
        kota_code=row.kota_code,
        kecamatan_code=row.kecamatan_code,
        assigned_on=row.assigned_on,
    )


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
