"""The permits service (perizinan): applications, issued and rejected permits, and their events."""

from pathlib import Path

from fastapi import FastAPI

from services.permits.adapters.tables import outbox, participants
from services.permits.api.routes import router
from services.permits.settings import PermitsSettings
from shared.auth import Role
from shared.participants.audit import install_area_audit
from shared.web.app import producing_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: PermitsSettings | None = None) -> FastAPI:
    app = producing_service_app(
        name="permits",
        title="Jakpreneur permits",
        description="Permit applications and decisions (perizinan): NIB, SPP-IRT, halal, BPOM MD, HKI.",
        settings=settings or PermitsSettings(),
        outbox=outbox,
        participants=participants,
        migrations=MIGRATIONS,
        routers=[router],
        role=Role.PERMIT_OFFICER,
    )
    install_area_audit(app)
    return app
