"""Faults injected from outside the processes: signals, a database trigger, Redis and Kafka clients."""

from __future__ import annotations

import asyncio
import inspect
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import httpx
import psycopg
import sqlalchemy
from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from redis.asyncio import Redis

from devstack.app_server import AppServer
from devstack.postgres import libpq_url
from devstack.server import LocalServer
from services.reporting.store.keys import Keys
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import partitions_of
from tests.tokens import ADMIN


async def restart(server: LocalServer, timeout_s: float = 90.0) -> None:
    """Start a stopped or killed server again, on its own data and port.

    Spawned on the event loop's thread (the main one, alive all session): the kernel kills a child when the
    thread that spawned it ends. Only the wait for readiness runs in a worker thread.
    """
    server.spawn()
    await asyncio.to_thread(server.wait_ready, timeout_s)


async def until(condition: Callable[[], object], what: str, timeout_s: float = 30.0) -> float:
    """Seconds until `condition()` (a value or an awaitable) is true; fails naming `what` otherwise."""
    began = time.monotonic()
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return time.monotonic() - began
        if time.monotonic() - began > timeout_s:
            raise AssertionError(f"{what}: not within {timeout_s:.0f}s")
        await asyncio.sleep(0.05)


async def log_line(logs: Path, pattern: str, text: str, timeout_s: float = 60.0) -> float:
    """Seconds until a log file matching `pattern` under `logs` holds `text`. Faults are timed to that
    moment, so it is watched every 2 ms, reading the small files directly rather than via a thread."""
    began = time.monotonic()
    while not _logged(logs, pattern, text):
        if time.monotonic() - began > timeout_s:
            raise AssertionError(f"no {text!r} in {logs / pattern} within {timeout_s:.0f}s")
        await asyncio.sleep(0.002)
    return time.monotonic() - began


def _logged(logs: Path, pattern: str, text: str) -> bool:
    return any(text in path.read_text(errors="replace") for path in logs.glob(pattern))


def database_url(server: AppServer) -> str:
    """The database a producing service was started with (its <SERVICE>_DATABASE_URL)."""
    return server.env[f"{server.service.upper()}_DATABASE_URL"]


async def unpublished(url: str) -> int:
    """Outbox rows committed but not marked published, read straight from the service's database."""

    def count() -> int:
        engine = sqlalchemy.create_engine(url)
        try:
            with engine.connect() as conn:
                query = "SELECT count(*) FROM outbox WHERE published_at IS NULL"
                return int(conn.execute(sqlalchemy.text(query)).scalar_one())
        finally:
            engine.dispose()

    return await asyncio.to_thread(count)


class MarkHold:
    """Holds the outbox relay between Kafka's acknowledgement and its `UPDATE outbox SET published_at`.

    A statement trigger on the outbox makes every UPDATE wait for an advisory lock this object holds;
    INSERTs (new writes) are untouched. PostgreSQL only.
    """

    LOCK = 4711
    INSTALL = f"""
        CREATE FUNCTION fault_hold_mark() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN PERFORM pg_advisory_xact_lock({LOCK}); RETURN NULL; END $$;
        CREATE TRIGGER fault_hold_mark BEFORE UPDATE ON outbox
            FOR EACH STATEMENT EXECUTE FUNCTION fault_hold_mark();
    """
    WAITING = """
        SELECT pid FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND wait_event = 'advisory'
    """

    def __init__(self, conn: psycopg.AsyncConnection[tuple[int]]) -> None:
        self._conn = conn

    @classmethod
    async def install(cls, url: str) -> MarkHold:
        conn: psycopg.AsyncConnection[tuple[int]] = await psycopg.AsyncConnection.connect(
            libpq_url(url), autocommit=True
        )
        await conn.execute(cls.INSTALL)
        await conn.execute("SELECT pg_advisory_lock(%s)", (cls.LOCK,))
        return cls(conn)

    async def waiting(self) -> list[int]:
        """Backends of this database waiting at the hold: a relay with a batch sent but not marked."""
        cursor = await self._conn.execute(self.WAITING)
        return [pid for (pid,) in await cursor.fetchall()]

    async def let_one_through(self) -> None:
        """The waiting UPDATE goes on and commits; the next one waits again.

        Our lock request queues behind the relay's transaction lock, so it is granted at that commit,
        before the relay can have sent and tried to mark its next batch.
        """
        await self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.LOCK,))
        await self._conn.execute("SELECT pg_advisory_lock(%s)", (self.LOCK,))

    async def release(self) -> None:
        """Remove the hold. A killed relay's transaction is ended first: its backend would otherwise mark
        the rows as soon as the lock is free, and only then notice its client is gone (and roll back)."""
        for pid in await self.waiting():
            await self._conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
        await self._conn.execute("DROP TRIGGER fault_hold_mark ON outbox; DROP FUNCTION fault_hold_mark()")
        await self._conn.execute("SELECT pg_advisory_unlock(%s)", (self.LOCK,))
        await self._conn.close()


