"""What every producing service runs besides its routes: database, schema check, topic, producer, relay."""

import asyncio
import logging
from pathlib import Path

from aiokafka import AIOKafkaProducer
from sqlalchemy import Table, text

from shared.db.engine import create_engine
from shared.db.migrations import SchemaBehind, require_schema_at_head, upgrade_to_head
from shared.kafka.producer import build_producer
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from shared.outbox.relay import OutboxRelay
from shared.outbox.settings import OutboxSettings
from shared.outbox.unit_of_work import UnitOfWork
from shared.participants.directory import ParticipantTables
from shared.participants.follower import RegistrationFollower
from shared.web.ops import Checks

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
        migrate_on_start: bool = False,
        outbox_settings: OutboxSettings | None = None,
    ) -> None:
        self.name = name
        self.topic = kafka.topic(name)
        self._kafka = kafka
        self._database_url = database_url
        self._migrations = migrations
        self._migrate_on_start = migrate_on_start
        self.engine = create_engine(database_url)
        self.relay = OutboxRelay(
            self.engine, outbox, service=name, connect=self._connect_producer, settings=outbox_settings
        )
        self.unit_of_work = UnitOfWork(self.engine, outbox, self.relay, self.topic, name)
        # Stage services learn participants from registration events into their own database.
        self.follower = (
            RegistrationFollower(kafka, self.engine, participants) if participants is not None else None
        )

    async def start(self) -> None:
        await self._schema_at_head()
        self.relay.start()
        if self.follower is not None:
            self.follower.start()

    async def _schema_at_head(self) -> None:
        """Refuse a schema behind this code: `migrate` runs once per release, before the instances."""
        if self._migrate_on_start:
            await asyncio.to_thread(upgrade_to_head, self._migrations, self._database_url, self.name)
            return
        try:
            await asyncio.to_thread(require_schema_at_head, self._migrations, self._database_url, self.name)
        except SchemaBehind as exc:
            log.error("%s", exc)  # one plain line, above the server's traceback of the failed start-up
            raise

    async def _connect_producer(self) -> AIOKafkaProducer:
        """A started producer for the relay (aiokafka objects must be built inside the running loop)."""
        await ensure_topics(self._kafka, [self.topic])
        producer = build_producer(self._kafka, client_id=f"{self.name}-outbox")
        try:
            await producer.start()
        except Exception:
            await producer.stop()
            raise
        return producer

    async def stop(self) -> None:
        if self.follower is not None:
            await self.follower.stop()
        await self.relay.stop()
        await self.engine.dispose()

    def readiness_checks(self) -> Checks:
        # Writes go on while Kafka is away (the outbox keeps them), so Kafka is shown, never required.
        return Checks(required={"database": self._check_database}, shown={"kafka": self._check_kafka})

    async def _check_database(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def _check_kafka(self) -> None:
        producer = self.relay.producer
        if producer is None:
            raise ConnectionError("not connected to kafka (yet)")
        await producer.client.fetch_all_metadata()
