"""Entry point shared by every service: `python -m services.<name>` runs it under uvicorn."""

from collections.abc import Callable
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from shared.logs import configure_logging
from shared.service.settings import ServiceSettings
from shared.tracing import configure_tracing

S = TypeVar("S", bound=ServiceSettings)


def serve(create_app: Callable[[S], FastAPI], settings: S) -> None:
    configure_logging(settings.log_level)
    app = create_app(settings)
    configure_tracing(app, app.title.removeprefix("Jakpreneur ").strip(), settings.tracing_exporter)
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        log_level=settings.log_level.lower(),
        log_config=None,  # uvicorn logs through the root logger, as JSON like everything else
        access_log=False,  # request lines can carry personal data in query strings; metrics cover traffic
    )
