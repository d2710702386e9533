"""Follows topics into a service's own database: stage services follow registration, registration the stages.

No consumer group: every instance reads every partition, and where it got to is stored in the service's
database in the same transaction as the rows it produced (the local-state pattern). A fresh or restored
database therefore reads the topics from wherever its own rows stop; what a follower applies is
idempotent, so instances sharing a database may overlap harmlessly.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.codec import UndecodableEvent, decode
from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.contracts.events import ParticipantRegistered, ParticipantUpdated
from shared.contracts.registry import UnknownEventType
from shared.contracts.topics import REGISTRATION
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics, partitions_of
from shared.participants.directory import ParticipantTables, remember, save_offset, saved_offsets
from shared.tasks import cancel_and_wait

log = logging.getLogger(__name__)

Apply = Callable[[AsyncConnection, EventEnvelope, EventPayload], Awaitable[None]]
"""What a follower does with one decoded event, inside the transaction that also saves the offset."""


class TopicFollower:
    def __init__(
        self,
        kafka: KafkaSettings,
        engine: AsyncEngine,
        offsets: Table,
        topics: Sequence[str],
        apply: Apply,
        *,
        name: str,
    ) -> None:
        self._kafka = kafka
        self._engine = engine
        self._offsets = offsets
        self._topics = list(topics)
        self._apply = apply
        self._name = name
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=self._name)

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(
                **self._kafka.client_options(), enable_auto_commit=False, group_id=None
            )
            try:
                await ensure_topics(self._kafka, self._topics)
                await consumer.start()
                await self._seek_to_saved(consumer)
                await self._follow(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("%s failed (%s: %s); retrying", self._name, type(exc).__name__, exc)
                await asyncio.sleep(2.0)
            finally:
                await consumer.stop()

    async def _seek_to_saved(self, consumer: AIOKafkaConsumer) -> None:
        partitions = await partitions_of(self._kafka, self._topics)
        consumer.assign(partitions)
        async with self._engine.connect() as conn:
            saved = {topic: await saved_offsets(conn, self._offsets, topic) for topic in self._topics}
        for tp in partitions:
            if tp.partition in saved[tp.topic]:
                consumer.seek(tp, saved[tp.topic][tp.partition])
            else:
                await consumer.seek_to_beginning(tp)

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            if batch:
                await self._store(batch)

    async def _store(self, batch: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        # Partitions in one fixed order: instances sharing a database then take row locks in the same order
        # (a participant's rows live in one partition), so two followers wait for each other, never deadlock.
        ordered = sorted(batch.items(), key=lambda item: (item[0].topic, item[0].partition))
        async with self._engine.begin() as conn:
            for tp, records in ordered:
                for record in records:
                    try:
                        envelope, event = decode(record.value)
                    except (UndecodableEvent, UnknownEventType) as exc:
                        log.warning("%s: skipping undecodable event: %s", self._name, exc)
                        continue
                    await self._apply(conn, envelope, event)
                await save_offset(conn, self._offsets, tp.topic, tp.partition, records[-1].offset + 1)


class RegistrationFollower(TopicFollower):
    """A stage service's copy of registered participants (shared.participants.directory)."""

    def __init__(self, kafka: KafkaSettings, engine: AsyncEngine, tables: ParticipantTables) -> None:
        async def learn(conn: AsyncConnection, _: EventEnvelope, event: EventPayload) -> None:
            if isinstance(event, ParticipantRegistered | ParticipantUpdated):
                await remember(conn, tables.known, event)

        topics = [kafka.topic(REGISTRATION)]
        super().__init__(kafka, engine, tables.offsets, topics, learn, name="registration-follower")
