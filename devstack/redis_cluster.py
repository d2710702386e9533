"""A Redis Cluster on loopback: three masters with a replica each, Debian's redis-server and redis-cli.

Each node is a RedisServer in cluster mode with its own run directory (nodes.conf and the append-only
file), its client port and an explicit cluster-bus port: the default bus port (client port + 10000) would
fall outside 65535 for the high ports the kernel hands out. `redis-cli --cluster create` assigns the slots
and pairs each master with a replica.

Failover is tuned for tests on one machine: a node unreachable for `cluster-node-timeout` (1 s) is failed
by the other masters, and its replica wins the election some 0.5 to 1 s later. `cluster-replica-validity-
factor 0` lets a replica take over however long its link was down (a loaded CI machine delays
replication), and `cluster-require-full-coverage no` keeps the other masters' slots serving while one
master's slots wait for its replica.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError

from devstack.ports import free_ports, require_free
from devstack.process import ChildProcess, ServerError, install_exit_signal_handlers, run_checked
from devstack.redis_server import RedisServer

log = logging.getLogger(__name__)

SLOTS = 16384
MASTERS = 3
REPLICAS_PER_MASTER = 1
NODE_TIMEOUT_MS = 1000
POLL_INTERVAL = 0.1


class ClusterNodeServer(RedisServer):
    """One node: cluster mode on, nodes.conf and the AOF in its own directory, a given bus port."""

    def __init__(
        self,
        port: int,
        bus_port: int,
        data_dir: Path,
        *,
        node_timeout_ms: int = NODE_TIMEOUT_MS,
        redis_server: Path | None = None,
    ) -> None:
        super().__init__(port, data_dir, appendonly=True, redis_server=redis_server)
        self.name = f"redis-cluster-{port}"
        self.bus_port = bus_port
        self.node_timeout_ms = node_timeout_ms

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def _make_child(self) -> ChildProcess:
        standalone = super()._make_child()
        cluster_options = [
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            str(self.data_dir / "nodes.conf"),
            "--cluster-port",
            str(self.bus_port),
            "--cluster-node-timeout",
            str(self.node_timeout_ms),
            "--cluster-replica-validity-factor",
            "0",
            "--cluster-require-full-coverage",
            "no",
            # A replica's first sync starts at once instead of waiting 5 s for others to join it.
            "--repl-diskless-sync-delay",
            "0",
            # An idle master's replication offset stays 0 until its first ping down the link, and a
            # replica at offset 0 counts as still loading: left out of CLUSTER SLOTS, which clients read.
            "--repl-ping-replica-period",
            "1",
        ]
        return ChildProcess(
            self.name, [*standalone.argv, *cluster_options], standalone.log_path, cwd=self.data_dir
        )

    def client(self) -> Redis:
        """A plain (non-cluster) client of this node, for CLUSTER and INFO commands."""
        return Redis(
            self.host, self.port, socket_timeout=2.0, socket_connect_timeout=2.0, decode_responses=True
        )


@dataclass(frozen=True)
class NodeState:
    """One line of CLUSTER NODES: who a node is, its role, whether it is failed and the slots it serves."""

    node_id: str
    host: str
    port: int
    is_master: bool
    master_id: str | None
    failed: bool
    slots: tuple[tuple[int, int], ...]

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def slot_count(self) -> int:
        return sum(last - first + 1 for first, last in self.slots)


@dataclass(frozen=True)
class Topology:
    """The cluster as one node sees it."""

    nodes: tuple[NodeState, ...]

    @classmethod
    def parse(cls, cluster_nodes: str) -> Topology:
        """Parse CLUSTER NODES: `id ip:port@bus[,hostname] flags master ping pong epoch link slot...`."""
        return cls(tuple(_parse_node(line.split()) for line in cluster_nodes.splitlines() if line.strip()))

    @property
    def masters(self) -> list[NodeState]:
        """The live masters that serve slots, by port."""
        serving = (n for n in self.nodes if n.is_master and not n.failed and n.slots)
        return sorted(serving, key=lambda n: n.port)

    def replicas_of(self, master: NodeState) -> list[NodeState]:
        return [n for n in self.nodes if n.master_id == master.node_id and not n.failed]

    def master_of_slot(self, slot: int) -> NodeState | None:
        for master in self.masters:
            if any(first <= slot <= last for first, last in master.slots):
                return master
        return None

    def node(self, port: int) -> NodeState:
        for node in self.nodes:
            if node.port == port:
                return node
        raise ServerError(f"no node on port {port} in the cluster")

    @property
    def covered_slots(self) -> int:
        return sum(master.slot_count for master in self.masters)

    def is_healthy(self, masters: int, replicas_per_master: int) -> bool:
        """Every slot on a live master, `masters` of them, each with its replicas, and no node failed."""
        return (
            self.covered_slots == SLOTS
            and len(self.masters) == masters
            and all(len(self.replicas_of(m)) >= replicas_per_master for m in self.masters)
            and not any(n.failed for n in self.nodes)
        )


def _parse_node(fields: list[str]) -> NodeState:
    address = fields[1].split("@", 1)[0]
    host, port = address.rsplit(":", 1)
    flags = set(fields[2].split(","))
    slots: list[tuple[int, int]] = []
    for token in fields[8:]:
        if token.startswith("["):
            continue  # a slot being imported or migrated: not this node's yet
        first, _, last = token.partition("-")
        slots.append((int(first), int(last or first)))
    return NodeState(
        node_id=fields[0],
        host=host,
        port=int(port),
        is_master="master" in flags,
        master_id=None if fields[3] == "-" else fields[3],
        failed="fail" in flags,
        slots=tuple(slots),
    )


@dataclass(frozen=True)
class Failover:
    """What kill_master() saw: the master killed, the replica that took its slots, and how long it took."""

    killed: NodeState
    promoted: NodeState
    seconds: float
    topology: Topology


class LocalRedisCluster:
    """`masters` masters with `replicas_per_master` replicas each, on the given client and bus ports."""

    def __init__(
        self,
        base_dir: Path,
        ports: list[int],
        bus_ports: list[int],
        *,
        replicas_per_master: int = REPLICAS_PER_MASTER,
        node_timeout_ms: int = NODE_TIMEOUT_MS,
        redis_server: Path | None = None,
        redis_cli: Path | None = None,
    ) -> None:
        if len(ports) != len(bus_ports) or len(ports) % (replicas_per_master + 1):
            raise ServerError(
                "a cluster needs a bus port per node and the same number of replicas per master"
            )
        self.base_dir = Path(base_dir).absolute()
        self.replicas_per_master = replicas_per_master
        self.master_count = len(ports) // (replicas_per_master + 1)
        self.redis_cli = redis_cli
        self.nodes = [
            ClusterNodeServer(
                port,
                bus,
                self.base_dir / f"node-{port}",
                node_timeout_ms=node_timeout_ms,
                redis_server=redis_server,
            )
            for port, bus in zip(ports, bus_ports, strict=True)
        ]
        self._started = False

    @classmethod
    def on_free_ports(
        cls,
        base_dir: Path,
        masters: int = MASTERS,
        replicas_per_master: int = REPLICAS_PER_MASTER,
        *,
        redis_server: Path | None = None,
        redis_cli: Path | None = None,
    ) -> LocalRedisCluster:
        count = masters * (replicas_per_master + 1)
        ports = free_ports(2 * count)
        return cls(
            base_dir,
            ports[:count],
            ports[count:],
            replicas_per_master=replicas_per_master,
            redis_server=redis_server,
            redis_cli=redis_cli,
        )

    @property
    def startup_nodes(self) -> list[tuple[str, int]]:
        """(host, port) of every node: what a cluster client needs to find the rest."""
        return [(node.host, node.port) for node in self.nodes]

    def node(self, port: int) -> ClusterNodeServer:
        for node in self.nodes:
            if node.port == port:
                return node
        raise ServerError(f"no node on port {port} in this cluster")

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self, timeout: float = 60.0) -> LocalRedisCluster:
        """Start the nodes, create the cluster, wait until it is healthy. Call from a long-lived thread."""
        began = time.monotonic()
        install_exit_signal_handlers()
        atexit.register(self.stop)
        self._started = True
        try:
            require_free({f"{n.name} {kind}": p for n in self.nodes for kind, p in _ports(n).items()})
            if any((node.data_dir / "nodes.conf").exists() for node in self.nodes):
                raise ServerError(f"{self.base_dir} already holds a cluster; give a fresh directory")
            for node in self.nodes:
                node.prepare()
                node.spawn()  # here, not in a pool thread: a node dies with the thread that spawned it
            self._parallel("start", lambda node: node.wait_ready(timeout))
            self._create(timeout)
            self.wait_healthy(max(timeout - (time.monotonic() - began), 10.0))
        except BaseException:
            self.stop()
            raise
        log.info("redis cluster ready in %.1fs: %s", time.monotonic() - began, self.startup_nodes)
        return self

    def _create(self, timeout: float) -> None:
        cli = str(self.redis_cli) if self.redis_cli else shutil.which("redis-cli")
        if cli is None:
            raise ServerError("redis-cli is not installed (apt-get install redis-tools)")
        argv = [cli, "--cluster", "create", *(node.address for node in self.nodes)]
        argv += ["--cluster-replicas", str(self.replicas_per_master), "--cluster-yes"]
        run_checked(argv, what="redis-cli --cluster create", timeout=timeout)

    def stop(self, timeout: float = 30.0) -> None:
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        running = [node for node in self.nodes if node.is_running]
        with ThreadPoolExecutor(len(running) or 1, thread_name_prefix="redis-cluster-stop") as pool:
            for node in running:
                pool.submit(node.stop, timeout)

    # --- state ----------------------------------------------------------------------------------

    def topology(self, seen_from: ClusterNodeServer | None = None) -> Topology:
        """CLUSTER NODES as one running node (the first by default) sees it."""
        node = seen_from or next((n for n in self.nodes if n.is_running), None)
        if node is None:
            raise ServerError("no node of the cluster is running")
        with node.client() as client:
            return Topology.parse(str(client.execute_command("CLUSTER", "NODES")))

    def wait_healthy(self, timeout: float = 30.0) -> Topology:
        """Until every node runs, says cluster_state:ok with every slot ok, sees a healthy topology with
        every node online (CLUSTER SHARDS), and every replica has synced (it can take over) and written
        its append-only file: a node rewriting its first AOF ignores SIGTERM, so a cluster stopped then
        would not stop cleanly."""

        def healthy(view: _View) -> bool:
            return view.settled and view.topology.is_healthy(self.master_count, self.replicas_per_master)

        # A node that is down answers nothing, so is not ok.
        return self._wait("healthy", timeout, lambda: self.nodes, healthy)

    def _wait(
        self,
        what: str,
        timeout: float,
        observers: Callable[[], Iterable[ClusterNodeServer]],
        ready: Callable[[_View], bool],
    ) -> Topology:
        """Until every observer says cluster_state:ok, all slots ok, and sees a topology `ready` accepts."""
        deadline = time.monotonic() + timeout
        while True:
            views = [_View.of(node) for node in observers()]
            if views and all(view.ok and ready(view) for view in views):
                return views[0].topology
            if time.monotonic() > deadline:
                seen = "\n".join(view.describe() for view in views)
                raise ServerError(f"redis cluster not {what} after {timeout:.0f}s; last seen:\n{seen}")
            time.sleep(POLL_INTERVAL)

    # --- faults ---------------------------------------------------------------------------------

    def kill_master(self, port: int | None = None, timeout: float = 30.0) -> Failover:
        """kill -9 a master (the one on `port`, else the lowest), then wait for its replica to take over.

        Returns once every surviving node says cluster_state:ok, sees all slots on live masters and the
        killed master's replica serving its slots.
        """
        before = self.topology()
        killed = before.node(port) if port is not None else before.masters[0]
        if not killed.is_master or killed.failed or not killed.slots:
            raise ServerError(f"{killed.address} is not a live master serving slots")
        candidates = {replica.node_id for replica in before.replicas_of(killed)}
        if not candidates:
            raise ServerError(f"master {killed.address} has no replica to take over")
        began = time.monotonic()
        self.node(killed.port).kill()
        log.info("redis cluster master %s killed (-9)", killed.address)

        def taken_over(view: _View) -> bool:
            owner = view.topology.master_of_slot(killed.slots[0][0])
            return view.topology.covered_slots == SLOTS and owner is not None and owner.node_id in candidates

        topology = self._wait("failed over", timeout, self._survivors, taken_over)
        promoted = topology.master_of_slot(killed.slots[0][0])
        assert promoted is not None  # taken_over() saw it
        seconds = time.monotonic() - began
        log.info("redis cluster: %s took over from %s in %.1fs", promoted.address, killed.address, seconds)
        return Failover(killed=killed, promoted=promoted, seconds=seconds, topology=topology)

    def restart_stopped(self, timeout: float = 60.0) -> Topology:
        """Start every node that is down on its own directory; wait until the cluster is healthy again.

        A killed master comes back as a replica of the node that took over its slots (nodes.conf and
        the append-only file are kept), so three masters with a replica each are there once more.
        """
        for node in self.nodes:
            if not node.is_running:
                node.start(timeout)
        return self.wait_healthy(timeout)

    def _survivors(self) -> list[ClusterNodeServer]:
        return [node for node in self.nodes if node.is_running]

    def _parallel(self, step: str, action: Callable[[ClusterNodeServer], None]) -> None:
        with ThreadPoolExecutor(len(self.nodes), thread_name_prefix=f"redis-cluster-{step}") as pool:
            futures = {node.name: pool.submit(action, node) for node in self.nodes}
        errors = [f"{name}: {future.exception()}" for name, future in futures.items() if future.exception()]
        if errors:
            raise ServerError(f"could not {step} the redis cluster:\n" + "\n\n".join(errors))


@dataclass(frozen=True)
class _View:
    """One node's answer: CLUSTER INFO, CLUSTER NODES, and whether it has settled."""

    node: ClusterNodeServer
    info: dict[str, str]
    topology: Topology
    # A master or a synced replica, with no AOF rewrite going on or due, that sees every node online.
    settled: bool = False

    @classmethod
    def of(cls, node: ClusterNodeServer) -> _View:
        try:
            with node.client() as client:
                info = str(client.execute_command("CLUSTER", "INFO"))
                nodes = str(client.execute_command("CLUSTER", "NODES"))
                replication = client.info("replication")
                persistence = client.info("persistence")
                shards = client.cluster("SHARDS")
        except RedisError as exc:
            return cls(node, {"error": str(exc)}, Topology(()))
        fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
        synced = replication.get("role") == "master" or replication.get("master_link_status") == "up"
        rewriting = persistence.get("aof_rewrite_in_progress") or persistence.get("aof_rewrite_scheduled")
        online = all(n["health"] == "online" for shard in shards for n in shard["nodes"])
        return cls(node, fields, Topology.parse(nodes), synced and not rewriting and online)

    @property
    def ok(self) -> bool:
        return self.info.get("cluster_state") == "ok" and self.info.get("cluster_slots_ok") == str(SLOTS)

    def describe(self) -> str:
        if "error" in self.info:
            return f"{self.node.name}: {self.info['error']}"
        topology = self.topology
        masters = ", ".join(
            f"{m.address} ({m.slot_count} slots, replicas {[r.address for r in topology.replicas_of(m)]})"
            for m in topology.masters
        )
        failed = [n.address for n in topology.nodes if n.failed]
        state = self.info.get("cluster_state"), self.info.get("cluster_slots_ok")
        return (
            f"{self.node.name}: state {state[0]}, slots ok {state[1]}, settled {self.settled}; "
            f"masters {masters}; failed {failed}"
        )


def _ports(node: ClusterNodeServer) -> dict[str, int]:
    return {"client": node.port, "bus": node.bus_port}
