"""The ceiling of the write path: a FastAPI endpoint returning a constant, run exactly as the services run.

`python -m benchmarks.bare_app` with BARE_HOST/BARE_PORT, served through shared.service.serve (same uvicorn
settings as every service: loopback, uvloop/httptools when installed, no access log).
"""

from typing import Any

from fastapi import FastAPI
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.service.serve import serve
from shared.service.settings import ServiceSettings


class BareSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BARE_", extra="ignore")

    port: int = Field(default=8099, ge=1, le=65535)


def create_app(settings: BareSettings) -> FastAPI:
    app = FastAPI(title="Jakpreneur bare")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/participants", status_code=201)
    async def participants(body: dict[str, Any]) -> dict[str, str]:
        return {"participant_id": "00000000-0000-0000-0000-000000000000"}

    return app


if __name__ == "__main__":
    serve(create_app, BareSettings())
