"""A stage service's local copy of registered participants (id, registration date, breakdown profile)."""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Column,
    ColumnElement,
    Date,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.auth.context import current_principal
from shared.contracts.events import ParticipantRegistered, ParticipantUpdated
from shared.contracts.profile import ParticipantProfile
from shared.errors import RuleViolation
from shared.participants.area import OutsideArea


class UnknownParticipant(RuleViolation):
    code = "unknown_participant"


@dataclass(frozen=True)
class ParticipantTables:
    known: Table
    offsets: Table  # how far the registration topic was read, committed with the rows it produced


def participant_tables(metadata: MetaData) -> ParticipantTables:
    known = Table(
        "known_participants",
        metadata,
        Column("participant_id", String(36), primary_key=True),
        Column("registered_on", Date, nullable=False),
        Column("profile", Text, nullable=False, doc="ParticipantProfile as JSON: no personal data"),
        # The profile's area, as columns so lists can be restricted to a caller's area in SQL (shared.
        # participants.area); null only on rows a migration could not read, which no scoped caller sees.
        Column("kota_code", String(5), nullable=True),
        Column("agency", String(20), nullable=True),
    )
    Index("ix_known_participants_kota_code", known.c.kota_code)
    Index("ix_known_participants_agency", known.c.agency)
    return ParticipantTables(known, followed_offsets_table(metadata))


def followed_offsets_table(metadata: MetaData) -> Table:
    """How far each followed topic partition was read (shared.participants.follower)."""
    return Table(
        "followed_offsets",
        metadata,
        Column("topic", String(200), primary_key=True),
        Column("partition", Integer, primary_key=True, autoincrement=False),
        Column("next_offset", BigInteger, nullable=False),
    )


def _insert(conn: AsyncConnection, table: Table) -> Any:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    return dialect.insert(table)


async def remember(
    conn: AsyncConnection, table: Table, event: ParticipantRegistered | ParticipantUpdated
) -> None:
    """Idempotent: a redelivered registration changes nothing; an update replaces the stored profile unless
    the stored one is of a later revision (an instance that lags behind another on one database re-reads
    older updates). The profile is stored whole, its revision too, so events built from it send it on."""
    values = {
        "participant_id": str(event.participant_id),
        "registered_on": event.profile.registered_on,
        "profile": event.profile.model_dump_json(),
        "kota_code": event.profile.kota_code,
        "agency": event.profile.agency.value,
    }
    insert = _insert(conn, table).values(values)
    if isinstance(event, ParticipantUpdated):
        update = {name: insert.excluded[name] for name in ("registered_on", "profile", "kota_code", "agency")}
        newer = _stored_revision(conn, table) <= event.profile.revision
        await conn.execute(
            insert.on_conflict_do_update(index_elements=["participant_id"], set_=update, where=newer)
        )
    else:
        await conn.execute(insert.on_conflict_do_nothing())


def _stored_revision(conn: AsyncConnection, table: Table) -> ColumnElement[int]:
    """The revision of the stored profile (JSON); 0 for one stored before profiles had revisions."""
    if conn.dialect.name == "postgresql":
        revision = table.c.profile.cast(postgresql.JSONB)["revision"].astext.cast(BigInteger)
    else:
        revision = func.json_extract(table.c.profile, "$.revision")
    return func.coalesce(revision, 0)


async def save_offset(
    conn: AsyncConnection, table: Table, topic: str, partition: int, next_offset: int
) -> None:
    """Never moves backwards: several instances may follow the same topic into one database."""
    insert = _insert(conn, table).values(topic=topic, partition=partition, next_offset=next_offset)
    await conn.execute(
        insert.on_conflict_do_update(
            index_elements=["topic", "partition"],
            set_={"next_offset": insert.excluded.next_offset},
            where=table.c.next_offset < insert.excluded.next_offset,
        )
    )


async def saved_offsets(conn: AsyncConnection, table: Table, topic: str) -> dict[int, int]:
    rows = await conn.execute(select(table.c.partition, table.c.next_offset).where(table.c.topic == topic))
    return {row.partition: row.next_offset for row in rows}


async def profile_of(conn: AsyncConnection, table: Table, participant_id: UUID) -> ParticipantProfile:
    """The participant's profile, or UnknownParticipant (422) if registration never told us of them.

    Within a request, a participant outside the caller's area is refused here, for every service at once,
    with exactly the answer an unknown one gets (OutsideArea only adds the audit record), so no caller learns
    that a participant exists elsewhere. Call it before any check of the state of the participant's records.
    """
    unknown = UnknownParticipant(
        f"participant {participant_id} is not known here (yet): register first, or retry shortly",
        participant_id=str(participant_id),
    )
    query = select(table.c.profile).where(table.c.participant_id == str(participant_id))
    raw = (await conn.execute(query)).scalar_one_or_none()
    if raw is None:
        raise unknown
    profile = ParticipantProfile.model_validate_json(raw)
    caller = current_principal()
    if caller is not None and not caller.covers(profile.kota_code, profile.agency.value):
        raise OutsideArea(unknown, participant_id=str(participant_id))
    return profile
