"""Readiness that fits: a producing service is ready with its database (Kafka shown, the outbox buffers its
outages); reporting is ready with Redis."""

from __future__ import annotations

import httpx

from devstack.ports import free_ports
from tests.integration.stack import Stack, client

CLASS = {
    "title": "Kewirausahaan Dasar",
    "program": "entrepreneurship",
    "kota_code": "31.74",
    "starts_on": "2023-03-01",
    "ends_on": "2023-03-31",
    "capacity": 20,
}


def _closed_port() -> str:
    (port,) = free_ports(1)  # free: nothing listens there
    return f"127.0.0.1:{port}"


def _gauge(metrics: str, dependency: str) -> str:
    prefix = f'dependency_up{{dependency="{dependency}"}} '
    return next(line.removeprefix(prefix) for line in metrics.splitlines() if line.startswith(prefix))


def test_a_producing_service_with_kafka_unreachable_is_ready_and_shows_kafka_down(stack: Stack) -> None:
    server = stack.producing("training", KAFKA_BOOTSTRAP_SERVERS=_closed_port())
    with client(server) as api:
        ready = api.get("/readyz")
        assert ready.status_code == 200, ready.text
        assert ready.json()["required"] == ["database"]
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["kafka"].startswith("unavailable")
        metrics = api.get("/ops/metrics").text
        assert (_gauge(metrics, "database"), _gauge(metrics, "kafka")) == ("1.0", "0.0")
        # It serves: the write waits in the outbox for Kafka.
        assert api.post("/classes", json=CLASS).status_code == 201


def test_a_producing_service_without_its_database_is_not_ready(stack: Stack) -> None:
    server = stack.producing("permits", "postgresql")
    with client(server) as api:
        assert api.get("/readyz").status_code == 200
        stack.infra.drop_database(f"{stack.name}_permits")  # WITH (FORCE): its connections end too
        ready = api.get("/readyz")
        assert ready.status_code == 503, ready.text
        assert ready.json()["ready"] is False
        assert ready.json()["checks"]["database"].startswith("unavailable")
        assert _gauge(api.get("/ops/metrics").text, "database") == "0.0"


def test_reporting_is_ready_with_redis_whatever_kafka_does(stack: Stack) -> None:
    without_kafka = stack.reporting(KAFKA_BOOTSTRAP_SERVERS=_closed_port())
    ready = httpx.get(f"{without_kafka.url}/readyz", timeout=10)
    assert ready.status_code == 200, ready.text
    assert ready.json()["required"] == ["redis"]
    assert ready.json()["checks"]["kafka"].startswith("unavailable")


def test_reporting_without_redis_is_not_ready(stack: Stack) -> None:
    without_redis = stack.reporting(REPORTING_REDIS_URL=f"redis://{_closed_port()}/0")
    ready = httpx.get(f"{without_redis.url}/readyz", timeout=10)
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"]["redis"].startswith("unavailable")
