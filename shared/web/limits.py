"""Limits that keep one careless or hostile client from hurting everyone: body size and write rate.

Both are pure ASGI middleware, so they refuse before any parsing, database or Kafka work happens.
"""

import hashlib
import json
import math
import time
from dataclasses import dataclass

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.types import ASGIApp, Receive, Scope, Send

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LimitSettings(BaseSettings):
    """Environment prefix LIMIT_, shared by every service like KAFKA_ and AUTH_."""

    model_config = SettingsConfigDict(env_prefix="LIMIT_", extra="ignore")

    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body accepted (413 above)"
    )
    write_rate_per_s: float = Field(
        default=50.0, gt=0, description="Sustained writes per client per instance"
    )
    write_burst: int = Field(default=400, ge=1, description="Writes a client may send at once before 429")


async def _refuse(
    send: Send, status: int, code: str, detail: str, headers: list[tuple[bytes, bytes]]
) -> None:
    body = json.dumps({"detail": detail, "code": code}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class DeclaredBodySizeMiddleware:
    """413 in the API's error shape for a declared Content-Length over the limit, before anything is read.

    Bodies streamed without a length are cut off by FastAPI's own `max_body_size` as they are read.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        declared = dict(scope["headers"]).get(b"content-length") if scope["type"] == "http" else None
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            detail = f"the request body is larger than {self.max_bytes} bytes"
            await _refuse(send, 413, "request_too_large", detail, [])
            return
        await self.app(scope, receive, send)


@dataclass
class _Bucket:
    tokens: float
    updated: float


class WriteRateLimitMiddleware:
    """A token bucket per client (its bearer token, else its address) for writes; 429 with Retry-After.

    Per instance: behind a load balancer the effective limit is this times the instance count, which is what
    a guard against runaway clients needs; quotas would live at the gateway.
    """

    MAX_CLIENTS = 10_000  # forget idle buckets beyond this, so random tokens cannot grow memory without bound

    def __init__(self, app: ASGIApp, rate_per_s: float, burst: int) -> None:
        self.app = app
        self.rate = rate_per_s
        self.burst = burst
        self._buckets: dict[str, _Bucket] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in WRITE_METHODS:
            await self.app(scope, receive, send)
            return
        wait_s = self._take(self._client(scope), time.monotonic())
        if wait_s > 0:
            retry_after = str(max(1, math.ceil(wait_s))).encode()
            detail = f"too many writes from this client; retry in {wait_s:.1f} s"
            await _refuse(send, 429, "rate_limited", detail, [(b"retry-after", retry_after)])
            return
        await self.app(scope, receive, send)

    def _take(self, client: str, now: float) -> float:
        """Seconds to wait before a token is available; 0 if one was taken."""
        bucket = self._buckets.get(client)
        if bucket is None:
            if len(self._buckets) >= self.MAX_CLIENTS:
                self._forget_full_buckets(now)
            bucket = self._buckets[client] = _Bucket(float(self.burst), now)
        bucket.tokens = min(float(self.burst), bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return 0.0
        return (1 - bucket.tokens) / self.rate

    def _forget_full_buckets(self, now: float) -> None:
        refill_s = self.burst / self.rate
        self._buckets = {k: b for k, b in self._buckets.items() if now - b.updated < refill_s}

    @staticmethod
    def _client(scope: Scope) -> str:
        authorization = dict(scope["headers"]).get(b"authorization")
        if authorization:
            return "t:" + hashlib.sha256(authorization).hexdigest()[:24]
        host = scope.get("client") or ("unknown", 0)
        return f"a:{host[0]}"
