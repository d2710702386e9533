"""Applies a batch of consumed events to Redis exactly once.

The aggregates and the last applied offset of every partition are written in ONE MULTI/EXEC, guarded by
WATCH on those offset keys. So a redelivered event is recognised by its offset and skipped; a zombie
consumer that lost its partitions in a rebalance cannot write over the new owner (its EXEC aborts); and if
Redis lost its data, the stored offset is behind what the consumer reads and the caller rewinds.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from redis.asyncio import Redis
from redis.exceptions import WatchError

from services.reporting.metrics import Metric
from services.reporting.projection.earliest import Dated, Deltas, SubjectState, dated, put, recount, unpack
from services.reporting.projection.facts import facts_of
from services.reporting.store.bulk import BulkRead, BulkWrite
from services.reporting.store.keys import Keys, funnel_cells
from services.reporting.store.keyspace import Keyspaces
from services.reporting.store.subjects import decode_state
from services.reporting.store.targets import target_field
from shared.contracts.envelope import EventPayload
from shared.contracts.events import TargetSet


@dataclass(frozen=True)
class Partition:
    topic: str
    partition: int


class Consumed(NamedTuple):
    offset: int
    event: EventPayload | None  # None: dead-lettered, only its offset is recorded


Entry = tuple[Metric, str, str, Dated | None]  # (metric, subject, fact id, the fact; None: withdrawn)


class Decoded(NamedTuple):
    """A record as the projection takes it (made from a Consumed, or in a worker process: no models)."""

    offset: int
    entries: list[Entry]
    target: tuple[str, str] | None = None  # a TargetSet's field and value


def decoded(record: Consumed | Decoded) -> Decoded:
    if isinstance(record, Decoded):
        return record
    event = record.event
    if event is None:
        return Decoded(record.offset, [])
    target = (target_field(event), str(event.value)) if isinstance(event, TargetSet) else None
    return Decoded(record.offset, entries_of(event), target)


@dataclass(frozen=True)
class Applied:
    events: int
    rewind: dict[Partition, int]  # partitions to re-read from this offset: Redis is behind the consumer


Keyed = tuple[str, Metric, str, Dated | None]  # an Entry by its subject's key
Increments = Mapping[str, Mapping[str, int]]  # key → field → change
DayIncrements = Mapping[tuple[str, str], Mapping[str, int]]  # (counter prefix, ISO day) → field → change


class Applier:
    def __init__(self, redis: Redis, keyspaces: Keyspaces, *, max_attempts: int = 20) -> None:
        """Writes to the live keyspace (a rebuild fills a fresh one with store.fresh instead)."""
        self._redis = redis
        self._keyspaces = keyspaces
        self._max_attempts = max_attempts
        self._bulk = BulkWrite(redis)
        self._read = BulkRead(redis)

    async def stored_offsets(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        """Last applied offset per partition; -1 where nothing was applied (or Redis lost it)."""
        if not partitions:
            return {}
        keys = await self._keyspaces.live(self._redis)
        raw = await self._redis.mget([keys.offset(p.topic, p.partition) for p in partitions])
        return {p: int(v) if v is not None else -1 for p, v in zip(partitions, raw, strict=True)}

    async def apply(self, batch: Mapping[Partition, Sequence[Consumed | Decoded]]) -> Applied:
        if not batch:
            return Applied(events=0, rewind={})
        for _ in range(self._max_attempts):
            try:
                return await self._apply_once(batch)
            except WatchError:
                continue  # an offset moved under us (another owner, or a flush): re-read and retry
        raise RuntimeError("gave up applying a batch: offsets kept changing under concurrent writers")

    async def _apply_once(self, batch: Mapping[Partition, Sequence[Consumed | Decoded]]) -> Applied:
        partitions = list(batch)
        async with self._redis.pipeline(transaction=True) as tx:
            # Watch the pointer too: a rebuild switching keyspaces mid-batch makes this attempt retry there.
            await tx.watch(self._keyspaces.pointer)
            keys = await self._keyspaces.live(tx)
            offset_keys = [keys.offset(p.topic, p.partition) for p in partitions]
            await tx.watch(*offset_keys)
            raw = await tx.mget(offset_keys)
            stored = {p: int(v) if v is not None else -1 for p, v in zip(partitions, raw, strict=True)}
            fresh, rewind = _split_fresh(batch, stored)
            records = [decoded(r) for applied in fresh.values() for r in applied]
            entries = keyed(keys, records)
            subjects = list(dict.fromkeys(entry[0] for entry in entries))
            loaded = dict(zip(subjects, await self._read.hashes(subjects), strict=True))
            states = {key: decode_state(fields) for key, fields in loaded.items()}
            deltas = project(states, entries)
            hashes, removed = changed_fields(loaded, states)
            targets = targets_of(records)
            if targets:
                hashes[keys.targets()] = targets
            tx.multi()  # type: ignore[no-untyped-call]
            await self._bulk.queue(tx, *increments(keys, deltas), hashes, removed)
            for p, applied in fresh.items():
                tx.set(keys.offset(p.topic, p.partition), applied[-1].offset)
            if fresh:
                tx.publish(self._keyspaces.changed_channel, "applied")
            await tx.execute()
        return Applied(events=sum(len(r) for r in fresh.values()), rewind=rewind)


def entries_of(event: EventPayload) -> list[Entry]:
    """The event's facts as the projection takes them."""
    return [(f.metric, f.subject, f.fact_id, None if f.void else dated(f)) for f in facts_of(event)]


