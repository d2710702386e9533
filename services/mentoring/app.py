"""The mentoring service (pendampingan): PJLP mentors per kecamatan, the sessions they hold, and events."""

from pathlib import Path

from fastapi import FastAPI

from services.mentoring.adapters.tables import outbox, participants
from services.mentoring.api.routes import router
from services.mentoring.settings import MentoringSettings
from shared.auth import Role
from shared.participants.audit import install_area_audit
from shared.web.app import producing_service_app

MIGRATIONS = Path(__file__).parent / "migrations"

DESCRIPTION = """\
Mentoring (pendampingan), the third stage of a participant's journey.

* **Mentors** are PJLP staff, each serving one Jakarta kecamatan. Their staff number and name stay here.
* **Sessions** are held by a mentor with a participant of the mentor's kecamatan; a session is the fact that
  reaches the mentoring stage. Its notes stay here; the event carries the participant's profile only.
* A session's date can be **corrected** and a session recorded by mistake **voided** (`FactCorrected`,
  `FactVoided`), with who and why kept in the correction log.

Errors are `{"detail", "code"}`; switch on `code`. Business dates are Asia/Jakarta calendar days.
"""


def create_app(settings: MentoringSettings | None = None) -> FastAPI:
    app = producing_service_app(
        name="mentoring",
        title="Jakpreneur mentoring",
        description=DESCRIPTION,
        settings=settings or MentoringSettings(),
        outbox=outbox,
        participants=participants,
        migrations=MIGRATIONS,
        routers=[router],
        role=Role.MENTOR,
    )
    install_area_audit(app)
    return app
