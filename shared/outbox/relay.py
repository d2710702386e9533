"""Publishes committed outbox rows to Kafka: right after each commit, and on a poll as a safety net.

At-least-once: a row is marked published only after the broker acknowledged it, so a crash in between
republishes it (consumers are idempotent). A broker outage leaves rows in place and retries with backoff.

Order. One relay per database publishes (the lease, see lease.py), a batch at a time in id order. An id
is drawn from the table's sequence (CACHE 1, so ids rise in the order rows are inserted, across sessions)
when the row is inserted. A row that depends on another's commit (a void on its issue; any second write
of a participant, which waits for the first one's row lock before recording its event) is inserted after
that commit: it has the larger id and is never visible without the other, so it is never sent first.
Two transactions in flight may commit in the other order than their ids. The relay does not wait for a
smaller id still in flight: it selects unpublished rows, not rows above a high-water mark, so a row that
commits late is taken by the next pass, after the rows that committed before it (commit order), and
nothing is skipped for good. Such rows were written concurrently, so neither depends on the other.
Waiting until no older transaction is open (`pg_snapshot_xmin`) would publish them in id order instead,
no closer to commit order, and hold every publish behind the longest open transaction.

Cost: every pass is several database round trips and a Kafka request, whatever the number of rows, so
a pass waits a few milliseconds after a wake-up to take the commits arriving meanwhile with it, and the
backlog gauge (one more query) is refreshed at most once per poll interval rather than after every pass.
Only the instance that committed is woken; the holder of the lease takes other instances' rows at its
next poll (at most `poll_interval_s` later).

Versions. On PostgreSQL every event carries its row's id as its fact's version (header `fact-version`,
fact_version.py), so a consumer can refuse an older event of a fact that reaches it after a newer one.
Not on SQLite: its ids are rowids, which start again below ids already sent once pruning has emptied the
table; its single relay publishes in commit order anyway.
"""

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiokafka import AIOKafkaProducer
from sqlalchemy import Row, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.db.engine import one_writer
from shared.outbox import fact_version
from shared.outbox.lease import lease_for
from shared.outbox.metrics import OUTBOX_BACKLOG, OUTBOX_PRUNED, OUTBOX_PUBLISH_LAG
from shared.outbox.settings import OutboxSettings
from shared.outbox.trace import continuing
from shared.tasks import cancel_and_wait

log = logging.getLogger(__name__)


