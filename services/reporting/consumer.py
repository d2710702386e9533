"""The reporting consumer: one group over every producing service's topic, positions kept in Redis.

Kafka's committed offsets are only informative (lag monitoring). Where to read from is decided by the
offsets stored in Redis together with the aggregates, so the two can never disagree.
Assumes offsets within a partition are contiguous: producers are idempotent but not transactional,
and topics keep their whole history, so no gaps (control records, deleted segments) occur.

Pipelined: while one batch is applied (its Redis transaction in flight), the next is fetched and decoded,
in a worker process (decoding is the largest cost; there it runs on another core). The applier still
checks every record against the offsets stored in Redis under WATCH, so a batch read ahead can never be
applied twice or out of order; whenever the consumer seeks (Redis behind, an error), the batch read ahead is
dropped and every partition re-read from its stored offset.
"""

import asyncio
import contextlib
import gc
import logging
import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError
from prometheus_client import Counter, Gauge

from services.reporting.projection.batch import Decoded, Partition
from services.reporting.records import Raw, decode_batch, version_header
from services.reporting.store.applier import Applier
from shared.kafka.producer import build_producer
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from shared.tasks import cancel_and_wait
from shared.tracing import trace_id_of

log = logging.getLogger(__name__)

EVENTS_APPLIED = Counter("reporting_events_applied_total", "Events applied to the aggregates", ["topic"])
EVENTS_DEAD_LETTERED = Counter("reporting_events_dead_lettered_total", "Events sent to the DLQ", ["topic"])
CONSUMER_LAG = Gauge("reporting_consumer_lag", "Events in a partition not read yet", ["topic", "partition"])


def _trace(records: list[ConsumerRecord]) -> None:
    """At DEBUG, one line per applied event with the correlation id and the trace id of the request that
    caused it (the trace's receive span is the aiokafka instrumentation's, made when the batch was read)."""
    if log.isEnabledFor(logging.DEBUG):
        for record in records:
            headers = dict(record.headers)
            correlation_id = headers.get("correlation_id", b"").decode() or None
            event_type = headers.get("event_type", b"?").decode()
            log.debug(
                "applied %s from %s[%d]@%d",
                event_type,
                record.topic,
                record.partition,
                record.offset,
                extra={"correlation_id": correlation_id, "trace_id": trace_id_of(headers)},
            )


class _SeekToStored(ConsumerRebalanceListener):  # type: ignore[misc]
    def __init__(self, owner: "ReportingConsumer") -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        """Nothing to flush: every batch is applied atomically before the next poll."""

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        await self._owner.seek_to_stored(list(assigned))


@dataclass
class Fetched:
    """A batch read from Kafka and decoded, not applied yet."""

    records: dict[TopicPartition, list[ConsumerRecord]]
    decoded: dict[Partition, list[Decoded]]  # only records not applied already
    problems: list[tuple[ConsumerRecord, str]]  # undecodable records, to dead-letter once applied


_GC_THRESHOLDS = (50_000, 20, 100)


def _decoder() -> ProcessPoolExecutor:
    """One worker decodes while this process applies. Spawned, not forked: this process runs threads (so a
    script that runs the consumer must guard its entry point with `if __name__ == "__main__"`)."""
    return ProcessPoolExecutor(
        1,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=gc.set_threshold,
        initargs=_GC_THRESHOLDS,
    )


