"""Redis Cluster in the tests (issue 16.3): devstack's three masters with a replica each, on loopback.

What reporting on a cluster will rely on, shown with redis-py's asyncio cluster client: keys spread over
every master, MULTI/EXEC and EVALSHA on keys that share one hash tag (and refused when they do not), and a
master killed with kill -9 replaced by its replica while writes go on. The cluster is the session's
(`redis_cluster` in tests/conftest.py); the failover test leaves it healthy again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any
from uuid import uuid4

import pytest
from redis.asyncio import Redis
from redis.asyncio.cluster import ClusterNode, RedisCluster
from redis.crc import key_slot
from redis.exceptions import (
    ClusterDownError,
    ConnectionError,
    NoScriptError,
    RedisClusterException,
    ResponseError,
    SlotNotCoveredError,
    TimeoutError,
    TryAgainError,
    WatchError,
)

from devstack.redis_cluster import NODE_TIMEOUT_MS, SLOTS, LocalRedisCluster

pytestmark = [pytest.mark.integration, pytest.mark.timeout(90)]

# Apply-if-newer, as reporting applies a batch: the offset and the counter are both declared as keys.
APPLY = """
local stored = tonumber(redis.call('GET', KEYS[1]) or '-1')
if tonumber(ARGV[1]) <= stored then return 0 end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], 'total', ARGV[2])
return 1
"""
# Keys named in ARGV, as store/bulk.py does on a single Redis.
UNDECLARED = "return redis.call('GET', ARGV[1])"

# What a client sees while a master is down and until its replica has its slots.
FAILOVER_ERRORS = (ConnectionError, TimeoutError, ClusterDownError, TryAgainError, SlotNotCoveredError)
WAIT_MS = 100  # how long a write waits for its replica to confirm it (WAIT 1)


@asynccontextmanager
async def cluster_client(nodes: Sequence[tuple[str, int]]) -> AsyncIterator[RedisCluster]:
    client = RedisCluster(
        startup_nodes=[ClusterNode(host, port) for host, port in nodes], decode_responses=True
    )
    async with client:
        yield client


def node_client(node: ClusterNode) -> Redis:
    """A plain connection to one node, as if the cluster were a single Redis."""
    return Redis(host=node.host, port=int(node.port), decode_responses=True)


def owner(client: RedisCluster, key: str) -> ClusterNode:
    """The master serving the key's slot, as the client last learnt it."""
    node = client.get_node_from_key(key)
    if node is None:
        raise SlotNotCoveredError(f"no master known for {key}")
    return node


def run_id() -> str:
    return f"t16:{uuid4().hex[:8]}"


def in_slots(slot: int, slots: Sequence[tuple[int, int]]) -> bool:
    return any(first <= slot <= last for first, last in slots)


async def until(condition: Callable[[], bool], within: float, what: str) -> None:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within:.0f}s: {what}")
        await asyncio.sleep(0.05)


async def test_three_masters_with_a_replica_each_cover_every_slot(
    redis_cluster_nodes: list[tuple[str, int]],
) -> None:
    for host, port in redis_cluster_nodes:
        async with Redis(host=host, port=port, decode_responses=True) as node:
            info = await node.cluster("INFO")
        assert info["cluster_state"] == "ok", (port, info)
        assert int(info["cluster_slots_assigned"]) == int(info["cluster_slots_ok"]) == SLOTS, (port, info)
        assert (int(info["cluster_size"]), int(info["cluster_known_nodes"])) == (3, 6), (port, info)
    async with cluster_client(redis_cluster_nodes) as client:
        # {(first, last): {"primary": (host, port), "replicas": [(host, port), ...]}} per slot range
        ranges: dict[tuple[int, int], dict[str, Any]] = await client.execute_command(
            "CLUSTER SLOTS", target_nodes=client.get_random_node()
        )
    masters = {shard["primary"] for shard in ranges.values()}
    replicas = [replica for shard in ranges.values() for replica in shard["replicas"]]
    assert sum(last - first + 1 for first, last in ranges) == SLOTS
    assert len(masters) == 3
    assert all(len(shard["replicas"]) == 1 for shard in ranges.values())
    assert not masters & set(replicas)
    assert len(masters | set(replicas)) == 6


