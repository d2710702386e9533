"""Session-wide test infrastructure: one Kafka broker, one Redis, one PostgreSQL for the whole run.

Started lazily (only when a test asks for `infra`) by devstack on free loopback ports in a temp dir.
Point the tests at servers you already run instead with JP_TEST_KAFKA_BOOTSTRAP (host:port),
JP_TEST_REDIS_URL (redis://...) and JP_TEST_POSTGRES_URL (postgresql+psycopg://user@host:port/db).

Every test outside tests/unit, and every test that asks for `infra` however indirectly, is marked
`integration` here, so `pytest -m "not integration"` is the fast run that starts no server.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from devstack import Endpoints, InfraPorts, LocalInfra, ServerError, ensure_system_packages
from devstack.redis_cluster import LocalRedisCluster
from tests.pii_scan import Leak, scan_logs, scan_topics

# Services default to production; tests ask for development (its public secret and PII keys), for the
# settings built in this process (tokens, in-process apps, the CLI) and the services it starts.
os.environ["AUTH_ENVIRONMENT"] = "development"

TESTS = Path(__file__).parent
# The directories whose tests run against real servers (or drive a browser against them).
INTEGRATION_DIRS = frozenset({"integration", "faults", "fuzz", "browser"})
# The fixtures that start servers.
SERVER_FIXTURES = frozenset({"infra", "redis_cluster"})


def needs_servers(path: Path, fixtures: Iterable[str]) -> bool:
    """An integration test by where it lives, or by asking for the servers from anywhere else."""
    home = path.relative_to(TESTS).parts[0] if path.is_relative_to(TESTS) else ""
    return home in INTEGRATION_DIRS or not SERVER_FIXTURES.isdisjoint(fixtures)


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if needs_servers(item.path, getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def infra(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Endpoints]:
    kafka = os.environ.get("JP_TEST_KAFKA_BOOTSTRAP")
    redis = os.environ.get("JP_TEST_REDIS_URL")
    postgres = os.environ.get("JP_TEST_POSTGRES_URL")
    local: LocalInfra | None = None
    if not (kafka and redis and postgres):
        local = LocalInfra(ports=InfraPorts.free(), kafka=not kafka, redis=not redis, postgres=not postgres)
        failure = None
        try:
            # Sync fixture: runs on the main thread, which lives as long as the servers must.
            local.start()
        except ServerError as exc:
            failure = str(exc)
        if failure is not None:
            # An error, never a skip: integration tests that silently do not run prove nothing.
            pytest.fail(f"local test infrastructure did not start:\n{failure}", pytrace=False)
    endpoints = Endpoints(
        kafka_bootstrap=kafka or _need(local).kafka_bootstrap,
        redis_url=redis or _need(local).redis_url,
        postgres_url=postgres or _need(local).postgres_url,
        local=local,
    )
    leaks: list[Leak] = []
    try:
        yield endpoints
        # Every topic and service log this run produced, before the broker goes away.
        leaks = scan_topics(endpoints.kafka_bootstrap) + scan_logs(tmp_path_factory.getbasetemp())
    finally:
        if local is not None:
            local.stop()
    if leaks:
        listed = "\n".join(f"  {leak.kind} in {leak.where}: {leak.excerpt}" for leak in leaks[:20])
        pytest.fail(
            f"personal data left the registration service ({len(leaks)} finds):\n{listed}", pytrace=False
        )


def _need(local: LocalInfra | None) -> LocalInfra:
    assert local is not None
    return local


@pytest.fixture(scope="session")
def redis_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalRedisCluster]:
    """Three masters with a replica each on loopback (devstack/redis_cluster.py), started on first use.

    Always our own, as tests kill its nodes: a test that breaks it leaves it healthy again
    (`restart_stopped()`), so the tests after it find three masters with a replica each.
    """
    failure = None
    try:
        tools = ensure_system_packages()
        cluster = LocalRedisCluster.on_free_ports(
            tmp_path_factory.mktemp("redis-cluster"),
            redis_server=tools.redis_server,
            redis_cli=tools.redis_cli,
        )
        cluster.start()  # sync fixture: on the main thread, which outlives the nodes
    except ServerError as exc:
        failure = str(exc)
    if failure is not None:
        pytest.fail(f"the local Redis Cluster did not start:\n{failure}", pytrace=False)
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(scope="session")
def redis_cluster_nodes(redis_cluster: LocalRedisCluster) -> list[tuple[str, int]]:
    """(host, port) of every node of the session's Redis Cluster: the startup nodes of a cluster client."""
    return redis_cluster.startup_nodes
