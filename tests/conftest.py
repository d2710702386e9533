"""Session-wide test infrastructure: one Kafka broker, one Redis, one PostgreSQL for the whole run.

Started lazily (only when a test asks for `infra`) by devstack on free loopback ports in a temp dir.
Point the tests at servers you already run instead with JP_TEST_KAFKA_BOOTSTRAP (host:port),
JP_TEST_REDIS_URL (redis://...) and JP_TEST_POSTGRES_URL (postgresql+psycopg://user@host:port/db).
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from devstack import Endpoints, InfraPorts, LocalInfra, ServerError


@pytest.fixture(scope="session")
def infra() -> Iterator[Endpoints]:
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
    try:
        yield Endpoints(
            kafka_bootstrap=kafka or _need(local).kafka_bootstrap,
            redis_url=redis or _need(local).redis_url,
            postgres_url=postgres or _need(local).postgres_url,
            local=local,
        )
    finally:
        if local is not None:
            local.stop()


def _need(local: LocalInfra | None) -> LocalInfra:
    assert local is not None
    return local