class OutboxRelay:
    def __init__(
        self,
        engine: AsyncEngine,
        outbox: Table,
        *,
        service: str,
        connect: Callable[[], Awaitable[AIOKafkaProducer]],
        batch_size: int = 500,
        poll_interval_s: float = 1.0,
        max_backoff_s: float = 5.0,
        gather_s: float = 0.005,
        settings: OutboxSettings | None = None,
    ) -> None:
        self._engine = engine
        self._outbox = outbox
        self._connect = connect
        self.producer: AIOKafkaProducer | None = None
        self._batch_size = batch_size
        self._poll_interval_s = poll_interval_s
        self._max_backoff_s = max_backoff_s
        self._gather_s = gather_s
        self._backlog_due = 0.0  # loop time of the next backlog gauge refresh
        self._settings = settings or OutboxSettings()
        self._prune_due = 0.0  # loop time of the next look for rows past their retention
        self._service = service
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.lease = lease_for(engine, service=service, table=outbox.name)
        self._versioned = engine.dialect.name == "postgresql"  # see the module docstring

    def notify(self) -> None:
        """Called after a commit that added events: publish now rather than at the next poll."""
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        await cancel_and_wait(self._task)
        await self.lease.release()
        await self._discard_producer()

    async def _discard_producer(self) -> None:
        producer, self.producer = self.producer, None
        if producer is not None:
            with contextlib.suppress(Exception):
                await producer.stop()

    async def backlog(self) -> int:
        async with self._engine.connect() as conn:
            query = select(func.count()).where(self._outbox.c.published_at.is_(None))
            count = int((await conn.execute(query)).scalar_one())
        OUTBOX_BACKLOG.labels(self._service).set(count)
        return count

    async def _run(self) -> None:
        backoff = 0.1
        while True:
            try:
                if self.producer is None:
                    self.producer = await self._connect()
                published = await self.publish_pending()
                backoff = 0.1
            except Exception as exc:
                log.warning(
                    "outbox publish failed (%s: %s); retrying in %.1fs", type(exc).__name__, exc, backoff
                )
                # After a failed send an idempotent producer's sequence numbers may no longer match the
                # broker's (OutOfOrderSequenceNumber for ever): a new producer gets a new producer id.
                await self._discard_producer()
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, self._max_backoff_s)
                continue
            if published is None:  # another instance publishes; ask again at the next poll
                await self._refresh_backlog()
                await asyncio.sleep(self._poll_interval_s)
                continue
            await self._prune_if_due()
            if published < self._batch_size:
                await self._refresh_backlog()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
                    # Woken by a commit: others are usually in flight; one pass publishes them all.
                    await asyncio.sleep(self._gather_s)
                self._wake.clear()

    async def _refresh_backlog(self) -> None:
        now = asyncio.get_running_loop().time()
        if now < self._backlog_due:
            return
        self._backlog_due = now + self._poll_interval_s
        with contextlib.suppress(Exception):  # the gauge is best effort; publishing is not
            await self.backlog()

    async def publish_pending(self) -> int | None:
        """Publish one batch of unpublished rows in id order: how many, or None while another instance
        holds the lease. Rows are read and marked on the lease's connection, so a relay that lost it
        reads nothing more to send."""
        self._wake.clear()
        async with self.lease.publishing() as conn:
            if conn is None:
                return None
            async with conn.begin():
                rows = await self._pending(conn)
            if not rows:
                return 0
            await self._send(rows)
            # SQLite: a single writer per file; the mark waits its turn (nothing on PostgreSQL).
            async with one_writer(self._engine), conn.begin():
                await self._mark_published(conn, rows)
        return len(rows)

    async def _pending(self, conn: AsyncConnection) -> list[Row[Any]]:
        query = (
            select(self._outbox)
            .where(self._outbox.c.published_at.is_(None))
            .order_by(self._outbox.c.id)
            .limit(self._batch_size)
        )
        return list((await conn.execute(query)).all())

    async def _prune_if_due(self) -> None:
        now = asyncio.get_running_loop().time()
        if now < self._prune_due:
            return
        try:
            deleted = await self.prune()
        except Exception as exc:  # housekeeping: never a reason to stop publishing
            log.warning("outbox prune failed (%s: %s); trying again later", type(exc).__name__, exc)
            deleted = 0
        # A full batch: more is due, deleted between the next publish passes; else wait the interval.
        full = deleted >= self._settings.prune_batch
        self._prune_due = now if full else now + self._settings.prune_every_minutes * 60

    async def prune(self) -> int:
        """Delete one batch of the rows published longer ago than the retention, oldest first: how many
        (none while another instance holds the lease; the holder prunes for all)."""
        published_at = self._outbox.c.published_at
        cutoff = datetime.now(UTC) - timedelta(hours=self._settings.retention_hours)
        oldest = (  # through ix_outbox_published_at, which holds only published rows
            select(self._outbox.c.id)
            .where(published_at.is_not(None), published_at < cutoff)
            .order_by(published_at)
            .limit(self._settings.prune_batch)
        )
        async with self.lease.publishing() as conn:
            if conn is None:
                return 0
            async with one_writer(self._engine), conn.begin():
                deleted = (
                    await conn.execute(self._outbox.delete().where(self._outbox.c.id.in_(oldest)))
                ).rowcount
        OUTBOX_PRUNED.labels(self._service).inc(deleted)
        return int(deleted)

    async def _send(self, rows: list[Row[Any]]) -> None:
        if self.producer is None:
            raise RuntimeError("relay has no producer yet")
        deliveries = []
        for row in rows:
            headers = [("event_type", row.event_type.encode())]
            if row.correlation_id:
                headers.append(("correlation_id", row.correlation_id.encode()))
            if self._versioned:
                headers.append(fact_version.header(row.id))
            with continuing(row.trace_context, headers):
                deliveries.append(
                    await self.producer.send(
                        row.topic, value=row.payload.encode(), key=row.key.encode(), headers=headers
                    )
                )
        await asyncio.gather(*deliveries)

    async def _mark_published(self, conn: AsyncConnection, rows: list[Row[Any]]) -> None:
        now = datetime.now(UTC)
        await conn.execute(
            self._outbox.update()
            .where(self._outbox.c.id.in_([row.id for row in rows]))
            .values(published_at=now)
        )
        lag = OUTBOX_PUBLISH_LAG.labels(self._service)
        for row in rows:
            created = row.created_at if row.created_at.tzinfo else row.created_at.replace(tzinfo=UTC)
            lag.observe((now - created).total_seconds())