class ReportingConsumer:
    def __init__(
        self,
        kafka: KafkaSettings,
        applier: Applier,
        *,
        topics: list[str],
        dead_letter_topic: str,
        group_id: str,
        max_records: int = 20_000,
        reconcile_every_s: float = 1.0,
    ) -> None:
        self._kafka = kafka
        self._applier = applier
        self._topics = topics
        self._dead_letter_topic = dead_letter_topic
        self._group_id = group_id
        self._max_records = max_records
        self._reconcile_every_s = reconcile_every_s
        self._consumer: AIOKafkaConsumer | None = None
        self._dead_letters: AIOKafkaProducer | None = None
        self._task: asyncio.Task[None] | None = None
        self._ahead: asyncio.Task[Fetched] | None = None
        self._applied: dict[TopicPartition, int] = {}  # last offset this consumer applied, per partition
        self._decoder: ProcessPoolExecutor | None = None

    @property
    def consumer(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("consumer not started")
        return self._consumer

    def start(self) -> None:
        # Decoding makes and drops millions of objects: collect young ones less often, and never rescan
        # what the process built before (settings, models, the app), which only ever stays.
        gc.freeze()
        gc.set_threshold(*_GC_THRESHOLDS)
        self._decoder = _decoder()
        self._task = asyncio.create_task(self._run(), name="reporting-consumer")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await self._drop_ahead()
        if self._decoder is not None:
            self._decoder.shutdown(wait=False, cancel_futures=True)
        if self._consumer is not None:
            await self._consumer.stop()
        if self._dead_letters is not None:
            await self._dead_letters.stop()

    async def check_kafka(self) -> None:
        if self._dead_letters is None:
            raise ConnectionError("not connected to kafka yet")
        await self._dead_letters.client.fetch_all_metadata()

    async def _connect(self) -> None:
        while True:
            try:
                await ensure_topics(self._kafka, [*self._topics, self._dead_letter_topic])
                self._dead_letters = build_producer(self._kafka, client_id="reporting-dlq")
                await self._dead_letters.start()
                self._consumer = AIOKafkaConsumer(
                    **self._kafka.client_options(),
                    group_id=self._group_id,
                    client_id="reporting",
                    enable_auto_commit=False,
                    auto_offset_reset="earliest",
                    max_poll_records=self._max_records,
                    # Whole batches per fetch: the default 1 MiB per partition holds ~1,600 events.
                    max_partition_fetch_bytes=8 << 20,
                    fetch_max_bytes=64 << 20,
                )
                self._consumer.subscribe(self._topics, listener=_SeekToStored(self))
                await self._consumer.start()
                return
            except Exception as exc:  # any failure here must retry, or reporting would silently stop
                log.warning("kafka not ready for reporting (%s: %s); retrying", type(exc).__name__, exc)
                await self._close_clients()
                await asyncio.sleep(2.0)

    async def _close_clients(self) -> None:
        for client in (self._consumer, self._dead_letters):
            if client is not None:
                with contextlib.suppress(Exception):
                    await client.stop()
        self._consumer = self._dead_letters = None

    async def _run(self) -> None:
        await self._connect()
        last_reconcile = time.monotonic()
        while True:
            try:
                fetched = await (self._ahead or self._fetch())
                # Read the next batch while this one is applied.
                self._ahead = asyncio.create_task(self._fetch(), name="reporting-fetch")
                if fetched.records:
                    await self._apply(fetched)
                if time.monotonic() - last_reconcile >= self._reconcile_every_s:
                    await self._reconcile()
                    last_reconcile = time.monotonic()
            except asyncio.CancelledError:
                raise
            except Exception:
                # Redis or Kafka hiccup: nothing was half-applied (MULTI/EXEC); re-read from Redis' offsets.
                log.exception("reporting batch failed; resuming from stored offsets")
                await asyncio.sleep(1.0)
                with contextlib.suppress(Exception):
                    await self._reread_from_stored(list(self.consumer.assignment()))

    async def _fetch(self) -> Fetched:
        batch = await self.consumer.getmany(timeout_ms=200, max_records=self._max_records)
        if not batch:
            return Fetched({}, {}, [])
        # Records already applied (redelivered after a seek or a rebalance) are not decoded or dead-lettered
        # again. The applier re-checks under WATCH; this only keeps repeats out of the dead-letter topic.
        stored = await self._applier.stored_offsets([Partition(tp.topic, tp.partition) for tp in batch])
        raw: Raw = []
        for tp, records in batch.items():
            p = Partition(tp.topic, tp.partition)
            raw.append(
                (p, [(r.offset, r.value, version_header(r.headers)) for r in records if r.offset > stored[p]])
            )
        assert self._decoder is not None
        try:
            decoded = await asyncio.get_running_loop().run_in_executor(self._decoder, decode_batch, raw)
        except BrokenProcessPool:
            self._decoder = _decoder()  # its worker died (killed, out of memory): the batch is read again
            raise
        if not decoded.problems:
            return Fetched(batch, decoded.records, [])
        by_offset = {(tp.topic, tp.partition, r.offset): r for tp, records in batch.items() for r in records}
        problems = [(by_offset[(p.topic, p.partition, offset)], why) for p, offset, why in decoded.problems]
        return Fetched(batch, decoded.records, problems)

    async def _apply(self, fetched: Fetched) -> None:
        for record, problem in fetched.problems:
            await self._dead_letter(record, problem)
        applied = await self._applier.apply({p: records for p, records in fetched.decoded.items() if records})
        if applied.rewind:
            for p, offset in applied.rewind.items():
                log.warning(
                    "redis is behind on %s[%d]; re-reading from offset %d", p.topic, p.partition, offset
                )
            await self._reread_from_stored(list(fetched.records))
        for tp, records in fetched.records.items():
            if Partition(tp.topic, tp.partition) not in applied.rewind:
                self._applied[tp] = records[-1].offset
                EVENTS_APPLIED.labels(tp.topic).inc(len(records))
                _trace(records)
        await self._commit_for_monitoring(fetched.records, applied.rewind)

    async def _drop_ahead(self) -> None:
        """Forget the batch read ahead (its records would be read past a seek)."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None:
            ahead.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await ahead

    async def _reread_from_stored(self, partitions: list[TopicPartition]) -> None:
        """Seek `partitions` to their stored offsets, and every other one to where the batch read ahead
        began, by dropping it and seeking all assigned partitions to their stored offsets."""
        await self._drop_ahead()
        await self.seek_to_stored(list({*partitions, *self.consumer.assignment()}))

    async def _dead_letter(self, record: ConsumerRecord, reason: str) -> None:
        assert self._dead_letters is not None
        log.warning("dead-lettering %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason)
        headers = [
            ("reason", reason.encode()),
            ("source_topic", record.topic.encode()),
            ("source_partition", str(record.partition).encode()),
            ("source_offset", str(record.offset).encode()),
        ]
        await self._dead_letters.send_and_wait(
            self._dead_letter_topic, value=record.value, key=record.key, headers=headers
        )
        EVENTS_DEAD_LETTERED.labels(record.topic).inc()

    async def _commit_for_monitoring(
        self, batch: dict[TopicPartition, list[ConsumerRecord]], rewind: dict[Partition, int]
    ) -> None:
        offsets = {
            tp: records[-1].offset + 1
            for tp, records in batch.items()
            if Partition(tp.topic, tp.partition) not in rewind
        }
        with contextlib.suppress(CommitFailedError):
            await self.consumer.commit(offsets)

    async def seek_to_stored(self, assigned: list[TopicPartition]) -> None:
        stored = await self._applier.stored_offsets([Partition(tp.topic, tp.partition) for tp in assigned])
        for tp in assigned:
            offset = stored[Partition(tp.topic, tp.partition)]
            self._applied[tp] = offset
            if offset >= 0:
                self.consumer.seek(tp, offset + 1)
            else:
                # Not seek_to_beginning: that resets lazily and can lose to a position fetched for the
                # old assignment; offset 0 falls back to the log start through auto_offset_reset.
                self.consumer.seek(tp, 0)

    async def _reconcile(self) -> None:
        """Notice a Redis that lost data while this consumer sat idle, and read its partitions again;
        also refresh the lag gauges."""
        assigned = list(self.consumer.assignment())
        stored = await self._applier.stored_offsets([Partition(tp.topic, tp.partition) for tp in assigned])
        behind = []
        for tp in assigned:
            highwater = self.consumer.highwater(tp)
            applied = self._applied.get(tp, -1)
            if highwater is not None:
                CONSUMER_LAG.labels(tp.topic, str(tp.partition)).set(max(0, highwater - applied - 1))
            if stored[Partition(tp.topic, tp.partition)] < applied:
                behind.append(tp)
        if behind:
            log.warning("redis lost applied offsets for %s; refilling from kafka", behind)
            await self._reread_from_stored(behind)
