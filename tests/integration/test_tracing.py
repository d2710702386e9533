"""Tracing is wired only when configured, and then follows a request through HTTP and Kafka."""

from __future__ import annotations

import asyncio
import json
import random
import re
from datetime import date

import httpx

from devstack.app_server import AppServer
from shared.tracing import trace_id_of
from tests.faults.inject import until
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.stack import Stack
from tests.tokens import ADMIN

# A span as the console exporter prints it: its name, then its context.
SPAN = re.compile(r'"name": "(?P<name>[^"]+)",\s*"context": \{\s*"trace_id": "0x(?P<trace>[0-9a-f]{32})"')


async def spans_in_log(server: AppServer, wanted: list[str], timeout_s: float = 15.0) -> str:
    log = server.log_files()[0]
    for _ in range(int(timeout_s * 10)):
        text = log.read_text(errors="replace")
        if all(w in text for w in wanted):
            return text
        await asyncio.sleep(0.1)
    raise AssertionError(f"spans {wanted} not in {log}")


async def test_console_tracing_shows_the_request_and_its_kafka_publish(stack: Stack) -> None:
    server = stack.producing(
        "registration", REGISTRATION_TRACING_EXPORTER="console", OTEL_BSP_SCHEDULE_DELAY="100"
    )
    async with httpx.AsyncClient(headers=ADMIN, base_url=server.url) as http:
        body = participant(random.Random(1), 1, date(2023, 1, 1))
        assert (await http.post("/participants", json=body)).status_code == 201
    text = await spans_in_log(server, ['"name": "POST /participants"', '"messaging.system": "kafka"'])
    assert body["nik"] not in text  # spans carry no personal data


async def test_no_spans_without_configuration(stack: Stack) -> None:
    server = stack.producing("registration")
    async with httpx.AsyncClient(headers=ADMIN, base_url=server.url) as http:
        assert (
            await http.post("/participants", json=participant(random.Random(2), 2, date(2023, 1, 1)))
        ).status_code == 201
    await asyncio.sleep(1.0)
    assert '"trace_id"' not in server.log_files()[0].read_text(errors="replace")


def spans(text: str) -> list[tuple[str, str]]:
    """(name, trace id) of every span printed in a log."""
    return [(m["name"], m["trace"]) for m in SPAN.finditer(text)]


async def trace_of(server: AppServer, name: str, timeout_s: float = 15.0) -> str:
    """The trace id of the one span called `name`, once the console exporter has printed it whole."""
    for _ in range(int(timeout_s * 10)):
        found = {
            trace for span, trace in spans(server.log_files()[0].read_text(errors="replace")) if span == name
        }
        if found:
            (trace_id,) = found
            return trace_id
        await asyncio.sleep(0.1)
    raise AssertionError(f"no span {name!r} in {server.log_files()[0]}")


async def test_reportings_receive_span_and_log_line_continue_the_requests_trace(stack: Stack) -> None:
    """The request's trace goes from the HTTP span through the outbox row and the Kafka headers to
    reporting's receive span of that record, and into reporting's log line for the event."""
    console = {"OTEL_BSP_SCHEDULE_DELAY": "100"}
    registration = stack.producing("registration", REGISTRATION_TRACING_EXPORTER="console", **console)
    reporting = stack.reporting(REPORTING_TRACING_EXPORTER="console", REPORTING_LOG_LEVEL="DEBUG", **console)
    async with httpx.AsyncClient(headers=ADMIN, base_url=registration.url) as http:
        body = participant(random.Random(3), 3, date(2023, 1, 1))
        assert (await http.post("/participants", json=body)).status_code == 201
    trace_id = await trace_of(registration, "POST /participants")

    topic = stack.topic("registration")
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        topic,
        until=lambda seen: any(trace_id_of(dict(r.headers)) == trace_id for r in seen),
    )
    traced = [r for r in records if trace_id_of(dict(r.headers)) == trace_id]
    assert len(traced) == 1, [(r.offset, r.headers) for r in traced]
    (record,) = traced
    assert [name for name, _ in record.headers].count("traceparent") == 1, "one span, one header"

    def continued() -> bool:
        """Reporting's receive span of the record, and its log line (an id as it is, not 0x…), are in."""
        text = reporting.log_files()[0].read_text(errors="replace")
        return (f"{topic} receive", trace_id) in spans(text) and f'"trace_id": "{trace_id}"' in text

    await until(continued, "reporting's receive span and log line in the request's trace")
    consumed = reporting.log_files()[0].read_text(errors="replace")
    logged = [json.loads(line) for line in consumed.splitlines() if line.startswith('{"ts"')]
    applied = [e for e in logged if e["message"].startswith("applied ") and e.get("trace_id") == trace_id]
    assert applied and applied[0]["service"] == "jakpreneur-reporting"
    assert all(e.get("service") == "jakpreneur-reporting" for e in logged)
    produced = registration.log_files()[0].read_text(errors="replace")
    assert body["nik"] not in produced + consumed  # spans and logs carry no personal data
