"""Tracing is wired only when configured, and then follows a request through HTTP and Kafka."""

from __future__ import annotations

import asyncio
import random
from datetime import date

import httpx

from devstack.app_server import AppServer
from tests.integration.people import participant
from tests.integration.stack import Stack
from tests.tokens import ADMIN


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
