"""Mentors: assigning one to a kecamatan, reading one, the mentor list and a mentor's caseload."""

from uuid import UUID

from services.mentoring.adapters.repositories import (
    MentoringStorage,
    MentorsView,
    Position,
    StaffNumberTaken,
)
from services.mentoring.commands import AssignMentor
from services.mentoring.domain.caseload import CaseloadEntry, last_session_by
from services.mentoring.domain.mentor import DuplicateMentor, Mentor, assign
from shared.auth.context import current_principal
from shared.dates import jakarta_today
from shared.db.unique import naming_holder
from shared.errors import NotFound
from shared.participants.area import check_own_kota


async def assign_mentor(uow: MentoringStorage, command: AssignMentor) -> Mentor:
    mentor = assign(command, jakarta_today())
    check_own_kota(current_principal(), mentor.kota_code, "a mentor")
    # Possibly taken by a concurrent request: its mentor is committed by now, so a view sees it.
    async with (
        naming_holder(
            uow.view,
            StaffNumberTaken,
            lambda view: view.mentors.with_staff_number(command.staff_number),
            lambda existing: DuplicateMentor(
                f"staff number {command.staff_number} already belongs to mentor {existing}",
                mentor_id=str(existing),
            ),
        ),
        uow.begin() as tx,
    ):
        await tx.mentors.add(mentor)
    return mentor


async def get_mentor(uow: MentoringStorage, mentor_id: UUID) -> Mentor:
    async with uow.view() as view:
        return await found_mentor(view.mentors, mentor_id)


async def mentors_page(
    uow: MentoringStorage, *, kecamatan_code: str | None, after_seq: int, limit: int
) -> tuple[list[Mentor], int | None]:
    async with uow.view() as view:
        return await view.mentors.page(kecamatan_code=kecamatan_code, after_seq=after_seq, limit=limit)


async def caseload(
    uow: MentoringStorage, mentor_id: UUID, *, idle_days: int | None, position: Position | None, limit: int
) -> tuple[list[CaseloadEntry], CaseloadEntry | None]:
    cutoff = None if idle_days is None else last_session_by(jakarta_today(), idle_days)
    async with uow.view() as view:
        await found_mentor(view.mentors, mentor_id)
        return await view.sessions.caseload(mentor_id, last_session_by=cutoff, position=position, limit=limit)


async def found_mentor(mentors: MentorsView, mentor_id: UUID) -> Mentor:
    """The mentor, or 404."""
    found = await mentors.get(mentor_id)
    if found is None:
        raise NotFound(f"mentor {mentor_id} not found")
    return found
