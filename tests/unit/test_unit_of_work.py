"""The shared unit of work on a real (in-memory SQLite) database: repositories bound to its transaction store
an aggregate and the events it collected together, keyed as each event's contract says; a failed
transaction keeps neither; the read-only view writes nothing and wakes no relay."""

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import date
from typing import cast
from uuid import UUID, uuid4

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.aggregates import Aggregate
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.contracts.events import ParticipantEnrolled, TrainingClassScheduled
from shared.db.engine import create_engine
from shared.outbox import outbox_table
from shared.outbox.relay import OutboxRelay
from shared.outbox.unit_of_work import Repositories, Transaction, UnitOfWork
from tests.factories import profile

metadata = sa.MetaData()
outbox = outbox_table(metadata)
things = sa.Table("things", metadata, sa.Column("id", sa.String(36), primary_key=True))
CLASS_ID, PARTICIPANT_ID = uuid4(), uuid4()
SCHEDULED = TrainingClassScheduled(
    class_id=CLASS_ID,
    program=TrainingProgram.VOCATIONAL,
    format=TrainingFormat.REGULAR,
    kota_code="31.71",
    starts_on=date(2024, 3, 1),
    ends_on=date(2024, 3, 31),
    capacity=20,
)
ENROLLED = ParticipantEnrolled(
    participant_id=PARTICIPANT_ID,
    class_id=CLASS_ID,
    program=TrainingProgram.VOCATIONAL,
    enrolled_on=date(2024, 3, 4),
    profile=profile(),
)


@dataclass(frozen=True)
class Thing(Aggregate):
    thing_id: UUID
    label: str = "a"


@dataclass(frozen=True)
class Things:
    tx: Transaction

    async def add(self, thing: Thing) -> None:
        await self.tx.conn.execute(things.insert().values(id=str(thing.thing_id)))
        await self.tx.collect(thing)


@dataclass(frozen=True)
class ThingsView:
    conn: AsyncConnection

    async def count(self) -> int:
        return int((await self.conn.execute(sa.select(sa.func.count()).select_from(things))).scalar_one())


class CountingRelay:
    notified = 0

    def notify(self) -> None:
        self.notified += 1


@pytest.fixture
async def uow() -> AsyncIterator[UnitOfWork]:
    engine = create_engine("sqlite://")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield UnitOfWork(engine, outbox, cast(OutboxRelay, CountingRelay()), "jp.training", "training")
    await engine.dispose()


async def outbox_rows(uow: UnitOfWork) -> list[tuple[str, str, str]]:
    async with uow.read() as conn:
        rows = (await conn.execute(sa.select(outbox.c.key, outbox.c.event_type, outbox.c.payload))).all()
    return [(row.key, row.event_type, json.loads(row.payload)["occurred_on"]) for row in rows]


def test_an_aggregates_events_are_no_part_of_its_value_and_are_taken_once() -> None:
    thing = Thing(uuid4())
    thing.collect(SCHEDULED, date(2024, 2, 1))
    assert thing == replace(thing) and "_collected" not in vars(thing) and "events" not in repr(thing)
    assert not replace(thing, label="b").events  # a changed copy starts with none of its own
    [collected] = thing.take_events()
    assert (collected.key, collected.occurred_on) == (str(CLASS_ID), date(2024, 2, 1))
    assert not thing.take_events()


async def test_repositories_store_an_aggregate_with_its_events_keyed_by_their_contract(
    uow: UnitOfWork,
) -> None:
    storage = Repositories(uow, writes=Things, reads=ThingsView)
    thing = Thing(uuid4())
    thing.collect(SCHEDULED, date(2024, 2, 1))  # keyed by the class: it has no participant
    thing.collect(ENROLLED, date(2024, 3, 4))  # keyed by the participant
    async with storage.begin() as tx:
        await tx.add(thing)
    assert await outbox_rows(uow) == [
        (str(CLASS_ID), "TrainingClassScheduled", "2024-02-01"),
        (str(PARTICIPANT_ID), "ParticipantEnrolled", "2024-03-04"),
    ]
    async with storage.view() as view:
        assert await view.count() == 1
    assert cast(CountingRelay, uow.relay).notified == 1  # the view woke nobody


async def test_a_failed_transaction_keeps_neither_the_aggregate_nor_its_events(uow: UnitOfWork) -> None:
    storage = Repositories(uow, writes=Things, reads=ThingsView)
    thing = Thing(uuid4())
    thing.collect(SCHEDULED, date(2024, 2, 1))
    with pytest.raises(RuntimeError):
        async with storage.begin() as tx:
            await tx.add(thing)
            raise RuntimeError("a rule refused the change after the write")
    assert await outbox_rows(uow) == []
    async with storage.view() as view:
        assert await view.count() == 0
    assert cast(CountingRelay, uow.relay).notified == 0
