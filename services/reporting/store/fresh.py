"""Fills a keyspace that nobody else writes yet (a rebuild's), with no reads and no WATCH.

The live applier reads each subject's facts from Redis and guards every batch with WATCH, because others
may write the same keyspace. A fresh keyspace has no readers or writers until the pointer switches to it,
so here every subject's hash stays in process memory as it is stored (a few hundred bytes per subject),
each batch's changed fields are written while the next batch is decoded, and counters are summed in memory
and written once at the end, followed by the offsets. Subjects go through the same steps as the live
applier's (store.step: decode, follow each participant's profile, admit by version, project, changed
fields), so the rebuild counts exactly as it does.
Only `finish` makes the keyspace consistent: switch to it after.
"""

import asyncio
from collections.abc import Mapping, Sequence
from itertools import islice

from redis.asyncio import Redis

from services.reporting.projection.batch import Decoded, Partition, TargetKey, targets_of
from services.reporting.projection.earliest import Deltas, increments
from services.reporting.store.bulk import BulkWrite
from services.reporting.store.keys import Keys, stored_increments
from services.reporting.store.step import BatchStep
from services.reporting.store.targets import target_fields

_CHUNK = 20_000  # counter entries per write at the end: a few MB of JSON per Lua call


class FreshKeyspace:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys
        self._bulk = BulkWrite(redis)
        # subject and participant key → its hash's fields, as stored
        self._subjects: dict[str, dict[str, str]] = {}
        self._journeys = keys.journey("")  # the prefix of the hashes written but never read back
        self._moves = Deltas()  # of the whole replay: expanded into counters once, at the end
        self._targets: dict[TargetKey, int] = {}
        self._offsets: dict[Partition, int] = {}
        self._writing: asyncio.Task[None] | None = None

    async def apply(self, batch: Mapping[Partition, Sequence[Decoded]]) -> None:
        """Apply records in log order per partition; their subjects' changes are written while the caller
        prepares the next batch."""
        records = [r for rs in batch.values() for r in rs]
        step = BatchStep(self._keys, records)
        stored = self._subjects
        loaded = {key: stored.get(key, {}) for key in step.first()}
        while more := step.more(loaded):
            loaded |= {key: stored.get(key, {}) for key in more}
        written = step.finish(loaded)
        self._moves.moves.update(written.deltas.moves)
        self._targets |= targets_of(records)
        self._offsets |= {p: rs[-1].offset for p, rs in batch.items() if rs}
        hashes, removed = written.hashes, written.removed
        for key, fields in hashes.items():
            if not key.startswith(self._journeys):  # journeys are written, never read back
                stored.setdefault(key, {}).update(fields)
        for key, names in removed.items():
            for name in names:
                del stored[key][name]
        await self._written()
        self._writing = asyncio.create_task(self._write({}, {}, hashes, removed))

    async def finish(self) -> None:
        """Write the counters, targets and offsets: after this the keyspace holds everything applied."""
        await self._written()
        days, funnel = stored_increments(self._keys, *increments(self._moves))
        day_items = iter(days.items())
        while chunk := dict(islice(day_items, _CHUNK)):
            await self._write(chunk, {}, {}, {})
        funnel_items = iter(funnel.items())
        while chunk_of_funnel := dict(islice(funnel_items, _CHUNK)):
            await self._write({}, chunk_of_funnel, {}, {})
        if self._targets:
            await self._write({}, {}, {self._keys.targets(): target_fields(self._targets)}, {})
        if self._offsets:
            await self._redis.mset(
                {self._keys.offset(p.topic, p.partition): o for p, o in self._offsets.items()}
            )

    async def _written(self) -> None:
        writing, self._writing = self._writing, None
        if writing is not None:
            await writing

    async def _write(
        self,
        days: Mapping[tuple[str, str], Mapping[str, int]],
        funnel: Mapping[str, Mapping[str, int]],
        hashes: Mapping[str, Mapping[str, str]],
        removed: Mapping[str, Sequence[str]],
    ) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            await self._bulk.queue(pipe, days, funnel, hashes, removed)
            await pipe.execute()
