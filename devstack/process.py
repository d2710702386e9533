"""Child processes that cannot outlive us.

Three layers keep servers from becoming orphans:
* every child runs in its own session, so a terminal Ctrl-C reaches only us and we stop them in order;
* a registry stops every live child at interpreter exit (atexit; SIGTERM/SIGHUP are turned into SystemExit);
* `setpriv --pdeathsig KILL` makes the kernel kill the child if we die without running any Python
  (SIGKILL, segfault).  The kernel ties this to the *thread* that spawned the child, so spawn servers from
  a long-lived thread (the main thread, or an asyncio executor thread), never from a short-lived one.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import FrameType

log = logging.getLogger(__name__)


class ServerError(RuntimeError):
    """A local server could not be prepared, started or stopped."""


def is_root() -> bool:
    return os.geteuid() == 0


def tail(path: Path, lines: int = 40) -> str:
    try:
        with path.open("rb") as handle:
            # Logs of a long `make up` session can be large; the end is all we want.
            handle.seek(max(handle.seek(0, os.SEEK_END) - 64 * 1024, 0))
            text = handle.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return f"<{path} does not exist>"
    return "\n".join(text.splitlines()[-lines:])


def as_user_argv(argv: Sequence[str], user: str | None, *, die_with_parent: bool = False) -> list[str]:
    """Prefix argv so it runs as `user` (PostgreSQL refuses root) and/or dies with the spawning thread.

    One setpriv does both: the kernel clears the parent-death signal when credentials change, so it
    must be set after switching user, which setpriv does.
    """
    setpriv = shutil.which("setpriv")
    if user is None and not die_with_parent:
        return list(argv)
    if setpriv is None:
        if user is not None:
            raise ServerError("setpriv (util-linux) is needed to run commands as another user")
        return list(argv)  # no parent-death signal; atexit and signal handlers still clean up
    options = [f"--reuid={user}", f"--regid={user}", "--init-groups"] if user is not None else []
    if die_with_parent:
        options += ["--pdeathsig", "KILL"]
    return [setpriv, *options, "--", *argv]


def run_checked(
    argv: Sequence[str],
    *,
    what: str,
    user: str | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 600.0,
) -> str:
    """Run a short-lived command; raise ServerError with its output if it fails."""
    full = as_user_argv(argv, user)
    log.debug("running %s: %s", what, " ".join(full))
    try:
        done = subprocess.run(
            full,
            env=None if env is None else dict(env),
            cwd=cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise ServerError(f"{what} timed out after {timeout:.0f}s: {' '.join(full)}") from exc
    if done.returncode != 0:
        output = "\n".join(part for part in (done.stdout, done.stderr) if part).strip()
        raise ServerError(f"{what} failed (exit {done.returncode}): {' '.join(full)}\n{output[-4000:]}")
    return done.stdout


class ChildProcess:
    """One long-running server process, its log file and its lifecycle signals."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        log_path: Path,
        *,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
        user: str | None = None,
        stop_signal: signal.Signals = signal.SIGTERM,
    ) -> None:
        self.name = name
        self.argv = list(argv)
        self.log_path = log_path
        self.env = None if env is None else dict(env)
        self.cwd = cwd
        self.user = user
        self.stop_signal = stop_signal
        self._popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return None if self._popen is None else self._popen.pid

    @property
    def returncode(self) -> int | None:
        return None if self._popen is None else self._popen.poll()

    @property
    def is_running(self) -> bool:
        return self._popen is not None and self._popen.poll() is None

    def start(self) -> None:
        if self.is_running:
            raise ServerError(f"{self.name} is already running (pid {self.pid})")
        argv = as_user_argv(self.argv, self.user, die_with_parent=True)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("ab") as log_file:
            self._popen = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                env=self.env,
                cwd=self.cwd,
                start_new_session=True,
            )
        REGISTRY.add(self)
        log.info("%s started (pid %d, log %s)", self.name, self._popen.pid, self.log_path)

    def send(self, sig: signal.Signals, *, group: bool = False) -> None:
        if self._popen is None or self._popen.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            if group:
                # The child leads its own session, so its pid is also its process group id.
                os.killpg(self._popen.pid, sig)
            else:
                os.kill(self._popen.pid, sig)

    def begin_stop(self) -> None:
        self.send(self.stop_signal)
        # A paused (SIGSTOP) process only acts on the stop signal once it runs again.
        self.send(signal.SIGCONT, group=True)

    def wait_stopped(self, timeout: float) -> None:
        """Wait for the child after begin_stop(); SIGKILL it (and its group) if it takes too long."""
        popen = self._popen
        if popen is None:
            return
        try:
            popen.wait(timeout=max(timeout, 0.0))
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0fs; killing it", self.name, timeout)
            self.send(signal.SIGKILL, group=True)
            popen.wait()
        self._sweep_group(popen.pid)
        REGISTRY.discard(self)
        log.info("%s stopped (exit %s)", self.name, popen.returncode)

    def stop(self, timeout: float = 30.0) -> None:
        self.begin_stop()
        self.wait_stopped(timeout)

    def kill(self) -> None:
        """Crash the server (SIGKILL, no shutdown hooks) - for fault-injection tests."""
        popen = self._popen
        if popen is None:
            return
        self.send(signal.SIGKILL, group=True)
        popen.wait()
        self._sweep_group(popen.pid)
        REGISTRY.discard(self)
        log.info("%s killed", self.name)

    def pause(self) -> None:
        self.send(signal.SIGSTOP, group=True)

    def resume(self) -> None:
        self.send(signal.SIGCONT, group=True)

    @staticmethod
    def _sweep_group(pgid: int) -> None:
        # Whatever else is left in the child's process group dies with it.
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)


class _Registry:
    """Every live ChildProcess, so interpreter exit can stop them all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._live: dict[int, ChildProcess] = {}
        self._hooks_installed = False

    def add(self, child: ChildProcess) -> None:
        with self._lock:
            self._live[id(child)] = child
            if not self._hooks_installed:
                atexit.register(self.stop_all)
                self._hooks_installed = True

    def discard(self, child: ChildProcess) -> None:
        with self._lock:
            self._live.pop(id(child), None)

    def live(self) -> list[ChildProcess]:
        with self._lock:
            return list(self._live.values())

    def stop_all(self, timeout: float = 30.0) -> None:
        children = [child for child in self.live() if child.is_running]
        # Signal everything first so the servers shut down in parallel.
        for child in children:
            child.begin_stop()
        deadline = time.monotonic() + timeout
        for child in children:
            child.wait_stopped(deadline - time.monotonic())


REGISTRY = _Registry()


def _exit_on_signal(signum: int, _frame: FrameType | None) -> None:
    # Unwind normally so `finally` blocks and atexit stop the servers.
    raise SystemExit(128 + signum)


def install_exit_signal_handlers(*, force: bool = False) -> None:
    """Turn SIGTERM/SIGHUP into SystemExit, unless someone already handles them.

    `force` (for the CLI) also takes over signals that are ignored or handled elsewhere, and restores
    KeyboardInterrupt on SIGINT, which a non-interactive shell ignores for `cmd &` background jobs.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, signal.SIGHUP):
        if force or signal.getsignal(sig) in (signal.SIG_DFL, None):
            signal.signal(sig, _exit_on_signal)
    if force:
        signal.signal(signal.SIGINT, signal.default_int_handler)
