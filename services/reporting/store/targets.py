"""Yearly targets as reporting keeps them: one hash field per (year, metric, scope, scope key)."""

from collections.abc import Mapping
from dataclasses import dataclass

from redis.asyncio import Redis

from services.reporting.metrics import Metric
from services.reporting.projection.batch import TargetKey
from services.reporting.store.keyspace import Keyspaces
from shared.contracts.enums import TargetScope

_SEP = "|"


@dataclass(frozen=True)
class Target:
    year: int
    metric: Metric
    scope: TargetScope
    scope_key: str
    value: int


def target_fields(targets: Mapping[TargetKey, int]) -> dict[str, str]:
    """The targets hash's fields: "{year}|{metric}|{scope}|{scope_key}" → value."""
    return {_SEP.join((str(year), *names)): str(value) for (year, *names), value in targets.items()}


class Targets:
    def __init__(self, redis: Redis, keyspaces: Keyspaces) -> None:
        self._redis = redis
        self._keyspaces = keyspaces

    async def of_year(self, year: int) -> list[Target]:
        """The year's targets by metric, scope and key; metrics this code does not know are left out."""
        keys = await self._keyspaces.live(self._redis)
        stored = await self._redis.hgetall(keys.targets())
        found = []
        for field, value in stored.items():
            target_year, metric, scope, scope_key = str(field).split(_SEP)
            if int(target_year) == year and metric in Metric.__members__.values():
                found.append(Target(year, Metric(metric), TargetScope(scope), scope_key, int(value)))
        order = list(Metric)
        return sorted(
            found, key=lambda t: (order.index(t.metric), list(TargetScope).index(t.scope), t.scope_key)
        )
