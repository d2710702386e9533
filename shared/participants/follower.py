"""Follows the registration topic into a stage service's own database (at least once; upserts idempotent)."""

import asyncio
import logging

from aiokafka import AIOKafkaConsumer
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.codec import UndecodableEvent, decode
from shared.contracts.events import ParticipantRegistered
from shared.contracts.registry import UnknownEventType
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from shared.participants.directory import remember
from shared.tasks import cancel_and_wait

log = logging.getLogger(__name__)

REGISTRATION = "registration"


class RegistrationFollower:
    def __init__(self, kafka: KafkaSettings, engine: AsyncEngine, table: Table, *, service: str) -> None:
        self._kafka = kafka
        self._engine = engine
        self._table = table
        self._group_id = f"{service}-participants"
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="registration-follower")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)

    async def _run(self) -> None:
        while True:
            consumer = AIOKafkaConsumer(
                self._kafka.topic(REGISTRATION),
                **self._kafka.client_options(),
                group_id=self._group_id,
                enable_auto_commit=False,
                auto_offset_reset="earliest",
            )
            try:
                await ensure_topics(self._kafka, [self._kafka.topic(REGISTRATION)])
                await consumer.start()
                await self._follow(consumer)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("following registrations failed (%s: %s); retrying", type(exc).__name__, exc)
                await asyncio.sleep(2.0)
            finally:
                await consumer.stop()

    async def _follow(self, consumer: AIOKafkaConsumer) -> None:
        while True:
            batch = await consumer.getmany(timeout_ms=500, max_records=2000)
            if not batch:
                continue
            async with self._engine.begin() as conn:
                for records in batch.values():
                    for record in records:
                        try:
                            _, event = decode(record.value)
                        except (UndecodableEvent, UnknownEventType) as exc:
                            log.warning("skipping undecodable registration event: %s", exc)
                            continue
                        if isinstance(event, ParticipantRegistered):
                            await remember(conn, self._table, event)
            # Committed only after the rows are: a crash in between re-reads, and remember() is idempotent.
            await consumer.commit()
