"""The marketing service (pemasaran): products, curation, exhibitions, showcases, e-Order, their events."""

from pathlib import Path

from fastapi import FastAPI

from services.marketing.adapters.tables import outbox, participants
from services.marketing.api.routes import router
from services.marketing.settings import MarketingSettings
from shared.auth import Role
from shared.participants.audit import install_area_audit
from shared.web.app import producing_service_app

MIGRATIONS = Path(__file__).parent / "migrations"

DESCRIPTION = """\
Marketing (pemasaran), the fifth stage of a participant's journey.

* **Products** belong to a registered participant. Their name stays here; events carry the participant's
  profile only.
* **Curation** climbs kecamatan → kota → province: each level needs the one below passed; a passed level is
  final, a failed one may be retried. Criteria and notes stay here.
* **Exhibitions** (bazaars and exhibitions, national or international) may be scheduled ahead. A product
  **shown** at one is the fact that reaches the marketing stage; its date can be **corrected**, and a
  showcase recorded by mistake **voided** (`FactCorrected`, `FactVoided`), with who and why kept in the
  correction log.
* The **e-Order** catalogue lists a product once, after it passed curation at kota level or higher.

Errors are `{"detail", "code"}`; switch on `code`. Business dates are Asia/Jakarta calendar days.
"""


def create_app(settings: MarketingSettings | None = None) -> FastAPI:
    app = producing_service_app(
        name="marketing",
        title="Jakpreneur marketing",
        description=DESCRIPTION,
        settings=settings or MarketingSettings(),
        outbox=outbox,
        participants=participants,
        migrations=MIGRATIONS,
        routers=[router],
        role=Role.MARKETING,
    )
    install_area_audit(app)
    return app
