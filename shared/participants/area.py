"""Area scope over a stage service's records (PRODUCT.md §2 "Area scope").

A caller scoped to a kota and/or an agency neither reads, lists nor changes anything about participants
outside it, and no answer tells them such a participant or record exists: a record of another area is
answered exactly like a missing one, a participant of another area exactly like an unknown one.
`OutsideArea` carries that answer and, apart from it, who was refused what, for the audit trail
(shared.participants.audit). Outside a request (no caller) nothing is restricted.
"""

from typing import Protocol, TypeVar
from uuid import UUID

from sqlalchemy import ColumnElement, Table, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.auth.context import current_principal
from shared.auth.principal import OutOfScope, Principal
from shared.errors import DomainError


class OutsideArea(DomainError):
    """A refusal outside the caller's area, answered exactly as `looks_like` (the unknown/missing answer)."""

    def __init__(self, looks_like: DomainError, *, participant_id: str) -> None:
        super().__init__(looks_like.detail, **looks_like.context)
        self.status_code = looks_like.status_code
        self.code = looks_like.code
        self.participant_id = participant_id  # for the audit record only, never the answer


class OfParticipant(Protocol):
    @property
    def participant_id(self) -> UUID: ...


Record = TypeVar("Record", bound=OfParticipant)


def _scoped_caller() -> Principal | None:
    caller = current_principal()
    return caller if caller is not None and caller.scoped else None


def in_caller_area(participant_id: ColumnElement[str], known: Table) -> ColumnElement[bool]:
    """A WHERE clause keeping the rows whose `participant_id` lies in the caller's area (all when unscoped).

    In SQL, so a page of a list is a page of what the caller may see and cursors stay right.
    """
    caller = _scoped_caller()
    if caller is None:
        return true()
    area = select(known.c.participant_id)
    if caller.kota is not None:
        area = area.where(known.c.kota_code == caller.kota)
    if caller.agency is not None:
        area = area.where(known.c.agency == caller.agency)
    return participant_id.in_(area)


async def check_in_area(
    conn: AsyncConnection, known: Table, participant_id: UUID, looks_like: DomainError
) -> None:
    """Raises OutsideArea, answered as `looks_like`, if the participant lies outside the caller's area."""
    caller = _scoped_caller()
    if caller is None:
        return
    query = select(known.c.kota_code, known.c.agency).where(known.c.participant_id == str(participant_id))
    row = (await conn.execute(query)).one_or_none()
    if row is None or not caller.covers(row.kota_code, row.agency):
        raise OutsideArea(looks_like, participant_id=str(participant_id))


async def found_in_area(
    conn: AsyncConnection, known: Table, record: Record | None, missing: DomainError
) -> Record:
    """The record looked up by id, or `missing` if there is none — or none the caller may see."""
    if record is None:
        raise missing
    await check_in_area(conn, known, record.participant_id, missing)
    return record


def check_own_kota(caller: Principal | None, kota_code: str, what: str) -> None:
    """Things that belong to a kota (a class, a mentor) are created only in the caller's own kota.

    Not about a participant, so the refusal may say why: 403 `out_of_scope`.
    """
    if caller is not None and caller.kota is not None and caller.kota != kota_code:
        raise OutOfScope(
            f"{what} in kota {kota_code} is outside your area ({caller.area})", kota_code=kota_code
        )