async def test_keys_across_slots_are_written_and_read_back_on_their_masters(
    redis_cluster_nodes: list[tuple[str, int]],
) -> None:
    run = run_id()
    values = {f"{run}:k{i}": str(i) for i in range(600)}
    async with cluster_client(redis_cluster_nodes) as client:
        async with client.pipeline() as pipe:  # split by node, one round trip per master
            for key, value in values.items():
                pipe.set(key, value)
            assert all(await pipe.execute())
        assert await client.mget_nonatomic(list(values)) == list(values.values())
        owners: dict[str, list[str]] = {}
        for key in values:
            owners.setdefault(owner(client, key).name, []).append(key)
        assert len(owners) == 3  # every master holds some of them
        for name, keys in owners.items():
            node = client.get_node(node_name=name)
            assert node is not None
            async with node_client(node) as plain, plain.pipeline(transaction=False) as read:
                for key in keys:
                    read.get(key)
                assert await read.execute() == [values[key] for key in keys], f"not on {name}"


async def test_multi_exec_with_watch_and_evalsha_on_keys_of_one_hash_tag(
    redis_cluster_nodes: list[tuple[str, int]],
) -> None:
    run = run_id()
    offset, counter, subject = (f"{run}:{{p7}}:{part}" for part in ("o", "c", "s"))
    async with cluster_client(redis_cluster_nodes) as client, cluster_client(redis_cluster_nodes) as other:
        assert len({client.keyslot(key) for key in (offset, counter, subject)}) == 1

        async with client.pipeline(transaction=True) as tx:
            await tx.watch(offset)  # type: ignore[no-untyped-call]
            assert await tx.get(offset) is None
            tx.multi()  # type: ignore[no-untyped-call]
            tx.hincrby(counter, "total", 3)
            tx.hset(subject, "registration", "2024-05-17")
            tx.set(offset, 41)
            assert await tx.execute() == [3, 1, True]

        # Another writer moves the watched offset between WATCH and EXEC: nothing of the batch is applied.
        with pytest.raises(WatchError):
            async with client.pipeline(transaction=True) as tx:
                await tx.watch(offset)  # type: ignore[no-untyped-call]
                await other.set(offset, 42)
                tx.multi()  # type: ignore[no-untyped-call]
                tx.hincrby(counter, "total", 100)
                tx.set(offset, 42)
                await tx.execute()
        assert await client.hget(counter, "total") == "3"

        sha = await client.script_load(APPLY)
        async with client.pipeline(transaction=True) as tx:
            tx.multi()  # type: ignore[no-untyped-call]
            # redis-py's cluster pipeline blocks its evalsha() method; the command itself is routed by
            # its declared keys like any other.
            tx.execute_command("EVALSHA", sha, 2, offset, counter, 43, 2)
            tx.execute_command("EVALSHA", sha, 2, offset, counter, 43, 2)  # the same offset again: skipped
            assert await tx.execute() == [1, 0]
        assert await client.hget(counter, "total") == "5"
        assert await client.get(offset) == "43"


async def test_keys_of_different_hash_tags_are_refused_together(
    redis_cluster_nodes: list[tuple[str, int]],
) -> None:
    """Why reporting's batch must be one hash tag per transaction, and its Lua keys declared as keys."""
    run = run_id()
    first, second = f"{run}:{{p1}}:o", f"{run}:{{p2}}:o"
    async with cluster_client(redis_cluster_nodes) as client:
        assert client.keyslot(first) != client.keyslot(second)
        with pytest.raises(RedisClusterException, match="same slot"):
            async with client.pipeline(transaction=True) as tx:
                tx.multi()  # type: ignore[no-untyped-call]
                tx.set(first, 1)
                tx.set(second, 1)
                await tx.execute()
        assert await client.exists(first, second) == 0

        await client.set(second, "kept")
        elsewhere = next(node for node in client.get_primaries() if node is not owner(client, second))
        sha = await client.script_load(UNDECLARED)
        with pytest.raises(ResponseError, match="non local key"):
            await client.execute_command("EVALSHA", sha, 0, second, target_nodes=elsewhere)


@dataclass(frozen=True)
class Write:
    key: str
    slot: int
    replicas: int  # replicas that had it when it was acknowledged (WAIT)
    at: float


