"""The one way services build a Kafka producer: idempotent, acks from all in-sync replicas."""

from aiokafka import AIOKafkaProducer

from shared.kafka.settings import KafkaSettings


def build_producer(settings: KafkaSettings, client_id: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(
        **settings.client_options(),
        client_id=client_id,
        acks="all",
        enable_idempotence=True,
        linger_ms=2,
        request_timeout_ms=10_000,
        retry_backoff_ms=200,
    )
