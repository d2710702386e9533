"""The permits service (perizinan): applications, issued and rejected permits, and their events."""

from pathlib import Path

from fastapi import FastAPI

from services.permits.adapters.tables import outbox, participants
from services.permits.api.routes import router
from services.permits.settings import PermitsSettings
from shared.service.runtime import ProducingRuntime
from shared.web.app import producing_service_app

MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE = "permits"


def create_app(settings: PermitsSettings | None = None) -> FastAPI:
    settings = settings or PermitsSettings()
    runtime = ProducingRuntime(
        name=SERVICE,
        database_url=settings.database_url,
        kafka=settings.kafka,
        outbox=outbox,
        migrations=MIGRATIONS,
        participants=participants,
    )
    return producing_service_app(
        title="Jakpreneur permits",
        description="Permit applications and decisions (perizinan): NIB, SPP-IRT, halal, BPOM MD, HKI.",
        runtime=runtime,
        routers=[router],
    )
