"""Reading figures: a period is the sum of the fewest day/month/year counters that cover it exactly."""

from collections import Counter
from collections.abc import Iterable
from datetime import date

from redis.asyncio import Redis

from services.reporting.metrics import Dimension, Interval, Metric
from services.reporting.projection.earliest import TOTAL
from services.reporting.store.keys import Keys
from services.reporting.store.periods import cover, split


class Figures:
    def __init__(self, redis: Redis, keys: Keys) -> None:
        self._redis = redis
        self._keys = keys

    async def totals(self, metrics: Iterable[Metric], start: date, end: date) -> dict[Metric, int]:
        buckets = cover(start, end)
        wanted = [(m, self._keys.counter(m, b)) for m in metrics for b in buckets]
        async with self._redis.pipeline(transaction=False) as read:
            for _, key in wanted:
                read.hget(key, TOTAL)
            values = await read.execute()
        totals: Counter[Metric] = Counter({m: 0 for m, _ in wanted})
        for (metric, _), value in zip(wanted, values, strict=True):
            totals[metric] += int(value or 0)
        return dict(totals)

    async def breakdown(self, metric: Metric, by: Dimension, start: date, end: date) -> dict[str, int]:
        """Counts per value of `by`; values whose count is 0 over the period are left out."""
        prefix = f"{by.value}:"
        async with self._redis.pipeline(transaction=False) as read:
            for bucket in cover(start, end):
                read.hgetall(self._keys.counter(metric, bucket))
            hashes = await read.execute()
        counts: Counter[str] = Counter()
        for fields in hashes:
            for field, value in fields.items():
                if field.startswith(prefix):
                    counts[field[len(prefix) :]] += int(value)
        return {key: n for key, n in counts.items() if n}

    async def series(
        self, metric: Metric, interval: Interval, start: date, end: date
    ) -> list[tuple[date, int]]:
        ranges = split(start, end, interval.value)
        plan = [(first, self._keys.counter(metric, b)) for first, last in ranges for b in cover(first, last)]
        async with self._redis.pipeline(transaction=False) as read:
            for _, key in plan:
                read.hget(key, TOTAL)
            values = await read.execute()
        points: Counter[date] = Counter({first: 0 for first, _ in ranges})
        for (first, _), value in zip(plan, values, strict=True):
            points[first] += int(value or 0)
        return sorted(points.items())
