"""Reading side: freshness of acknowledged writes (summary polling and the SSE stream), query latency."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import time
from datetime import date

import httpx

from benchmarks.load import Background, Bodies, json_bytes
from benchmarks.stack import percentile
from shared.dates import jakarta_today
from tests.integration.people import participant
from tests.tokens import ADMIN


class StreamWatch:
    """Follows /metrics/stream for one day; remembers when each `registered` value was first seen."""

    def __init__(self, http: httpx.AsyncClient, day: date) -> None:
        self._http = http
        self._params = {"from": str(day), "to": str(day)}
        self.first_seen: dict[int, float] = {}
        self._highest = -1
        self.ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        async with self._http.stream("GET", "/metrics/stream", params=self._params) as response:
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line.partition(":")[2].strip()
                elif line.startswith("data:") and event == "summary":
                    value = int(json.loads(line.partition(":")[2])["registered"])
                    now = time.perf_counter()
                    for seen in range(self._highest + 1, value + 1):
                        self.first_seen[seen] = now
                    self._highest = max(self._highest, value)
                    self.ready.set()

    async def seen(self, value: int, limit_s: float) -> float | None:
        deadline = time.perf_counter() + limit_s
        while value not in self.first_seen:
            if time.perf_counter() > deadline:
                return None
            await asyncio.sleep(0.002)
        return self.first_seen[value]

    async def __aenter__(self) -> StreamWatch:
        self._task = asyncio.create_task(self._run())
        await asyncio.wait_for(self.ready.wait(), 10)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, httpx.HTTPError):
                await self._task


async def freshness(  # noqa: PLR0917
    registration: str, reporting: str, rate: float, probes: int, background: Bodies, serial_base: int
) -> dict[str, float]:
    """Probe writes dated today (background load is dated 2023) while open-loop load runs at `rate`."""
    rng = random.Random(serial_base)
    day = jakarta_today()
    params = {"from": str(day), "to": str(day)}
    summary_waits: list[float] = []
    stream_waits: list[float] = []
    missed = 0
    async with (
        httpx.AsyncClient(headers=ADMIN, base_url=registration, timeout=30) as reg,
        httpx.AsyncClient(headers=ADMIN, base_url=reporting, timeout=30) as rep,
        StreamWatch(rep, day) as stream,
        Background(registration, rate, background, serial_base + 100_000) as load,
    ):
        await asyncio.sleep(1.0)  # let the background load settle
        for i in range(probes):
            before = int((await rep.get("/metrics/summary", params=params)).json()["registered"])
            body = json_bytes(participant(rng, serial_base + i, day))
            response = await reg.post(
                "/participants", content=body, headers={"content-type": "application/json"}
            )
            acknowledged = time.perf_counter()
            if response.status_code != 201:
                continue
            target = before + 1
            while int((await rep.get("/metrics/summary", params=params)).json()["registered"]) < target:  # noqa: ASYNC110
                await asyncio.sleep(0.002)  # polls as a dashboard would
            summary_waits.append(time.perf_counter() - acknowledged)
            seen = await stream.seen(target, 5.0)
            if seen is None:
                missed += 1
            else:
                stream_waits.append(max(0.0, seen - acknowledged))
            await asyncio.sleep(0.1)
        failed = load.failed
        offered = load.sent
    return {
        "summary_p50_ms": percentile(summary_waits, 0.5) * 1000,
        "summary_p99_ms": percentile(summary_waits, 0.99) * 1000,
        "stream_p50_ms": percentile(stream_waits, 0.5) * 1000,
        "stream_p99_ms": percentile(stream_waits, 0.99) * 1000,
        "probes": len(summary_waits),
        "stream_missed": missed,
        "background_sent": offered,
        "background_failed": failed,
    }


WEEK = ("2022-03-07", "2022-03-13")
FIVE_YEARS = ("2019-01-01", "2023-12-31")
QUERIES: dict[str, tuple[str, dict[str, str]]] = {
    "summary": ("/metrics/summary", {}),
    "breakdown by kota": ("/metrics/breakdown", {"metric": "registered", "by": "kota"}),
    "timeseries by month": ("/metrics/timeseries", {"metric": "registered", "interval": "month"}),
}


async def query_latency(reporting: str, repeats: int) -> dict[tuple[str, str], tuple[float, float]]:
    """(query, range) → (p50 ms, p99 ms), sequential requests."""
    results: dict[tuple[str, str], tuple[float, float]] = {}
    async with httpx.AsyncClient(headers=ADMIN, base_url=reporting, timeout=30) as http:
        for name, (path, extra) in QUERIES.items():
            for label, (start, end) in (("one week", WEEK), ("five years", FIVE_YEARS)):
                params = {"from": start, "to": end, **extra}
                (await http.get(path, params=params)).raise_for_status()
                waits: list[float] = []
                for _ in range(repeats):
                    began = time.perf_counter()
                    response = await http.get(path, params=params)
                    waits.append(time.perf_counter() - began)
                    response.raise_for_status()
                results[(name, label)] = (percentile(waits, 0.5) * 1000, percentile(waits, 0.99) * 1000)
    return results
