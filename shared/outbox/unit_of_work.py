"""One transaction for a state change and the events it records; the relay is woken after commit."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.codec import wrap
from shared.contracts.envelope import EventPayload
from shared.db.engine import one_writer
from shared.outbox.relay import OutboxRelay
from shared.outbox.trace import current_trace_context
from shared.outbox.writer import add_to_outbox
from shared.web.correlation import current_correlation_id


class Fact(NamedTuple):
    """An event to record, with its Kafka key and business date."""

    payload: EventPayload
    key: str
    occurred_on: date


@dataclass
class Transaction:
    conn: AsyncConnection
    outbox: Table
    topic: str
    producer_name: str

    async def record(self, payload: EventPayload, *, key: str, occurred_on: date) -> None:
        await self.record_many([Fact(payload, key, occurred_on)])

    async def record_many(self, facts: Sequence[Fact]) -> None:
        """Several events in one statement (bulk imports: one round trip instead of one per event)."""
        correlation_id = current_correlation_id()
        envelopes = [
            wrap(
                fact.payload,
                key=fact.key,
                occurred_on=fact.occurred_on,
                producer=self.producer_name,
                correlation_id=correlation_id,
            )
            for fact in facts
        ]
        await add_to_outbox(
            self.conn, self.outbox, self.topic, envelopes, trace_context=current_trace_context()
        )


@dataclass
class UnitOfWork:
    engine: AsyncEngine
    outbox: Table
    relay: OutboxRelay
    topic: str
    producer_name: str

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Transaction]:
        async with one_writer(self.engine), self.engine.begin() as conn:
            yield Transaction(conn, self.outbox, self.topic, self.producer_name)
        self.relay.notify()
