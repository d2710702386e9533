"""Kafka + Redis + PostgreSQL together, for `make up`, the test session and CI."""

from __future__ import annotations

import atexit
import hashlib
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TypeVar

from devstack.kafka import KafkaServer
from devstack.packages import SystemTools, ensure_system_packages
from devstack.ports import free_ports, require_free
from devstack.postgres import PostgresServer
from devstack.process import ServerError, install_exit_signal_handlers
from devstack.redis_server import RedisServer
from devstack.server import LocalServer

log = logging.getLogger(__name__)

S = TypeVar("S", bound=LocalServer)


@dataclass(frozen=True)
class InfraPorts:
    kafka: int = 9092
    kafka_controller: int = 9093
    redis: int = 6379
    postgres: int = 5432

    @classmethod
    def free(cls) -> InfraPorts:
        kafka, controller, redis, postgres = free_ports(4)
        return cls(kafka=kafka, kafka_controller=controller, redis=redis, postgres=postgres)


class LocalInfra:
    """Starts the enabled servers under one base dir; stop() (or leaving the `with`) stops them all.

    `base_dir=None` means a fresh temporary dir, deleted on stop unless JAKPRENEUR_KEEP_INFRA=1.
    A given base dir (e.g. `.run/infra`) keeps Kafka topics, Redis AOF and databases across runs.
    """

    def __init__(
        self,
        base_dir: Path | None = None,
        ports: InfraPorts | None = None,
        *,
        kafka: bool = True,
        redis: bool = True,
        postgres: bool = True,
        redis_appendonly: bool = False,
        kafka_version: str | None = None,
        install_packages: bool = True,
    ) -> None:
        self._temporary = base_dir is None
        if base_dir is None:
            base_dir = Path(tempfile.mkdtemp(prefix="jakpreneur-infra-"))
            # mkdtemp makes it 0700; PostgreSQL (running as `postgres`) must be able to enter it.
            base_dir.chmod(0o755)
        self.base_dir = Path(base_dir).absolute()
        self.base_dir.mkdir(parents=True, exist_ok=True)
        self.ports = ports or InfraPorts()
        self.install_packages = install_packages
        self.kafka: KafkaServer | None = None
        self.redis: RedisServer | None = None
        self.postgres: PostgresServer | None = None
        if kafka:
            self.kafka = KafkaServer(
                self.base_dir / "kafka",
                self.ports.kafka,
                self.ports.kafka_controller,
                version=kafka_version,
            )
        if redis:
            self.redis = RedisServer(self.ports.redis, self.base_dir / "redis", appendonly=redis_appendonly)
        if postgres:
            self.postgres = self._postgres_server()
        self._started = False

    def _postgres_server(self) -> PostgresServer:
        server = PostgresServer(self.ports.postgres, self.base_dir / "postgres")
        if server.reachable_by_server_user():
            return server
        # e.g. a checkout under /root (0700): keep PostgreSQL's files where `postgres` can reach them.
        digest = hashlib.sha1(str(self.base_dir).encode()).hexdigest()[:12]
        fallback = Path(tempfile.gettempdir()) / f"jakpreneur-postgres-{digest}"
        log.warning("postgres cannot enter %s; keeping its data in %s", self.base_dir, fallback)
        return PostgresServer(self.ports.postgres, fallback)

    # --- endpoints ------------------------------------------------------------------------------

    def servers(self) -> list[LocalServer]:
        return [s for s in (self.kafka, self.redis, self.postgres) if s is not None]

    @property
    def kafka_bootstrap(self) -> str:
        return self._need(self.kafka).bootstrap

    @property
    def redis_url(self) -> str:
        return self._need(self.redis).url

    @property
    def postgres_url(self) -> str:
        return self._need(self.postgres).dsn()

    @staticmethod
    def _need(server: S | None) -> S:
        if server is None:
            raise ServerError("that server is not part of this LocalInfra")
        return server

    # --- lifecycle ------------------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> LocalInfra:
        """Start everything; on any failure stop what started and raise ServerError. Blocks until ready.

        Call from a long-lived thread: servers are killed by the kernel when the spawning thread ends.
        """
        began = time.monotonic()
        install_exit_signal_handlers()
        atexit.register(self.stop)
        self._started = True
        try:
            tools = ensure_system_packages() if self.install_packages else None
            self._apply_tools(tools)
            require_free(self._port_map())
            self._parallel("prepare", lambda server: server.prepare())
            for server in self.servers():
                server.spawn()
            remaining = max(timeout - (time.monotonic() - began), 10.0)
            self._parallel("start", lambda server: server.wait_ready(remaining))
        except BaseException:
            self.stop()
            raise
        log.info("infrastructure ready in %.1fs under %s", time.monotonic() - began, self.base_dir)
        return self

    def _apply_tools(self, tools: SystemTools | None) -> None:
        if tools is None:
            return
        if self.kafka is not None:
            self.kafka.java = tools.java
        if self.redis is not None:
            self.redis.redis_server = tools.redis_server
        if self.postgres is not None:
            self.postgres.bindir = tools.pg_bindir

    def _port_map(self) -> dict[str, int]:
        ports: dict[str, int] = {}
        if self.kafka is not None:
            ports |= {"kafka": self.ports.kafka, "kafka controller": self.ports.kafka_controller}
        if self.redis is not None:
            ports["redis"] = self.ports.redis
        if self.postgres is not None:
            ports["postgres"] = self.ports.postgres
        return ports

    def _parallel(self, step: str, action: Callable[[LocalServer], None]) -> None:
        servers = self.servers()
        with ThreadPoolExecutor(max_workers=len(servers) or 1, thread_name_prefix=f"devstack-{step}") as pool:
            futures = {server.name: pool.submit(action, server) for server in servers}
        errors = [f"{name}: {future.exception()}" for name, future in futures.items() if future.exception()]
        if errors:
            raise ServerError(f"could not {step} local infrastructure:\n" + "\n\n".join(errors))

    def stop(self, timeout: float = 30.0) -> None:
        if not self._started:
            return
        self._started = False
        atexit.unregister(self.stop)
        running = [server for server in self.servers() if server.is_running]
        if running:
            with ThreadPoolExecutor(max_workers=len(running), thread_name_prefix="devstack-stop") as pool:
                for server in running:
                    pool.submit(server.stop, timeout)
        if self._temporary and os.environ.get("JAKPRENEUR_KEEP_INFRA") != "1":
            shutil.rmtree(self.base_dir, ignore_errors=True)

    def __enter__(self) -> LocalInfra:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
