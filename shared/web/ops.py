"""Operational endpoints every service serves: /healthz, /readyz and Prometheus metrics at /ops/metrics."""

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Gauge, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ReadinessCheck = Callable[[], Awaitable[None]]


@dataclass(frozen=True)
class Checks:
    """What /readyz looks at. An instance is ready when it can serve: `required` are the dependencies
    without which it cannot; `shown` are reported (details, metrics) but never take it out of its load
    balancer — a producing service's Kafka, whose outage the outbox buffers."""

    required: Mapping[str, ReadinessCheck]
    shown: Mapping[str, ReadinessCheck] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.required.keys() & self.shown.keys():
            raise ValueError("a check is either required or shown, not both")


DEPENDENCY_UP = Gauge(
    "dependency_up",
    "1 when the dependency answered its last check (at each /readyz and each scrape), else 0",
    ["dependency"],
)

REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


class RequestTimer:
    """Observes each request's latency by route template and status.

    Plain ASGI rather than BaseHTTPMiddleware, which costs every request a task group and memory streams.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets when nothing was sent before an exception

        async def noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, noting_status)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")  # the router records the matched route
            REQUEST_SECONDS.labels(scope["method"], path, str(status)).observe(time.perf_counter() - started)


async def _outcome(name: str, check: ReadinessCheck, timeout_s: float) -> str:
    try:
        await asyncio.wait_for(check(), timeout_s)
    except Exception as exc:
        DEPENDENCY_UP.labels(name).set(0)
        return f"unavailable: {type(exc).__name__}"
    DEPENDENCY_UP.labels(name).set(1)
    return "ok"


async def run_checks(checks: Checks, timeout_s: float) -> dict[str, str]:
    """Every check at once, so one hung dependency costs `timeout_s`, not a sum of them."""
    named = {**checks.required, **checks.shown}
    outcomes = await asyncio.gather(*(_outcome(name, check, timeout_s) for name, check in named.items()))
    return dict(zip(named, outcomes, strict=True))


def ops_router(checks: Checks, timeout_s: float = 2.0) -> APIRouter:
    router = APIRouter(tags=["ops"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @router.get(
        "/readyz",
        responses={
            503: {
                "description": "A dependency listed in `required` is down; `checks` names which",
                "content": {"application/json": {}},
            }
        },
    )
    async def readyz() -> JSONResponse:
        """`checks` holds every dependency's state; only those in `required` decide readiness."""
        results = await run_checks(checks, timeout_s)
        ready = all(results[name] == "ok" for name in checks.required)
        content = {"ready": ready, "checks": results, "required": list(checks.required)}
        return JSONResponse(status_code=200 if ready else 503, content=content)

    @router.get("/ops/metrics", include_in_schema=False)
    async def metrics() -> Response:
        await run_checks(checks, timeout_s)  # dependency_up as of this scrape, probed or not
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def install_ops(app: FastAPI, checks: Checks) -> None:
    app.add_middleware(RequestTimer)
    app.include_router(ops_router(checks))
