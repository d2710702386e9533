"""The registration service: participants and their personal data, and the ParticipantRegistered event."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from services.registration.adapters.stage_facts import stage_fact_follower
from services.registration.adapters.tables import outbox
from services.registration.api.routes import router
from services.registration.settings import RegistrationSettings
from shared.auth import Role
from shared.participants.follower import TopicFollower
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
    _run_alongside(app, stage_fact_follower(settings.kafka, app.state.runtime.engine))
    return app


def _run_alongside(app: FastAPI, follower: TopicFollower) -> None:
    """Registration follows the stage topics (the earliest stage fact bounds `registered_on`) while it runs,
    started once the runtime is (its schema checked), stopped before it."""
    runtime_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        async with runtime_lifespan(started):
            follower.start()
            try:
                yield
            finally:
                await follower.stop()

    app.router.lifespan_context = lifespan
