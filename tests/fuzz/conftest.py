"""Every fuzzed service running on the shared infrastructure, filled with a small programme history first.

Fuzzing empty databases would only ever meet "not found" and empty lists: the seeded history gives the
list endpoints real rows to validate against the document, and the ids its events carry are drawn into
requests.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from collections.abc import Iterator

import pytest
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from typer.testing import CliRunner

from devstack import Endpoints
from devstack.app_server import AppServer
from operator_cli.demo.command import app as demo
from operator_cli.demo.plan import STAGE_SERVICES
from shared.contracts.codec import decode
from tests.fuzz.targets import INCLUDED, KNOWN, STATS
from tests.integration.stack import Stack, running_stack
from tests.tokens import ADMIN

PARTICIPANTS = 12
# Few places, so event streams the fuzzer hangs up on must really be given back (else 503 fails the run).
MAX_STREAMS = "3"
HARVEST_S = 30.0


@pytest.fixture(scope="session")
def fuzzed(infra: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, AppServer]]:
    with running_stack(infra, tmp_path_factory.mktemp("fuzz")) as stack:
        servers = {name: _start(stack, name) for name in INCLUDED}
        _seed(servers)
        topics = [stack.topic(name) for name in servers]  # a service that publishes nothing has none
        KNOWN.update(asyncio.run(_harvest(infra.kafka_bootstrap, topics)))
        yield servers


def _start(stack: Stack, name: str) -> AppServer:
    if name == "reporting":
        return stack.reporting(REPORTING_MAX_STREAMS=MAX_STREAMS)
    return stack.producing(name)


def _seed(servers: dict[str, AppServer]) -> None:
    """`jakpreneur demo` through the public APIs: participants and every included stage, seen by reporting."""
    stages = [name for name in STAGE_SERVICES if name in servers]
    args = [
        "--from=2023-01-01",
        "--to=2023-12-31",
        f"--participants={PARTICIPANTS}",
        "--seed=7",
        "--concurrency=8",
        f"--stages={','.join(stages) or 'none'}",
        f"--token={ADMIN['Authorization'].removeprefix('Bearer ')}",
        f"--wait={60 if 'reporting' in servers else 0}",
        *(f"--services={name}={server.url}" for name, server in servers.items()),
    ]
    result = CliRunner().invoke(demo, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0, f"seeding the fuzzed services failed:\n{result.output}"


async def _harvest(bootstrap: str, topics: list[str]) -> dict[str, tuple[str, ...]]:
    """Every `*_id` the seeded events carry (each accepted write is one event), by field name."""
    found: defaultdict[str, set[str]] = defaultdict(set)

    def take(records: dict[TopicPartition, list[ConsumerRecord]]) -> None:
        for batch in records.values():
            for record in batch:
                envelope, _ = decode(record.value)
                for field, value in envelope.payload.items():
                    if field.endswith("_id") and isinstance(value, str):
                        found[field].add(value)

    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, auto_offset_reset="earliest", enable_auto_commit=False
    )
    await consumer.start()
    try:
        existing = await consumer.topics()
        consumer.subscribe([topic for topic in topics if topic in existing])
        deadline = time.monotonic() + HARVEST_S
        while not consumer.assignment():
            assert time.monotonic() < deadline, f"no partitions of {topics} assigned in {HARVEST_S} s"
            take(await consumer.getmany(timeout_ms=200))
        ends = await consumer.end_offsets(list(consumer.assignment()))
        while not all([await consumer.position(tp) >= end for tp, end in ends.items()]):
            assert time.monotonic() < deadline, f"{topics} not read to their end in {HARVEST_S} s"
            take(await consumer.getmany(timeout_ms=200))
    finally:
        await consumer.stop()
    return {field: tuple(sorted(values)) for field, values in found.items()}


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if STATS.calls:
        terminalreporter.write_sep("-", "fuzzing")
        for line in STATS.lines():
            terminalreporter.write_line(line)