@dataclass
class Writer:
    """Writes keys one after another through the cluster client, each retried until acknowledged."""

    client: RedisCluster
    prefix: str
    deadline: float
    acknowledged: list[Write] = field(default_factory=list)
    retries: int = 0

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            self.acknowledged.append(await self._write(f"{self.prefix}:{len(self.acknowledged)}"))

    async def _write(self, key: str) -> Write:
        while True:
            try:
                node = owner(self.client, key)
                async with self.client.pipeline() as pipe:  # SET and WAIT on one connection to the master
                    pipe.set(key, key)
                    pipe.wait(1, WAIT_MS, target_nodes=node)
                    _, replicas = await pipe.execute()
                return Write(key, key_slot(key.encode()), int(replicas), time.monotonic())
            except FAILOVER_ERRORS:
                self.retries += 1  # in doubt: SET again, it writes the same value
                if time.monotonic() > self.deadline:
                    raise
                await asyncio.sleep(0.05)

    def count(self, slots: Sequence[tuple[int, int]], after: float = 0.0) -> int:
        return sum(1 for w in self.acknowledged if w.at > after and in_slots(w.slot, slots))


async def test_a_master_killed_with_kill_9_is_replaced_by_its_replica_and_writes_go_on(
    redis_cluster: LocalRedisCluster,
) -> None:
    before = redis_cluster.topology()
    victim = before.masters[0]
    run = run_id()
    tag = next(tag for n in range(10_000) if in_slots(key_slot((tag := f"v{n}").encode()), victim.slots))
    probe = [f"{run}:{{{tag}}}:o", f"{run}:{{{tag}}}:c"]  # two keys on the victim's slots
    try:
        async with cluster_client(redis_cluster.startup_nodes) as client:
            sha = await client.script_load(APPLY)  # on every master, the victim included
            writer = Writer(client, run, deadline=time.monotonic() + 45)
            stop = asyncio.Event()
            writing = asyncio.create_task(writer.run(stop))
            try:
                await until(lambda: writer.count(victim.slots) >= 100, 20, "100 writes on the victim")
                failover = await asyncio.to_thread(redis_cluster.kill_master, victim.port, 20.0)
                taken_over = time.monotonic()
                await until(
                    lambda: writer.count(victim.slots, after=taken_over) >= 20,
                    20,
                    "20 writes on the victim's slots after its replica took over",
                )
            finally:
                stop.set()
                await asyncio.wait_for(writing, 30)
            stored = await client.mget_nonatomic([w.key for w in writer.acknowledged])
            # Replicas do not get scripts loaded on their master (Redis 7): EVALSHA fails on the promoted
            # one until the script is sent again, and EVAL (the script itself) works everywhere.
            with pytest.raises(NoScriptError):
                await client.execute_command("EVALSHA", sha, 2, *probe, 1, 1)
            assert await client.execute_command("EVAL", APPLY, 2, *probe, 1, 1) == 1
        missing = [w for w, value in zip(writer.acknowledged, stored, strict=True) if value != w.key]
        # Redis replicates asynchronously: only a write the victim acknowledged before its replica had it
        # may be gone with the victim. Every write the replica confirmed (WAIT) survives.
        on_victim = [w for w in writer.acknowledged if in_slots(w.slot, victim.slots)]
        unconfirmed = [w for w in on_victim if not w.replicas and w.at < taken_over]
        assert all(w in unconfirmed for w in missing), missing[:5]
        # The writes were going on when the victim died: they stalled until its replica took over.
        stall = max(b.at - a.at for a, b in pairwise(writer.acknowledged))
        assert stall >= NODE_TIMEOUT_MS / 1000
        assert failover.killed.node_id == victim.node_id
        assert failover.promoted.node_id in {replica.node_id for replica in before.replicas_of(victim)}
        assert failover.promoted.slots == victim.slots
        assert failover.topology.covered_slots == SLOTS
        print(
            f"\nfailover of {victim.address} to {failover.promoted.address} in {failover.seconds:.1f}s, "
            f"writes stalled {stall:.1f}s; {len(writer.acknowledged)} acknowledged ({len(on_victim)} on the "
            f"victim's slots), {writer.retries} retried, {len(unconfirmed)} unconfirmed by a replica before "
            f"the takeover, {len(missing)} lost"
        )
    finally:
        healed = redis_cluster.restart_stopped(60)  # on the main thread, which outlives the node
    # The killed master is back, as the replica of the node that took its slots.
    assert healed.node(victim.port).master_id == failover.promoted.node_id
    assert not healed.node(victim.port).is_master
