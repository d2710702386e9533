"""What every producing service runs besides its routes: database, migrations, topic, producer, relay."""

import asyncio
import contextlib
import logging
from pathlib import Path

from aiokafka import AIOKafkaProducer
from sqlalchemy import Table, text

from shared.db.engine import create_engine
from shared.db.migrations import upgrade_to_head
from shared.kafka.producer import build_producer
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from shared.outbox.relay import OutboxRelay
from shared.outbox.unit_of_work import UnitOfWork
from shared.participants.directory import ParticipantTables
from shared.participants.follower import RegistrationFollower
from shared.tasks import cancel_and_wait
from shared.web.ops import ReadinessCheck

log = logging.getLogger(__name__)


class ProducingRuntime:
    """Owns the service's engine and outbox relay. Writes are accepted even while Kafka is down:
    they wait in the outbox, and the relay connects (and keeps retrying) in the background."""

    def __init__(
        self,
        *,
        name: str,
        database_url: str,
        kafka: KafkaSettings,
        outbox: Table,
        migrations: Path,
        participants: ParticipantTables | None = None,
    ) -> None:
        self.name = name
        self.topic = kafka.topic(name)
        self._kafka = kafka
        self._database_url = database_url
        self._migrations = migrations
        self.engine = create_engine(database_url)
        self.producer: AIOKafkaProducer | None = None  # aiokafka objects must be built inside the loop
        self.relay = OutboxRelay(self.engine, outbox, service=name)
        self.unit_of_work = UnitOfWork(self.engine, outbox, self.relay, self.topic, name)
        self._connect_task: asyncio.Task[None] | None = None
        # Stage services learn participants from registration events into their own database.
        self.follower = (
            RegistrationFollower(kafka, self.engine, participants) if participants is not None else None
        )

    async def start(self) -> None:
        await asyncio.to_thread(upgrade_to_head, self._migrations, self._database_url)
        self._connect_task = asyncio.create_task(self._connect_kafka(), name=f"{self.name}-kafka-connect")
        if self.follower is not None:
            self.follower.start()

    async def _connect_kafka(self) -> None:
        while True:
            producer = build_producer(self._kafka, client_id=f"{self.name}-outbox")
            try:
                await ensure_topics(self._kafka, [self.topic])
                await producer.start()
                break
            except Exception as exc:
                log.warning("kafka not ready for %s (%s); retrying", self.name, type(exc).__name__)
                with contextlib.suppress(Exception):
                    await producer.stop()
                await asyncio.sleep(2.0)
        self.producer = producer
        self.relay.start(producer)

    async def stop(self) -> None:
        await cancel_and_wait(self._connect_task)
        if self.follower is not None:
            await self.follower.stop()
        await self.relay.stop()
        if self.producer is not None:
            await self.producer.stop()
        await self.engine.dispose()

    def readiness_checks(self) -> dict[str, ReadinessCheck]:
        return {"database": self._check_database, "kafka": self._check_kafka}

    async def _check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def _check_kafka(self) -> None:
        if self.producer is None:
            raise ConnectionError("not connected to kafka yet")
        await self.producer.client.fetch_all_metadata()
