"""Aggregates collect the events their changes cause; the unit of work records them with the change.

Free of I/O, so a service's domain builds on it. An aggregate names each event and its business date
(`occurred_on`); the Kafka key is never the aggregate's choice: the event's contract declares which field it
is (`shared.contracts.topics.key_field`), so every producer of an event keys it the same way.
"""

from dataclasses import dataclass
from datetime import date

from shared.contracts.envelope import EventPayload
from shared.contracts.topics import key_field


@dataclass(frozen=True)
class Collected:
    """An event an aggregate's change caused, on the business date it happened."""

    payload: EventPayload
    occurred_on: date

    @property
    def key(self) -> str:
        """The Kafka key: the field the event's contract keys on."""
        return str(getattr(self.payload, key_field(type(self.payload))))


class Aggregate:
    """Base of a (frozen) domain dataclass that collects events.

    The events live in a slot, not a field: they are no part of the value — not compared, not shown, not in
    `vars()`, and a copy made by `dataclasses.replace` starts with none of its own.
    """

    __slots__ = ("_collected",)
    _collected: list[Collected]

    @property
    def events(self) -> list[Collected]:
        try:
            return self._collected
        except AttributeError:  # the first event: frozen dataclasses refuse plain assignment
            collected: list[Collected] = []
            object.__setattr__(self, "_collected", collected)
            return collected

    def collect(self, payload: EventPayload, occurred_on: date) -> None:
        self.events.append(Collected(payload, occurred_on))

    def take_events(self) -> list[Collected]:
        """The events collected so far, once: a second call returns none."""
        taken = list(self.events)
        self.events.clear()
        return taken
