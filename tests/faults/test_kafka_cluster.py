"""On a three-node Kafka cluster (replication factor 3, min.insync.replicas 2): a partition's leader killed
(-9) while writes go on, and two instances each of registration, permits and reporting with one of each
killed mid-stream. Every acknowledged write is counted exactly once.

The cluster is started for this module only (the rest of the suite uses one broker) and stopped after it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from aiokafka import TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.admin.config_resource import ConfigResource, ConfigResourceType

from devstack import Endpoints, ServerError
from devstack.app_server import AppServer
from devstack.kafka_cluster import KafkaCluster
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from tests.faults.checker import counting
from tests.faults.cluster import ClusterStack, end_offset, fully_in_sync, leader_of, partitions
from tests.faults.conftest import Scenario
from tests.faults.inject import (
    applied_events,
    copies_by_event,
    database_url,
    metric,
    restart,
    topic_records,
    unpublished,
    until,
)
from tests.faults.ledger import Ledger
from tests.faults.traffic import Traffic
from tests.pii_scan import scan_topics

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KafkaCluster]:
    cluster = KafkaCluster.on_free_ports(tmp_path_factory.mktemp("kafka-cluster"))
    try:
        cluster.start()  # on the main thread, which outlives the nodes
    except ServerError as exc:
        pytest.fail(f"the fault suite's Kafka cluster did not start:\n{exc}", pytrace=False)
    try:
        yield cluster
        leaks = scan_topics(cluster.bootstrap)
    finally:
        cluster.stop()
    assert not leaks, f"personal data in the cluster's topics: {leaks[:5]}"


@pytest.fixture
def stack(
    cluster: KafkaCluster, fault_infra: Endpoints, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ClusterStack]:
    """Fresh topics, keyspace and databases per scenario, on the cluster; every node running afterwards."""
    infra = Endpoints(cluster.bootstrap, fault_infra.redis_url, fault_infra.postgres_url)
    started = ClusterStack(infra, tmp_path_factory.mktemp("cluster"), cluster)
    try:
        yield started
    finally:
        started.stop()
    for node in cluster.nodes:
        if not node.is_running:
            node.start(120)
    cluster.wait_all_alive()


async def test_topics_on_the_cluster_have_three_replicas_and_two_in_sync(
    cluster: KafkaCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Topics made from the environment the services get: 3 replicas, min.insync.replicas=2, kept forever."""
    for key, value in {**cluster.client_env(), "KAFKA_TOPIC_PREFIX": "replicated"}.items():
        monkeypatch.setenv(key, value)
    settings = KafkaSettings()
    topic = settings.topic("registration")
    await ensure_topics(settings, [topic])
    # A new topic's metadata reaches every broker, and its followers their first fetch, within moments.
    await until(lambda: _replicated(cluster.bootstrap, topic, settings.partitions), "3 replicas in sync", 30)
    admin = AIOKafkaAdminClient(bootstrap_servers=cluster.bootstrap)
    await admin.start()
    try:
        [topic_configs] = await _configs(admin, ConfigResourceType.TOPIC, topic)
        [broker_configs] = await _configs(admin, ConfigResourceType.BROKER, "1")
    finally:
        await admin.close()
    assert topic_configs["min.insync.replicas"] == "2"
    assert topic_configs["retention.ms"] == "-1"
    # Consumer groups' offsets (reporting's) are replicated like the events.
    assert broker_configs["offsets.topic.replication.factor"] == "3"
    assert broker_configs["default.replication.factor"] == "3"
    assert broker_configs["min.insync.replicas"] == "2"


async def _replicated(bootstrap: str, topic: str, count: int) -> bool:
    described = await partitions(bootstrap, [topic])
    return len(described) == count and all(len(p["replicas"]) == len(p["isr"]) == 3 for p in described)


async def _configs(admin: AIOKafkaAdminClient, kind: ConfigResourceType, name: str) -> list[dict[str, str]]:
    responses = await admin.describe_configs([ConfigResource(kind, name)])
    return [
        {entry[0]: entry[1] for entry in resource[4]}  # (name, value, …) of each config entry
        for response in responses
        for resource in response.resources
    ]


