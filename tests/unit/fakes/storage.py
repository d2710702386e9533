"""A unit of work in memory: each transaction works on a copy of the state and keeps it, with the events
its aggregates collected, only if it ends without an error — as a database transaction and its outbox do."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Generic, Protocol, Self, TypeVar

from shared.aggregates import Aggregate
from shared.contracts.envelope import EventPayload
from shared.outbox.unit_of_work import Fact, facts_of


class State(Protocol):
    def copy(self) -> Self: ...


S = TypeVar("S", bound=State)
W = TypeVar("W")
E = TypeVar("E", bound=EventPayload)
R = TypeVar("R")


@dataclass
class FakeOutbox:
    """The events of one transaction: recorded as `Transaction.collect` records them, keyed by contract."""

    facts: list[Fact] = field(default_factory=list)

    async def collect(self, *aggregates: Aggregate) -> None:
        self.facts.extend(facts_of(aggregates))


@dataclass
class FakeStorage(Generic[S, W, R]):
    """`shared.outbox.unit_of_work.Storage` in memory. `writes` binds repositories to a transaction's state
    and outbox, `reads` a view to the committed state."""

    state: S
    writes: Callable[[S, FakeOutbox], W]
    reads: Callable[[S], R]
    published: list[Fact] = field(default_factory=list)  # every committed event, in commit order
    commits: int = 0

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[W]:
        working, outbox = self.state.copy(), FakeOutbox()
        yield self.writes(working, outbox)
        self.state = working
        self.published.extend(outbox.facts)
        self.commits += 1

    @asynccontextmanager
    async def view(self) -> AsyncIterator[R]:
        yield self.reads(self.state)

    def events(self, kind: type[E]) -> list[tuple[Fact, E]]:
        """The committed events of one kind, each with its record (key, business date)."""
        return [(f, f.payload) for f in self.published if isinstance(f.payload, kind)]
