"""A request's trace goes with its events: stored with the outbox row, sent on as Kafka headers, or continued
by the aiokafka instrumentation's send span when that is on; the standard OTEL_ variables are honoured."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path
from typing import ClassVar

import pytest
import sqlalchemy as sa
from opentelemetry import trace
from opentelemetry.instrumentation.aiokafka import AIOKafkaInstrumentor
from opentelemetry.sdk.trace import TracerProvider
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.envelope import EventPayload
from shared.db.engine import create_engine
from shared.outbox import outbox_table
from shared.outbox.unit_of_work import UnitOfWork
from shared.tracing import exporter_from_env, service_name, trace_id_of
from tests.outbox_fakes import RecordingProducer, recording_relay

TRACER = TracerProvider().get_tracer("test")


class Pinged(EventPayload):
    event_type: ClassVar[str] = "Pinged"

    n: int


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, sa.Table]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    table = outbox_table(metadata := sa.MetaData())
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine, table
    await engine.dispose()


async def record_and_publish(
    engine: AsyncEngine, table: sa.Table, *, in_span: bool
) -> tuple[RecordingProducer, str | None, int]:
    """Records one event (inside a request's span or not), publishes it; the producer, the stored
    trace context and the request's trace id (0 outside a span)."""
    producer = RecordingProducer()
    relay = recording_relay(engine, table, producer)
    uow = UnitOfWork(engine, table, relay, "t.permits", "permits")
    request_trace = 0
    if in_span:
        with TRACER.start_as_current_span("POST /permits") as span:
            request_trace = span.get_span_context().trace_id
            async with uow.begin() as tx:
                await tx.record(Pinged(n=1), key="k", occurred_on=date(2024, 1, 2))
    else:
        async with uow.begin() as tx:
            await tx.record(Pinged(n=1), key="k", occurred_on=date(2024, 1, 2))
    async with engine.connect() as conn:
        stored = (await conn.execute(sa.select(table.c.trace_context))).scalar_one()
    assert await relay.publish_pending() == 1
    return producer, stored, request_trace


async def test_a_row_recorded_in_a_request_sends_its_traceparent_as_a_header(
    outbox: tuple[AsyncEngine, sa.Table],
) -> None:
    producer, stored, request_trace = await record_and_publish(*outbox, in_span=True)
    assert stored is not None
    traceparent = json.loads(stored)["traceparent"]
    assert traceparent.split("-")[1] == trace.format_trace_id(request_trace)
    headers = dict(producer.headers[0])
    assert headers["traceparent"] == traceparent.encode()
    assert [name for name, _ in producer.headers[0]].count("traceparent") == 1
    assert trace_id_of(dict(producer.headers[0])) == trace.format_trace_id(request_trace)


async def test_a_row_recorded_outside_a_trace_stores_and_sends_none(
    outbox: tuple[AsyncEngine, sa.Table],
) -> None:
    producer, stored, _ = await record_and_publish(*outbox, in_span=False)
    assert stored is None
    assert "traceparent" not in dict(producer.headers[0])
    assert trace_id_of(dict(producer.headers[0])) is None


async def test_with_aiokafka_instrumented_the_send_runs_in_the_requests_trace_and_adds_no_header(
    outbox: tuple[AsyncEngine, sa.Table], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The instrumented send makes its span a child of the current one and injects its own traceparent;
    the relay must make the request's trace current and leave the header to it (one span, one header)."""
    monkeypatch.setattr(AIOKafkaInstrumentor(), "_is_instrumented_by_opentelemetry", True)
    producer, _, request_trace = await record_and_publish(*outbox, in_span=True)
    assert producer.trace_ids == [request_trace]
    assert "traceparent" not in dict(producer.headers[0])
    assert trace.get_current_span().get_span_context().trace_id == 0, "the context is detached again"


def test_the_standard_otel_variables_choose_the_exporter_and_name(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_SDK_DISABLED", "OTEL_TRACES_EXPORTER", "OTEL_SERVICE_NAME"):
        monkeypatch.delenv(name, raising=False)
    assert exporter_from_env("none") == "none"
    assert exporter_from_env("console") == "console"
    assert service_name("permits") == "jakpreneur-permits"
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "otlp")
    assert exporter_from_env("none") == "otlp"
    assert exporter_from_env("console") == "console", "the service's own setting first"
    monkeypatch.setenv("OTEL_TRACES_EXPORTER", "zipkin")
    assert exporter_from_env("none") == "none", "an exporter we do not ship is ignored"
    monkeypatch.setenv("OTEL_SDK_DISABLED", "TRUE")
    assert exporter_from_env("otlp") == "none"
    monkeypatch.setenv("OTEL_SERVICE_NAME", "izin-jakarta")
    assert service_name("permits") == "izin-jakarta"


def test_a_malformed_traceparent_gives_no_trace_id() -> None:
    assert trace_id_of({"traceparent": b"00-abc-def-01"}) is None
    assert trace_id_of({"traceparent": None}) is None
