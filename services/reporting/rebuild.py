"""Rebuild every aggregate from the start of the topics into a fresh keyspace, then switch to it.

`python -m services.reporting.rebuild` (same REPORTING_*/KAFKA_* settings as the service). The live
keyspace keeps serving meanwhile; the switch is one SET of the pointer, and live consumers follow it on
their next batch (their WATCH on the pointer makes a batch in flight retry in the new keyspace, whose
stored offsets tell them where to continue). The fresh keyspace is filled from process memory
(store.fresh): no reads, no WATCH, counters written once. Decoding, the largest cost, runs in worker
processes (all cores but one, spawned: the caller may run threads) a few batches ahead; their results are
applied in the order read.

Run it once after upgrading to participants' hashes ({ks}:p:, projection.profiles): a keyspace filled before
them holds none (nor the permits and products each participant owns), so a move of a participant counted
there may leave some of their earlier facts where they were. The rebuild counts every fact under its
participant's current profile.
"""

import asyncio
import gc
import logging
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from redis.asyncio import Redis

from services.reporting.projection.batch import Partition
from services.reporting.records import DecodedBatch, Raw, decode_batch, version_header
from services.reporting.settings import ReportingSettings
from services.reporting.store.fresh import FreshKeyspace
from services.reporting.store.keys import Keys
from services.reporting.store.keyspace import Keyspaces
from shared.kafka.topics import partitions_of

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
_BATCH = 10_000  # records per worker task


@dataclass(frozen=True)
class Rebuilt:
    events: int
    seconds: float
    previous: str
    current: str


async def rebuild(settings: ReportingSettings, progress: Progress | None = None) -> Rebuilt:
    redis = Redis.from_url(settings.redis_url, decode_responses=True)
    keyspaces = Keyspaces(settings.keyspace)
    consumer = AIOKafkaConsumer(
        **settings.kafka.client_options(),
        enable_auto_commit=False,
        group_id=None,
        max_partition_fetch_bytes=8 << 20,
        fetch_max_bytes=64 << 20,
    )
    await consumer.start()
    # Every subject's facts stay in memory until the end: millions of long-lived objects that the cyclic
    # collector would rescan over and over, and that hold no cycles.
    collecting = gc.isenabled()
    gc.disable()
    try:
        began = time.monotonic()
        previous = await keyspaces.live(redis)
        target = Keys(f"{settings.keyspace}-r{time.time_ns()}")
        topics = [settings.kafka.topic(s) for s in settings.sources]
        end = await _assign_from_start(consumer, await partitions_of(settings.kafka, topics))
        fresh = FreshKeyspace(redis, target)
        events = await _replay(consumer, fresh, end, progress)
        await fresh.finish()
        await redis.set(keyspaces.pointer, target.keyspace)
        await redis.publish(keyspaces.changed_channel, "rebuilt")
        await _delete(redis, previous)
        return Rebuilt(events, time.monotonic() - began, previous.keyspace, target.keyspace)
    finally:
        if collecting:
            gc.enable()
        await consumer.stop()
        await redis.aclose()


async def _assign_from_start(
    consumer: AIOKafkaConsumer, partitions: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """Assign every partition from offset 0; returns the end offsets the rebuild catches up to."""
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    end: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
    return end


async def _replay(
    consumer: AIOKafkaConsumer,
    fresh: FreshKeyspace,
    end: dict[TopicPartition, int],
    progress: Progress | None,
) -> int:
    total, done = sum(end.values()), 0
    workers = max(1, (os.cpu_count() or 1) - 1)
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        decoding: deque[asyncio.Future[DecodedBatch]] = deque()
        reading = True
        while reading or decoding:
            reading = reading and await _behind(consumer, end)
            if reading:
                batch = await consumer.getmany(timeout_ms=500, max_records=_BATCH)
                raw: Raw = [
                    (
                        Partition(tp.topic, tp.partition),
                        [
                            (r.offset, r.value, version_header(r.headers))
                            for r in records
                            if r.offset < end[tp]
                        ],
                    )
                    for tp, records in batch.items()
                ]
                if any(records for _, records in raw):
                    decoding.append(loop.run_in_executor(pool, decode_batch, raw))
            # Keep every worker busy, a batch ahead each, and apply what is ready in the order read.
            while decoding and (len(decoding) > 2 * workers or decoding[0].done() or not reading):
                ready = await decoding.popleft()
                await fresh.apply(ready.records)
                done += sum(len(records) for records in ready.records.values())
                if progress:
                    progress(done, total)
    return done


async def _behind(consumer: AIOKafkaConsumer, end: dict[TopicPartition, int]) -> bool:
    return any([await consumer.position(tp) < offset for tp, offset in end.items()])


async def _delete(redis: Redis, keys: Keys) -> None:
    batch: list[str] = []
    async for key in redis.scan_iter(match=keys.pattern(), count=10_000):
        batch.append(key)
        if len(batch) >= 10_000:
            await redis.unlink(*batch)
            batch.clear()
    if batch:
        await redis.unlink(*batch)


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    last = [0.0]

    def report(done: int, total: int) -> None:
        if time.monotonic() - last[0] >= 1.0 or done == total:
            last[0] = time.monotonic()
            print(f"\rrebuilding: {done:,}/{total:,} events ({done / max(total, 1):.0%})", end="", flush=True)

    result = asyncio.run(rebuild(ReportingSettings(), report))
    print(
        f"\nrebuilt {result.events:,} events in {result.seconds:.1f}s "
        f"({result.events / max(result.seconds, 1e-9):,.0f}/s); "
        f"live keyspace {result.previous} → {result.current}"
    )


if __name__ == "__main__":
    main()
