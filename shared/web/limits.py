"""Limits that keep one careless or hostile client from hurting everyone: body size and request rates.

Both are pure ASGI middleware, so they refuse before any parsing, database or Kafka work happens.
"""

import json
import logging
import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import urlsplit

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.auth.cookie import COOKIE
from shared.auth.deps import remember_verified
from shared.auth.principal import Unauthorized
from shared.auth.settings import AuthSettings
from shared.auth.tokens import authenticate

log = logging.getLogger(__name__)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Probes and scrapes: a refused probe would restart or unlist a healthy instance.
UNMETERED_PATHS = frozenset({"/healthz", "/readyz", "/ops/metrics"})
REDIS_SCHEMES = ("redis", "rediss", "redis+unix", "redis+cluster", "redis+sentinel")


class LimitSettings(BaseSettings):
    """Environment prefix LIMIT_, shared by every service like KAFKA_ and AUTH_."""

    model_config = SettingsConfigDict(env_prefix="LIMIT_", extra="ignore")

    max_body_bytes: int = Field(
        default=1_048_576, ge=1024, description="Largest request body accepted (413 above)"
    )
    write_rate_per_s: float = Field(default=50.0, gt=0, description="Sustained writes per client")
    write_burst: int = Field(default=400, ge=1, description="Writes a client may send at once before 429")
    read_rate_per_s: float = Field(default=200.0, gt=0, description="Sustained reads per client")
    read_burst: int = Field(default=2000, ge=1, description="Reads a client may send at once before 429")
    max_clients: int = Field(
        default=50_000,
        ge=1,
        description="Buckets an instance keeps in memory; beyond, the least recently used is forgotten",
    )
    storage_uri: str | None = Field(
        default=None,
        description="Redis holding the buckets, so every instance of a service shares one quota "
        "(redis://host:6379/3, rediss://, redis+cluster://, redis+sentinel://); unset, each instance "
        "counts alone",
    )

    @field_validator("storage_uri")
    @classmethod
    def _redis_only(cls, value: str | None) -> str | None:
        if not value:
            return None
        scheme = urlsplit(value).scheme.removeprefix("async+")
        if scheme not in REDIS_SCHEMES:
            raise ValueError(f"must be a Redis URI ({', '.join(REDIS_SCHEMES)}), not {scheme or 'none'}://")
        return value

    @property
    def read(self) -> "Rate":
        return Rate("read", self.read_rate_per_s, self.read_burst)

    @property
    def write(self) -> "Rate":
        return Rate("write", self.write_rate_per_s, self.write_burst)


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


@dataclass(frozen=True)
class Rate:
    """A token bucket: `burst` requests at once, refilled at `per_s`. Reads and writes have one each."""

    kind: str
    per_s: float
    burst: int

    def window(self, namespace: str) -> RateLimitItem:
        """The same quota as a window for shared storage: `burst` requests per refill time (whole seconds,
        rounded up, so a window is never more generous than the bucket)."""
        return RateLimitItemPerSecond(self.burst, max(1, math.ceil(self.burst / self.per_s)), namespace)


class Meter(Protocol):
    async def take(self, rate: Rate, client: str) -> float | None:
        """None when the client may go ahead (its request is counted), else the seconds until it may."""


@dataclass
class _Bucket:
    tokens: float
    updated: float


