"""Kafka stopped and restarted, Kafka frozen (SIGSTOP), Redis restarted empty — while writes go on."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
import pytest
from redis.asyncio import Redis

from devstack.app_server import AppServer
from tests.faults.checker import Served, counting, served
from tests.faults.conftest import Scenario
from tests.faults.inject import log_line, restart, until
from tests.faults.traffic import Traffic
from tests.integration.stack import Stack
from tests.tokens import ADMIN

pytestmark = [pytest.mark.integration, pytest.mark.timeout(180)]
MARKER = "fault-suite:marker"


def producing_services(stack: Stack, scenario: Scenario, seed: int) -> Traffic:
    return Traffic(
        scenario.ledger,
        stack.registration(),
        stack.producing("training"),
        stack.producing("permits", "postgres"),
        seed=seed,
    )


async def during_traffic(
    traffic: Traffic, scenario: Scenario, fault: Callable[[], Awaitable[str]], reporting: AppServer | None
) -> None:
    """Writes at a steady pace; the fault strikes after the first ones (once `reporting` counts them:
    a reporting still taking its partitions is another scenario) and writes go on after it."""
    stop = asyncio.Event()

    async def strike() -> None:
        try:
            await until(lambda: scenario.ledger.writes >= 60, "first writes")
            if reporting is not None:
                await counting(reporting.url, 1)
            before, began = scenario.ledger.writes, time.monotonic()
            what = await fault()
            during = scenario.ledger.writes - before
            scenario.note(
                f"{what} for {time.monotonic() - began:.1f} s; {during} writes acknowledged meanwhile"
            )
            after = scenario.ledger.writes
            await until(lambda: scenario.ledger.writes >= after + 60, "writes after the fault", 60)
        finally:
            stop.set()

    await asyncio.gather(traffic.run(5000, rate=40, stop=stop), strike())


async def test_kafka_stopped_and_restarted_while_writes_continue(stack: Stack, scenario: Scenario) -> None:
    """Kafka stopped and restarted while writes continue."""
    local = stack.infra.local
    assert local is not None and local.kafka is not None
    kafka = local.kafka
    traffic = producing_services(stack, scenario, seed=51)
    reporting = stack.reporting()

    async def stop_and_restart() -> str:
        await asyncio.to_thread(kafka.stop)
        await asyncio.sleep(2.0)
        await restart(kafka, 120)
        return "Kafka stopped and restarted"

    await during_traffic(traffic, scenario, stop_and_restart, reporting)
    await scenario.check(reporting.url, timeout_s=90)


async def test_kafka_frozen_while_writes_continue(stack: Stack, scenario: Scenario) -> None:
    """Kafka paused with SIGSTOP while writes continue."""
    local = stack.infra.local
    assert local is not None and local.kafka is not None
    kafka = local.kafka
    traffic = producing_services(stack, scenario, seed=52)
    reporting = stack.reporting()

    async def freeze() -> str:
        kafka.pause()
        try:
            # Past the producers' request timeout and the consumers' session timeout (10 s each).
            await asyncio.sleep(12.0)
        finally:
            kafka.resume()
        return "Kafka frozen"

    await during_traffic(traffic, scenario, freeze, reporting)
    await scenario.check(reporting.url, timeout_s=90)


async def test_kafka_killed_while_reporting_takes_its_partitions(stack: Stack, scenario: Scenario) -> None:
    """Kafka killed while reporting takes its partitions."""
    local = stack.infra.local
    assert local is not None and local.kafka is not None
    kafka = local.kafka
    traffic = Traffic(scenario.ledger, stack.registration(), seed=54)
    started: list[AppServer] = []

    async def start_reporting_as_kafka_fails() -> str:
        # Its rebalance listener seeks partitions one by one while the consumer fetches their committed
        # offsets: Kafka freezes in the middle of that, and dies.
        starting = asyncio.create_task(asyncio.to_thread(stack.reporting))
        await log_line(stack.base_dir, "reporting-*/reporting.log", "Setting newly assigned partitions")
        kafka.pause()
        started.append(await starting)
        await asyncio.sleep(1.0)
        kafka.kill()
        await restart(kafka, 120)
        return "Kafka frozen at reporting's partition assignment, killed and restarted"

    await during_traffic(traffic, scenario, start_reporting_as_kafka_fails, None)
    await scenario.check(started[0].url, timeout_s=20)


async def test_redis_restarted_empty_rebuilds_identical_figures(stack: Stack, scenario: Scenario) -> None:
    """Redis restarted empty: reports rebuilt from the topics, figures identical."""
    local = stack.infra.local
    assert local is not None and local.redis is not None
    server = local.redis
    traffic = producing_services(stack, scenario, seed=53)
    reporting = stack.reporting()
    url = stack.infra.redis_url

    async def restart_empty() -> str:
        await _on_redis(url, lambda redis: redis.set(MARKER, "1"))
        await asyncio.to_thread(server.stop)
        await restart(server)
        assert not await _on_redis(url, lambda redis: redis.exists(MARKER)), "Redis came back with its data"
        return "Redis restarted empty"

    await traffic.run(300)
    await scenario.check(reporting.url)
    before = await _figures(reporting.url)
    await restart_empty()
    began = time.monotonic()
    await scenario.check(reporting.url)
    assert await _figures(reporting.url) == before, "figures differ from before the restart"
    scenario.note(f"restarted empty: identical figures rebuilt in {time.monotonic() - began:.1f} s")
    await _on_redis(url, lambda redis: redis.flushall())  # emptied under a running, idle reporting
    began = time.monotonic()
    await scenario.check(reporting.url)
    assert await _figures(reporting.url) == before, "figures differ from before FLUSHALL"
    scenario.note(f"FLUSHALL: identical in {time.monotonic() - began:.1f} s")
    await during_traffic(traffic, scenario, restart_empty, reporting)
    await scenario.check(reporting.url)


async def _figures(reporting_url: str) -> Served:
    async with httpx.AsyncClient(headers=ADMIN, base_url=reporting_url, timeout=10.0) as http:
        return await served(http)


async def _on_redis(url: str, command: Callable[[Redis], Awaitable[object]]) -> object:
    """One command on a connection of its own (a pooled one would not survive the restarts)."""
    redis = Redis.from_url(url)
    try:
        return await command(redis)
    finally:
        await redis.aclose()
