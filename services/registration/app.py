"""The registration service: participants and their personal data, and the ParticipantRegistered event."""

from pathlib import Path

from fastapi import FastAPI

from services.registration.adapters.tables import outbox
from services.registration.api.routes import router
from services.registration.settings import RegistrationSettings
from shared.auth import Role
from shared.web.app import producing_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: RegistrationSettings | None = None) -> FastAPI:
    settings = settings or RegistrationSettings()
    app = producing_service_app(
        name="registration",
        title="Jakpreneur registration",
        description="Registers UMKM participants (pendaftaran). Personal data never leaves this service.",
        settings=settings,
        outbox=outbox,
        migrations=MIGRATIONS,
        routers=[router],
        role=Role.REGISTRAR,
    )
    app.state.personal_data = settings.personal_data  # read by services.registration.api.deps
    return app
