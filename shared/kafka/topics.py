"""Explicit topic creation: the broker never auto-creates, and history is kept forever."""

import asyncio
import contextlib
import logging

from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, TopicAlreadyExistsError

from shared.kafka.settings import KafkaSettings

log = logging.getLogger(__name__)

# Reports are rebuilt from the topics, so nothing may ever age out.
KEEP_FOREVER = {"retention.ms": "-1", "retention.bytes": "-1", "cleanup.policy": "delete"}


async def ensure_topics(settings: KafkaSettings, topics: list[str], *, timeout_s: float = 60.0) -> None:
    """Create the topics that do not exist yet; retries while the broker is still starting."""
    deadline = asyncio.get_running_loop().time() + timeout_s
    while True:
        try:
            await _create_missing(settings, topics)
            return
        except KafkaConnectionError:
            if asyncio.get_running_loop().time() > deadline:
                raise
            log.warning("kafka not reachable at %s yet; retrying", settings.bootstrap_servers)
            await asyncio.sleep(1.0)


def new_topics(settings: KafkaSettings, topics: list[str]) -> list[NewTopic]:
    """The topics as the settings want them: partitions, replicas and the in-sync minimum for acks=all."""
    config = KEEP_FOREVER | {"min.insync.replicas": str(settings.min_insync_replicas)}
    replicas = settings.replication_factor
    return [NewTopic(t, settings.partitions, replicas, topic_configs=config) for t in topics]


async def _create_missing(settings: KafkaSettings, topics: list[str]) -> None:
    admin = AIOKafkaAdminClient(**settings.client_options())
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = new_topics(settings, [t for t in topics if t not in existing])
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # another instance won the race
                await admin.create_topics(missing)
            log.info("created topics %s", [t.name for t in missing])
    finally:
        await admin.close()


async def partitions_of(settings: KafkaSettings, topics: list[str]) -> list[TopicPartition]:
    """Every partition of the topics, for consumers that assign partitions themselves (no group)."""
    admin = AIOKafkaAdminClient(**settings.client_options())
    await admin.start()
    try:
        described = await admin.describe_topics(topics)
    finally:
        await admin.close()
    return [TopicPartition(t["topic"], p["partition"]) for t in described for p in t["partitions"]]
