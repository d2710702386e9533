"""Loopback port helpers."""

from __future__ import annotations

import contextlib
import socket

from devstack.process import ServerError

LOOPBACK = "127.0.0.1"


def free_ports(count: int, host: str = LOOPBACK) -> list[int]:
    """Return `count` distinct ports that were free a moment ago.

    All sockets are held open together so the kernel cannot hand out the same port twice.
    """
    with contextlib.ExitStack() as stack:
        ports: list[int] = []
        for _ in range(count):
            sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_STREAM))
            sock.bind((host, 0))
            ports.append(int(sock.getsockname()[1]))
        return ports


def free_port(host: str = LOOPBACK) -> int:
    return free_ports(1, host)[0]


def is_port_free(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Same flag the servers use, so a TIME_WAIT leftover does not count as "taken".
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
        return True


def require_free(ports: dict[str, int], host: str = LOOPBACK) -> None:
    """Fail early with a readable message instead of letting a server die on bind."""
    taken = [f"{name}={port}" for name, port in ports.items() if not is_port_free(port, host)]
    if taken:
        raise ServerError(
            f"port(s) already in use on {host}: {', '.join(taken)} "
            "(another devstack or a system service is running; stop it or choose other ports)"
        )
