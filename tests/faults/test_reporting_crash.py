"""Reporting killed (-9) after applying a batch to Redis and before committing its offsets to Kafka, and
reporting instances joining, leaving and freezing mid-stream: no event lost, none counted twice."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient
from redis.asyncio import Redis

from devstack.app_server import AppServer
from services.reporting.store.keys import Keys
from services.reporting.store.keyspace import Keyspaces
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import partitions_of
from tests.faults.conftest import Scenario
from tests.faults.inject import applied_events, restart, uncommitted_applied, until
from tests.faults.traffic import Traffic
from tests.integration.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]


async def test_reporting_killed_between_redis_apply_and_kafka_commit(
    stack: Stack, scenario: Scenario
) -> None:
    """Reporting killed between applying to Redis and committing offsets."""
    registration, training = stack.registration(), stack.producing("training")
    reporting = stack.reporting()
    traffic = Traffic(scenario.ledger, registration, training, seed=31)
    stop = asyncio.Event()

    async def crash_in_the_window_twice() -> None:
        try:
            for _ in range(2):
                await until(lambda: scenario.ledger.writes >= 60, "first writes")
                scenario.note(await _kill_after_apply_before_commit(stack, reporting))
                await asyncio.sleep(1.0)  # writes go on while reporting is down
                await restart(reporting)
        finally:
            stop.set()

    await asyncio.gather(traffic.run(5000, rate=40, stop=stop), crash_in_the_window_twice())
    await scenario.check(reporting.url)


async def _kill_after_apply_before_commit(stack: Stack, reporting: AppServer, timeout_s: float = 30.0) -> str:
    """Freeze reporting the moment a batch's MULTI/EXEC lands in Redis (its pub/sub notice is part of the
    transaction); if its Kafka commit has not happened yet, kill it there, else let it go on and try again."""
    keyspaces, group = Keyspaces(stack.name), f"{stack.name}-reporting"
    topics = [stack.topic("registration"), stack.topic("training")]
    partitions = await partitions_of(KafkaSettings(bootstrap_servers=stack.infra.kafka_bootstrap), topics)
    redis = Redis.from_url(stack.infra.redis_url)
    admin = AIOKafkaAdminClient(bootstrap_servers=stack.infra.kafka_bootstrap)
    await admin.start()
    pubsub = redis.pubsub()
    await pubsub.subscribe(keyspaces.changed_channel)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    tries = 0
    try:
        while loop.time() < deadline:
            while await pubsub.get_message(ignore_subscribe_messages=True, timeout=0):
                pass  # stale notices: only a batch applied right now will do
            if await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0) is None:
                continue
            reporting.pause()
            tries += 1
            ahead = await uncommitted_applied(redis, admin, Keys(stack.name), group, partitions)
            if ahead:
                reporting.kill()
                return (
                    f"killed (try {tries}) with Redis {sum(ahead.values())} event(s) ahead of the Kafka "
                    f"commit on {len(ahead)} partition(s)"
                )
            reporting.resume()
        raise AssertionError(f"no batch caught between apply and commit in {tries} tries")
    finally:
        await pubsub.aclose()  # type: ignore[no-untyped-call]
        await admin.close()
        await redis.aclose()


async def test_rebalances_mid_stream_with_two_reporting_instances(stack: Stack, scenario: Scenario) -> None:
    """Rebalances mid-stream: two instances, a third joining and leaving, one frozen past its session."""
    registration, training, permits = (
        stack.registration(),
        stack.producing("training"),
        stack.producing("permits", "postgres"),
    )
    first, second = stack.reporting(), stack.reporting()
    traffic = Traffic(scenario.ledger, registration, training, permits, seed=41)
    stop = asyncio.Event()

    async def churn() -> None:
        try:
            await until(lambda: scenario.ledger.writes >= 40, "first writes")
            third = await asyncio.to_thread(stack.reporting)  # joins: partitions move mid-batch
            await asyncio.sleep(2.0)
            await asyncio.to_thread(third.stop)  # leaves
            first.pause()  # frozen with a batch in hand; evicted once its session times out
            await asyncio.to_thread(stack.reporting)  # joins while the group waits for the frozen one
            await asyncio.sleep(12.0)
            first.resume()  # a zombie: its stale batch must not write, then it rejoins
            await asyncio.sleep(3.0)
        finally:
            first.resume()
            stop.set()

    await asyncio.gather(traffic.run(5000, rate=40, stop=stop), churn())
    await scenario.check(second.url)
    applied = [await applied_events(server) for server in stack.servers if server.service == "reporting"]
    scenario.note("events taken by instance: " + "/".join(str(n) for n in applied))
