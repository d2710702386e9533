"""Apache Kafka (KRaft, combined broker+controller) on loopback, run from Maven jars: one node, or one node of
a cluster with static voters (devstack/kafka_cluster.py)."""

from __future__ import annotations

import base64
import json
import logging
import os
import shutil
import socket
import struct
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from devstack.kafka_jars import ensure_kafka_libs, kafka_version
from devstack.ports import LOOPBACK
from devstack.process import ChildProcess, ServerError, run_checked
from devstack.server import LocalServer

log = logging.getLogger(__name__)

HEAP = "512m"
# Same GC settings as Kafka's bin/kafka-run-class.sh.
JVM_FLAGS = (
    "-XX:+UseG1GC",
    "-XX:MaxGCPauseMillis=20",
    "-XX:InitiatingHeapOccupancyPercent=35",
    "-XX:+ExplicitGCInvokesConcurrent",
    "-Djava.awt.headless=true",
)

LOG4J2_TEMPLATE = """\
status = warn
appender.file.type = RollingFile
appender.file.name = file
appender.file.fileName = {log_file}
appender.file.filePattern = {log_file}.%i
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
appender.file.policies.type = Policies
appender.file.policies.size.type = SizeBasedTriggeringPolicy
appender.file.policies.size.size = 20MB
appender.file.strategy.type = DefaultRolloverStrategy
appender.file.strategy.max = 3
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = file
# Per-request logging is far too chatty for a dev box.
logger.request.name = kafka.request.logger
logger.request.level = WARN
"""


