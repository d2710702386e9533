"""Consumers to compare reporting against: raw aiokafka reads, a naive one-command-per-event applier, and
the wait until a reporting service has applied everything (read from the offsets it keeps in Redis)."""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaConsumer, TopicPartition
from redis.asyncio import Redis

from benchmarks.events import SOURCES
from services.reporting.store.keyspace import Keyspaces
from shared.contracts.codec import decode
from shared.dates import PROGRAMME_START, jakarta_today
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import partitions_of
from tests.tokens import ADMIN


def _consumer(kafka: KafkaSettings) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        *[kafka.topic(s) for s in SOURCES],
        **kafka.client_options(),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"bench-{uuid4().hex[:8]}",
        max_partition_fetch_bytes=4 << 20,
        fetch_max_bytes=32 << 20,
    )


async def raw_consume_rate(kafka: KafkaSettings, count: int) -> float:
    """Records read per second with no processing at all (from the first poll, group join excluded)."""
    consumer = _consumer(kafka)
    await consumer.start()
    seen, began = 0, 0.0
    try:
        while seen < count:
            batch = await consumer.getmany(timeout_ms=500, max_records=5000)
            if batch and not began:
                began = time.perf_counter()
            seen += sum(len(records) for records in batch.values())
    finally:
        await consumer.stop()
    return seen / (time.perf_counter() - began)


async def naive_rate(kafka: KafkaSettings, redis_url: str, count: int) -> float:
    """Decode each event, then await one HINCRBY of a day counter per event (its own Redis database)."""
    consumer = _consumer(kafka)
    redis = Redis.from_url(redis_url)
    await consumer.start()
    seen, began = 0, 0.0
    try:
        while seen < count:
            batch = await consumer.getmany(timeout_ms=500, max_records=1000)
            if batch and not began:
                began = time.perf_counter()
            for records in batch.values():
                for record in records:
                    envelope, _ = decode(record.value)
                    await redis.hincrby(f"naive:{envelope.event_type}", envelope.occurred_on.isoformat(), 1)
                    seen += 1
                    if seen >= count:
                        break
    finally:
        await consumer.stop()
        await redis.aclose()
    return seen / (time.perf_counter() - began)


async def end_offsets(kafka: KafkaSettings) -> dict[TopicPartition, int]:
    partitions = await partitions_of(kafka, [kafka.topic(s) for s in SOURCES])
    consumer = AIOKafkaConsumer(**kafka.client_options(), group_id=None)
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        return ends
    finally:
        await consumer.stop()


async def wait_applied(
    redis_url: str, keyspace: str, ends: dict[TopicPartition, int], limit_s: float
) -> float:
    """Until `{keyspace}:o:{topic}:{partition}` reaches end offset - 1 everywhere; returns perf_counter."""
    redis = Redis.from_url(redis_url, decode_responses=True)
    deadline = time.perf_counter() + limit_s
    try:
        while True:
            keys = await Keyspaces(keyspace).live(redis)
            wanted = [(tp, end) for tp, end in ends.items() if end > 0]
            stored = await redis.mget([keys.offset(tp.topic, tp.partition) for tp, _ in wanted])
            if all(v is not None and int(v) >= end - 1 for (_, end), v in zip(wanted, stored, strict=True)):
                return time.perf_counter()
            if time.perf_counter() > deadline:
                raise TimeoutError(f"reporting {keyspace} did not catch up within {limit_s:.0f}s")
            await asyncio.sleep(0.05)
    finally:
        await redis.aclose()


def whole_programme() -> dict[str, str]:
    return {"from": str(PROGRAMME_START), "to": str(jakarta_today())}


async def summary(url: str) -> dict[str, object]:
    async with httpx.AsyncClient(headers=ADMIN, base_url=url, timeout=30) as http:
        response = await http.get("/metrics/summary", params=whole_programme())
        response.raise_for_status()
        body: dict[str, object] = response.json()
        return body


async def used_memory(redis_url: str) -> int:
    redis = Redis.from_url(redis_url)
    try:
        info = await redis.info("memory")
        return int(info["used_memory"])
    finally:
        await redis.aclose()
