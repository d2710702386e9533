"""Journeys ⇄ Redis: one hash per participant, one field per fact (projection.journey.Step).

Field "{code}:{fact_id}" (a letter per metric, below) → "{day}", or "{day}|v" once voided: about 50 bytes
a fact. Steps are written with the batch that carries them, in the applier's MULTI/EXEC (or the rebuild's
fresh keyspace), in log order, so the last word on a fact — its correction, its void — stands, and a
redelivered step writes what is there already. A step of an event older than its fact's stored version
is not written (projection.versions: the subject's facts decide, in the same batch). Nothing is deleted:
a voided fact stays on the journey.

Where the participant lives (kota, agency: the caller's area is checked against it) is read from their
registration, as the `registered` subject keeps it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from redis.asyncio import Redis

from services.reporting.metrics import Dimension, Metric
from services.reporting.projection.batch import Decoded
from services.reporting.projection.earliest import dimensions
from services.reporting.projection.facts import REGISTRATION
from services.reporting.projection.journey import Step
from services.reporting.projection.versions import Stale
from services.reporting.store.keys import Keys
from services.reporting.store.keyspace import Keyspaces
from services.reporting.store.subjects import decode_state

CODES: dict[Metric, str] = {
    Metric.REGISTERED: "r",
    Metric.TRAINED: "t",
    Metric.MENTORED: "m",
    Metric.PERMIT_HOLDERS: "p",
    Metric.MARKETED_PARTICIPANTS: "k",
    Metric.FINANCIAL_REPORTING: "l",
    Metric.FINANCED: "f",
    Metric.VOCATIONAL_TRAINED: "v",
    Metric.VOCATIONAL_PLACED: "w",
}
_METRICS = {code: metric for metric, code in CODES.items()}
_VOIDED = "|v"


def journey_fields(
    keys: Keys, records: Iterable[Decoded], stale: Stale[str] = frozenset()
) -> dict[str, dict[str, str]]:
    """HSET fields of the records' steps by journey key; a later step of the same fact replaces an earlier.
    A step whose fact the figures refused as older than its stored version (`stale`, by subject key) is
    left out, so the journey keeps the newer step too."""
    hashes: dict[str, dict[str, str]] = {}
    for record in records:
        for step in record.steps:
            if stale and (keys.subject(step.metric, step.participant), step.fact_id, record.version) in stale:
                continue
            key = keys.journey(step.participant)
            value = step.on + _VOIDED if step.voided else step.on
            hashes.setdefault(key, {})[f"{CODES[step.metric]}:{step.fact_id}"] = value
    return hashes


def decode_steps(participant: str, fields: dict[str, str]) -> list[Step]:
    steps = []
    for name, value in fields.items():
        code, fact_id = name.split(":", 1)
        voided = value.endswith(_VOIDED)
        on = value.removesuffix(_VOIDED)
        steps.append(Step(participant, _METRICS[code], fact_id, on, voided))
    return steps


@dataclass(frozen=True)
class Journey:
    kota: str
    agency: str
    steps: list[Step]


class Journeys:
    def __init__(self, redis: Redis, keyspaces: Keyspaces) -> None:
        self._redis = redis
        self._keyspaces = keyspaces

    async def of(self, participant: str) -> Journey | None:
        """The participant's journey, or None while reporting knows no registration of theirs."""
        keys = await self._keyspaces.live(self._redis)
        async with self._redis.pipeline(transaction=True) as tx:  # both as of one moment
            tx.hgetall(keys.subject(Metric.REGISTERED, participant))
            tx.hgetall(keys.journey(participant))
            registration, fields = await tx.execute()
        registered = decode_state(registration).facts.get(REGISTRATION)
        if registered is None:
            return None
        where = dimensions(registered)
        return Journey(where[Dimension.KOTA], where[Dimension.AGENCY], decode_steps(participant, fields))
