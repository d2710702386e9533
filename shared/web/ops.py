"""Operational endpoints every service serves: /healthz, /readyz and Prometheus metrics at /ops/metrics."""

import asyncio
import time
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, Histogram, generate_latest
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

ReadinessCheck = Callable[[], Awaitable[None]]

REQUEST_SECONDS = Histogram(
    "http_request_duration_seconds",
    "HTTP request latency by route",
    ["method", "route", "status"],
    buckets=(0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


async def _timed(request: Request, call_next: RequestResponseEndpoint) -> Response:
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    path = getattr(route, "path", "unmatched")
    REQUEST_SECONDS.labels(request.method, path, str(response.status_code)).observe(
        time.perf_counter() - started
    )
    return response


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
    app.add_middleware(BaseHTTPMiddleware, dispatch=_timed)
    app.include_router(ops_router(checks))
