"""Entry point shared by every service: `python -m services.<name>` runs it under uvicorn; a service with a
database also answers `python -m services.<name> migrate`."""

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import uvicorn
from fastapi import FastAPI

from shared.logs import configure_logging
from shared.service.migrate import migrate
from shared.service.settings import ProducingServiceSettings, ServiceSettings
from shared.tracing import configure_tracing, service_name

S = TypeVar("S", bound=ServiceSettings)
P = TypeVar("P", bound=ProducingServiceSettings)


def serve(create_app: Callable[[S], FastAPI], settings: S) -> None:
    app = create_app(settings)  # logs nothing: logging is set up with the service's name next
    service = app.title.removeprefix("Jakpreneur ").strip()
    configure_logging(settings.log_level, service_name(service))
    configure_tracing(app, service, settings.tracing_exporter)
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


def producing_main(
    service: str, create_app: Callable[[P], FastAPI], settings: type[P], migrations: Path
) -> None:
    parser = argparse.ArgumentParser(prog=f"python -m services.{service}")
    parser.add_argument(
        "command",
        nargs="?",
        choices=["serve", "migrate"],
        default="serve",
        help="serve (the default) or migrate: bring the database to this release's schema, then exit",
    )
    if parser.parse_args().command == "migrate":
        migrate(service, migrations, settings)
    else:
        serve(create_app, settings())
