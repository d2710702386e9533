"""The services' HTTP APIs as the demo uses them: bounded concurrency, retries where the contract allows.

Retried: 422 `unknown_participant` (registration reaches the other services within about a second), 429
(after Retry-After, pausing every request to that service), 5xx and dropped connections. A 409 means the
fact is already recorded: it counts as done, never as a failure (except `class_full`, which says it could
not be done). A batch's rows are counted one by one, as single writes would be.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx

UNKNOWN_PARTICIPANT_PATIENCE_S = 30.0
TRANSIENT_ATTEMPTS = 6
FIRST_BACKOFF_S = 0.1
MAX_BACKOFF_S = 2.0
# 409s that say the write could not be done, not that it was done before: a full class must have had a
# place freed by a withdrawal first.
NOT_DONE = frozenset({"class_full"})


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]

    @property
    def created(self) -> bool:
        return 200 <= self.status < 300

    @property
    def exists(self) -> bool:
        return self.status == 409 and self.code not in NOT_DONE

    @property
    def code(self) -> str:
        return str(self.body.get("code", ""))

    def id_of(self, field: str) -> str | None:
        """The id the service gave what this write created; None if it created nothing."""
        return str(self.body[field]) if self.created else None


@dataclass
class Tally:
    requests: int = 0  # every write request sent, retries included
    accepted: int = 0  # writes accepted; each row of a batch counts as one
    events: int = 0  # the domain events the accepted writes record (PRODUCT.md §4: none for a withdrawal)
    existing: int = 0  # writes answered 409: already recorded
    failures: list[str] = field(default_factory=list)


class Api:
    """One HTTP client per service; writes share one concurrency bound."""

    def __init__(
        self,
        clients: Mapping[str, httpx.AsyncClient],
        concurrency: int,
        on_write: Callable[[], None] = lambda: None,
    ) -> None:
        self.clients = clients
        self.gate = asyncio.Semaphore(concurrency)
        self.on_write = on_write
        self.tally = Tally()
        self.paused_until: dict[str, float] = {}

    async def get(self, service: str, path: str, params: Mapping[str, str]) -> Reply:
        response = await self.clients[service].get(path, params=params)
        return Reply(response.status_code, _json(response))

    async def post(self, service: str, path: str, body: Mapping[str, Any], *, events: int = 1) -> Reply:
        """One write, retried until it is accepted, found already done, or refused for good.

        `events`: how many domain events it records when accepted (a withdrawal records none).
        """
        reply = await self._write_patiently("POST", service, path, body)
        self._count(f"{service} POST {path}", reply, events)
        return reply

    async def patch(self, service: str, path: str, body: Mapping[str, Any], *, events: int) -> Reply:
        """An edit, as `post`; whether it records an event depends on what it changes."""
        reply = await self._write_patiently("PATCH", service, path, body)
        self._count(f"{service} PATCH {path}", reply, events)
        return reply

    async def post_batch(self, service: str, path: str, body: Mapping[str, Any]) -> Reply:
        """One request recording many facts: each row of its `results` is counted as a single write."""
        reply = await self._write_patiently("POST", service, path, body)
        where = f"{service} POST {path}"
        if not reply.created:
            self._count(where, reply, 0)
            return reply
        for row in reply.body["results"]:
            self._count(f"{where} [{row['index']}]", Reply(int(row["status"]), row), 1)
        return reply

    def _count(self, where: str, reply: Reply, events: int) -> None:
        self.on_write()
        if reply.created:
            self.tally.accepted += 1
            self.tally.events += events
        elif reply.exists:
            self.tally.existing += 1
        else:
            detail = reply.body.get("detail", "")
            self.tally.failures.append(f"{where}: {reply.status} {reply.code} {detail}".strip())

    async def _write_patiently(self, method: str, service: str, path: str, body: Mapping[str, Any]) -> Reply:
        deadline = time.monotonic() + UNKNOWN_PARTICIPANT_PATIENCE_S
        backoff, transient = FIRST_BACKOFF_S, 0
        while True:
            reply = await self._send(method, service, path, body)
            if reply is None:
                continue  # rate limited: sent again once the service's pause is over
            if reply.code == "unknown_participant" and time.monotonic() < deadline:
                pass  # registration's event has not reached this service yet
            elif (reply.status == 0 or reply.status >= 500) and transient < TRANSIENT_ATTEMPTS:
                transient += 1
            else:
                return reply
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, MAX_BACKOFF_S)

    async def _send(self, method: str, service: str, path: str, body: Mapping[str, Any]) -> Reply | None:
        """One attempt; None when the service is (or became, while we queued for a slot) rate limited."""
        await self._wait_for_pause(service)
        async with self.gate:
            if self._paused_for(service) > 0:
                return None
            self.tally.requests += 1
            try:
                response = await self.clients[service].request(method, path, json=body)
            except httpx.TransportError as exc:
                return Reply(0, {"code": "unreachable", "detail": f"{type(exc).__name__}: {exc}"})
        if response.status_code == 429:
            self._pause(service, response.headers.get("retry-after"))
            return None
        return Reply(response.status_code, _json(response))

    def _pause(self, service: str, retry_after: str | None) -> None:
        """The service's rate limit applies to all our writes: hold them all, not just this one."""
        seconds = float(retry_after) if retry_after and retry_after.isdigit() else 1.0
        self.paused_until[service] = max(self.paused_until.get(service, 0.0), time.monotonic() + seconds)

    def _paused_for(self, service: str) -> float:
        return self.paused_until.get(service, 0.0) - time.monotonic()

    async def _wait_for_pause(self, service: str) -> None:
        if (wait := self._paused_for(service)) > 0:
            await asyncio.sleep(wait)


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"detail": response.text[:200]}
    return body if isinstance(body, dict) else {"items": body}


@asynccontextmanager
async def connect(
    urls: Mapping[str, str], headers: Mapping[str, str], concurrency: int
) -> AsyncIterator[Api]:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with AsyncExitStack() as stack:
        clients = {
            name: await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, headers=headers, timeout=30.0, limits=limits)
            )
            for name, url in urls.items()
        }
        yield Api(clients, concurrency)
