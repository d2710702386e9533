"""A producing service killed (-9) in the two windows of the outbox: after its commit and before the publish,
and after the publish and before the row is marked sent. Every acknowledged write is counted exactly once."""

from __future__ import annotations

import asyncio

import pytest

from tests.faults.checker import counting
from tests.faults.conftest import Scenario
from tests.faults.inject import (
    MarkHold,
    copies_by_event,
    database_url,
    end_offsets,
    restart,
    topic_records,
    unpublished,
    until,
)
from tests.faults.traffic import Traffic
from tests.integration.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]


@pytest.mark.parametrize("database", ["sqlite", "postgres"])
async def test_producer_killed_between_commit_and_publish(
    stack: Stack, scenario: Scenario, database: str
) -> None:
    """Producer killed between DB commit and publish."""
    local = stack.infra.local
    assert local is not None and local.kafka is not None
    kafka = local.kafka
    registration, reporting = stack.registration(database), stack.reporting()
    traffic = Traffic(scenario.ledger, registration, seed=21)
    ledger = scenario.ledger

    async def crash_while_kafka_hangs() -> None:
        await until(lambda: ledger.writes >= 40, "first writes")
        await counting(reporting.url, 1)  # a reporting still taking its partitions is another scenario
        kafka.pause()  # the relay can no longer publish; the service keeps acknowledging writes
        try:
            during = ledger.writes
            await until(lambda: ledger.writes >= during + 120, "writes acknowledged while Kafka hangs")
            stranded = await unpublished(database_url(registration))
            registration.kill()  # mid-stream: requests in flight are left in doubt
            # The hung broker dies too, with whatever the relay had sent it still unread: only the
            # outbox can bring those events back.
            kafka.kill()
        finally:
            kafka.resume()
        scenario.note(f"killed with {stranded} rows committed, unpublished")
        assert stranded > 0
        await asyncio.gather(restart(kafka, 120), restart(registration))

    await asyncio.gather(traffic.run(450, rate=60), crash_while_kafka_hangs())
    await scenario.check(reporting.url)
    copies = copies_by_event(await topic_records(stack.infra.kafka_bootstrap, [stack.topic("registration")]))
    scenario.note(f"{traffic.in_doubt} writes in doubt, {traffic.resolved} of them found committed")
    scenario.note(f"events on the topic once: {copies[1]}, twice: {copies[2]}")
    assert sum(copies.values()) == len(scenario.ledger.profiles)  # every acknowledged write published


async def test_producer_killed_between_publish_and_marking(stack: Stack, scenario: Scenario) -> None:
    """Producer killed between publish and marking the outbox row sent."""
    registration, reporting = stack.registration("postgres"), stack.reporting()
    topic, bootstrap = stack.topic("registration"), stack.infra.kafka_bootstrap
    url = database_url(registration)
    ledger = scenario.ledger
    hold = await MarkHold.install(url)
    try:
        # The first rows are published and their mark held: the relay is stuck while 300 more commit.
        await Traffic(ledger, registration, seed=22).run(5)
        await until(hold.waiting, "relay waiting to mark its first batch")
        await Traffic(ledger, registration, seed=23).run(300, concurrency=8)
        await hold.let_one_through()  # that mark commits; the relay publishes the rest, then waits again
        batch = await unpublished(url)
        await until(lambda: _holds(bootstrap, topic, ledger.writes), "the batch acknowledged by Kafka")
        await until(hold.waiting, "relay waiting to mark the batch")
        assert await unpublished(url) == batch, "the batch is on Kafka and not marked"
        registration.kill()
    finally:
        await hold.release()
    assert await unpublished(url) == batch, "a killed relay marks nothing"
    scenario.note(f"killed with {batch} rows published, unmarked")
    await restart(registration)
    await Traffic(ledger, registration, seed=24).run(100)
    await scenario.check(reporting.url)
    copies = copies_by_event(await topic_records(bootstrap, [topic]))
    scenario.note(f"{copies[2]} events on the topic twice")
    assert copies[2] == batch and set(copies) == {1, 2}, copies


async def _holds(bootstrap: str, topic: str, count: int) -> bool:
    return await end_offsets(bootstrap, [topic]) >= count
