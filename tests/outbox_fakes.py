"""An outbox relay without Kafka: a producer that records what it was given and acknowledges at once."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any, cast

import sqlalchemy as sa
from aiokafka import AIOKafkaProducer
from opentelemetry import trace
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.outbox import OutboxRelay
from shared.outbox.settings import OutboxSettings


@dataclass
class RecordingProducer:
    """Stands in for AIOKafkaProducer: notes each value, its headers and the current trace, in send order."""

    values: list[bytes] = field(default_factory=list)
    headers: list[list[tuple[str, bytes]]] = field(default_factory=list)
    trace_ids: list[int] = field(default_factory=list)  # of the span current at each send (0: none)

    @property
    def sent(self) -> list[Any]:
        """The `id` each sent payload names (rows made by tests carry their own id)."""
        return [json.loads(value)["id"] for value in self.values]

    async def send(self, topic: str, *, value: bytes, key: bytes, headers: list[Any]) -> asyncio.Future[None]:
        self.values.append(value)
        self.headers.append(headers)
        self.trace_ids.append(trace.get_current_span().get_span_context().trace_id)
        acknowledged: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        acknowledged.set_result(None)
        return acknowledged

    async def stop(self) -> None:
        """Nothing to close."""


def recording_relay(
    engine: AsyncEngine,
    table: sa.Table,
    producer: RecordingProducer,
    *,
    poll_s: float = 1.0,
    settings: OutboxSettings | None = None,
) -> OutboxRelay:
    """A relay of the `permits` service publishing to `producer`, which it already holds."""

    async def connect() -> AIOKafkaProducer:
        return cast(AIOKafkaProducer, producer)

    relay = OutboxRelay(
        engine, table, service="permits", connect=connect, poll_interval_s=poll_s, settings=settings
    )
    relay.producer = cast(AIOKafkaProducer, producer)
    return relay
