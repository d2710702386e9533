"""Shared lifecycle for the local servers: prepare, spawn, wait until ready, stop/kill/pause/restart."""

from __future__ import annotations

import logging
import time
from abc import ABC, abstractmethod
from pathlib import Path

from devstack.process import ChildProcess, ServerError, tail

log = logging.getLogger(__name__)

POLL_INTERVAL = 0.2


class LocalServer(ABC):
    """A server running as our child process on loopback, with its state under `data_dir`."""

    name: str = "server"

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir).absolute()
        self._child: ChildProcess | None = None

    # --- implemented by each server -------------------------------------------------------------

    @abstractmethod
    def prepare(self) -> None:
        """Idempotent one-off setup (download, initdb, format, config files). May block."""

    @abstractmethod
    def _make_child(self) -> ChildProcess:
        """The process to run in the foreground."""

    @abstractmethod
    def _probe(self) -> bool:
        """One quick readiness check; True once the server answers real requests."""

    def log_files(self) -> list[Path]:
        return [] if self._child is None else [self._child.log_path]

    # --- lifecycle ------------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return None if self._child is None else self._child.pid

    @property
    def is_running(self) -> bool:
        return self._child is not None and self._child.is_running

    def start(self, timeout: float = 60.0) -> None:
        self.prepare()
        self.spawn()
        self.wait_ready(timeout)

    def spawn(self) -> None:
        """Start the process without waiting (call prepare() first). Call from a long-lived thread."""
        if self.is_running:
            raise ServerError(f"{self.name} is already running")
        self._child = self._make_child()
        self._child.start()

    def wait_ready(self, timeout: float = 60.0) -> None:
        child = self._child
        if child is None:
            raise ServerError(f"{self.name} was never spawned")
        started = time.monotonic()
        deadline = started + timeout
        while True:
            if not child.is_running:
                raise ServerError(
                    f"{self.name} exited with code {child.returncode} while starting\n{self.log_tail()}"
                )
            if self._probe():
                log.info("%s ready after %.1fs", self.name, time.monotonic() - started)
                return
            if time.monotonic() >= deadline:
                child.kill()
                raise ServerError(f"{self.name} not ready after {timeout:.0f}s\n{self.log_tail()}")
            time.sleep(POLL_INTERVAL)

    def stop(self, timeout: float = 30.0) -> None:
        """Graceful shutdown; SIGKILL if it takes longer than `timeout`."""
        if self._child is not None:
            self._child.stop(timeout)

    def kill(self) -> None:
        """SIGKILL, simulating a crash. State on disk is kept, so restart() recovers from it."""
        if self._child is not None:
            self._child.kill()

    def pause(self) -> None:
        """SIGSTOP: the server keeps its sockets but stops answering (a hung node)."""
        if self._child is not None:
            self._child.pause()

    def resume(self) -> None:
        if self._child is not None:
            self._child.resume()

    def restart(self, timeout: float = 60.0, *, graceful: bool = True) -> None:
        """Stop (or kill) and start again on the same data dir and ports."""
        if graceful:
            self.stop()
        else:
            self.kill()
        self.start(timeout)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(f"--- {path} ---\n{tail(path, lines)}" for path in self.log_files())
