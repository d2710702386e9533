"""The operator CLI (`jakpreneur`) against real services, Kafka and Redis."""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from typer.testing import CliRunner, Result

from devstack.app_server import AppServer
from devstack.ports import free_ports
from operator_cli.main import app
from shared.dates import PROGRAMME_START, jakarta_today
from tests.integration.figures import wait_for_registered
from tests.integration.kafka_read import read_topic
from tests.integration.stack import Stack
from tests.integration.writer import mixed_requests, send_all
from tests.tokens import ADMIN

pytestmark = pytest.mark.integration

EVERYTHING = (str(PROGRAMME_START), str(jakarta_today()))
GARBAGE = b"\x00not json"


@pytest.fixture(scope="module")
def services(stack: Stack) -> tuple[AppServer, AppServer]:
    return stack.registration(), stack.reporting()


@pytest.fixture
def cli(stack: Stack, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """The environment an operator would set to point `jakpreneur` at this stack."""
    env = {
        **stack.common_env(),
        "REPORTING_REDIS_URL": stack.infra.redis_url,
        "REPORTING_KEYSPACE": stack.name,
        "REPORTING_CONSUMER_GROUP": f"{stack.name}-reporting",
        "COLUMNS": "200",  # rich tables: no wrapping of the cells the tests look for
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    yield CliRunner()


async def invoke(runner: CliRunner, *args: str, stdin: str | None = None) -> Result:
    """Runs the command in a thread: it calls asyncio.run, which needs a thread without a running loop."""

    def run() -> Result:
        return runner.invoke(app, list(args), input=stdin)

    return await asyncio.to_thread(run)


def services_option(*servers: AppServer) -> str:
    return "--services=" + ",".join(f"{s.service}={s.url}" for s in servers)


async def summary(reporting: AppServer) -> dict[str, Any]:
    async with httpx.AsyncClient(headers=ADMIN, base_url=reporting.url) as http:
        response = await http.get("/metrics/summary", params={"from": EVERYTHING[0], "to": EVERYTHING[1]})
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result


async def records_in(bootstrap: str, topic: str) -> int:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        [described] = await admin.describe_topics([topic])
    finally:
        await admin.close()
    partitions = [TopicPartition(topic, p["partition"]) for p in described["partitions"]]
    assert partitions, f"{topic} has no partitions"
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        end: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        start: dict[TopicPartition, int] = await consumer.beginning_offsets(partitions)
        return sum(end[tp] - start[tp] for tp in partitions)
    finally:
        await consumer.stop()


async def dlq_json(runner: CliRunner) -> list[dict[str, Any]]:
    result = await invoke(runner, "dlq", "list", "--json")
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines() if line.strip()]


async def wait_for_dead_letters(
    runner: CliRunner, count: int, timeout_s: float = 30.0
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while True:
        letters = await dlq_json(runner)
        if len(letters) >= count:
            return letters
        assert time.monotonic() < deadline, f"expected {count} dead letters, have {letters}"
        await asyncio.sleep(0.5)


async def test_status_shows_every_service_ready_and_reporting_caught_up(
    services: tuple[AppServer, AppServer], cli: CliRunner, stack: Stack
) -> None:
    registration, reporting = services
    outcome = await send_all(registration.url, mixed_requests(random.Random(31), 60))
    assert outcome.accepted and not outcome.other
    async with httpx.AsyncClient(headers=ADMIN, base_url=reporting.url) as http:
        await wait_for_registered(http, PROGRAMME_START, jakarta_today(), len(outcome.accepted), 60)

    deadline = time.monotonic() + 30
    # Committed offsets (lag monitoring) follow the applied batch; the relay refreshes its backlog
    # gauge once per poll interval, so it may still show the last writes for up to a second.
    while True:
        result = await invoke(cli, "status", services_option(registration, reporting), "--json")
        report = json.loads(result.output)
        backlogs = [s["outbox_backlog"] for s in report.get("services", [])]
        if (
            result.exit_code == 0
            and report["kafka"]["lags"]
            and not sum(p["lag"] for p in report["kafka"]["lags"])
            and not any(backlogs)
        ):
            break
        assert time.monotonic() < deadline, result.output
        await asyncio.sleep(0.5)

    assert report["ok"] is True
    by_name = {s["name"]: s for s in report["services"]}
    assert set(by_name) == {"registration", "reporting"}
    assert all(s["alive"] and s["ready"] for s in by_name.values()), by_name
    assert all(v == "ok" for v in by_name["registration"]["checks"].values()), by_name
    assert by_name["registration"]["outbox_backlog"] in (None, 0), "n/a until the gauge exists, then 0"
    assert by_name["reporting"]["outbox_backlog"] is None
    kafka = report["kafka"]
    assert kafka["group"] == f"{stack.name}-reporting"
    registration_ends = sum(p["end"] for p in kafka["lags"] if p["topic"] == stack.topic("registration"))
    assert registration_ends >= len(outcome.accepted)
    assert {p["topic"] for p in kafka["lags"]} == {
        stack.topic(s)
        for s in ("registration", "training", "permits", "mentoring", "marketing", "finance", "reporting")
    }
    assert kafka["dead_letters"] in (None, 0)

    table = await invoke(cli, "status", services_option(registration, reporting))
    assert table.exit_code == 0, table.output
    assert registration.url in table.output and reporting.url in table.output
    assert "total lag: 0" in table.output
    assert f"{stack.name}-reporting" in table.output


async def test_status_exits_1_when_a_service_is_not_ready(
    services: tuple[AppServer, AppServer], cli: CliRunner
) -> None:
    registration, _ = services
    (port,) = free_ports(1)
    result = await invoke(
        cli, "status", services_option(registration), f"--services=nowhere=http://127.0.0.1:{port}"
    )
    assert result.exit_code == 1, result.output
    assert "nowhere" in result.output and registration.url in result.output


async def test_dead_letters_are_listed_and_replayed_to_their_source_topic(
    services: tuple[AppServer, AppServer], cli: CliRunner, stack: Stack
) -> None:
    source = stack.topic("registration")
    bootstrap = stack.infra.kafka_bootstrap
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap)
    await producer.start()
    try:
        await producer.send_and_wait(source, GARBAGE, key=b"junk")
    finally:
        await producer.stop()

    [letter] = await wait_for_dead_letters(cli, 1)
    assert letter["source_topic"] == source
    assert "invalid envelope" in letter["reason"], letter
    assert letter["key"] == "junk"
    assert letter["value_preview"] == "\\x00not json"
    listed = await invoke(cli, "dlq", "list", "--limit", "10")
    assert listed.exit_code == 0, listed.output
    assert "invalid envelope" in listed.output and source in listed.output

    before = await records_in(bootstrap, source)
    declined = await invoke(cli, "dlq", "replay", "--all", stdin="n\n")
    assert declined.exit_code != 0, declined.output
    assert await records_in(bootstrap, source) == before

    replayed = await invoke(cli, "dlq", "replay", "--all", "--yes")
    assert replayed.exit_code == 0, replayed.output
    assert "replayed 1 record" in replayed.output
    assert await records_in(bootstrap, source) == before + 1
    copies = await read_topic(
        bootstrap, source, until=lambda seen: sum(r.value == GARBAGE for r in seen) >= 2
    )
    copy = [r for r in copies if r.value == GARBAGE][-1]
    assert copy.key == b"junk"
    assert (
        dict(copy.headers)["replayed_from"]
        == f"{stack.topic('reporting.dlq')}:{letter['partition']}:{letter['offset']}".encode()
    )

    # Still garbage to this consumer: it is dead-lettered again, with the replayed copy as its source.
    letters = await wait_for_dead_letters(cli, 2)
    assert any(
        d["source_partition"] == copy.partition and d["source_offset"] == copy.offset for d in letters
    ), letters

    by_offset = await invoke(
        cli, "dlq", "replay", "--offset", f"{letter['partition']}:{letter['offset']}", "--yes"
    )
    assert by_offset.exit_code == 0, by_offset.output
    assert await records_in(bootstrap, source) == before + 2
    unknown = await invoke(cli, "dlq", "replay", "--offset", "99:12345", "--yes")
    assert unknown.exit_code == 2 and "no dead letter" in unknown.output, unknown.output


async def test_rebuild_switches_keyspace_and_keeps_the_figures(
    services: tuple[AppServer, AppServer], cli: CliRunner, stack: Stack
) -> None:
    _, reporting = services
    before = await summary(reporting)
    result = await invoke(cli, "rebuild")
    assert result.exit_code == 0, result.output
    assert "rebuilt" in result.output
    assert f"→ {stack.name}-r" in result.output
    assert await summary(reporting) == before
