"""One of the project's own services (`python -m services.<name>`) as a local child process."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from devstack.ports import LOOPBACK
from devstack.process import ChildProcess
from devstack.server import LocalServer

REPO_ROOT = Path(__file__).resolve().parents[1]


class AppServer(LocalServer):
    """Runs a service with its settings passed as environment variables; ready once /healthz answers."""

    def __init__(self, service: str, port: int, env: Mapping[str, str], data_dir: Path) -> None:
        super().__init__(data_dir)
        self.name = service
        self.service = service
        self.port = port
        self.env = dict(env)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)

    def _make_child(self) -> ChildProcess:
        prefix = self.service.upper()
        env = {
            **os.environ,
            **self.env,
            f"{prefix}_HOST": LOOPBACK,
            f"{prefix}_PORT": str(self.port),
        }
        argv = [sys.executable, "-m", f"services.{self.service}"]
        return ChildProcess(self.service, argv, self.data_dir / f"{self.service}.log", env=env, cwd=REPO_ROOT)

    def _probe(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1.0) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False