async def test_partition_leader_killed_while_writes_continue(
    stack: ClusterStack, cluster: KafkaCluster, scenario: Scenario
) -> None:
    """Partition leader killed (-9) on a three-node cluster while writes continue."""
    registration, permits, reporting = await asyncio.gather(
        asyncio.to_thread(stack.registration, "postgres"),
        asyncio.to_thread(stack.producing, "permits", "postgres"),
        asyncio.to_thread(stack.reporting),
    )
    topic, bootstrap, ledger = stack.topic("registration"), cluster.bootstrap, scenario.ledger
    written = TopicPartition(topic, 0)
    stop = asyncio.Event()

    async def kill_the_leader() -> None:
        try:
            await until(lambda: ledger.writes >= 60, "first writes")
            await counting(reporting.url, 1)
            leader = await leader_of(bootstrap, topic, 0)
            node = cluster.node(leader)
            at_kill, began, writes = await end_offset(bootstrap, written), time.monotonic(), ledger.writes
            pending = await unpublished(database_url(registration))
            node.kill()
            failover = await until(
                lambda: _led_by_another(bootstrap, topic, leader), "a new leader for partition 0", 30
            )
            # The partition takes writes again without the dead node: two in sync are enough.
            await until(lambda: _grew(bootstrap, written, at_kill + 20), "writes to the new leader", 30)
            down = time.monotonic() - began
            scenario.note(
                f"node {leader} (leader of {topic.rsplit('.', 1)[1]} partition 0, {pending} rows "
                f"unpublished) killed; new leader after {failover:.1f} s; "
                f"{ledger.writes - writes} writes acknowledged and "
                f"{await end_offset(bootstrap, written) - at_kill} events appended to that partition "
                f"in {down:.1f} s down"
            )
        finally:
            stop.set()  # the writes already started go on while the node restarts
        await restart(node, 120)
        topics = [topic, stack.topic("permits")]
        caught_up = await until(lambda: fully_in_sync(bootstrap, topics), "node back in sync", 60)
        scenario.note(f"restarted, in sync again after {caught_up:.1f} s")

    traffic = Traffic(ledger, registration, permits=permits, seed=71)
    await asyncio.gather(traffic.run(5000, rate=40, stop=stop), kill_the_leader())
    await Traffic(ledger, registration, permits=permits, seed=73).run(60)  # on the healed cluster
    await scenario.check(reporting.url, timeout_s=90)
    copies = copies_by_event(await topic_records(bootstrap, [topic]))
    scenario.note(f"events on the topic once: {copies[1]}, twice: {copies[2]}")
    assert sum(copies.values()) == len(ledger.profiles)  # every acknowledged registration published


async def _led_by_another(bootstrap: str, topic: str, dead: int) -> bool:
    return (await leader_of(bootstrap, topic, 0)) not in (dead, -1)


async def _grew(bootstrap: str, tp: TopicPartition, offset: int) -> bool:
    return await end_offset(bootstrap, tp) >= offset


async def test_two_instances_of_each_service_one_of_each_killed_mid_stream(
    stack: ClusterStack, scenario: Scenario
) -> None:
    """Two instances each of registration, permits and reporting; one of each killed (-9) mid-stream."""
    registration, permit = await asyncio.gather(
        asyncio.to_thread(stack.registration, "postgres"),
        asyncio.to_thread(stack.producing, "permits", "postgres"),
    )
    registrations = [registration, await asyncio.to_thread(stack.another_instance, registration)]
    permits = [permit, await asyncio.to_thread(stack.another_instance, permit)]
    reportings = list(await asyncio.gather(*(asyncio.to_thread(stack.reporting) for _ in range(2))))
    ledger = scenario.ledger
    stop = asyncio.Event()

    async def kill_one_of_each() -> None:
        try:
            await counting(reportings[1].url, 1)
            for instances in (registrations, permits):
                await _more_writes(ledger, 80, f"writes before {instances[0].service}'s kill")
                scenario.note(await _kill(await _relay_holder(instances)))
            await _more_writes(ledger, 80, "writes before reporting's kill")
            scenario.note(await _kill(reportings[0]))
            await _more_writes(ledger, 80, "writes after the kills")
        finally:
            stop.set()

    traffic = Traffic(ledger, registrations, permits=permits, seed=72)
    await asyncio.gather(traffic.run(5000, rate=40, stop=stop), kill_one_of_each())
    await scenario.check(reportings[1].url, timeout_s=90)
    scenario.note(f"{traffic.in_doubt} writes in doubt, {traffic.resolved} of them found committed")
    scenario.note(f"the surviving reporting applied {await applied_events(reportings[1])} events")


async def _more_writes(ledger: Ledger, count: int, what: str) -> None:
    mark = ledger.writes
    await until(lambda: ledger.writes >= mark + count, what, 60)


async def _relay_holder(instances: list[AppServer]) -> AppServer:
    """The instance whose relay publishes the shared outbox (the lease holder); the last if none says."""
    for server in instances:
        if await metric(server, "outbox_relay_lease") == 1:
            return server
    return instances[-1]


async def _kill(victim: AppServer) -> str:
    """kill -9 one instance, saying what it had in hand: the relay and unpublished rows, or applied events."""
    if victim.service == "reporting":
        await until(lambda: applied_events(victim), "events applied by the instance to kill")
        held = f"{await applied_events(victim)} events applied"
    else:
        relays = "the relay lease" if await metric(victim, "outbox_relay_lease") == 1 else "no lease"
        held = f"{relays}, {await unpublished(database_url(victim))} rows unpublished"
    victim.kill()
    return f"{victim.service} instance killed ({held})"
