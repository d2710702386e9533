"""Every JSON log line names its service and, inside a trace, carries the trace and span ids."""

from __future__ import annotations

import json
import logging

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from shared.logs import JsonFormatter

TRACER = TracerProvider().get_tracer("test")


def line(formatter: JsonFormatter, **extra: object) -> dict[str, object]:
    record = logging.LogRecord("shared.outbox.relay", logging.INFO, __file__, 1, "published %d", (3,), None)
    record.__dict__.update(extra)
    entry: dict[str, object] = json.loads(formatter.format(record))
    return entry


def test_a_line_inside_a_span_names_the_service_and_its_trace() -> None:
    with TRACER.start_as_current_span("POST /permits") as span:
        entry = line(JsonFormatter("jakpreneur-permits"))
    context = span.get_span_context()
    assert entry["service"] == "jakpreneur-permits"
    assert entry["trace_id"] == trace.format_trace_id(context.trace_id)
    assert entry["span_id"] == trace.format_span_id(context.span_id)
    assert entry["message"] == "published 3"


def test_a_line_outside_a_trace_has_no_trace_id() -> None:
    entry = line(JsonFormatter("jakpreneur-permits"))
    assert entry["service"] == "jakpreneur-permits"
    assert "trace_id" not in entry and "span_id" not in entry


def test_a_line_about_an_event_carries_the_events_trace_id() -> None:
    """Reporting logs an applied event outside its span: the id it was given is the one shown."""
    entry = line(JsonFormatter("jakpreneur-reporting"), trace_id="0af7651916cd43dd8448eb211c80319c")
    assert entry["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
