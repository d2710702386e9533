"""The profiles of the participants registration told the finance service of."""

from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from services.finance.adapters.tables import known_participants
from shared.contracts.profile import ParticipantProfile
from shared.participants.directory import profile_of


async def profile(conn: AsyncConnection, participant_id: UUID) -> ParticipantProfile:
    """Raises UnknownParticipant (422) if registration has not told this service of them (yet)."""
    return await profile_of(conn, known_participants, participant_id)
