"""Open-loop HTTP load: requests fired on a fixed schedule whatever the responses, latency from the schedule.

A small keep-alive HTTP/1.1 client on asyncio streams keeps the generator's own CPU cost low (httpx costs
more per request than the endpoints measured), so the figures say more about the server than the client.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from benchmarks.stack import percentile
from tests.tokens import ADMIN

MAX_CONNECTIONS = 256
REQUEST_TIMEOUT_S = 10.0
# Every request carries an admin token, the bare endpoint's too: same bytes, and the services verify it.
AUTHORIZATION = f"Authorization: {ADMIN['Authorization']}\r\n"


class StaleConnection(ConnectionError):
    """The server closed a kept-alive connection before answering (e.g. its keep-alive timeout)."""


class HttpPool:
    """Keep-alive connections to one host; a request waits for a free connection (that wait is latency)."""

    def __init__(self, url: str, limit: int = MAX_CONNECTIONS) -> None:
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []
        self._slots = asyncio.Semaphore(limit)

    async def post(self, path: str, body: bytes) -> int:
        request = (
            f"POST {path} HTTP/1.1\r\nHost: {self.host}:{self.port}\r\nContent-Type: application/json\r\n"
            f"{AUTHORIZATION}Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        async with self._slots:
            while self._idle:  # a kept-alive connection the server may have closed meanwhile: retry afresh
                conn = self._idle.pop()
                try:
                    return await self._exchange(conn, request)
                except (ConnectionError, asyncio.IncompleteReadError, StaleConnection):
                    continue
            return await self._exchange(await asyncio.open_connection(self.host, self.port), request)

    async def _exchange(self, conn: tuple[asyncio.StreamReader, asyncio.StreamWriter], request: bytes) -> int:
        reader, writer = conn
        try:
            writer.write(request)
            status_line = await reader.readline()
            if not status_line:
                raise StaleConnection
            status = int(status_line.split()[1])
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                elif name.lower() == "connection" and "close" in value.lower():
                    close = True
            await reader.readexactly(length)
        except BaseException:
            writer.close()
            raise
        if close:
            writer.close()
        else:
            self._idle.append(conn)
        return status

    def close(self) -> None:
        for _, writer in self._idle:
            writer.close()
        self._idle.clear()


@dataclass(frozen=True)
class Step:
    rate: int
    sent: int
    ok: int
    conflicts: int
    errors: int
    error_kinds: str
    achieved: float
    p50_ms: float
    p99_ms: float

    @property
    def sustained(self) -> bool:
        return self.errors == 0 and self.p99_ms <= 100.0

    def describe(self) -> str:
        extra = f", {self.conflicts} duplicate NIK (409)" if self.conflicts else ""
        errors = f", {self.errors} errors ({self.error_kinds})" if self.errors else ""
        return (
            f"{self.rate} req/s offered → {self.achieved:.0f} req/s, p50 {self.p50_ms:.1f} ms, "
            f"p99 {self.p99_ms:.1f} ms{extra}{errors}"
        )


Bodies = Callable[[int], bytes]


async def open_loop(  # noqa: PLR0917
    pool: HttpPool, path: str, rate: float, seconds: float, body: Bodies, start_serial: int
) -> Step:
    """Fire rate*seconds requests at evenly scheduled instants; latency counts from the scheduled instant."""
    total = int(rate * seconds)
    latencies: list[float] = []
    outcome = {"ok": 0, "conflicts": 0, "errors": 0}
    payloads = [body(start_serial + i) for i in range(total)]
    tasks: list[asyncio.Task[None]] = []
    kinds: Counter[str] = Counter()

    async def one(scheduled: float, payload: bytes) -> None:
        try:
            status = await asyncio.wait_for(pool.post(path, payload), REQUEST_TIMEOUT_S)
        except Exception as exc:  # any failure to get a response is an error of the step
            outcome["errors"] += 1
            kinds[type(exc).__name__] += 1
            return
        done = time.perf_counter()
        if status in (200, 201):
            outcome["ok"] += 1
            latencies.append(done - scheduled)
        elif status == 409:
            outcome["conflicts"] += 1
            latencies.append(done - scheduled)
        else:
            outcome["errors"] += 1
            kinds[f"HTTP {status}"] += 1

    began = time.perf_counter()
    for i, payload in enumerate(payloads):
        scheduled = began + i / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(scheduled, payload)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - began
    return Step(
        rate=int(rate),
        sent=total,
        ok=outcome["ok"],
        conflicts=outcome["conflicts"],
        errors=outcome["errors"],
        error_kinds=", ".join(f"{k} x{n}" for k, n in kinds.most_common()),
        achieved=(outcome["ok"] + outcome["conflicts"]) / elapsed,
        p50_ms=percentile(latencies, 0.5) * 1000,
        p99_ms=percentile(latencies, 0.99) * 1000,
    )


async def ramp(  # noqa: PLR0917
    url: str,
    rates: list[int],
    seconds: float,
    body: Bodies,
    label: str,
    serial_base: int = 0,
    *,
    path: str = "/participants",
) -> list[Step]:
    """Rising open-loop steps until one misses p99 ≤ 100 ms or has errors (that step is kept)."""
    pool = HttpPool(url)
    steps: list[Step] = []
    serial = serial_base
    try:
        warmup = await open_loop(pool, path, 20, 1.0, body, serial)  # connections, pools, caches
        serial += warmup.sent
        for rate in rates:
            step = await open_loop(pool, path, rate, seconds, body, serial)
            serial += step.sent
            steps.append(step)
            print(f"  {label}: {step.describe()}", flush=True)
            if not step.sustained:
                break
            await asyncio.sleep(0.5)
    finally:
        pool.close()
    return steps


def best_rate(steps: list[Step]) -> int:
    return max((s.rate for s in steps if s.sustained), default=0)


class Background:
    """Open-loop load at a fixed rate for as long as the `async with` lasts."""

    def __init__(self, url: str, rate: float, body: Bodies, serial_base: int) -> None:
        self._pool = HttpPool(url)
        self._rate = rate
        self._body = body
        self._serial = serial_base
        self._task: asyncio.Task[None] | None = None
        self._pending: set[asyncio.Task[None]] = set()
        self.sent = 0
        self.failed = 0

    async def _run(self) -> None:
        began = time.perf_counter()
        i = 0
        while True:
            delay = began + i / self._rate - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            task = asyncio.create_task(self._one(self._body(self._serial + i)))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)
            i += 1
            self.sent = i

    async def _one(self, payload: bytes) -> None:
        try:
            status = await asyncio.wait_for(self._pool.post("/participants", payload), REQUEST_TIMEOUT_S)
            if status not in (201, 409):
                self.failed += 1
        except Exception:  # any failure to get a response is an error of the step
            self.failed += 1

    async def __aenter__(self) -> Background:
        if self._rate > 0:
            self._task = asyncio.create_task(self._run())
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        for task in list(self._pending):
            task.cancel()
        await asyncio.gather(*self._pending, return_exceptions=True)
        self._pool.close()


def json_bytes(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()
