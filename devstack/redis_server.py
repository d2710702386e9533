"""A Redis server (Debian's redis-server) on loopback as our foreground child."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

from devstack.ports import LOOPBACK
from devstack.process import ChildProcess, ServerError
from devstack.server import LocalServer


class RedisServer(LocalServer):
    name = "redis"

    def __init__(
        self,
        port: int,
        data_dir: Path,
        appendonly: bool = False,
        *,
        appendfsync: str = "everysec",
        redis_server: Path | None = None,
    ) -> None:
        super().__init__(data_dir)
        self.host = LOOPBACK
        self.port = port
        self.appendonly = appendonly
        self.appendfsync = appendfsync
        self.redis_server = redis_server

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def _make_child(self) -> ChildProcess:
        binary = str(self.redis_server) if self.redis_server else shutil.which("redis-server")
        if binary is None:
            raise ServerError("redis-server is not installed (apt-get install redis-server)")
        argv = [
            binary,
            "--port",
            str(self.port),
            "--bind",
            self.host,
            "--daemonize",
            "no",
            "--dir",
            str(self.data_dir),
            # No RDB snapshots: durability, when wanted, comes from the append-only file.
            "--save",
            "",
            "--appendonly",
            "yes" if self.appendonly else "no",
            "--appendfsync",
            self.appendfsync,
            "--logfile",
            "",
        ]
        return ChildProcess(self.name, argv, self.data_dir / "redis.log", cwd=self.data_dir)

    def _probe(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=1.0) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False
