"""Structured JSON logs: one object per line, naming the service and carrying the correlation id and, inside
a trace, the trace and span ids of the request or event."""

import json
import logging
from datetime import UTC, datetime

from opentelemetry import trace

from shared.web.correlation import current_client_correlation_id, current_correlation_id


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str | None = None) -> None:
        super().__init__()
        self._service = service

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if self._service:
            entry["service"] = self._service
        correlation_id = getattr(record, "correlation_id", None) or current_correlation_id()
        if correlation_id:
            entry["correlation_id"] = correlation_id
        client_correlation_id = current_client_correlation_id()
        if client_correlation_id:  # what the client called the request: kept beside, never as, the id
            entry["client_correlation_id"] = client_correlation_id
        entry |= _trace_ids(record)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _trace_ids(record: logging.LogRecord) -> dict[str, str]:
    """The ids a line was given (`extra={"trace_id": ...}`: an event's, logged outside its span), else those
    of the current span, if it is a real one."""
    given = getattr(record, "trace_id", None)
    if given:
        return {"trace_id": str(given)}
    span = trace.get_current_span().get_span_context()
    if not span.is_valid:
        return {}
    return {"trace_id": trace.format_trace_id(span.trace_id), "span_id": trace.format_span_id(span.span_id)}


def configure_logging(level: str, service: str | None = None) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter(service))
    logging.basicConfig(level=level, handlers=[handler], force=True)
