"""Where a subject is counted: on the day of its earliest fact. Pure state transitions, no I/O.

When facts arrive in any order (backdated, redelivered, across topics), the subject's count moves from the
old earliest day to the new one; the deltas returned here do exactly that, in totals and every breakdown.

A subject's facts are kept as `Dated` strings, `day|cohort|kota|kecamatan|gender|sector|agency` (ISO dates,
dimension values in `Dimension` order, empty where absent): one compact object per fact, stored as is, that
orders by day, and is only taken apart when a count moves.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from services.reporting.metrics import Dimension, Metric
from services.reporting.projection.facts import Fact

TOTAL = "total"
SEP = "|"

Dated = str  # see the module docstring
CounterKey = tuple[Metric, date, str]  # (metric, day, "total" | "dimension:value")
FunnelKey = tuple[Metric, date, date]  # (metric, registration day, stage day)

_DIMENSIONS = tuple(Dimension)
_FIELD_PREFIXES = tuple(f"{d.value}:" for d in _DIMENSIONS)
_DAY = slice(0, 10)  # an ISO day leads every Dated


def dated(fact: Fact) -> Dated:
    dims, cohort = fact.dims, fact.cohort
    return SEP.join(
        (fact.on.isoformat(), cohort.isoformat() if cohort else "", *[dims.get(d, "") for d in _DIMENSIONS])
    )


@dataclass(slots=True)
class Deltas:
    """Where counts moved: +1 at a fact where a subject now counts, -1 where it no longer does."""

    moves: Counter[tuple[Metric, Dated]] = field(default_factory=Counter)

    @property
    def counters(self) -> Counter[CounterKey]:
        days, _ = increments(self)
        return Counter(
            {
                (m, date.fromisoformat(day), name): n
                for (m, day), fields in days.items()
                for name, n in fields.items()
            }
        )

    @property
    def funnel(self) -> Counter[FunnelKey]:
        _, funnel = increments(self)
        return Counter(
            {
                (m, date.fromisoformat(cohort), date.fromisoformat(day)): n
                for (m, cohort, day), n in funnel.items()
            }
        )


# (metric, ISO day) → counter field → change
DayChanges = Mapping[tuple[Metric, str], Mapping[str, int]]
# (metric, ISO registration day, ISO stage day) → change
FunnelChanges = Mapping[tuple[Metric, str, str], int]


def increments(deltas: Deltas) -> tuple[DayChanges, FunnelChanges]:
    """The moves as counter changes per metric and day (in the total and every breakdown field), and as
    funnel changes per metric, registration day and stage day. Where they are stored is the store's."""
    days: defaultdict[tuple[Metric, str], defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
    funnel: defaultdict[tuple[Metric, str, str], int] = defaultdict(int)
    for (metric, fact), amount in deltas.moves.items():
        if amount:
            day, cohort, fields = unpack(fact)
            counters = days[(metric, day)]
            for name in fields:
                counters[name] += amount
            if cohort:
                funnel[(metric, cohort, day)] += amount
    return days, funnel


def unpack(fact: Dated) -> tuple[str, str, tuple[str, ...]]:
    """(ISO day, ISO registration cohort or "", the counter fields it counts in: total and each breakdown)."""
    day, cohort, dims = fact.split(SEP, 2)
    return day, cohort, _fields(dims)


def dimensions(fact: Dated) -> dict[Dimension, str]:
    """The dimension values a fact is counted by (those it has)."""
    values = fact.split(SEP)[2:]
    return {d: value for d, value in zip(_DIMENSIONS, values, strict=True) if value}


@lru_cache(maxsize=1 << 16)
def _fields(dims: str) -> tuple[str, ...]:
    """Profiles repeat across facts, so their fields are built once."""
    values = dims.split(SEP)
    return (TOTAL, *[prefix + value for prefix, value in zip(_FIELD_PREFIXES, values, strict=True) if value])


@dataclass(slots=True)
class SubjectState:
    facts: dict[str, Dated] = field(default_factory=dict)  # fact id → the fact
    counted: Dated | None = None  # where the subject's count sits now
    # fact id → the highest version applied (versions.py), kept for a withdrawn fact too
    versions: dict[str, int] = field(default_factory=dict)

    def earliest(self) -> Dated | None:
        facts = self.facts
        if len(facts) < 2:
            return next(iter(facts.values()), None)
        # Ties on the day resolve by fact id, so every replay picks the same attributes.
        fact_id = min(facts, key=lambda f: (facts[f][_DAY], f))
        return facts[fact_id]


def record(state: SubjectState, fact: Fact) -> None:
    put(state, fact.fact_id, None if fact.void else dated(fact))


def put(state: SubjectState, fact_id: str, fact: Dated | None) -> None:
    """Keep the fact, restated if it was there; None withdraws it."""
    if fact is None:
        state.facts.pop(fact_id, None)
    else:
        state.facts[fact_id] = fact


def recount(metric: Metric, state: SubjectState, deltas: Deltas) -> None:
    """Move the subject's count to its current earliest fact, adding the change to `deltas`."""
    target = state.earliest()
    if target == state.counted:
        return
    if state.counted is not None:
        deltas.moves[(metric, state.counted)] -= 1
    if target is not None:
        deltas.moves[(metric, target)] += 1
    state.counted = target
