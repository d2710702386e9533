"""One of the project's own services (`python -m services.<name>`) as a local child process."""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from devstack.ports import LOOPBACK
from devstack.process import ChildProcess, run_checked
from devstack.server import LocalServer

REPO_ROOT = Path(__file__).resolve().parents[1]


class AppServer(LocalServer):
    """Runs a service with its settings passed as environment variables; ready once /healthz answers.

    A service with a database is migrated first (`python -m services.<name> migrate`), as a deployment
    does before its instances: the service itself refuses to start on a schema behind its code.
    """

    def __init__(self, service: str, port: int, env: Mapping[str, str], data_dir: Path) -> None:
        super().__init__(data_dir)
        self.name = service
        self.service = service
        self.port = port
        self.env = dict(env)

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def has_database(self) -> bool:
        return (REPO_ROOT / "services" / self.service / "migrations").is_dir()

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.has_database:
            self.migrate()

    def migrate(self) -> None:
        """The service's `migrate` command with this server's settings (ServerError with its output)."""
        argv = [sys.executable, "-m", f"services.{self.service}", "migrate"]
        run_checked(argv, what=f"{self.service} migrate", env=self._env(), cwd=REPO_ROOT, timeout=120)

    def _env(self) -> dict[str, str]:
        prefix = self.service.upper()
        return {**os.environ, **self.env, f"{prefix}_HOST": LOOPBACK, f"{prefix}_PORT": str(self.port)}

    def _make_child(self) -> ChildProcess:
        argv = [sys.executable, "-m", f"services.{self.service}"]
        log_path = self.data_dir / f"{self.service}.log"
        return ChildProcess(self.service, argv, log_path, env=self._env(), cwd=REPO_ROOT)

    def _probe(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=1.0) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False
