"""Applies a batch of consumed events to Redis exactly once.

The aggregates and the last applied offset of every partition are written in ONE MULTI/EXEC, guarded by
WATCH on those offset keys. So a redelivered event is recognised by its offset and skipped; a zombie
consumer that lost its partitions in a rebalance cannot write over the new owner (its EXEC aborts); and if
Redis lost its data, the stored offset is behind what the consumer reads and the caller rewinds. What the
events change is worked out by the pure projection (services.reporting.projection) and store.step; here it
meets Redis. Batches of two topics both write a participant's hash and, when one changes the participant's
profile, the subjects it restates: a batch writes only if the profile statements it read still hold (a
guard inside the write, not a WATCH: Redis 7.0 scans the keys already watched for each key watched), and
WATCHes what it restates (store.step).
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from redis.asyncio import Redis
from redis.exceptions import WatchError

from services.reporting.projection.batch import Consumed, Decoded, Partition, decoded, targets_of
from services.reporting.projection.earliest import increments
from services.reporting.store.bulk import BulkRead, BulkWrite
from services.reporting.store.keys import stored_increments
from services.reporting.store.keyspace import Keyspaces
from services.reporting.store.step import BatchStep
from services.reporting.store.targets import target_fields

_GUARD_FAILED = -1  # store.bulk's reply when a guard did not hold


class _ProfileChanged(Exception):
    """Another batch changed the profile statement of a participant of this one after it was read."""


@dataclass(frozen=True)
class Applied:
    events: int
    rewind: dict[Partition, int]  # partitions to re-read from this offset: Redis is behind the consumer


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
            except (WatchError, _ProfileChanged):
                continue  # an offset moved under us (another owner, or a flush), or a profile: retry
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
            step = BatchStep(keys, records)
            loaded = await self._hashes(step.first())
            # A batch that changes a participant's profile restates subjects other topics' batches write:
            # watched before they are read (again), so it writes over none changed meanwhile.
            while more := step.more(loaded):
                await tx.watch(*more)
                loaded |= await self._hashes(more)
            written = step.finish(loaded)
            hashes = written.hashes
            targets = targets_of(records)
            if targets:
                hashes[keys.targets()] = target_fields(targets)
            tx.multi()  # type: ignore[no-untyped-call]
            counters = stored_increments(keys, *increments(written.deltas))
            # The offsets in the same script: if a guard fails, nothing of the batch is written.
            offsets = {keys.offset(p.topic, p.partition): applied[-1].offset for p, applied in fresh.items()}
            await self._bulk.queue(
                tx, *counters, hashes, written.removed, strings=offsets, guards=written.guards
            )
            if fresh:
                tx.publish(self._keyspaces.changed_channel, "applied")
            replies = await tx.execute()
        if replies[0] == _GUARD_FAILED:
            raise _ProfileChanged  # a participant's profile statement changed meanwhile: retry
        return Applied(events=sum(len(r) for r in fresh.values()), rewind=rewind)

    async def _hashes(self, keys: list[str]) -> dict[str, dict[str, str]]:
        return dict(zip(keys, await self._read.hashes(keys), strict=True))


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
