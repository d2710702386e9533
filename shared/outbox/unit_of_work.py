"""One transaction for a state change and the events it records; the relay is woken after commit.

A service's handlers see neither the engine nor a connection: `Storage` hands them the service's
repositories bound to one transaction (`begin`) or, for queries, a read-only view (`view`). The repositories
persist aggregates and pass them to `Transaction.collect`, which records the events they collected.
"""

from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import date
from typing import Generic, NamedTuple, Protocol, TypeVar

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.aggregates import Aggregate
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


def facts_of(aggregates: Sequence[Aggregate]) -> list[Fact]:
    """The events the aggregates collected, in order, each keyed as its contract says; taken once."""
    return [
        Fact(event.payload, event.key, event.occurred_on)
        for aggregate in aggregates
        for event in aggregate.take_events()
    ]


@dataclass
class Transaction:
    conn: AsyncConnection
    outbox: Table
    topic: str
    producer_name: str

    async def collect(self, *aggregates: Aggregate) -> None:
        """Record the events the aggregates collected, in one statement."""
        await self.record_many(facts_of(aggregates))

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

    @asynccontextmanager
    async def read(self) -> AsyncIterator[AsyncConnection]:
        """A connection for queries: it takes no writer's turn, commits nothing and wakes no relay."""
        async with self.engine.connect() as conn:
            yield conn


Writes_co = TypeVar("Writes_co", covariant=True)
Reads_co = TypeVar("Reads_co", covariant=True)


class Storage(Protocol[Writes_co, Reads_co]):
    """What a service's handlers are given: its repositories in one transaction, or a view for queries.

    Implemented on the database by `Repositories`, and in memory by the unit tests' fakes.
    """

    def begin(self) -> AbstractAsyncContextManager[Writes_co]: ...

    def view(self) -> AbstractAsyncContextManager[Reads_co]: ...


@dataclass(frozen=True)
class Repositories(Generic[Writes_co, Reads_co]):
    """`Storage` on a unit of work: `writes` binds the service's repositories to a transaction, `reads`
    its read-only view to a connection. The one place a service's adapters are wired to the database."""

    uow: UnitOfWork
    writes: Callable[[Transaction], Writes_co]
    reads: Callable[[AsyncConnection], Reads_co]

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Writes_co]:
        async with self.uow.begin() as tx:
            yield self.writes(tx)

    @asynccontextmanager
    async def view(self) -> AsyncIterator[Reads_co]:
        async with self.uow.read() as conn:
            yield self.reads(conn)
