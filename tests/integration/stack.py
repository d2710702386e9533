"""The project's services on real infrastructure, each test module with its own topics and keyspace."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx

from devstack import Endpoints
from devstack.app_server import AppServer
from devstack.ports import free_ports
from tests.tokens import ADMIN


class Stack:
    """Services started for tests. `name` isolates topics, Redis keys, consumer group and databases."""

    def __init__(self, infra: Endpoints, base_dir: Path, name: str | None = None) -> None:
        self.infra = infra
        self.name = name or f"t{uuid4().hex[:10]}"
        self.base_dir = base_dir
        self.servers: list[AppServer] = []

    @property
    def topic_prefix(self) -> str:
        return self.name

    def topic(self, service: str) -> str:
        return f"{self.name}.{service}"

    def common_env(self) -> dict[str, str]:
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.infra.kafka_bootstrap,
            "KAFKA_TOPIC_PREFIX": self.topic_prefix,
            "KAFKA_PARTITIONS": "3",
            "LOG_LEVEL": "INFO",
            # Asked for, never the default: the development secret and PII keys the test tokens use.
            "AUTH_ENVIRONMENT": "development",
            # Tests drive writes far harder than any person; test_limits checks the limiter itself.
            "LIMIT_WRITE_RATE_PER_S": "1000000",
            "LIMIT_WRITE_BURST": "1000000",
            "LIMIT_READ_RATE_PER_S": "1000000",
            "LIMIT_READ_BURST": "1000000",
        }

    def producing(self, service: str, database: str = "sqlite", **extra: str) -> AppServer:
        """A service with its own database: a SQLite file, or a fresh PostgreSQL database."""
        if database == "sqlite":
            url = f"sqlite:///{self.base_dir / f'{self.name}-{service}.db'}"
        else:
            url = self.infra.create_database(f"{self.name}_{service}")
        return self._start(service, {f"{service.upper()}_DATABASE_URL": url, **extra})

    def another_instance(self, server: AppServer) -> AppServer:
        """One more instance of a service: the first one's settings (its database too), another port."""
        return self._start(server.service, server.env)

    def registration(self, database: str = "sqlite") -> AppServer:
        return self.producing("registration", database)

    def reporting(self, **extra: str) -> AppServer:
        env = {
            "REPORTING_REDIS_URL": self.infra.redis_url,
            "REPORTING_KEYSPACE": self.name,
            "REPORTING_CONSUMER_GROUP": f"{self.name}-reporting",
            **extra,
        }
        return self._start("reporting", env)

    def _start(self, service: str, env: dict[str, str]) -> AppServer:
        (port,) = free_ports(1)
        server = AppServer(service, port, {**self.common_env(), **env}, self.base_dir / f"{service}-{port}")
        server.start(timeout=60)
        self.servers.append(server)
        return server

    def stop(self) -> None:
        for server in reversed(self.servers):
            with contextlib.suppress(Exception):
                server.stop(timeout=15)


@contextlib.contextmanager
def running_stack(infra: Endpoints, base_dir: Path) -> Iterator[Stack]:
    stack = Stack(infra, base_dir)
    try:
        yield stack
    finally:
        stack.stop()


def client(server: AppServer, headers: dict[str, str] | None = None) -> httpx.Client:
    """An HTTP client acting as an admin unless other headers (another token, or none) are given."""
    return httpx.Client(base_url=server.url, timeout=15.0, headers=ADMIN if headers is None else headers)
