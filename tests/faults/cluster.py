"""The cluster scenarios' view of Kafka: services on three replicated nodes, who leads, who is in sync."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import KafkaError

from devstack import Endpoints
from devstack.app_server import AppServer
from devstack.kafka_cluster import KafkaCluster
from devstack.ports import free_ports
from tests.integration.stack import Stack


class ClusterStack(Stack):
    """Services on the cluster, creating topics with its replication settings (3 replicas, 2 in sync)."""

    def __init__(self, infra: Endpoints, base_dir: Path, cluster: KafkaCluster) -> None:
        super().__init__(infra, base_dir)
        self.cluster = cluster

    def common_env(self) -> dict[str, str]:
        return {**super().common_env(), **self.cluster.client_env()}

    def another_instance(self, server: AppServer) -> AppServer:
        """One more instance on the first one's settings and database, which that one migrated already."""
        (port,) = free_ports(1)
        another = AppServer(server.service, port, server.env, self.base_dir / f"{server.service}-{port}")
        another.spawn()
        another.wait_ready(60)
        self.servers.append(another)
        return another

    def stop(self) -> None:
        """All at once: the scenarios run up to six services."""
        with ThreadPoolExecutor(max(len(self.servers), 1), thread_name_prefix="stack-stop") as pool:
            for server in self.servers:
                pool.submit(server.stop, 15)


async def partitions(bootstrap: str, topics: list[str], attempts: int = 20) -> list[dict[str, Any]]:
    """Each partition's metadata as a broker sees it now: topic, partition, leader, replicas, isr.

    The admin client asks one node and gives up if that node is the dead one: ask again, another time.
    """
    tries = 0
    while True:
        tries += 1
        admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
        try:
            await admin.start()
            described = await admin.describe_topics(topics)
            return [{"topic": t["topic"], **p} for t in described for p in t["partitions"]]
        except KafkaError:
            if tries == attempts:
                raise
        finally:
            await admin.close()
        await asyncio.sleep(0.25)


async def leader_of(bootstrap: str, topic: str, partition: int) -> int:
    """The node leading a partition (-1 while it has none)."""
    found = [p for p in await partitions(bootstrap, [topic]) if p["partition"] == partition]
    return int(found[0]["leader"]) if found else -1


async def fully_in_sync(bootstrap: str, topics: list[str]) -> bool:
    """Every replica of every partition in its in-sync set: a restarted node has caught up."""
    return all(set(p["isr"]) == set(p["replicas"]) for p in await partitions(bootstrap, topics))


async def end_offset(bootstrap: str, tp: TopicPartition) -> int:
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        return int((await consumer.end_offsets([tp]))[tp])
    finally:
        await consumer.stop()
