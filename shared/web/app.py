"""Builds a service's FastAPI app the same way for every service."""

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI, params
from sqlalchemy import Table

from shared.auth.deps import requires
from shared.auth.principal import Role
from shared.auth.settings import AuthSettings
from shared.participants.directory import ParticipantTables
from shared.service.runtime import ProducingRuntime
from shared.service.settings import ProducingServiceSettings
from shared.web.correlation import CorrelationIdMiddleware
from shared.web.errors import install_error_handlers
from shared.web.limits import DeclaredBodySizeMiddleware, LimitSettings, RateLimitMiddleware, meter
from shared.web.ops import Checks, install_ops
from shared.web.refusals import document_common_refusals


def service_app(
    *,
    title: str,
    auth: AuthSettings,
    limits: LimitSettings,
    description: str,
    start: Callable[[], Awaitable[None]],
    stop: Callable[[], Awaitable[None]],
    checks: Checks,
    routers: list[APIRouter],
    router_dependencies: Sequence[params.Depends] = (),
) -> FastAPI:
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await start()
        try:
            yield
        finally:
            await stop()

    app = FastAPI(
        title=title,
        description=description,
        version="1.0.0",
        lifespan=lifespan,
    )
    app.state.auth = auth
    install_error_handlers(app)
    install_ops(app, checks)
    document_common_refusals(app)
    app.add_middleware(
        RateLimitMiddleware,
        meter=meter(limits, namespace=title.lower().replace(" ", "-")),  # one quota per service
        auth=auth,
        read=limits.read,
        write=limits.write,
    )
    app.add_middleware(DeclaredBodySizeMiddleware, max_bytes=limits.max_body_bytes)
    app.add_middleware(CorrelationIdMiddleware)  # added last: outermost, so refusals carry an id too
    for router in routers:
        # Route level, inside the error handlers: a body streamed past the limit gets the API's 413 shape.
        app.include_router(router, dependencies=router_dependencies, max_body_size=limits.max_body_bytes)
    return app


def producing_service_app(
    *,
    name: str,
    title: str,
    description: str,
    settings: ProducingServiceSettings,
    outbox: Table,
    migrations: Path,
    routers: list[APIRouter],
    role: Role,
    participants: ParticipantTables | None = None,
) -> FastAPI:
    """A service that owns a database and publishes its events through the outbox.

    Every route needs a verified token with the service's `role` (admin holds every role); the
    probes and metrics stay open for orchestrators.
    """
    runtime = ProducingRuntime(
        name=name,
        database_url=settings.database_url,
        kafka=settings.kafka,
        outbox=outbox,
        migrations=migrations,
        participants=participants,
        migrate_on_start=settings.migrate_on_start,
        outbox_settings=settings.outbox,
    )
    app = service_app(
        title=title,
        auth=settings.auth,
        limits=settings.limits,
        description=description,
        start=runtime.start,
        stop=runtime.stop,
        checks=runtime.readiness_checks(),
        routers=routers,
        router_dependencies=[Depends(requires(role))],
    )
    app.state.runtime = runtime
    return app
