"""The registration service: participants and their personal data, and the ParticipantRegistered event."""

from pathlib import Path

from fastapi import FastAPI

from services.registration.adapters.tables import outbox
from services.registration.api.routes import router
from services.registration.settings import RegistrationSettings
from shared.service.runtime import ProducingRuntime
from shared.web.app import producing_service_app

MIGRATIONS = Path(__file__).parent / "migrations"
SERVICE = "registration"


def create_app(settings: RegistrationSettings | None = None) -> FastAPI:
    settings = settings or RegistrationSettings()
    runtime = ProducingRuntime(
        name=SERVICE,
        database_url=settings.database_url,
        kafka=settings.kafka,
        outbox=outbox,
        migrations=MIGRATIONS,
    )
    return producing_service_app(
        title="Jakpreneur registration",
        description="Registers UMKM participants (pendaftaran). Personal data never leaves this service.",
        runtime=runtime,
        routers=[router],
    )
