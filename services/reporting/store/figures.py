"""Reading figures: a period is the sum of the fewest day/month/year counters that cover it exactly."""

from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from redis.asyncio import Redis

from services.reporting.metrics import Dimension, Interval, Metric
from services.reporting.projection.earliest import TOTAL
from services.reporting.store.keys import Keys
from services.reporting.store.keyspace import Keyspaces
from services.reporting.store.periods import cover, split

T = TypeVar("T")


class Figures:
    def __init__(self, redis: Redis, keyspaces: Keyspaces) -> None:
        self._redis = redis
        self._keyspaces = keyspaces

    async def _live(self) -> Keys:
        return await self._keyspaces.live(self._redis)

    async def totals(
        self, metrics: Iterable[Metric], start: date, end: date, field: str = TOTAL
    ) -> dict[Metric, int]:
        """Counts over the period; `field` narrows them to one breakdown row, e.g. "kota:31.71"."""
        buckets = cover(start, end)
        keys = await self._live()
        return dict(await self._sum_field([(m, keys.counter(m, b)) for m in metrics for b in buckets], field))

    async def breakdown(self, metric: Metric, by: Dimension, start: date, end: date) -> dict[str, int]:
        """Counts per value of `by`; values whose count is 0 over the period are left out."""
        prefix = f"{by.value}:"
        keys = await self._live()
        async with self._redis.pipeline(transaction=False) as read:
            for bucket in cover(start, end):
                read.hgetall(keys.counter(metric, bucket))
            hashes = await read.execute()
        counts: Counter[str] = Counter()
        for fields in hashes:
            for field, value in fields.items():
                if field.startswith(prefix):
                    counts[field[len(prefix) :]] += int(value)
        return {key: n for key, n in counts.items() if n}

    async def series(
        self, metric: Metric, interval: Interval, start: date, end: date, field: str = TOTAL
    ) -> list[tuple[date, int]]:
        ranges = split(start, end, interval.value)
        keys = await self._live()
        plan = [(first, keys.counter(metric, b)) for first, last in ranges for b in cover(first, last)]
        return sorted((await self._sum_field(plan, field)).items())

    async def reached_by(self, metric: Metric, start: date, end: date) -> int:
        """Participants registered in start..end whose earliest `metric` fact is on or before `end`.

        Two reads per covering cohort bucket, whatever the period's length: the bucket's counts by stage
        year (the years before `end`'s), and its counts of `end`'s months before it and days up to it."""
        months = [f"m:{end.isoformat()[:5]}{month:02d}" for month in range(1, end.month)]
        days = [f"d:{end.isoformat()[:8]}{day:02d}" for day in range(1, end.day + 1)]
        keys = await self._live()
        async with self._redis.pipeline(transaction=False) as read:
            for bucket in cover(start, end):
                cohort = keys.funnel_cohort(metric, bucket)
                read.hgetall(cohort + ":y")
                read.hmget(cohort + ":s", months + days)
            replies = await read.execute()
        by_year: list[dict[str, str]] = replies[::2]
        this_year: list[list[str | None]] = replies[1::2]
        earlier = sum(int(n) for years in by_year for year, n in years.items() if int(year) < end.year)
        return earlier + sum(int(n or 0) for cells in this_year for n in cells)

    async def fields(self, metric: Metric, start: date, end: date, fields: list[str]) -> dict[str, int]:
        """Several counter fields of one metric over the period, one read per covering bucket."""
        keys = await self._live()
        async with self._redis.pipeline(transaction=False) as read:
            for bucket in cover(start, end):
                read.hmget(keys.counter(metric, bucket), fields)
            replies = await read.execute()
        return {name: sum(int(cells[i] or 0) for cells in replies) for i, name in enumerate(fields)}

    async def _sum_field(self, plan: list[tuple[T, str]], field: str) -> Counter[T]:
        """One field of each counter key, summed per label; labels with no data count 0."""
        async with self._redis.pipeline(transaction=False) as read:
            for _, key in plan:
                read.hget(key, field)
            values = await read.execute()
        sums: Counter[T] = Counter({label: 0 for label, _ in plan})
        for (label, _), value in zip(plan, values, strict=True):
            sums[label] += int(value or 0)
        return sums
