"""OpenTelemetry tracing through FastAPI, aiokafka and Redis, exported only when a setting asks for it.

`<SERVICE>_TRACING_EXPORTER=otlp` (or the standard `OTEL_TRACES_EXPORTER=otlp`) sends spans to the
collector named by OTEL_EXPORTER_OTLP_ENDPOINT; `console` prints them (local debugging); `none` (default)
wires nothing. The other standard variables hold too: OTEL_SDK_DISABLED=true wires nothing whatever the
setting, OTEL_SERVICE_NAME replaces the default `jakpreneur-<service>`, OTEL_TRACES_SAMPLER (and its _ARG)
picks the sampler (the SDK reads it), OTEL_PROPAGATORS the header format.

A request's trace goes on through Kafka: the outbox stores its context with each row and the relay sends
it as `traceparent`/`tracestate` headers (shared.outbox.trace); the aiokafka instrumentation of a consumer
starts each record's receive span from them.
"""

import os
from typing import Literal, cast, get_args

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.environment_variables import OTEL_SDK_DISABLED, OTEL_SERVICE_NAME
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

TracingExporter = Literal["none", "otlp", "console"]
OTEL_TRACES_EXPORTER = "OTEL_TRACES_EXPORTER"


def exporter_from_env(setting: TracingExporter) -> TracingExporter:
    """The service's setting; when that is `none`, the standard OTEL_TRACES_EXPORTER if it names one we
    ship; `none` whatever both say when OTEL_SDK_DISABLED is true."""
    if os.environ.get(OTEL_SDK_DISABLED, "").strip().lower() == "true":
        return "none"
    if setting != "none":
        return setting
    standard = os.environ.get(OTEL_TRACES_EXPORTER, "").strip().lower()
    return cast(TracingExporter, standard) if standard in get_args(TracingExporter) else "none"


def service_name(service: str) -> str:
    return os.environ.get(OTEL_SERVICE_NAME, "").strip() or f"jakpreneur-{service}"


def configure_tracing(app: FastAPI, service: str, exporter: TracingExporter) -> None:
    chosen = exporter_from_env(exporter)
    if chosen == "none":
        return
    provider = TracerProvider(resource=Resource.create({"service.name": service_name(service)}))
    spans: SpanExporter = OTLPSpanExporter() if chosen == "otlp" else ConsoleSpanExporter()
    provider.add_span_processor(BatchSpanProcessor(spans))
    trace.set_tracer_provider(provider)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz,readyz,ops/metrics"
    )
    AIOKafkaInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)


def trace_id_of(headers: dict[str, bytes | None]) -> str | None:
    """The trace id in a record's `traceparent` header (`00-<trace id>-<span id>-<flags>`), if any."""
    parts = (headers.get("traceparent") or b"").decode(errors="replace").split("-")
    return parts[1] if len(parts) == 4 and len(parts[1]) == 32 else None
