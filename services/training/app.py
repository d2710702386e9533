"""The training service: entrepreneurship and vocational classes, completions and job placements."""

from pathlib import Path

from fastapi import FastAPI

from services.training.adapters.tables import outbox, participants
from services.training.api.routes import router
from services.training.settings import TrainingSettings
from shared.service.runtime import ProducingRuntime
from shared.web.app import producing_service_app

MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE = "training"


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    settings = settings or TrainingSettings()
    runtime = ProducingRuntime(
        name=SERVICE,
        database_url=settings.database_url,
        kafka=settings.kafka,
        outbox=outbox,
        migrations=MIGRATIONS,
        participants=participants,
    )
    return producing_service_app(
        title="Jakpreneur training",
        description="Classes (pelatihan), completions and vocational job placements.",
        runtime=runtime,
        routers=[router],
    )
