"""Builds a service's FastAPI app the same way for every service."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI

from shared.service.runtime import ProducingRuntime
from shared.web.correlation import CorrelationIdMiddleware
from shared.web.errors import install_error_handlers
from shared.web.ops import install_ops


def producing_service_app(
    *, title: str, description: str, runtime: ProducingRuntime, routers: list[APIRouter]
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(title=title, description=description, version="1.0.0", lifespan=lifespan)
    app.state.runtime = runtime
    install_error_handlers(app)
    install_ops(app, runtime.readiness_checks())
    app.add_middleware(CorrelationIdMiddleware)
    for router in routers:
        app.include_router(router)
    return app


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
