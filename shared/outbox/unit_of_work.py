"""One transaction for a state change and the events it records; the relay is woken after commit."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.codec import wrap
from shared.contracts.envelope import EventPayload
from shared.db.engine import one_writer
from shared.outbox.relay import OutboxRelay
from shared.outbox.writer import add_to_outbox
from shared.web.correlation import current_correlation_id


@dataclass
class Transaction:
    conn: AsyncConnection
    outbox: Table
    topic: str
    producer_name: str

    async def record(self, payload: EventPayload, *, key: str, occurred_on: date) -> None:
        envelope = wrap(
            payload,
            key=key,
            occurred_on=occurred_on,
            producer=self.producer_name,
            correlation_id=current_correlation_id(),
        )
        await add_to_outbox(self.conn, self.outbox, self.topic, envelope)


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
