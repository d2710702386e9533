"""Waiting until a reporting keyspace has applied every record of some topics (the offsets it stores)."""

from __future__ import annotations

import asyncio
import time

from aiokafka import AIOKafkaConsumer, TopicPartition
from redis.asyncio import Redis

from services.reporting.store.keyspace import Keyspaces
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import partitions_of


async def applied_to_the_end(
    redis: Redis, keyspaces: Keyspaces, kafka: KafkaSettings, topics: list[str], timeout_s: float = 120.0
) -> None:
    """Until the live keyspace stores, for every partition of `topics`, the offset of its last record."""
    partitions = await partitions_of(kafka, topics)
    consumer = AIOKafkaConsumer(**kafka.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    deadline = time.monotonic() + timeout_s
    while True:
        keys = await keyspaces.live(redis)
        stored = await redis.mget([keys.offset(tp.topic, tp.partition) for tp in ends])
        if all(int(s or -1) >= end - 1 for s, end in zip(stored, ends.values(), strict=True)):
            return
        assert time.monotonic() < deadline, f"reporting did not apply every record: {stored} of {ends}"
        await asyncio.sleep(0.2)
