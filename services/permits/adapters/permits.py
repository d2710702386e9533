"""Permits in the permits database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.permits.adapters.repositories import ActiveNibTaken, PermitNumberTaken, Position
from services.permits.adapters.tables import known_participants, permits
from services.permits.domain.permit import Permit, PermitStatus
from shared.contracts.enums import PermitType
from shared.db.keyset import after, given, page_of, seq_page
from shared.db.rows import row_by, update_one
from shared.db.unique import refused_as
from shared.outbox.unit_of_work import Transaction
from shared.participants.area import in_caller_area


@dataclass(frozen=True)
class SqlPermitsView:
    conn: AsyncConnection

    async def get(self, permit_id: UUID) -> Permit | None:
        row = await row_by(self.conn, permits.c.permit_id, permit_id)
        return _to_permit(row) if row else None

    async def active_nib_of(self, participant_id: UUID) -> UUID | None:
        query = select(permits.c.permit_id).where(
            permits.c.participant_id == str(participant_id),
            permits.c.permit_type == PermitType.NIB.value,
            permits.c.status != PermitStatus.REJECTED.value,
        )
        return _id((await self.conn.execute(query)).scalar_one_or_none())

    async def holder_of_number(self, permit_type: PermitType, number: str) -> UUID | None:
        query = select(permits.c.permit_id).where(
            permits.c.permit_type == permit_type.value, permits.c.permit_number == number
        )
        return _id((await self.conn.execute(query)).scalar_one_or_none())

    async def page(
        self, *, participant_id: UUID | None, status: PermitStatus | None, after_seq: int, limit: int
    ) -> tuple[list[Permit], int | None]:
        area = in_caller_area(permits.c.participant_id, known_participants)
        filters = given((permits.c.participant_id, participant_id), (permits.c.status, status))
        rows, next_seq = await seq_page(self.conn, permits, area, *filters, after_seq=after_seq, limit=limit)
        return [_to_permit(r) for r in rows], next_seq

    async def waiting(
        self, *, participant_id: UUID | None, applied_by: date, position: Position | None, limit: int
    ) -> tuple[list[Permit], Permit | None]:
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
        rows, last = await page_of(self.conn, query, limit)
        return [_to_permit(r) for r in rows], (_to_permit(last) if last else None)


@dataclass(frozen=True)
class SqlPermits(SqlPermitsView):
    tx: Transaction

    async def add(self, permit: Permit) -> None:
        # The one-active-NIB index refused it; the transaction is lost, so the holder is looked up after.
        with refused_as(lambda: ActiveNibTaken(str(permit.participant_id))):
            await self.conn.execute(
                permits.insert().values(
                    permit_id=str(permit.permit_id),
                    participant_id=str(permit.participant_id),
                    permit_type=permit.permit_type.value,
                    status=permit.status.value,
                    applied_on=permit.applied_on,
                    created_at=datetime.now(UTC),
                )
            )
        await self.tx.collect(permit)

    async def decide(self, decided: Permit) -> bool:
        # The (permit_type, permit_number) unique constraint refused the number.
        with refused_as(lambda: PermitNumberTaken(decided.permit_number)):
            stored = await update_one(
                self.conn,
                permits,
                permits.c.permit_id == str(decided.permit_id),
                permits.c.status == PermitStatus.APPLIED.value,
                status=decided.status.value,
                permit_number=decided.permit_number,
                issued_on=decided.issued_on,
                rejected_on=decided.rejected_on,
                rejection_reason=decided.rejection_reason,
            )
        if stored:
            await self.tx.collect(decided)
        return stored

    async def redate_issue(self, read: Permit, issued_on: date) -> bool:
        return await self._update_issue_as_read(read, issued_on=issued_on)

    async def void_issue(self, read: Permit) -> bool:
        return await self._update_issue_as_read(
            read, status=PermitStatus.APPLIED.value, permit_number=None, issued_on=None
        )

    async def _update_issue_as_read(self, read: Permit, **values: Any) -> bool:
        # Conditional on the issue as read — number and date — so the correction log's previous date is
        # always the true one, and a correction racing a void and a re-issue cannot restate a number no
        # longer held.
        as_read = (
            permits.c.permit_id == str(read.permit_id),
            permits.c.status == PermitStatus.ISSUED.value,
            permits.c.permit_number == read.permit_number,
            permits.c.issued_on == read.issued_on,
        )
        return await update_one(self.conn, permits, *as_read, **values)


def _id(stored: str | None) -> UUID | None:
    return UUID(stored) if stored else None


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
