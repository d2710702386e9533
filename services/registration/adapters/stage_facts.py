"""Each participant's stage facts, followed from the stage topics into the registration database.

One row per fact (domain.stage_facts): recording a fact, a correction or a void is an upsert of that row,
kept only when the event was recorded no earlier than the row's, so a redelivered or overtaken event never
undoes a later one. The earliest date of the facts not voided is what `registered_on` may not pass.
"""

from collections.abc import Sequence
from datetime import date
from uuid import UUID

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.registration.adapters.tables import followed_offsets, stage_facts
from services.registration.domain.stage_facts import stage_fact_of
from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.contracts.topics import REGISTRATION, REPORTING, TOPIC_EVENTS
from shared.kafka.settings import KafkaSettings
from shared.participants.follower import TopicFollower

STAGE_TOPICS = tuple(topic for topic in TOPIC_EVENTS if topic not in (REGISTRATION, REPORTING))


async def record(conn: AsyncConnection, envelope: EventEnvelope, event: EventPayload) -> None:
    fact = stage_fact_of(envelope, event)
    if fact is None:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    insert = dialect.insert(stage_facts).values(
        participant_id=str(fact.participant_id),
        fact_key=fact.fact_key,
        fact_on=fact.on,
        voided=fact.voided,
        recorded_at=envelope.recorded_at,
    )
    changed = ("fact_on", "voided", "recorded_at")
    await conn.execute(
        insert.on_conflict_do_update(
            index_elements=["participant_id", "fact_key"],
            set_={name: insert.excluded[name] for name in changed},
            where=stage_facts.c.recorded_at <= insert.excluded.recorded_at,
        )
    )


async def earliest(conn: AsyncConnection, participant_ids: Sequence[UUID]) -> dict[UUID, date]:
    """The earliest stage fact date of each of these participants that has one."""
    if not participant_ids:
        return {}
    c = stage_facts.c
    query = (
        select(c.participant_id, func.min(c.fact_on))
        .where(c.participant_id.in_([str(pid) for pid in participant_ids]), c.voided.is_(False))
        .group_by(c.participant_id)
    )
    return {UUID(pid): on for pid, on in await conn.execute(query)}


def stage_fact_follower(kafka: KafkaSettings, engine: AsyncEngine) -> TopicFollower:
    topics = [kafka.topic(topic) for topic in STAGE_TOPICS]
    return TopicFollower(kafka, engine, followed_offsets, topics, record, name="stage-fact-follower")