class LocalBuckets:
    """Token buckets in this instance's memory, at most `max_clients` of them.

    The least recently used bucket is forgotten first, in O(1) (an ordered dict). It is the one idle the
    longest, so it is full or nearly: forgetting it costs nothing unless `max_clients` other clients came
    since, and since a client is a verified subject or an address, made-up tokens cannot make new ones.
    """

    def __init__(self, max_clients: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.max_clients = max_clients
        self._clock = clock
        self._buckets: OrderedDict[tuple[str, str], _Bucket] = OrderedDict()

    def __len__(self) -> int:
        return len(self._buckets)

    async def take(self, rate: Rate, client: str) -> float | None:
        now = self._clock()
        key = (rate.kind, client)
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = _Bucket(float(rate.burst), now)
            if len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
        else:
            self._buckets.move_to_end(key)
        bucket.tokens = min(float(rate.burst), bucket.tokens + (now - bucket.updated) * rate.per_s)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return None
        return (1 - bucket.tokens) / rate.per_s


class SharedWindows:
    """Quotas in Redis through the `limits` library, so every instance of a service counts against one.

    Sliding window counters: two small keys per client and kind that expire by themselves, each hit one
    atomic script. While Redis does not answer, each instance counts alone in `fallback` and asks Redis
    again after `RETRY_S`: a guard must not take the service down with its store.
    """

    RETRY_S = 5.0
    TIMEOUT_S = 0.5

    def __init__(self, uri: str, namespace: str, fallback: LocalBuckets) -> None:
        storage = storage_from_string(
            "async+" + uri.removeprefix("async+"),  # the async storage; the URI otherwise as Redis reads it
            implementation="redispy",  # the Redis client the services already use
            wrap_exceptions=True,
            socket_timeout=self.TIMEOUT_S,
            socket_connect_timeout=self.TIMEOUT_S,
        )
        self._limiter = SlidingWindowCounterRateLimiter(storage)
        self._namespace = namespace
        self._fallback = fallback
        self._windows: dict[Rate, RateLimitItem] = {}
        self._unavailable_until = 0.0

    async def take(self, rate: Rate, client: str) -> float | None:
        if time.monotonic() < self._unavailable_until:
            return await self._fallback.take(rate, client)
        window = self._windows.get(rate) or self._windows.setdefault(rate, rate.window(self._namespace))
        try:
            if await self._limiter.hit(window, rate.kind, client):
                return None
            stats = await self._limiter.get_window_stats(window, rate.kind, client)
        except StorageError as exc:
            self._unavailable_until = time.monotonic() + self.RETRY_S
            log.warning(
                "rate-limit store unavailable (%s): this instance counts alone for %.0f s",
                type(exc.storage_error).__name__,
                self.RETRY_S,
            )
            return await self._fallback.take(rate, client)
        return max(0.0, stats.reset_time - time.time())


def meter(settings: LimitSettings, namespace: str) -> Meter:
    """Shared quotas when a store is set, else this instance's own; `namespace` keeps services apart."""
    local = LocalBuckets(settings.max_clients)
    if settings.storage_uri is None:
        return local
    return SharedWindows(settings.storage_uri, namespace, fallback=local)


class RateLimitMiddleware:
    """A quota per client, reads and writes apart; 429 `rate_limited` with Retry-After beyond it.

    The client is the subject of a token that verifies (the header, else the session cookie, as the auth
    dependencies read them): altered or made-up tokens get no bucket of their own, and one person's
    tokens share one. Without a valid token it is the connection's address, which uvicorn takes from
    X-Forwarded-For only behind trusted proxies (`forwarded_allow_ips`).
    """

    def __init__(self, app: ASGIApp, *, meter: Meter, auth: AuthSettings, read: Rate, write: Rate) -> None:
        self.app = app
        self.meter = meter
        self.auth = auth
        self.read = read
        self.write = write

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in UNMETERED_PATHS:
            await self.app(scope, receive, send)
            return
        rate = self.write if scope["method"] in WRITE_METHODS else self.read
        wait_s = await self.meter.take(rate, await self._client(scope))
        if wait_s is not None:
            retry_after = str(max(1, math.ceil(wait_s))).encode()
            detail = f"too many {rate.kind}s from this client; retry in {wait_s:.1f} s"
            await _refuse(send, 429, "rate_limited", detail, [(b"retry-after", retry_after)])
            return
        await self.app(scope, receive, send)

    async def _client(self, scope: Scope) -> str:
        token = _presented_token(HTTPConnection(scope))
        if token:
            try:
                principal = await authenticate(self.auth, token)
            except Unauthorized:
                pass  # the route refuses it; here it only means the address is the client
            else:
                remember_verified(scope, self.auth, token, principal)  # the route's check reuses it
                return "subject:" + principal.subject
        address = scope.get("client")
        return f"address:{address[0] if address else 'unknown'}"


def _presented_token(connection: HTTPConnection) -> str | None:
    scheme, _, token = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return connection.cookies.get(COOKIE)
