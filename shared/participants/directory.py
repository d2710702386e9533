"""A stage service's local copy of registered participants (id, registration date, breakdown profile)."""

from uuid import UUID

from sqlalchemy import Column, Date, MetaData, String, Table, Text, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts.events import ParticipantRegistered
from shared.contracts.profile import ParticipantProfile
from shared.errors import RuleViolation


class UnknownParticipant(RuleViolation):
    code = "unknown_participant"


def known_participants_table(metadata: MetaData) -> Table:
    return Table(
        "known_participants",
        metadata,
        Column("participant_id", String(36), primary_key=True),
        Column("registered_on", Date, nullable=False),
        Column("profile", Text, nullable=False, doc="ParticipantProfile as JSON: no personal data"),
    )


async def remember(conn: AsyncConnection, table: Table, event: ParticipantRegistered) -> None:
    """Idempotent: a redelivered registration changes nothing."""
    values = {
        "participant_id": str(event.participant_id),
        "registered_on": event.profile.registered_on,
        "profile": event.profile.model_dump_json(),
    }
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    await conn.execute(dialect.insert(table).values(values).on_conflict_do_nothing())


async def profile_of(conn: AsyncConnection, table: Table, participant_id: UUID) -> ParticipantProfile:
    """The participant's profile, or UnknownParticipant (422) if registration never told us of them."""
    query = select(table.c.profile).where(table.c.participant_id == str(participant_id))
    raw = (await conn.execute(query)).scalar_one_or_none()
    if raw is None:
        raise UnknownParticipant(
            f"participant {participant_id} is not known here (yet): register first, or retry shortly",
            participant_id=str(participant_id),
        )
    return ParticipantProfile.model_validate_json(raw)
