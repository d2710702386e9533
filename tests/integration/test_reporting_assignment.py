"""Two reporting instances split the topics so that each owns the same partitions of every topic: events are
keyed by participant, so one instance applies all of a participant's events and the instances never contend
for one participant's profile and subjects (store.step, issue 13.3)."""

from __future__ import annotations

import asyncio
import time
from uuid import uuid4

from redis.asyncio import Redis

from devstack import Endpoints
from services.reporting.consumer import ReportingConsumer
from services.reporting.store.applier import Applier
from services.reporting.store.keyspace import Keyspaces
from shared.contracts.topics import MENTORING, PERMITS, REGISTRATION, TRAINING
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics


async def test_each_instance_owns_the_same_partitions_of_every_topic(infra: Endpoints) -> None:
    kafka = KafkaSettings(
        bootstrap_servers=infra.kafka_bootstrap, topic_prefix=f"assign{uuid4().hex[:6]}", partitions=3
    )
    topics = [kafka.topic(t) for t in (REGISTRATION, TRAINING, MENTORING, PERMITS)]
    await ensure_topics(kafka, topics)
    group = f"reporting-{uuid4().hex[:6]}"
    async with Redis.from_url(infra.redis_url, decode_responses=True) as redis:
        consumers = [
            ReportingConsumer(
                kafka,
                Applier(redis, Keyspaces(group)),
                topics=topics,
                dead_letter_topic=kafka.topic("reporting.dlq"),
                group_id=group,
            )
            for _ in range(2)
        ]
        for consumer in consumers:
            consumer.start()
        try:
            deadline = time.monotonic() + 60
            while True:
                owned = [_owned(c) for c in consumers]
                if all(owned) and sum(len(o) for o in owned) == len(topics) * 3:
                    break
                assert time.monotonic() < deadline, f"no settled assignment: {owned}"
                await asyncio.sleep(0.5)
            for mine in owned:
                by_topic = {topic: {p for t, p in mine if t == topic} for topic in topics}
                first = by_topic[topics[0]]
                assert first and all(partitions == first for partitions in by_topic.values()), by_topic
        finally:
            for consumer in consumers:
                await consumer.stop()


def _owned(consumer: ReportingConsumer) -> set[tuple[str, int]]:
    try:
        return {(tp.topic, tp.partition) for tp in consumer.consumer.assignment()}
    except RuntimeError:  # not connected yet
        return set()
