"""Mentors in the mentoring database."""

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.mentoring.adapters.repositories import StaffNumberTaken
from services.mentoring.adapters.tables import mentors
from services.mentoring.domain.mentor import Mentor
from shared.db.keyset import given, seq_page
from shared.db.rows import row_by
from shared.db.unique import refused_as
from shared.outbox.unit_of_work import Transaction


@dataclass(frozen=True)
class SqlMentorsView:
    conn: AsyncConnection

    async def get(self, mentor_id: UUID) -> Mentor | None:
        row = await row_by(self.conn, mentors.c.mentor_id, mentor_id)
        return _to_mentor(row) if row else None

    async def with_staff_number(self, staff_number: str) -> UUID | None:
        query = select(mentors.c.mentor_id).where(mentors.c.staff_number == staff_number)
        found = (await self.conn.execute(query)).scalar_one_or_none()
        return UUID(found) if found else None

    async def page(
        self, *, kecamatan_code: str | None, after_seq: int, limit: int
    ) -> tuple[list[Mentor], int | None]:
        filters = given((mentors.c.kecamatan_code, kecamatan_code))
        rows, next_seq = await seq_page(self.conn, mentors, *filters, after_seq=after_seq, limit=limit)
        return [_to_mentor(r) for r in rows], next_seq


@dataclass(frozen=True)
class SqlMentors(SqlMentorsView):
    tx: Transaction

    async def add(self, mentor: Mentor) -> None:
        # The unique staff number refused it; the transaction is lost, so the holder is looked up after.
        with refused_as(lambda: StaffNumberTaken(mentor.staff_number)):
            await self.conn.execute(
                mentors.insert().values(
                    mentor_id=str(mentor.mentor_id),
                    staff_number=mentor.staff_number,
                    full_name=mentor.full_name,
                    kota_code=mentor.kota_code,
                    kecamatan_code=mentor.kecamatan_code,
                    assigned_on=mentor.assigned_on,
                    created_at=datetime.now(UTC),
                )
            )
        await self.tx.collect(mentor)


def _to_mentor(row: Row[Any]) -> Mentor:
    return Mentor(
        mentor_id=UUID(row.mentor_id),
        staff_number=row.staff_number,
        full_name=row.full_name,
        kota_code=row.kota_code,
        kecamatan_code=row.kecamatan_code,
        assigned_on=row.assigned_on,
    )
