"""The training service: entrepreneurship and vocational classes, completions and job placements."""

from pathlib import Path

from fastapi import FastAPI

from services.training.adapters.tables import outbox, participants
from services.training.api.routes import router
from services.training.settings import TrainingSettings
from shared.auth import Role
from shared.participants.audit import install_area_audit
from shared.web.app import producing_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: TrainingSettings | None = None) -> FastAPI:
    app = producing_service_app(
        name="training",
        title="Jakpreneur training",
        description="Classes (pelatihan), completions and vocational job placements.",
        settings=settings or TrainingSettings(),
        outbox=outbox,
        participants=participants,
        migrations=MIGRATIONS,
        routers=[router],
        role=Role.TRAINER,
    )
    install_area_audit(app)
    return app
