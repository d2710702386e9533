"""A stage service's known participants as a repository bound to one connection or transaction.

What a handler asks about a participant — their profile, whether a record of theirs lies in the caller's
area, serialising changes about them — without holding the connection itself.
"""

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts.profile import ParticipantProfile
from shared.errors import DomainError
from shared.participants.area import Record, found_in_area
from shared.participants.directory import profile_of


@dataclass(frozen=True)
class KnownParticipants:
    conn: AsyncConnection
    table: Table

    async def profile(self, participant_id: UUID) -> ParticipantProfile:
        """The profile, or 422 unknown_participant — also for one outside the caller's area."""
        return await profile_of(self.conn, self.table, participant_id)

    async def found_in_area(self, record: Record | None, missing: DomainError) -> Record:
        """The record looked up by id, or `missing` if there is none — or none the caller may see."""
        return await found_in_area(self.conn, self.table, record, missing)

    async def lock(self, participant_id: UUID) -> None:
        """Serialise changes about one participant until the transaction ends.

        A no-op update of the participant's row: PostgreSQL locks that row; SQLite, which starts a
        transaction only at its first write, starts it here and so lets no other writer in. Either way the
        reads that follow see every earlier change and no concurrent one.
        """
        await self.conn.execute(
            self.table.update()
            .where(self.table.c.participant_id == str(participant_id))
            .values(registered_on=self.table.c.registered_on)
        )
