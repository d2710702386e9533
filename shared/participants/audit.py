"""The audit trail of refused out-of-area attempts (issue 11, point 7).

A refusal's transaction is rolled back, so the record is not a database row: it is one JSON line on the
dedicated `jakpreneur.audit.area` logger — who (the token's subject), what (method, route template and the
participant's pseudonymous id), when — and never any personal data. It is written by an exception
handler, after the rollback, so every refusal that reaches the client is recorded exactly once.
"""

import inspect
import json
import logging
import sys
from datetime import UTC, datetime

from fastapi import FastAPI, Request
from starlette.responses import Response

from shared.auth.principal import Principal
from shared.errors import DomainError
from shared.participants.area import OutsideArea
from shared.web.correlation import current_correlation_id

AUDIT_LOGGER = "jakpreneur.audit.area"
audit_log = logging.getLogger(AUDIT_LOGGER)


class AuditLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {"ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")}
        return json.dumps({**entry, "logger": record.name, **getattr(record, "audit", {})})


def _configure() -> None:
    # Its own handler, so the line is the record itself and no log level set for the service drops it.
    if not audit_log.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(AuditLine())
        audit_log.addHandler(handler)
    audit_log.setLevel(logging.INFO)
    audit_log.propagate = False


def record_refusal(request: Request, refused: OutsideArea) -> None:
    principal: Principal | None = getattr(request.state, "principal", None)
    route = request.scope.get("route")
    entry = {
        "audit": "refused_outside_area",
        "subject": principal.subject if principal else None,
        "area": principal.area if principal else None,
        "method": request.method,
        "route": getattr(route, "path", request.url.path),
        "participant_id": refused.participant_id,
        "answered": refused.code,
        "correlation_id": current_correlation_id(),
    }
    audit_log.info("refused outside area", extra={"audit": entry})


def install_area_audit(app: FastAPI) -> None:
    """Records every OutsideArea refusal, then answers it exactly as the API answers any domain error."""
    _configure()
    answer = app.exception_handlers[DomainError]

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, OutsideArea)
        record_refusal(request, exc)
        response = answer(request, exc)
        return await response if inspect.isawaitable(response) else response

    app.add_exception_handler(OutsideArea, refused)
