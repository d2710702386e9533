"""aiokafka against the pinned Kafka 4.x broker: idempotent producer, consumer group, committed offsets."""

from __future__ import annotations

import asyncio
import uuid
from collections import defaultdict
from typing import Any

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.structs import OffsetAndMetadata, TopicPartition

from devstack import Endpoints

pytestmark = pytest.mark.integration

PARTITIONS = 3
KEYS = 12
PER_KEY = 25
TOTAL = KEYS * PER_KEY


async def _create_topic(bootstrap: str, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(topic, num_partitions=PARTITIONS, replication_factor=1)])
        async with asyncio.timeout(15):
            while True:
                [described] = await admin.describe_topics([topic])
                if described["error_code"] == 0 and len(described["partitions"]) == PARTITIONS:
                    return
                await asyncio.sleep(0.2)
    finally:
        await admin.close()


def _producer(bootstrap: str) -> AIOKafkaProducer:
    return AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all", enable_idempotence=True)


def _consumer(bootstrap: str, topic: str, group: str) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )


async def _poll(consumer: AIOKafkaConsumer, *, until: int, quiet_s: float, timeout_s: float) -> list[Any]:
    """Records until `until` arrived (or timeout), then keep polling `quiet_s` to catch any extras."""
    records: list[Any] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while len(records) < until and loop.time() < deadline:
        batches = await consumer.getmany(timeout_ms=500)
        for batch in batches.values():
            records.extend(batch)
    quiet_until = loop.time() + quiet_s
    while loop.time() < quiet_until:
        batches = await consumer.getmany(timeout_ms=200)
        for batch in batches.values():
            records.extend(batch)
    return records


async def _wait_assigned(consumer: AIOKafkaConsumer, topic: str) -> set[TopicPartition]:
    expected = {TopicPartition(topic, p) for p in range(PARTITIONS)}
    async with asyncio.timeout(30):
        while consumer.assignment() != expected:
            # getmany drives the group join; nothing may arrive while we wait.
            assert not await consumer.getmany(timeout_ms=200)
    return expected


async def _produce(bootstrap: str, topic: str, messages: list[tuple[bytes, bytes]]) -> list[Any]:
    producer = _producer(bootstrap)
    await producer.start()
    try:
        # send() only enqueues; awaiting the futures afterwards keeps the batches flowing.
        sent = [await producer.send(topic, key=key, value=value) for key, value in messages]
        return list(await asyncio.gather(*sent))
    finally:
        await producer.stop()


def _assert_exact_and_ordered(records: list[Any]) -> None:
    assert len(records) == TOTAL
    per_key: dict[bytes, list[int]] = defaultdict(list)
    for record in records:
        key_index, seq = record.value.decode().split(":")
        assert record.key == f"key-{key_index}".encode()
        per_key[record.key].append(int(seq))
    assert len(per_key) == KEYS
    assert all(seqs == list(range(PER_KEY)) for seqs in per_key.values()), per_key


async def _consume_all_and_commit(bootstrap: str, topic: str, group: str) -> dict[TopicPartition, int]:
    """First group member: reads everything exactly once, commits explicit offsets; returns them."""
    consumer = _consumer(bootstrap, topic, group)
    await consumer.start()
    try:
        records = await _poll(consumer, until=TOTAL, quiet_s=1.0, timeout_s=60)
        _assert_exact_and_ordered(records)
        next_offset: dict[TopicPartition, int] = {}
        for record in records:
            tp = TopicPartition(record.topic, record.partition)
            next_offset[tp] = max(next_offset.get(tp, 0), record.offset + 1)
        await consumer.commit({tp: OffsetAndMetadata(offset, "") for tp, offset in next_offset.items()})
        assert await consumer.end_offsets(list(next_offset)) == next_offset
        for tp, offset in next_offset.items():
            assert await consumer.committed(tp) == offset
        return next_offset
    finally:
        await consumer.stop()


async def test_idempotent_producer_and_consumer_group_commits(infra: Endpoints) -> None:
    bootstrap = infra.kafka_bootstrap
    run = uuid.uuid4().hex[:8]
    topic, group = f"smoke-{run}", f"smoke-group-{run}"
    await _create_topic(bootstrap, topic)

    messages = [(f"key-{k}".encode(), f"{k}:{seq}".encode()) for seq in range(PER_KEY) for k in range(KEYS)]
    metadata = await _produce(bootstrap, topic, messages)
    partitions_of_key: dict[bytes, set[int]] = defaultdict(set)
    for (key, _), meta in zip(messages, metadata, strict=True):
        partitions_of_key[key].add(meta.partition)
    assert all(len(parts) == 1 for parts in partitions_of_key.values()), partitions_of_key

    committed = await _consume_all_and_commit(bootstrap, topic, group)
    assert sum(committed.values()) == TOTAL

    # A new member of the same group resumes at the committed offsets: nothing old is redelivered...
    consumer = _consumer(bootstrap, topic, group)
    await consumer.start()
    try:
        for tp in await _wait_assigned(consumer, topic):
            assert await consumer.position(tp) == committed[tp]
        assert await _poll(consumer, until=0, quiet_s=2.0, timeout_s=0) == []

        # ...but it does see what is produced afterwards, exactly once.
        await _produce(bootstrap, topic, [(b"key-late", b"late:0")])
        late = await _poll(consumer, until=1, quiet_s=1.0, timeout_s=30)
        assert [(r.key, r.value) for r in late] == [(b"key-late", b"late:0")]
    finally:
        await consumer.stop()
