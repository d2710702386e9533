"""The finance service: financial reports (pelaporan keuangan) and financing (permodalan)."""

from pathlib import Path

from fastapi import FastAPI

from services.finance.adapters.tables import outbox, participants
from services.finance.api.routes import financing_router, reports_router
from services.finance.settings import FinanceSettings
from shared.auth import Role
from shared.participants.audit import install_area_audit
from shared.web.app import producing_service_app

MIGRATIONS = Path(__file__).parent / "migrations"


def create_app(settings: FinanceSettings | None = None) -> FastAPI:
    app = producing_service_app(
        name="finance",
        title="Jakpreneur finance",
        description="Financial reports of participants' businesses (pelaporan keuangan) and bank financing "
        "(permodalan): applications, decisions and disbursements, with corrections and voids. Amounts are "
        "whole rupiah; dates are Asia/Jakarta business dates.",
        settings=settings or FinanceSettings(),
        outbox=outbox,
        participants=participants,
        migrations=MIGRATIONS,
        routers=[reports_router, financing_router],
        role=Role.FINANCE,
    )
    install_area_audit(app)
    return app
