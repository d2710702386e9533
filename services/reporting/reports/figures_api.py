"""The reporting API's figure routes, served in process to the report: the same code, validation and
JSON as over HTTP, exact (an analyst's view), with no network and no token in between."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

import httpx
from fastapi import FastAPI

from services.reporting.api.routes import router as figures_router
from services.reporting.api.strict_query import FigureRoute
from services.reporting.api.targets import router as targets_router
from services.reporting.store.figures import Figures
from services.reporting.store.targets import Targets
from shared.auth.settings import AuthSettings
from shared.web.errors import install_error_handlers

FIGURE_ROUTERS = (figures_router, targets_router)
Json = dict[str, Any]
Params = list[tuple[str, str]]


class FigureRefused(RuntimeError):
    """The API answered a report's question with an error (a bug in the report, or a store outage)."""


def figures_app(figures: Figures, targets: Targets, auth: AuthSettings) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    for router in FIGURE_ROUTERS:
        app.include_router(router)
    app.state.figures = figures
    app.state.targets = targets
    app.state.auth = auth  # no token is sent; the routes' optional token check needs the settings
    app.state.public_aggregates = False  # exact figures, as an analyst reads them
    return app


class FiguresApi:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client
        self._routes = {r.path: r for x in FIGURE_ROUTERS for r in x.routes if isinstance(r, FigureRoute)}

    def takes(self, path: str, parameter: str) -> bool:
        """Whether a figure takes this query parameter (a filter the API does not support yet is refused)."""
        return parameter in self._routes[path].query_names

    async def get(self, path: str, params: Params) -> Json:
        asked = f"{path}?{urlencode(params)}"
        answered = await self._client.get(asked)
        if answered.status_code != httpx.codes.OK:
            raise FigureRefused(f"{asked}: {answered.status_code} {answered.text}")
        found: Json = answered.json()
        return found


@asynccontextmanager
async def figures_api(app: FastAPI) -> AsyncIterator[FiguresApi]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://reporting") as client:
        yield FiguresApi(client)
