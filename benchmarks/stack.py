"""Infrastructure and service processes of a benchmark run, all on free ports under one temp dir."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from devstack import Endpoints, InfraPorts, LocalInfra
from devstack.app_server import REPO_ROOT, AppServer
from devstack.ports import free_ports
from devstack.process import ChildProcess


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


class BareServer(AppServer):
    """benchmarks.bare_app as a child process, started and probed like a service."""

    def _make_child(self) -> ChildProcess:
        env = {**os.environ, **self.env, "BARE_HOST": "127.0.0.1", "BARE_PORT": str(self.port)}
        argv = [sys.executable, "-m", "benchmarks.bare_app"]
        return ChildProcess("bare", argv, self.data_dir / "bare.log", env=env, cwd=REPO_ROOT)


class CpuMeter:
    """Share of all cores busy between start() and busy(), from /proc/stat (whole machine)."""

    def __init__(self) -> None:
        self._idle, self._total = self._read()

    @staticmethod
    def _read() -> tuple[int, int]:
        try:
            fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except OSError:
            return 0, 0
        return fields[3] + fields[4], sum(fields)

    def busy(self) -> float:
        idle, total = self._read()
        spent = total - self._total
        return 0.0 if spent <= 0 else 1 - (idle - self._idle) / spent


class Stack:
    def __init__(self) -> None:
        self.base = Path(tempfile.mkdtemp(prefix="jakpreneur-bench-"))
        self.base.chmod(0o755)
        self.infra = LocalInfra(self.base / "infra", InfraPorts.free())
        self._servers: list[AppServer] = []

    @property
    def endpoints(self) -> Endpoints:
        return Endpoints.of(self.infra)

    def start(self) -> None:
        began = time.monotonic()
        self.infra.start()
        print(f"infrastructure ready in {time.monotonic() - began:.0f}s under {self.base}", flush=True)

    def stop(self) -> None:
        for server in self._servers:
            server.stop()
        self.infra.stop()

    def service(self, service: str, name: str, env: dict[str, str], *, wait: bool = True) -> AppServer:
        (port,) = free_ports(1)
        server = AppServer(
            service,
            port,
            {
                "KAFKA_BOOTSTRAP_SERVERS": self.endpoints.kafka_bootstrap,
                "AUTH_ENVIRONMENT": "development",  # the public secret tests.tokens signs with
                f"{service.upper()}_LOG_LEVEL": "WARNING",
                # One load-generating client pushes far past any person: measure the service, not the guard.
                "LIMIT_WRITE_RATE_PER_S": "1000000",
                "LIMIT_WRITE_BURST": "1000000",
                "LIMIT_READ_RATE_PER_S": "1000000",
                "LIMIT_READ_BURST": "1000000",
                **env,
            },
            self.base / name,
        )
        server.prepare()
        server.spawn()
        self._servers.append(server)
        if wait:
            server.wait_ready(90)
        return server

    def bare(self) -> AppServer:
        (port,) = free_ports(1)
        server = BareServer(
            "bare", port, {"BARE_LOG_LEVEL": "WARNING", "AUTH_ENVIRONMENT": "development"}, self.base / "bare"
        )
        server.start(timeout=60)
        self._servers.append(server)
        return server

    def reporting(self, name: str, keyspace: str, prefix: str, *, wait: bool = True) -> AppServer:
        return self.service(
            "reporting",
            name,
            {
                "REPORTING_REDIS_URL": self.endpoints.redis_url,
                "REPORTING_KEYSPACE": keyspace,
                "REPORTING_CONSUMER_GROUP": keyspace,
                "KAFKA_TOPIC_PREFIX": prefix,
            },
            wait=wait,
        )

    def dismiss(self, server: AppServer) -> None:
        server.stop()
        self._servers.remove(server)

    @contextmanager
    def running(self, server: AppServer) -> Iterator[AppServer]:
        try:
            yield server
        finally:
            self.dismiss(server)
