"""Replication settings: one broker allows one replica, the three-node cluster keeps 3 with 2 in sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from devstack.kafka import KafkaServer
from devstack.kafka_cluster import KafkaCluster
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import new_topics


def test_a_single_broker_replicates_nothing_and_bootstraps_its_own_quorum(tmp_path: Path) -> None:
    props = KafkaServer(tmp_path, 19092, 19093).properties()
    assert props["controller.quorum.bootstrap.servers"] == "127.0.0.1:19093"
    assert "controller.quorum.voters" not in props
    replication = ("default.replication.factor", "offsets.topic.replication.factor", "min.insync.replicas")
    assert {props[key] for key in replication} == {"1"}


def test_each_cluster_node_names_the_same_three_voters_and_replicates_to_all(tmp_path: Path) -> None:
    cluster = KafkaCluster(tmp_path, [19092, 19094, 19096], [19093, 19095, 19097])
    props = [node.properties() for node in cluster.nodes]
    voters = "1@127.0.0.1:19093,2@127.0.0.1:19095,3@127.0.0.1:19097"
    assert [p["controller.quorum.voters"] for p in props] == [voters] * 3
    assert [p["node.id"] for p in props] == ["1", "2", "3"]
    assert len({p["log.dirs"] for p in props}) == 3
    for p in props:
        assert "controller.quorum.bootstrap.servers" not in p
        assert p["default.replication.factor"] == p["offsets.topic.replication.factor"] == "3"
        assert p["min.insync.replicas"] == p["transaction.state.log.min.isr"] == "2"
    assert cluster.bootstrap == "127.0.0.1:19092,127.0.0.1:19094,127.0.0.1:19096"
    assert cluster.client_env() == {
        "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap,
        "KAFKA_REPLICATION_FACTOR": "3",
        "KAFKA_MIN_INSYNC_REPLICAS": "2",
    }


def test_topics_are_created_with_the_replication_the_settings_ask_for() -> None:
    [topic] = new_topics(KafkaSettings(replication_factor=3, min_insync_replicas=2), ["jakpreneur.permits"])
    assert (topic.num_partitions, topic.replication_factor) == (3, 3)
    assert topic.topic_configs["min.insync.replicas"] == "2"
    assert topic.topic_configs["retention.ms"] == "-1"


def test_defaults_suit_one_local_broker() -> None:
    settings = KafkaSettings()
    assert (settings.replication_factor, settings.min_insync_replicas) == (1, 1)


def test_more_in_sync_replicas_than_replicas_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="KAFKA_MIN_INSYNC_REPLICAS"):
        KafkaSettings(replication_factor=1, min_insync_replicas=2)
