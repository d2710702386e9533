"""Published outbox rows are deleted once past their retention, in batches, by the relay's own loop;
unpublished rows and recent ones stay."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db.engine import create_engine
from shared.outbox import outbox_table
from shared.outbox.settings import OutboxSettings
from tests.outbox_fakes import RecordingProducer, recording_relay

NOW = datetime.now(UTC)
RETAINED = OutboxSettings(retention_hours=72, prune_batch=2)


@pytest.fixture
async def outbox(tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, sa.Table]]:
    engine = create_engine(f"sqlite:///{tmp_path / 'outbox.db'}")
    table = outbox_table(metadata := sa.MetaData())
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine, table
    await engine.dispose()


async def add(
    engine: AsyncEngine, table: sa.Table, *, published_hours_ago: float | None, created_days_ago: float = 10
) -> int:
    published = None if published_hours_ago is None else NOW - timedelta(hours=published_hours_ago)
    row = {
        "event_id": str(uuid4()),
        "topic": "t",
        "key": "k",
        "event_type": "E",
        "payload": json.dumps({}),
        "created_at": NOW - timedelta(days=created_days_ago),
        "published_at": published,
    }
    async with engine.begin() as conn:
        return int((await conn.execute(table.insert().values(row).returning(table.c.id))).scalar_one())


async def ids(engine: AsyncEngine, table: sa.Table) -> set[int]:
    async with engine.connect() as conn:
        return set((await conn.execute(sa.select(table.c.id))).scalars())


async def test_rows_published_before_the_retention_go_unpublished_and_recent_ones_stay(
    outbox: tuple[AsyncEngine, sa.Table],
) -> None:
    engine, table = outbox
    old = await add(engine, table, published_hours_ago=100)
    recent = await add(engine, table, published_hours_ago=1, created_days_ago=30)
    waiting = await add(engine, table, published_hours_ago=None, created_days_ago=30)
    relay = recording_relay(engine, table, RecordingProducer(), settings=RETAINED)
    assert await relay.prune() == 1
    assert await ids(engine, table) == {recent, waiting}
    assert old not in await ids(engine, table)


async def test_pruning_deletes_a_batch_at_a_time_oldest_first(outbox: tuple[AsyncEngine, sa.Table]) -> None:
    engine, table = outbox
    by_age = [await add(engine, table, published_hours_ago=hours) for hours in (300, 200, 100, 90, 80)]
    relay = recording_relay(engine, table, RecordingProducer(), settings=RETAINED)
    assert await relay.prune() == 2
    assert await ids(engine, table) == set(by_age[2:])
    assert [await relay.prune(), await relay.prune()] == [2, 1]
    assert await relay.prune() == 0


async def test_the_relay_prunes_in_its_loop_until_done_then_waits_its_interval(
    outbox: tuple[AsyncEngine, sa.Table],
) -> None:
    engine, table = outbox
    for _ in range(5):  # three batches of two: the loop goes on while a batch comes back full
        await add(engine, table, published_hours_ago=100)
    relay = recording_relay(engine, table, RecordingProducer(), poll_s=0.01, settings=RETAINED)
    relay.start()
    try:
        for _ in range(200):
            if not await ids(engine, table):
                break
            await asyncio.sleep(0.01)
        assert await ids(engine, table) == set()
        late = await add(engine, table, published_hours_ago=100)
        await asyncio.sleep(0.2)  # twenty passes, and the next look is ten minutes away
        assert await ids(engine, table) == {late}
    finally:
        await relay.stop()
