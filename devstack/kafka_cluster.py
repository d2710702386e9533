"""Three Kafka nodes (KRaft, each broker and controller, static voters) on loopback: replicated topics.

Combined nodes keep it to three JVMs, which is what two cores can carry next to the services; each gets a
small heap. Topics default to one replica per node and `min.insync.replicas` a majority (3 and 2), so an
acknowledged write (acks=all) survives any one node killed.
"""

from __future__ import annotations

import atexit
import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from devstack.kafka import KafkaServer, Quorum, new_cluster_id, probe_metadata
from devstack.ports import free_ports, require_free
from devstack.process import ServerError, install_exit_signal_handlers

log = logging.getLogger(__name__)

NODES = 3
HEAP = "384m"


class KafkaCluster:
    """`nodes` brokers on the given ports, their controllers on the others; state under `base_dir`."""

    def __init__(
        self,
        base_dir: Path,
        broker_ports: list[int],
        controller_ports: list[int],
        *,
        heap: str = HEAP,
        version: str | None = None,
        java: Path | None = None,
    ) -> None:
        if len(broker_ports) != len(controller_ports) or not broker_ports:
            raise ServerError("a cluster needs one broker and one controller port per node")
        self.base_dir = Path(base_dir).absolute()
        ids = range(1, len(broker_ports) + 1)
        self.quorum = Quorum(new_cluster_id(), dict(zip(ids, controller_ports, strict=True)))
        self.nodes = [
            KafkaServer(
                self.base_dir / f"node-{node}",
                broker,
                controller,
                heap=heap,
                version=version,
                java=java,
                node_id=node,
                quorum=self.quorum,
            )
            for node, broker, controller in zip(ids, broker_ports, controller_ports, strict=True)
        ]
        self._started = False

    @classmethod
    def on_free_ports(cls, base_dir: Path, nodes: int = NODES, *, java: Path | None = None) -> KafkaCluster:
        ports = free_ports(2 * nodes)
        return cls(base_dir, ports[:nodes], ports[nodes:], java=java)

    @property
    def bootstrap(self) -> str:
        return ",".join(node.bootstrap for node in self.nodes)

    @property
    def replication_factor(self) -> int:
        return self.quorum.replicas

    @property
    def min_insync_replicas(self) -> int:
        return self.quorum.min_insync

    def client_env(self) -> dict[str, str]:
        """What services read (shared.kafka.settings) to use this cluster with replicated topics."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
            "KAFKA_REPLICATION_FACTOR": str(self.replication_factor),
            "KAFKA_MIN_INSYNC_REPLICAS": str(self.min_insync_replicas),
        }

    def node(self, node_id: int) -> KafkaServer:
        return self.nodes[node_id - 1]

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self, timeout: float = 180.0) -> KafkaCluster:
        """Format, start and wait for every node. Call from a long-lived thread (see devstack.process)."""
        began = time.monotonic()
        install_exit_signal_handlers()
        atexit.register(self.stop)
        self._started = True
        try:
            require_free({f"{n.name} {kind}": port for n in self.nodes for kind, port in _ports(n).items()})
            self._parallel("prepare", KafkaServer.prepare)
            for node in self.nodes:
                node.spawn()  # here, not in a pool thread: a node dies with the thread that spawned it
            # A node answers only once a majority of controllers has elected a leader: wait for all.
            self._parallel("start", lambda node: node.wait_ready(timeout))
            self.wait_all_alive(max(timeout - (time.monotonic() - began), 10.0))
        except BaseException:
            self.stop()
            raise
        took = time.monotonic() - began
        log.info("kafka cluster of %d ready in %.1fs: %s", len(self.nodes), took, self.bootstrap)
        return self

    def wait_all_alive(self, timeout: float = 60.0) -> None:
        """Until every node lists every node as an alive broker (a restarted one has re-registered)."""
        deadline = time.monotonic() + timeout
        while not all(probe_metadata(n.host, n.broker_port)[0] == len(self.nodes) for n in self.nodes):
            if time.monotonic() > deadline:
                seen = {n.name: probe_metadata(n.host, n.broker_port)[0] for n in self.nodes}
                raise ServerError(f"kafka cluster: brokers alive per node {seen} after {timeout:.0f}s")
            time.sleep(0.2)

    def _parallel(self, step: str, action: Callable[[KafkaServer], None]) -> None:
        with ThreadPoolExecutor(len(self.nodes), thread_name_prefix=f"kafka-cluster-{step}") as pool:
            futures = {node.name: pool.submit(action, node) for node in self.nodes}
        errors = [f"{name}: {future.exception()}" for name, future in futures.items() if future.exception()]
        if errors:
            raise ServerError(f"could not {step} the kafka cluster:\n" + "\n\n".join(errors))

    def stop(self, timeout: float = 30.0) -> None:
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        running = [node for node in self.nodes if node.is_running]
        # Together: a node stopped after the others have gone would wait for a controller majority.
        with ThreadPoolExecutor(len(running) or 1, thread_name_prefix="kafka-cluster-stop") as pool:
            for node in running:
                pool.submit(node.stop, timeout)


def _ports(node: KafkaServer) -> dict[str, int]:
    return {"broker": node.broker_port, "controller": node.controller_port}
