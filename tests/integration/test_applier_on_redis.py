"""The applier against a real Redis: any delivery order, redelivery and concurrent owners count once."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta
from uuid import UUID, uuid4

import pytest
from redis.asyncio import Redis

from devstack import Endpoints
from services.reporting.metrics import Dimension, Interval, Metric
from services.reporting.projection.batch import Consumed, Partition
from services.reporting.store.applier import Applier
from services.reporting.store.figures import Figures
from services.reporting.store.keyspace import Keyspaces
from shared.contracts.enums import AgeBand, Agency, Gender, TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import ParticipantRegistered, TrainingCompleted
from shared.contracts.profile import ParticipantProfile

REG, TRAIN = Partition("reg", 0), Partition("train", 0)
EVERYTHING = (date(2018, 1, 1), date(2026, 1, 1))


@pytest.fixture
async def redis(infra: Endpoints) -> AsyncIterator[Redis]:
    client = Redis.from_url(infra.redis_url, decode_responses=True)
    yield client
    await client.aclose()


def history(
    rng: random.Random,
) -> tuple[list[ParticipantRegistered], list[TrainingCompleted], dict[UUID, date]]:
    registrations: list[ParticipantRegistered] = []
    completions: list[TrainingCompleted] = []
    first: dict[UUID, date] = {}
    for _ in range(200):
        pid = uuid4()
        profile = ParticipantProfile(
            registered_on=date(2021, 1, 1) + timedelta(days=rng.randrange(365)),
            gender=rng.choice(list(Gender)),
            age_band=AgeBand.AGE_25_34,
            kota_code="31.74",
            kecamatan_code="31.74.01",
            kelurahan_code="31.74.01.1001",
            agency=rng.choice(list(Agency)),
            disability=False,
            ktp_dki=True,
        )
        registrations.append(ParticipantRegistered(participant_id=pid, profile=profile))
        for _ in range(rng.randrange(0, 4)):
            day = profile.registered_on + timedelta(days=rng.randrange(1, 700))
            completions.append(
                TrainingCompleted(
                    participant_id=pid,
                    class_id=uuid4(),
                    program=TrainingProgram.ENTREPRENEURSHIP,
                    completed_on=day,
                    profile=profile,
                )
            )
            first[pid] = min(day, first.get(pid, day))
    rng.shuffle(completions)  # backdated completions arrive after later ones
    return registrations, completions, first


async def deliver(
    applier: Applier, partition: Partition, events: Sequence[EventPayload], rng: random.Random
) -> None:
    """Random batch sizes; now and then a batch is delivered again, as after a crash before commit."""
    offset = 0
    while offset < len(events):
        size = rng.randrange(1, 40)
        batch = [Consumed(offset + i, e) for i, e in enumerate(events[offset : offset + size])]
        await applier.apply({partition: batch})
        if rng.random() < 0.3:
            await applier.apply({partition: batch})
        offset += size


async def test_stage_facts_before_registrations_and_redelivery_give_exact_figures(redis: Redis) -> None:
    rng = random.Random(41)
    registrations, completions, first = history(rng)
    keyspaces = Keyspaces(f"applier-{uuid4().hex[:8]}")
    applier = Applier(redis, keyspaces)
    await deliver(applier, TRAIN, completions, rng)  # the training topic is read first
    await deliver(applier, REG, registrations, rng)
    figures = Figures(redis, keyspaces)
    totals = await figures.totals([Metric.TRAINED, Metric.REGISTERED], *EVERYTHING)
    assert totals[Metric.REGISTERED] == len(registrations)
    assert totals[Metric.TRAINED] == len(first)
    by_month: dict[date, int] = {}
    for day in first.values():
        by_month[day.replace(day=1)] = by_month.get(day.replace(day=1), 0) + 1
    series = await figures.series(Metric.TRAINED, Interval.MONTH, date(2021, 1, 1), date(2023, 12, 31))
    assert {d: n for d, n in series if n} == by_month
    cohort_start, cohort_end = date(2021, 3, 1), date(2021, 8, 31)
    reg_on = {e.participant_id: e.profile.registered_on for e in registrations}
    expected = sum(cohort_start <= reg_on[p] <= cohort_end and d <= cohort_end for p, d in first.items())
    assert await figures.reached_by(Metric.TRAINED, cohort_start, cohort_end) == expected
    genders = await figures.breakdown(Metric.TRAINED, Dimension.GENDER, *EVERYTHING)
    assert sum(genders.values()) == len(first)


async def test_two_owners_applying_the_same_batch_count_it_once(redis: Redis) -> None:
    rng = random.Random(42)
    registrations, _, _ = history(rng)
    keyspaces = Keyspaces(f"applier-{uuid4().hex[:8]}")
    batch = {REG: [Consumed(i, e) for i, e in enumerate(registrations)]}
    await asyncio.gather(*(Applier(redis, keyspaces).apply(batch) for _ in range(4)))
    totals = await Figures(redis, keyspaces).totals([Metric.REGISTERED], *EVERYTHING)
    assert totals[Metric.REGISTERED] == len(registrations)


async def test_a_gap_after_lost_offsets_asks_for_a_rewind(redis: Redis) -> None:
    keyspaces = Keyspaces(f"applier-{uuid4().hex[:8]}")
    registrations, _, _ = history(random.Random(43))
    applied = await Applier(redis, keyspaces).apply({REG: [Consumed(10, registrations[0])]})
    assert applied.rewind == {REG: 0} and applied.events == 0
