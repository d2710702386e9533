"""Reporting keeps exact figures through crashes, restarts, rebalances, lost Redis data and bad events."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from datetime import date
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaProducer
from redis.asyncio import Redis

from devstack import Endpoints
from devstack.app_server import AppServer
from shared.contracts.codec import encode, wrap
from shared.contracts.events import ParticipantRegistered
from shared.dates import PROGRAMME_START, jakarta_today
from tests.factories import profile
from tests.integration.figures import assert_registered_figures, wait_for_registered
from tests.integration.kafka_read import read_topic
from tests.integration.stack import Stack, running_stack
from tests.integration.writer import Outcome, mixed_requests, send_all

EVERYTHING = (PROGRAMME_START, jakarta_today())


@pytest.fixture
def fresh_stack(infra: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(infra, tmp_path_factory.mktemp("recovery")) as stack:
        yield stack


async def settle(reporting: AppServer, outcome: Outcome) -> float:
    async with httpx.AsyncClient(base_url=reporting.url) as http:
        waited = await wait_for_registered(http, *EVERYTHING, expected=len(outcome.accepted), timeout_s=60)
        await assert_registered_figures(http, outcome.accepted, *EVERYTHING)
        await assert_registered_figures(
            http, outcome.accepted, PROGRAMME_START, PROGRAMME_START.replace(year=2021)
        )
    return waited


async def write_while(registration: AppServer, seed: int, count: int, disturb: asyncio.Task[None]) -> Outcome:
    outcome = await send_all(registration.url, mixed_requests(random.Random(seed), count, seed * 10_000), 4)
    await disturb
    assert not outcome.other, outcome.other[:3]
    return outcome


async def test_killing_reporting_mid_stream_changes_no_figure(fresh_stack: Stack) -> None:
    registration, reporting = fresh_stack.registration(), fresh_stack.reporting()

    async def crash_and_restart() -> None:
        await asyncio.sleep(1.0)
        reporting.kill()
        await asyncio.sleep(1.0)
        await asyncio.to_thread(reporting.start, 60)

    outcome = await write_while(registration, 11, 600, asyncio.create_task(crash_and_restart()))
    await settle(reporting, outcome)


async def test_a_flushed_redis_refills_itself_from_the_topics(fresh_stack: Stack) -> None:
    registration, reporting = fresh_stack.registration(), fresh_stack.reporting()
    outcome = await send_all(registration.url, mixed_requests(random.Random(12), 400))
    await settle(reporting, outcome)
    redis = Redis.from_url(fresh_stack.infra.redis_url)
    try:
        await redis.flushall()
    finally:
        await redis.aclose()
    await settle(reporting, outcome)


async def test_restarting_kafka_while_writes_continue_loses_and_doubles_nothing(fresh_stack: Stack) -> None:
    local = fresh_stack.infra.local
    assert local is not None and local.kafka is not None, "needs the test session's own Kafka"
    kafka = local.kafka
    registration, reporting = fresh_stack.registration(), fresh_stack.reporting()

    async def restart_kafka() -> None:
        await asyncio.sleep(1.0)
        await asyncio.to_thread(kafka.restart, 90)

    outcome = await write_while(registration, 13, 600, asyncio.create_task(restart_kafka()))
    await settle(reporting, outcome)


async def test_two_reporting_instances_share_the_work_and_stay_exact(fresh_stack: Stack) -> None:
    registration, first = fresh_stack.registration(), fresh_stack.reporting()

    async def second_joins_then_first_leaves() -> None:
        await asyncio.sleep(0.5)
        await asyncio.to_thread(fresh_stack.reporting)
        await asyncio.sleep(1.5)
        first.kill()

    outcome = await write_while(registration, 14, 600, asyncio.create_task(second_joins_then_first_leaves()))
    await settle(fresh_stack.servers[-1], outcome)


def bad_events() -> dict[str, bytes]:
    """One of each kind of unusable event, keyed by the words its dead-letter reason must contain."""
    good = wrap(
        ParticipantRegistered(participant_id=uuid4(), profile=profile()),
        key="k",
        occurred_on=date(2023, 1, 2),
        producer="test",
        correlation_id=None,
    )
    return {
        "invalid envelope": b"\x00not json",
        "unknown event type 'Nope'": encode(good.model_copy(update={"event_type": "Nope"})),
        "version 99": encode(good.model_copy(update={"event_version": 99})),
        "invalid ParticipantRegistered payload": encode(
            good.model_copy(update={"payload": {"participant_id": 1}})
        ),
    }


async def test_bad_events_go_to_the_dead_letter_topic_and_counting_goes_on(fresh_stack: Stack) -> None:
    registration, reporting = fresh_stack.registration(), fresh_stack.reporting()
    topic = fresh_stack.topic("registration")
    producer = AIOKafkaProducer(bootstrap_servers=fresh_stack.infra.kafka_bootstrap)
    await producer.start()
    sent = {}
    try:
        for reason, value in bad_events().items():
            sent[reason] = await producer.send_and_wait(topic, value, key=b"junk")
    finally:
        await producer.stop()
    outcome = await send_all(registration.url, mixed_requests(random.Random(15), 200))
    await settle(reporting, outcome)
    dead = await read_topic(
        fresh_stack.infra.kafka_bootstrap,
        fresh_stack.topic("reporting.dlq"),
        until=lambda seen: len(seen) >= len(sent),
    )
    assert len(dead) == len(sent)
    by_offset = {int(dict(r.headers)["source_offset"]): r for r in dead}
    for reason, metadata in sent.items():
        record = by_offset[metadata.offset]
        headers = dict(record.headers)
        assert headers["source_topic"] == topic.encode()
        assert int(headers["source_partition"]) == metadata.partition
        assert reason in headers["reason"].decode(), headers["reason"]


async def test_writes_acknowledged_while_kafka_hangs_survive_a_producer_crash(fresh_stack: Stack) -> None:
    local = fresh_stack.infra.local
    assert local is not None and local.kafka is not None, "needs the test session's own Kafka"
    kafka = local.kafka
    registration, reporting = fresh_stack.registration(), fresh_stack.reporting()
    kafka.pause()
    try:
        outcome = await send_all(registration.url, mixed_requests(random.Random(16), 150))
        assert not outcome.other and outcome.accepted, "writes must be acknowledged while Kafka hangs"
        registration.kill()  # its outbox rows are committed but were never published
    finally:
        kafka.resume()
    await asyncio.to_thread(registration.start, 60)
    await settle(reporting, outcome)
