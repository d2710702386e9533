"""The request's trace carried with its events: stored with the outbox row, sent as Kafka headers.

The carrier is W3C trace context (`traceparent`, `tracestate`), injected by OpenTelemetry's global
propagator when the row is recorded, so a consumer's span continues the trace of the request that
caused the event. Outside a trace (tracing off, a background job) nothing is stored.
"""

import contextlib
import json
from collections.abc import Iterator

from opentelemetry import context, propagate
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor

Headers = list[tuple[str, bytes]]


def current_trace_context() -> str | None:
    """The current span's carrier as JSON; None when there is no span to continue."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return json.dumps(carrier, separators=(",", ":")) if carrier else None


@contextlib.contextmanager
def continuing(stored: str | None, headers: Headers) -> Iterator[None]:
    """Around the send of one row, the trace it was recorded in goes on.

    With aiokafka instrumented, its send span becomes a child of the request's span and puts its own
    `traceparent` in the headers (one span, one header). Without, the stored carrier is sent as it is.
    """
    carrier = json.loads(stored) if stored else None
    if not isinstance(carrier, dict):
        yield
        return
    if not AIOKafkaInstrumentor().is_instrumented_by_opentelemetry:
        headers.extend((name, str(value).encode()) for name, value in carrier.items())
        yield
        return
    token = context.attach(propagate.extract(carrier))
    try:
        yield
    finally:
        context.detach(token)
