"""OpenTelemetry tracing through FastAPI, aiokafka and Redis, exported only when a setting asks for it.

`<SERVICE>_TRACING_EXPORTER=otlp` sends spans to the collector named by the standard
OTEL_EXPORTER_OTLP_ENDPOINT variable; `console` prints them (local debugging); `none` (default) wires nothing.
"""

from typing import Literal

from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

TracingExporter = Literal["none", "otlp", "console"]


def configure_tracing(app: FastAPI, service: str, exporter: TracingExporter) -> None:
    if exporter == "none":
        return
    provider = TracerProvider(resource=Resource.create({"service.name": f"jakpreneur-{service}"}))
    spans: SpanExporter = OTLPSpanExporter() if exporter == "otlp" else ConsoleSpanExporter()
    provider.add_span_processor(BatchSpanProcessor(spans))
    trace.set_tracer_provider(provider)
    FastAPIInstrumentor.instrument_app(
        app, tracer_provider=provider, excluded_urls="healthz,readyz,ops/metrics"
    )
    AIOKafkaInstrumentor().instrument(tracer_provider=provider)
    RedisInstrumentor().instrument(tracer_provider=provider)
