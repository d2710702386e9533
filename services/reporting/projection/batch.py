"""Consumed records as the projection takes them, and a batch of them put into subject states.

Records travel from the decoding worker process as `Decoded` (plain strings and numbers, no models). Where
subjects, counters and targets are stored is the store's: here a subject is whatever key the caller gives it.
"""

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple, TypeVar

from services.reporting.metrics import Metric
from services.reporting.projection.earliest import Dated, Deltas, SubjectState, dated, put, recount
from services.reporting.projection.facts import Fact, facts_of
from services.reporting.projection.journey import Step, steps_of
from services.reporting.projection.profiles import Stated, stated_by
from shared.contracts.envelope import EventPayload
from shared.contracts.events import TargetSet

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Partition:
    topic: str
    partition: int


class Consumed(NamedTuple):
    offset: int
    event: EventPayload | None  # None: dead-lettered, only its offset is recorded


Entry = tuple[Metric, str, str, Dated | None]  # (metric, subject, fact id, the fact; None: withdrawn)
TargetKey = tuple[int, str, str, str]  # (year, metric, scope, scope key) of a yearly target


class Decoded(NamedTuple):
    """A record as the projection takes it (made from a Consumed, or in a worker process: no models)."""

    offset: int
    entries: list[Entry]
    target: tuple[TargetKey, int] | None = None  # a TargetSet: which target, and its value
    steps: tuple[Step, ...] = ()  # the participants' journey steps among its facts
    version: int | None = None  # of each of its facts (versions.py); None: sent without one
    stated: Stated | None = None  # whose facts they are, and the profile the event states (profiles.py)


def decoded(record: Consumed | Decoded, version: int | None = None) -> Decoded:
    """`version`: the per-fact version the record was sent with (versions.py), if any."""
    if isinstance(record, Decoded):
        return record
    event = record.event
    if event is None:
        return Decoded(record.offset, [])
    # Targets are settings, not facts: the one event reporting keeps that counts towards no metric.
    if isinstance(event, TargetSet):
        key = (event.year, event.metric, event.scope.value, event.scope_key)
        return Decoded(record.offset, [], (key, event.value))
    facts = facts_of(event)
    if not facts:
        return Decoded(record.offset, [], version=version)
    steps = tuple(steps_of(facts))
    return Decoded(record.offset, _entries(facts), None, steps, version, stated_by(event, version))


def entries_of(event: EventPayload) -> list[Entry]:
    """The event's facts as the projection takes them."""
    return _entries(facts_of(event))


def _entries(facts: list[Fact]) -> list[Entry]:
    return [(f.metric, f.subject, f.fact_id, None if f.void else dated(f)) for f in facts]


def targets_of(records: Iterable[Decoded]) -> dict[TargetKey, int]:
    """Yearly targets set among the records, in log order: the latest per target stands."""
    return dict(r.target for r in records if r.target)


def project(
    states: Mapping[K, SubjectState],
    entries: Iterable[tuple[K, Metric, str, Dated | None]],
    deltas: Deltas | None = None,
) -> Deltas:
    """Put the facts into `states` (by subject key), then recount every subject touched; the moves are
    added to `deltas` if given."""
    touched: dict[K, Metric] = {}
    for key, metric, fact_id, fact in entries:
        put(states[key], fact_id, fact)
        touched[key] = metric
    deltas = deltas if deltas is not None else Deltas()
    for key, metric in touched.items():
        recount(metric, states[key], deltas)
    return deltas
