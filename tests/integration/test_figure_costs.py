"""What one figure request costs Redis, whatever its period: counted with INFO commandstats on a Redis of
its own (nobody else's commands in the count), not timed."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator, Awaitable, Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import pytest
from redis.asyncio import Redis

from devstack.ports import free_ports
from devstack.redis_server import RedisServer
from services.reporting.api.disclosure import Disclosure
from services.reporting.api.period import Period
from services.reporting.api.routes import breakdown_figure, funnel_figure, series_figure, summary_figure
from services.reporting.api.schemas import Comparison
from services.reporting.metrics import Dimension, Interval, Metric
from services.reporting.projection.batch import Consumed, Partition
from services.reporting.projection.earliest import TOTAL
from services.reporting.store.applier import Applier
from services.reporting.store.figures import Figures
from services.reporting.store.keyspace import Keyspaces
from shared.contracts.enums import AgeBand, Agency, Gender, TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import ParticipantRegistered, TrainingCompleted
from shared.contracts.profile import ParticipantProfile

THIRTY_YEARS = Period(date(1996, 1, 17), date(2025, 11, 12))  # 10,892 days, ragged at both ends
EXACT = Disclosure(exact=True)


@pytest.fixture(scope="module")
def own_redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    (port,) = free_ports(1)
    server = RedisServer(port, Path(tmp_path_factory.mktemp("costs-redis")))
    server.start(timeout=30)
    try:
        yield server.url
    finally:
        server.stop()


def history(rng: random.Random) -> tuple[list[EventPayload], dict[UUID, tuple[date, date]]]:
    """Registrations over the thirty years, each with a later completion: pid → (registered, trained)."""
    events: list[EventPayload] = []
    facts: dict[UUID, tuple[date, date]] = {}
    for _ in range(400):
        pid = uuid4()
        registered = THIRTY_YEARS.start + timedelta(days=rng.randrange(THIRTY_YEARS.days))
        profile = ParticipantProfile(
            registered_on=registered,
            gender=rng.choice(list(Gender)),
            age_band=AgeBand.AGE_25_34,
            kota_code="31.71",
            kecamatan_code="31.71.01",
            kelurahan_code="31.71.01.1001",
            agency=rng.choice(list(Agency)),
            disability=False,
            ktp_dki=True,
        )
        trained = registered + timedelta(days=rng.choice([0, 1, 20, 45, 400, 3000]))
        events.append(ParticipantRegistered(participant_id=pid, profile=profile))
        events.append(
            TrainingCompleted(
                participant_id=pid,
                class_id=uuid4(),
                program=TrainingProgram.ENTREPRENEURSHIP,
                completed_on=trained,
                profile=profile,
            )
        )
        facts[pid] = (registered, trained)
    return events, facts


@pytest.fixture(scope="module")
async def filled(own_redis: str) -> AsyncIterator[tuple[Redis, Figures, dict[UUID, tuple[date, date]]]]:
    redis = Redis.from_url(own_redis, decode_responses=True)
    keyspaces = Keyspaces("costs")
    events, facts = history(random.Random(11))
    applier = Applier(redis, keyspaces)
    for offset in range(0, len(events), 50):
        batch = [Consumed(offset + i, e) for i, e in enumerate(events[offset : offset + 50])]
        await applier.apply({Partition("all", 0): batch})
    yield redis, Figures(redis, keyspaces), facts
    await redis.aclose()


async def commands(redis: Redis, request: Awaitable[Any]) -> tuple[int, Any]:
    """Redis commands the request ran (those called inside Lua scripts too), and its answer."""
    await redis.config_resetstat()
    answer = await request
    stats = await redis.info("commandstats")
    ran = sum(int(s["calls"]) for name, s in stats.items() if name not in {"cmdstat_config", "cmdstat_info"})
    return ran, answer


async def test_a_thirty_year_funnel_reads_a_bounded_number_of_keys_and_stays_exact(
    filled: tuple[Redis, Figures, dict[UUID, tuple[date, date]]],
) -> None:
    redis, figures, facts = filled
    ran, answer = await commands(redis, funnel_figure(THIRTY_YEARS, figures, EXACT))
    print(f"\n30-year funnel: {ran} Redis commands")
    # Covering buckets: ≤ 29 years + 22 months + 60 days; two reads each per stage, one for registrations.
    assert ran <= 1_500, ran  # one hash per cohort day per stage was ~66,000
    by_stage = {s.stage.value: s.value for s in answer.stages}
    start, end = THIRTY_YEARS.start, THIRTY_YEARS.end
    assert by_stage["registration"] == sum(start <= r <= end for r, _ in facts.values())
    assert by_stage["training"] == sum(start <= r <= end and t <= end for r, t in facts.values())


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2001, 1, 1), date(2001, 12, 31)),  # a whole year of cohorts, cut off at its end
        (date(2003, 3, 9), date(2010, 2, 14)),  # ragged both ends: day, month and year cohort buckets
        (date(2012, 5, 1), date(2012, 5, 31)),
        (date(2019, 12, 30), date(2020, 1, 2)),
    ],
)
async def test_the_funnel_counts_each_cohort_reached_by_the_cut_off_day(
    filled: tuple[Redis, Figures, dict[UUID, tuple[date, date]]], start: date, end: date
) -> None:
    _, figures, facts = filled
    expected = sum(start <= r <= end and t <= end for r, t in facts.values())
    assert await figures.reached_by(Metric.TRAINED, start, end) == expected


async def test_every_other_figure_is_bounded_over_thirty_years(
    filled: tuple[Redis, Figures, dict[UUID, tuple[date, date]]],
) -> None:
    redis, figures, _ = filled
    costs = {
        "summary with both comparisons": await commands(
            redis, summary_figure(THIRTY_YEARS, figures, TOTAL, EXACT, compare=list(Comparison))
        ),
        "breakdown": await commands(
            redis, breakdown_figure(THIRTY_YEARS, figures, EXACT, Metric.TRAINED, Dimension.KOTA)
        ),
        "monthly series": await commands(
            redis,
            series_figure(
                period=THIRTY_YEARS,
                store=figures,
                field=TOTAL,
                shown=EXACT,
                metric=Metric.TRAINED,
                interval=Interval.MONTH,
            ),
        ),
        "weekly series of ten years": await commands(
            redis,
            series_figure(
                period=Period(date(2015, 3, 2), date(2025, 2, 28)),
                store=figures,
                field=TOTAL,
                shown=EXACT,
                metric=Metric.TRAINED,
                interval=Interval.WEEK,
            ),
        ),
    }
    print("\n" + "\n".join(f"{name}: {ran} Redis commands" for name, (ran, _) in costs.items()))
    bounds = {
        "summary with both comparisons": 3 * 11 * 115,  # 3 periods, 11 metrics, covering buckets
        "breakdown": 115,
        "monthly series": 420,  # a read per month, and per day of the ragged first and last
        "weekly series of ten years": 3_710,
    }
    assert {name: ran for name, (ran, _) in costs.items() if ran > bounds[name]} == {}
