"""Operational endpoints every service serves: /healthz, /readyz and Prometheus metrics at /ops/metrics."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

ReadinessCheck = Callable[[], Awaitable[None]]

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


def ops_router(checks: dict[str, ReadinessCheck], timeout_s: float = 2.0) -> APIRouter:
    router = APIRouter(tags=["ops"])

    @router.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "alive"}

    @router.get(
        "/readyz",
        responses={
            503: {
                "description": "A dependency is down; `checks` names which",
                "content": {"application/json": {}},
            }
        },
    )
    async def readyz() -> JSONResponse:
        results: dict[str, str] = {}
        for name, check in checks.items():
            try:
                await asyncio.wait_for(check(), timeout_s)
                results[name] = "ok"
            except Exception as exc:
                results[name] = f"unavailable: {type(exc).__name__}"
        ready = all(v == "ok" for v in results.values())
        return JSONResponse(status_code=200 if ready else 503, content={"ready": ready, "checks": results})

    @router.get("/ops/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


def install_ops(app: FastAPI, checks: dict[str, ReadinessCheck]) -> None:
    app.add_middleware(RequestTimer)
    app.include_router(ops_router(checks))
