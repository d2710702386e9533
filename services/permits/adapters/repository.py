"""Reading and writing permits, and the profiles of known participants, in the permits database."""

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.permits.adapters.tables import known_participants, permits
from services.permits.domain.permit import Permit, PermitStatus
from shared.contracts.enums import PermitType
from shared.contracts.profile import ParticipantProfile
from shared.db.keyset import after, given, page_of, seq_page
from shared.db.rows import row_by, update_one
from shared.errors import NotFound
from shared.participants.area import found_in_area, in_caller_area
from shared.participants.directory import profile_of


async def profile(conn: AsyncConnection, participant_id: UUID) -> ParticipantProfile:
    """Raises UnknownParticipant (422) if registration has not told this service of them (yet)."""
    return await profile_of(conn, known_participants, participant_id)


async def insert(conn: AsyncConnection, p: Permit) -> None:
    await conn.execute(
        permits.insert().values(
            permit_id=str(p.permit_id),
            participant_id=str(p.participant_id),
            permit_type=p.permit_type.value,
            status=p.status.value,
            applied_on=p.applied_on,
            created_at=datetime.now(UTC),
        )
    )


async def save_decision(conn: AsyncConnection, p: Permit) -> bool:
    """Store an issue or rejection only if the permit is still applied; False if another request won."""
    return await update_one(
        conn,
        permits,
        permits.c.permit_id == str(p.permit_id),
        permits.c.status == PermitStatus.APPLIED.value,
        status=p.status.value,
        permit_number=p.permit_number,
        issued_on=p.issued_on,
        rejected_on=p.rejected_on,
        rejection_reason=p.rejection_reason,
    )


async def save_issue_date(conn: AsyncConnection, read: Permit, issued_on: date) -> bool:
    """Re-date the issue only if nobody changed it since it was read; False if someone did."""
    return await _update_issue_as_read(conn, read, issued_on=issued_on)


async def save_issue_void(conn: AsyncConnection, read: Permit) -> bool:
    """Withdraw the issue (back to applied, number freed) only if it is still as read; False if not."""
    return await _update_issue_as_read(
        conn, read, status=PermitStatus.APPLIED.value, permit_number=None, issued_on=None
    )


async def _update_issue_as_read(conn: AsyncConnection, read: Permit, **values: Any) -> bool:
    # Conditional on the issue as read — number and date — so the correction log's previous date is always
    # the true one, and a correction racing a void and a re-issue cannot restate a number no longer held.
    as_read = (
        permits.c.permit_id == str(read.permit_id),
        permits.c.status == PermitStatus.ISSUED.value,
        permits.c.permit_number == read.permit_number,
        permits.c.issued_on == read.issued_on,
    )
    return await update_one(conn, permits, *as_read, **values)


async def get(conn: AsyncConnection, permit_id: UUID) -> Permit | None:
    row = await row_by(conn, permits.c.permit_id, permit_id)
    return _to_permit(row) if row else None


async def visible(conn: AsyncConnection, permit_id: UUID) -> Permit:
    """The permit, or 404 when there is none the caller may see (another area's answers as missing)."""
    found = await get(conn, permit_id)
    return await found_in_area(conn, known_participants, found, NotFound(f"permit {permit_id} not found"))


async def active_nib_of(conn: AsyncConnection, participant_id: UUID) -> str | None:
    """The permit_id of the participant's applied or issued NIB, if any."""
    query = select(permits.c.permit_id).where(
        permits.c.participant_id == str(participant_id),
        permits.c.permit_type == PermitType.NIB.value,
        permits.c.status != PermitStatus.REJECTED.value,
    )
    return (await conn.execute(query)).scalar_one_or_none()


async def holder_of_number(conn: AsyncConnection, permit_type: PermitType, number: str) -> str | None:
    """The permit_id that already carries this number for this permit type, if any."""
    query = select(permits.c.permit_id).where(
        permits.c.permit_type == permit_type.value, permits.c.permit_number == number
    )
    return (await conn.execute(query)).scalar_one_or_none()


async def page(
    conn: AsyncConnection,
    *,
    participant_id: UUID | None,
    status: PermitStatus | None,
    after_seq: int,
    limit: int,
) -> tuple[list[Permit], int | None]:
    """One page in application order, of the caller's area; returns the seq to continue after, or None."""
    area = in_caller_area(permits.c.participant_id, known_participants)
    filters = given((permits.c.participant_id, participant_id), (permits.c.status, status))
    rows, next_seq = await seq_page(conn, permits, area, *filters, after_seq=after_seq, limit=limit)
    return [_to_permit(r) for r in rows], next_seq


async def waiting(
    conn: AsyncConnection,
    *,
    participant_id: UUID | None,
    applied_by: date,
    position: tuple[date, UUID] | None,
    limit: int,
) -> tuple[list[Permit], Permit | None]:
    """Applications still applied, applied on or before `applied_by`, of the caller's area; oldest first
    (then by id), and the last one shown if more follow."""
    query = (
        select(permits)
        .where(
            permits.c.status == PermitStatus.APPLIED.value,
            permits.c.applied_on <= applied_by,
            after(permits.c.applied_on, permits.c.permit_id, position),
            in_caller_area(permits.c.participant_id, known_participants),
        )
        .order_by(permits.c.applied_on, permits.c.permit_id)
    )
    if participant_id is not None:
        query = query.where(permits.c.participant_id == str(participant_id))
    rows, last = await page_of(conn, query, limit)
    return [_to_permit(r) for r in rows], (_to_permit(last) if last else None)


def _to_permit(row: Row[Any]) -> Permit:
    return Permit(
        permit_id=UUID(row.permit_id),
        participant_id=UUID(row.participant_id),
        permit_type=PermitType(row.permit_type),
        status=PermitStatus(row.status),
        applied_on=row.applied_on,
        permit_number=row.permit_number,
        issued_on=row.issued_on,
        rejected_on=row.rejected_on,
        rejection_reason=row.rejection_reason,
    )
