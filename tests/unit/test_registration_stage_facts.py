"""Registration's copy of stage facts (in-memory SQLite): the earliest fact not voided, whatever the order.

Facts arrive from several topics, are corrected and voided, and may be delivered again by an instance that
lags behind: a row only ever takes an event recorded no earlier than the one it holds.
"""

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from services.registration.adapters import stage_facts
from services.registration.adapters.tables import metadata
from shared.contracts.codec import wrap
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import TrainingCompleted
from tests.factories import profile

PARTICIPANT = uuid4()
T0 = datetime(2024, 1, 1, tzinfo=UTC)


@pytest.fixture
async def conn() -> AsyncIterator[AsyncConnection]:
    engine = create_async_engine("sqlite+aiosqlite://")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
        yield connection
    await engine.dispose()


def completed(class_id: UUID, on: date) -> TrainingCompleted:
    return TrainingCompleted(
        participant_id=PARTICIPANT,
        class_id=class_id,
        program=TrainingProgram.ENTREPRENEURSHIP,
        completed_on=on,
        profile=profile(),
    )


async def deliver(conn: AsyncConnection, event: EventPayload, on: date, recorded_minute: int) -> None:
    envelope = wrap(event, key=str(PARTICIPANT), occurred_on=on, producer="training", correlation_id=None)
    envelope = envelope.model_copy(update={"recorded_at": T0 + timedelta(minutes=recorded_minute)})
    await stage_facts.record(conn, envelope, event)


async def earliest(conn: AsyncConnection) -> date | None:
    return (await stage_facts.earliest(conn, [PARTICIPANT, uuid4()])).get(PARTICIPANT)


async def test_the_earliest_fact_not_voided_bounds_the_registration(conn: AsyncConnection) -> None:
    first, second = uuid4(), uuid4()
    assert await earliest(conn) is None
    await deliver(conn, completed(second, date(2023, 3, 20)), date(2023, 3, 20), 2)
    await deliver(conn, completed(first, date(2023, 3, 2)), date(2023, 3, 2), 1)  # backdated, later topic
    assert await earliest(conn) == date(2023, 3, 2)
    moved = completed(first, date(2023, 3, 25))
    correction = FactCorrected(
        participant_id=PARTICIPANT,
        fact_type="TrainingCompleted",
        fact=moved,
        previous_on=date(2023, 3, 2),
        by="trainer-1",
    )
    await deliver(conn, correction, date(2023, 3, 25), 3)
    assert await earliest(conn) == date(2023, 3, 20)  # the re-dated fact no longer holds the 2nd
    # A lagging instance delivers the original fact again: older than the correction, so it is ignored.
    await deliver(conn, completed(first, date(2023, 3, 2)), date(2023, 3, 2), 1)
    assert await earliest(conn) == date(2023, 3, 20)
    void = FactVoided(
        participant_id=PARTICIPANT,
        fact_type="TrainingCompleted",
        fact=completed(second, date(2023, 3, 20)),
        by="trainer-1",
    )
    await deliver(conn, void, date(2023, 3, 20), 4)
    assert await earliest(conn) == date(2023, 3, 25)
    await deliver(conn, completed(second, date(2023, 3, 20)), date(2023, 3, 20), 2)  # redelivered: still void
    assert await earliest(conn) == date(2023, 3, 25)
    await deliver(conn, completed(second, date(2023, 3, 21)), date(2023, 3, 21), 5)  # completed anew
    assert await earliest(conn) == date(2023, 3, 21)
