"""Applies a batch of consumed events to Redis exactly once.

The aggregates and the last applied offset of every partition are written in ONE MULTI/EXEC, guarded by
WATCH on those offset keys. So a redelivered event is recognised by its offset and skipped; a zombie
consumer that lost its partitions in a rebalance cannot write over the new owner (its EXEC aborts); and if
Redis lost its data, the stored offset is behind what the consumer reads and the caller rewinds.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from redis.asyncio import Redis
from redis.exceptions import WatchError

from services.reporting.metrics import Metric
from services.reporting.projection.earliest import CounterKey, Deltas, SubjectState, record, recount
from services.reporting.projection.facts import Fact, facts_of
from services.reporting.store.bulk import BulkRead, BulkWrite
from services.reporting.store.keys import Keys
from services.reporting.store.keyspace import Keyspaces
from services.reporting.store.subjects import decode_state, encode_state
from services.reporting.store.targets import target_field
from shared.contracts.envelope import EventPayload
from shared.contracts.events import TargetSet


@dataclass(frozen=True)
class Partition:
    topic: str
    partition: int


@dataclass(frozen=True)
class Consumed:
    offset: int
    event: EventPayload | None  # None: dead-lettered, only its offset is recorded


@dataclass(frozen=True)
class Applied:
    events: int
    rewind: dict[Partition, int]  # partitions to re-read from this offset: Redis is behind the consumer


class Applier:
    def __init__(
        self, redis: Redis, keyspaces: Keyspaces, *, fixed: Keys | None = None, max_attempts: int = 20
    ) -> None:
        """Writes to the live keyspace, or to `fixed` (a rebuild filling a fresh keyspace)."""
        self._redis = redis
        self._keyspaces = keyspaces
        self._fixed = fixed
        self._max_attempts = max_attempts
        self._bulk = BulkWrite(redis)
        self._read = BulkRead(redis)

    async def stored_offsets(self, partitions: Sequence[Partition]) -> dict[Partition, int]:
        """Last applied offset per partition; -1 where nothing was applied (or Redis lost it)."""
        if not partitions:
            return {}
        keys = self._fixed or await self._keyspaces.live(self._redis)
        raw = await self._redis.mget([keys.offset(p.topic, p.partition) for p in partitions])
        return {p: int(v) if v is not None else -1 for p, v in zip(partitions, raw, strict=True)}

    async def apply(self, batch: Mapping[Partition, Sequence[Consumed]]) -> Applied:
        for _ in range(self._max_attempts):
            try:
                return await self._apply_once(batch)
            except WatchError:
                continue  # an offset moved under us (another owner, or a flush): re-read and retry
        raise RuntimeError("gave up applying a batch: offsets kept changing under concurrent writers")

    async def _apply_once(self, batch: Mapping[Partition, Sequence[Consumed]]) -> Applied:
        partitions = list(batch)
        async with self._redis.pipeline(transaction=True) as tx:
            # Watch the pointer too: a rebuild switching keyspaces mid-batch makes this attempt retry there.
            await tx.watch(self._keyspaces.pointer)
            keys = self._fixed or await self._keyspaces.live(tx)
            offset_keys = [keys.offset(p.topic, p.partition) for p in partitions]
            await tx.watch(*offset_keys)
            raw = await tx.mget(offset_keys)
            stored = {p: int(v) if v is not None else -1 for p, v in zip(partitions, raw, strict=True)}
            fresh, rewind = _split_fresh(batch, stored)
            facts = [f for records in fresh.values() for r in records if r.event for f in facts_of(r.event)]
            before = await self._load_subjects(keys, facts)
            after, deltas = _project(keys, before, facts)

            hashes, removed = _changed_fields(before, after)
            targets = _targets(fresh)
            if targets:
                hashes[keys.targets()] = targets
            tx.multi()  # type: ignore[no-untyped-call]
            await self._bulk.queue(
                tx,
                _day_deltas(keys, deltas.counters),
                _funnel_deltas(keys, deltas),
                hashes,
                removed,
            )
            for p, records in fresh.items():
                tx.set(keys.offset(p.topic, p.partition), records[-1].offset)
            if fresh:
                tx.publish(self._keyspaces.changed_channel, "applied")
            await tx.execute()
        return Applied(events=sum(len(r) for r in fresh.values()), rewind=rewind)

    async def _load_subjects(self, keys: Keys, facts: list[Fact]) -> dict[str, SubjectState]:
        subjects = list(dict.fromkeys(keys.subject(f.metric, f.subject) for f in facts))
        loaded = await self._read.hashes(subjects)
        return {key: decode_state(raw) for key, raw in zip(subjects, loaded, strict=True)}


def _targets(fresh: Mapping[Partition, Sequence[Consumed]]) -> dict[str, str]:
    """Yearly targets set in the batch, in log order: the latest per key stands."""
    return {
        target_field(r.event): str(r.event.value)
        for records in fresh.values()
        for r in records
        if isinstance(r.event, TargetSet)
    }


def _split_fresh(
    batch: Mapping[Partition, Sequence[Consumed]], stored: dict[Partition, int]
) -> tuple[dict[Partition, list[Consumed]], dict[Partition, int]]:
    """Drop records already applied; a gap after the stored offset means Redis is behind: rewind."""
    fresh: dict[Partition, list[Consumed]] = {}
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


def _project(
    keys: Keys, before: dict[str, SubjectState], facts: list[Fact]
) -> tuple[dict[str, SubjectState], Deltas]:
    after = {key: SubjectState(dict(state.facts), state.counted) for key, state in before.items()}
    touched: dict[str, Metric] = {}
    for fact in facts:
        key = keys.subject(fact.metric, fact.subject)
        record(after[key], fact)
        touched[key] = fact.metric
    deltas = Deltas()
    for key, metric in touched.items():
        recount(metric, after[key], deltas)
    return after, deltas


def _changed_fields(
    before: dict[str, SubjectState], after: dict[str, SubjectState]
) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    """Fields to set and fields to delete so that Redis holds `after`."""
    hashes: dict[str, dict[str, str]] = {}
    removed: list[tuple[str, str]] = []
    for key, state in after.items():
        old, new = encode_state(before[key]), encode_state(state)
        changed = {field: value for field, value in new.items() if old.get(field) != value}
        if changed:
            hashes[key] = changed
        removed += [(key, field) for field in old.keys() - new.keys()]
    return hashes, removed


def _funnel_deltas(keys: Keys, deltas: Deltas) -> dict[tuple[str, str], int]:
    """Cohort counters: (registration day hash, stage day field) → change."""
    return {
        (keys.funnel(metric, cohort), stage_day.isoformat()): amount
        for (metric, cohort, stage_day), amount in deltas.funnel.items()
        if amount
    }


def _day_deltas(keys: Keys, deltas: Counter[CounterKey]) -> dict[tuple[str, date], dict[str, int]]:
    """Deltas grouped by metric counter prefix and day, dropping what cancelled out."""
    grouped: dict[tuple[str, date], dict[str, int]] = defaultdict(dict)
    for (metric, day, field), amount in deltas.items():
        if amount:
            grouped[(keys.counter_prefix(metric), day)][field] = amount
    return grouped