def new_cluster_id() -> str:
    """What `kafka-storage.sh random-uuid` prints, without paying for a JVM start."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).rstrip(b"=").decode()
        # Kafka rejects ids that would look like a command-line flag.
        if not text.startswith("-"):
            return text


@dataclass(frozen=True)
class Quorum:
    """The controllers of a multi-node cluster, fixed when it is formatted: node id → controller port."""

    cluster_id: str
    voters: Mapping[int, int]

    @property
    def replicas(self) -> int:
        return len(self.voters)

    @property
    def min_insync(self) -> int:
        # A majority: with 3 replicas an acknowledged write survives the loss of any one broker.
        return self.replicas // 2 + 1

    def voters_property(self, host: str) -> str:
        return ",".join(f"{node}@{host}:{port}" for node, port in sorted(self.voters.items()))


class KafkaServer(LocalServer):
    name = "kafka"

    def __init__(
        self,
        data_dir: Path,
        broker_port: int,
        controller_port: int,
        *,
        partitions_default: int = 3,
        version: str | None = None,
        heap: str = HEAP,
        java: Path | None = None,
        extra_properties: Mapping[str, str] | None = None,
        node_id: int = 1,
        quorum: Quorum | None = None,
    ) -> None:
        super().__init__(data_dir)
        if quorum is not None and quorum.voters.get(node_id) != controller_port:
            raise ServerError(f"node {node_id} with controller port {controller_port} is not in {quorum}")
        self.node_id = node_id
        self.quorum = quorum
        if quorum is not None:
            self.name = f"kafka-{node_id}"
        self.host = LOOPBACK
        self.broker_port = broker_port
        self.controller_port = controller_port
        self.partitions_default = partitions_default
        self.version = version or kafka_version()
        self.heap = heap
        self.java = java
        self.extra_properties = dict(extra_properties or {})
        self.log_dir = self.data_dir / "data"
        self.properties_path = self.data_dir / "server.properties"
        self.log4j_path = self.data_dir / "log4j2.properties"
        self.server_log = self.data_dir / "server.log"
        self.stdout_log = self.data_dir / "stdout.log"
        self._libs: Path | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.broker_port}"

    def properties(self) -> dict[str, str]:
        quorum = self.quorum
        replicas, min_insync = (1, 1) if quorum is None else (quorum.replicas, quorum.min_insync)
        props = {
            # Each process is both broker and controller: one JVM per node is lightest on 2 cores.
            "process.roles": "broker,controller",
            "node.id": str(self.node_id),
            **self._quorum_properties(),
            "listeners": f"PLAINTEXT://{self.host}:{self.broker_port},CONTROLLER://{self.host}:{self.controller_port}",
            "advertised.listeners": f"PLAINTEXT://{self.host}:{self.broker_port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.log_dir),
            # One replica per node (a single node must accept one), internal topics included.
            "offsets.topic.replication.factor": str(replicas),
            "transaction.state.log.replication.factor": str(replicas),
            "transaction.state.log.min.isr": str(min_insync),
            "share.coordinator.state.topic.replication.factor": str(replicas),
            "share.coordinator.state.topic.min.isr": str(min_insync),
            "default.replication.factor": str(replicas),
            "min.insync.replicas": str(min_insync),
            # Fewer internal partitions: creating 50 of each on first use is slow on 2 cores.
            "offsets.topic.num.partitions": "10",
            "transaction.state.log.num.partitions": "10",
            "group.initial.rebalance.delay.ms": "0",
            # After a crash (kill -9) the restarted broker is refused until its old session expires:
            # 4s instead of 9s keeps kill/restart fault tests quick.
            "broker.session.timeout.ms": "4000",
            "broker.heartbeat.interval.ms": "1000",
            # Topics are created explicitly (with their own retention/compaction) - typos must fail.
            "auto.create.topics.enable": "false",
            "num.partitions": str(self.partitions_default),
            # The default 128 MiB cleaner buffer is a quarter of our heap.
            "log.cleaner.dedupe.buffer.size": str(32 * 1024 * 1024),
            "num.recovery.threads.per.data.dir": "1",
        }
        props.update(self.extra_properties)
        return props

    def _quorum_properties(self) -> dict[str, str]:
        if self.quorum is None:
            return {"controller.quorum.bootstrap.servers": f"{self.host}:{self.controller_port}"}
        return {"controller.quorum.voters": self.quorum.voters_property(self.host)}

    # --- LocalServer ----------------------------------------------------------------------------

    def prepare(self) -> None:
        self._libs = ensure_kafka_libs(self.version)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.properties_path.write_text("".join(f"{k}={v}\n" for k, v in self.properties().items()))
        self.log4j_path.write_text(LOG4J2_TEMPLATE.format(log_file=self.server_log))
        self._format_storage()

    def _java(self) -> str:
        java = str(self.java) if self.java else shutil.which("java")
        if java is None:
            raise ServerError("java (17+) is needed to run Kafka")
        return java

    def _jvm(self, heap: str) -> list[str]:
        assert self._libs is not None, "prepare() first"
        return [
            self._java(),
            f"-Xmx{heap}",
            f"-Xms{heap}",
            *JVM_FLAGS,
            f"-Dlog4j2.configurationFile={self.log4j_path}",
            f"-Dkafka.logs.dir={self.data_dir}",
            "-cp",
            f"{self._libs}/*",
        ]

    def _format_storage(self) -> None:
        ports_file = self.data_dir / "ports.json"
        if (self.log_dir / "meta.properties").is_file():
            # The controller's address is part of the formatted quorum state.
            formatted_with = json.loads(ports_file.read_text()) if ports_file.is_file() else {}
            if formatted_with.get("controller_port", self.controller_port) != self.controller_port:
                raise ServerError(
                    f"{self.log_dir} was formatted for controller port {formatted_with['controller_port']},"
                    f" not {self.controller_port}: reuse that port or delete {self.data_dir}"
                )
            return
        # Static voters are in server.properties; a single node formats itself as the one controller.
        quorum = self.quorum
        cluster_id, mode = (new_cluster_id(), ["--standalone"]) if quorum is None else (quorum.cluster_id, [])
        log.info("formatting Kafka storage in %s (cluster id %s)", self.log_dir, cluster_id)
        run_checked(
            [
                *self._jvm("256m"),
                "-XX:TieredStopAtLevel=1",  # a run of seconds: compiling for peak speed only costs CPU
                "kafka.tools.StorageTool",
                "format",
                *mode,
                "-t",
                cluster_id,
                "-c",
                str(self.properties_path),
            ],
            what="kafka storage format",
            timeout=120,
        )
        ports_file.write_text(json.dumps({"controller_port": self.controller_port}))

    def cluster_id(self) -> str | None:
        meta = self.log_dir / "meta.properties"
        if not meta.is_file():
            return None
        for line in meta.read_text().splitlines():
            if line.startswith("cluster.id="):
                return line.split("=", 1)[1].strip()
        return None

    def _make_child(self) -> ChildProcess:
        return ChildProcess(
            self.name,
            [*self._jvm(self.heap), "kafka.Kafka", str(self.properties_path)],
            self.stdout_log,
            cwd=self.data_dir,
            env={**os.environ, "LANG": "C.UTF-8"},
        )

    def _probe(self) -> bool:
        # Our own cluster id guards against a stray broker that already owns the port.
        expected = self.cluster_id()
        return expected is not None and probe_cluster_id(self.host, self.broker_port) == expected

    def log_files(self) -> list[Path]:
        return [self.server_log, self.stdout_log]


def _read_exact(sock: socket.socket, size: int) -> bytes:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(size - len(chunks))
        if not chunk:
            raise ConnectionError("connection closed")
        chunks.extend(chunk)
    return bytes(chunks)


def _parse_metadata_v4(payload: bytes) -> tuple[int, str | None]:
    """(broker count, cluster id) from a Metadata v4 response body (after the correlation id)."""
    offset = 4  # throttle_time_ms
    (brokers,) = struct.unpack_from(">i", payload, offset)
    offset += 4
    for _ in range(brokers):
        offset += 4  # node_id
        (host_len,) = struct.unpack_from(">h", payload, offset)
        offset += 2 + host_len + 4  # host, port
        (rack_len,) = struct.unpack_from(">h", payload, offset)
        offset += 2 + max(rack_len, 0)
    (cluster_len,) = struct.unpack_from(">h", payload, offset)
    offset += 2
    cluster = None if cluster_len < 0 else payload[offset : offset + cluster_len].decode()
    return brokers, cluster


def probe_cluster_id(host: str, port: int, timeout: float = 2.0) -> str | None:
    """Cluster id once the broker serves Metadata and lists itself; None while it is not ready."""
    brokers, cluster = probe_metadata(host, port, timeout)
    return cluster if brokers > 0 else None


def probe_metadata(host: str, port: int, timeout: float = 2.0) -> tuple[int, str | None]:
    """(brokers the node lists as alive, cluster id); (0, None) while it does not answer.

    A raw Metadata v4 request (the oldest version Kafka 4 accepts) keeps this check synchronous and
    free of client-library quirks, so it also works from inside a running event loop's thread.
    """
    client_id = b"devstack-probe"
    correlation_id = 1
    header = struct.pack(">hhih", 3, 4, correlation_id, len(client_id)) + client_id
    body = struct.pack(">i?", 0, False)  # no topics, no auto-creation
    request = header + body
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(struct.pack(">i", len(request)) + request)
            (size,) = struct.unpack(">i", _read_exact(sock, 4))
            response = _read_exact(sock, size)
    except OSError:
        return 0, None
    (got_correlation,) = struct.unpack_from(">i", response, 0)
    if got_correlation != correlation_id:
        return 0, None
    try:
        return _parse_metadata_v4(response[4:])
    except struct.error:
        return 0, None
