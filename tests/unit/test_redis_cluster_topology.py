"""devstack's reading of CLUSTER NODES (devstack/redis_cluster.py), on replies as Redis 7 writes them."""

from __future__ import annotations

from devstack.redis_cluster import SLOTS, Topology

HEALTHY = """\
a1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460
a2 127.0.0.1:30002@40002 master - 0 1700000000000 2 connected 5461-10922
a3 127.0.0.1:30003@40003,node-3 master - 0 1700000000000 3 connected 10923-16383
b1 127.0.0.1:30004@40004 slave a1 0 1700000000000 1 connected
b2 127.0.0.1:30005@40005 slave a2 0 1700000000000 2 connected
b3 127.0.0.1:30006@40006 slave,fail? a3 0 1700000000000 3 connected
"""

# a1 killed: b1 holds its slots now; a1 is flagged failed and keeps no slots.
FAILED_OVER = """\
a1 127.0.0.1:30001@40001 master,fail - 1700000000000 1700000000000 1 disconnected
a2 127.0.0.1:30002@40002 myself,master - 0 0 2 connected 5461-10922
a3 127.0.0.1:30003@40003 master - 0 1700000000000 3 connected 10923-16383
b1 127.0.0.1:30004@40004 master - 0 1700000000000 7 connected 0-5460
b2 127.0.0.1:30005@40005 slave a2 0 1700000000000 2 connected
b3 127.0.0.1:30006@40006 slave a3 0 1700000000000 3 connected
"""


def test_a_healthy_cluster_has_its_masters_their_replicas_and_every_slot() -> None:
    topology = Topology.parse(HEALTHY)
    assert [m.port for m in topology.masters] == [30001, 30002, 30003]
    assert topology.covered_slots == SLOTS
    assert [r.port for r in topology.replicas_of(topology.node(30001))] == [30004]
    assert topology.node(30003).host == "127.0.0.1"  # the hostname after the bus port is not the host
    assert topology.master_of_slot(5461) == topology.node(30002)
    # A node only suspected (fail?) by one observer still counts as up.
    assert topology.is_healthy(masters=3, replicas_per_master=1)
    assert not topology.is_healthy(masters=3, replicas_per_master=2)


def test_after_a_failover_the_replica_serves_the_slots_and_the_old_master_is_failed() -> None:
    topology = Topology.parse(FAILED_OVER)
    killed, promoted = topology.node(30001), topology.node(30004)
    assert killed.failed and not killed.slots
    assert promoted.is_master and promoted.slots == ((0, 5460),)
    assert topology.master_of_slot(0) == promoted
    assert topology.covered_slots == SLOTS
    assert not topology.replicas_of(promoted)
    assert not topology.is_healthy(masters=3, replicas_per_master=1)  # a failed node, a master alone


def test_slots_being_migrated_stay_with_their_owner_and_single_slots_count_once() -> None:
    line = "a1 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-99 100 [101->-a2] [102-<-a3]"
    (node,) = Topology.parse(line).nodes
    assert node.slots == ((0, 99), (100, 100))
    assert node.slot_count == 101