def keyed(keys: Keys, records: Iterable[Decoded]) -> list[Keyed]:
    return [
        (keys.subject(metric, subject), metric, fact_id, fact)
        for record in records
        for metric, subject, fact_id, fact in record.entries
    ]


def project(
    states: Mapping[str, SubjectState], entries: Iterable[Keyed], deltas: Deltas | None = None
) -> Deltas:
    """Put the facts into `states` (by subject key), then recount every subject touched; the moves are
    added to `deltas` if given."""
    touched: dict[str, Metric] = {}
    for key, metric, fact_id, fact in entries:
        put(states[key], fact_id, fact)
        touched[key] = metric
    deltas = deltas if deltas is not None else Deltas()
    for key, metric in touched.items():
        recount(metric, states[key], deltas)
    return deltas


def increments(keys: Keys, deltas: Deltas) -> tuple[DayIncrements, Increments]:
    """Counter changes by (counter prefix, day) — Redis adds each to the day's month and year too — and
    funnel changes by key (every cohort grain and stage grain, see keys.funnel_cells)."""
    days: defaultdict[tuple[str, str], defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    funnel: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    prefixes = {m: (keys.counter_prefix(m), keys.funnel_prefix(m)) for m in {m for m, _ in deltas.moves}}
    for (metric, fact), amount in deltas.moves.items():
        if amount:
            day, cohort, fields = unpack(fact)
            counter_prefix, funnel_prefix = prefixes[metric]
            counters = days[(counter_prefix, day)]
            for name in fields:
                counters[name] += amount
            if cohort:
                for key, cell in funnel_cells(funnel_prefix, cohort, day):
                    funnel[key][cell] += amount
    return days, funnel


def targets_of(records: Iterable[Decoded]) -> dict[str, str]:
    """Yearly targets set among the records, in log order: the latest per key stands."""
    return dict(r.target for r in records if r.target)


def _split_fresh(
    batch: Mapping[Partition, Sequence[Consumed | Decoded]], stored: dict[Partition, int]
) -> tuple[dict[Partition, list[Consumed | Decoded]], dict[Partition, int]]:
    """Drop records already applied; a gap after the stored offset means Redis is behind: rewind."""
    fresh: dict[Partition, list[Consumed | Decoded]] = {}
    rewind: dict[Partition, int] = {}
    for p, records in batch.items():
        todo = [r for r in records if r.offset > stored[p]]
        if not todo:
            continue
        if todo[0].offset > stored[p] + 1:
            rewind[p] = stored[p] + 1
            continue
        fresh[p] = todo
    return fresh, rewind


def changed_fields(
    loaded: Mapping[str, Mapping[str, str]], states: Mapping[str, SubjectState]
) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """Fields to set and fields to delete so that each subject's hash holds its state's facts."""
    hashes: dict[str, dict[str, str]] = {}
    removed: dict[str, list[str]] = {}
    for key, state in states.items():
        old, new = loaded[key], state.facts
        changed = {fact_id: value for fact_id, value in new.items() if old.get(fact_id) != value}
        if changed:
            hashes[key] = changed
        gone = [name for name in old if name not in new]
        if gone:
            removed[key] = gone
    return hashes, removed
