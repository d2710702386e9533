"""Publishes yearly targets to reporting's own topic, so they live in the event log like every fact.

Reporting keeps nothing that cannot be rebuilt from the topics: a target is acknowledged once Kafka has it
(acks=all), and the consumer applies it like any other event.
"""

import asyncio

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError

from shared.contracts.codec import encode, wrap
from shared.contracts.events import TargetSet
from shared.contracts.topics import REPORTING
from shared.dates import jakarta_today
from shared.errors import Unavailable
from shared.kafka.producer import build_producer
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from shared.web.correlation import current_correlation_id


class TargetPublisher:
    def __init__(self, kafka: KafkaSettings) -> None:
        self._kafka = kafka
        self.topic = kafka.topic(REPORTING)
        self._producer: AIOKafkaProducer | None = None
        self._lock = asyncio.Lock()

    async def publish(self, targets: list[TargetSet]) -> None:
        """Returns once Kafka acknowledged every target; raises Unavailable (503) if it could not."""
        async with self._lock:
            try:
                producer = await self._started()
                sent = [
                    await producer.send(self.topic, value=self._encoded(target), key=target.metric.encode())
                    for target in targets
                ]
                await asyncio.gather(*sent)
            except (KafkaError, TimeoutError) as exc:
                await self.stop()  # a fresh producer next time: its idempotence state is unknown now
                raise Unavailable(f"Kafka did not acknowledge the targets: {exc}; retry later") from exc

    async def stop(self) -> None:
        if self._producer is not None:
            producer, self._producer = self._producer, None
            await producer.stop()

    async def _started(self) -> AIOKafkaProducer:
        if self._producer is None:
            await ensure_topics(self._kafka, [self.topic], timeout_s=10)
            producer = build_producer(self._kafka, client_id="reporting-targets")
            await producer.start()
            self._producer = producer
        return self._producer

    @staticmethod
    def _encoded(target: TargetSet) -> bytes:
        envelope = wrap(
            target,
            key=target.metric,
            occurred_on=jakarta_today(),
            producer=REPORTING,
            correlation_id=current_correlation_id(),
        )
        return encode(envelope)