async def topic_records(bootstrap: str, topics: list[str], timeout_s: float = 30.0) -> list[ConsumerRecord]:
    """Every record of the topics up to their current ends."""
    partitions = await partitions_of(KafkaSettings(bootstrap_servers=bootstrap), topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
        deadline = time.monotonic() + timeout_s
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            if time.monotonic() > deadline:
                raise AssertionError(f"{topics}: not read to the end within {timeout_s:.0f}s")
            for batch in (await consumer.getmany(timeout_ms=200)).values():
                records += [r for r in batch if r.offset < ends[TopicPartition(r.topic, r.partition)]]
    finally:
        await consumer.stop()
    return records


async def end_offsets(bootstrap: str, topics: list[str]) -> int:
    """How many records the topics hold."""
    partitions = await partitions_of(KafkaSettings(bootstrap_servers=bootstrap), topics)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    await consumer.start()
    try:
        ends: dict[TopicPartition, int] = await consumer.end_offsets(partitions)
    finally:
        await consumer.stop()
    return sum(ends.values())


def copies_by_event(records: list[ConsumerRecord]) -> Counter[int]:
    """How many events appear once, twice, …: {copies: events}."""
    per_event = Counter(_event_id(r) for r in records)
    return Counter(per_event.values())


def _event_id(record: ConsumerRecord) -> str:
    return str(json.loads(record.value)["event_id"])


async def uncommitted_applied(
    redis: Redis, admin: AIOKafkaAdminClient, keys: Keys, group: str, partitions: list[TopicPartition]
) -> dict[TopicPartition, int]:
    """Events per partition that reporting applied to Redis beyond what its group committed to Kafka."""
    stored = await redis.mget([keys.offset(tp.topic, tp.partition) for tp in partitions])
    committed = await admin.list_consumer_group_offsets(group)
    ahead = {}
    for tp, raw in zip(partitions, stored, strict=True):
        next_to_apply = int(raw) + 1 if raw is not None else 0
        next_committed = committed[tp].offset if tp in committed else 0
        if next_committed < next_to_apply:
            ahead[tp] = next_to_apply - next_committed
    return ahead


async def metric(server: AppServer, name: str) -> float:
    """The sum of a metric's samples on an instance's /ops/metrics (0 once it is not running)."""
    if not server.is_running:
        return 0.0
    async with httpx.AsyncClient(headers=ADMIN, base_url=server.url) as http:
        text = (await http.get("/ops/metrics")).text
    samples = re.compile(rf"^{re.escape(name)}(?:\{{[^}}]*\}})? ([0-9.e+-]+)$", re.MULTILINE)
    return sum(float(value) for value in samples.findall(text))


async def applied_events(server: AppServer) -> int:
    """Records a reporting instance took from Kafka in its current life (its applied-events counter)."""
    return int(await metric(server, "reporting_events_applied_total"))
