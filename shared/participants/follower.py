"""Follows the registration topic into a stage service's own database.

No consumer group: every instance reads every partition, and where it got to is stored in the service's
database in the same transaction as the participants it learned (the local-state pattern). A fresh or
restored database therefore reads the topic from wherever its own rows stop; upserts are idempotent,
so instances sharing a database may overlap harmlessly.
"""

import asyncio
import logging

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.codec import UndecodableEvent, decode
from shared.contracts.events import ParticipantRegistered, ParticipantUpdated
from shared.contracts.registry import UnknownEventType
from shared.contracts.topics import REGISTRATION
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics, partitions_of
from shared.participants.directory import ParticipantTables, remember, save_offset, saved_offsets
from shared.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class RegistrationFollower:
    def __init__(self, kafka: KafkaSettings, engine: AsyncEngine, tables: ParticipantTables) -> None:
        self._kafka = kafka
        self._engine = engine
        self._tables = tables
        self._topic = kafka.topic(REGISTRATION)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="registration-follower")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(
                **self._kafka.client_options(), enable_auto_commit=False, group_id=None
            )
            try:
                await ensure_topics(self._kafka, [self._topic])
                await consumer.start()
                await self._seek_to_saved(consumer)
                await self._follow(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("following registrations failed (%s: %s); retrying", type(exc).__name__, exc)
                await asyncio.sleep(2.0)
            finally:
                await consumer.stop()

    async def _seek_to_saved(self, consumer: AIOKafkaConsumer) -> None:
        partitions = await partitions_of(self._kafka, [self._topic])
        consumer.assign(partitions)
        async with self._engine.connect() as conn:
            saved = await saved_offsets(conn, self._tables.offsets, self._topic)
        for tp in partitions:
            if tp.partition in saved:
                consumer.seek(tp, saved[tp.partition])
            else:
                await consumer.seek_to_beginning(tp)

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            if batch:
                await self._store(batch)

    async def _store(self, batch: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        async with self._engine.begin() as conn:
            for tp, records in batch.items():
                for record in records:
                    try:
                        _, event = decode(record.value)
                    except (UndecodableEvent, UnknownEventType) as exc:
                        log.warning("skipping undecodable registration event: %s", exc)
                        continue
                    if isinstance(event, ParticipantRegistered | ParticipantUpdated):
                        await remember(conn, self._tables.known, event)
                await save_offset(conn, self._tables.offsets, tp.topic, tp.partition, records[-1].offset + 1)
