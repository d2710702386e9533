"""Where a subject is counted: on the day of its earliest fact. Pure state transitions, no I/O.

When facts arrive in any order (backdated, redelivered, across topics), the subject's count moves from the
old earliest day to the new one; the deltas returned here do exactly that, in totals and every breakdown.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from services.reporting.metrics import Metric
from services.reporting.projection.facts import Dims, Fact

TOTAL = "total"

Dated = tuple[date, Dims, date | None]  # (day, breakdown, registration cohort of a participant fact)
CounterKey = tuple[Metric, date, str]  # (metric, day, "total" | "dimension:value")
FunnelKey = tuple[Metric, date, date]  # (metric, registration day, stage day)


@dataclass
class Deltas:
    counters: Counter[CounterKey] = field(default_factory=Counter)
    funnel: Counter[FunnelKey] = field(default_factory=Counter)


@dataclass
class SubjectState:
    facts: dict[str, Dated] = field(default_factory=dict)
    counted: Dated | None = None

    def earliest(self) -> Dated | None:
        if not self.facts:
            return None
        # Ties on the day resolve by fact id, so every replay picks the same attributes.
        fact_id = min(self.facts, key=lambda f: (self.facts[f][0], f))
        return self.facts[fact_id]


def record(state: SubjectState, fact: Fact) -> None:
    if fact.void:
        state.facts.pop(fact.fact_id, None)
    else:
        state.facts[fact.fact_id] = (fact.on, fact.dims, fact.cohort)


def recount(metric: Metric, state: SubjectState, deltas: Deltas) -> None:
    """Move the subject's count to its current earliest fact, adding the change to `deltas`."""
    target = state.earliest()
    if target == state.counted:
        return
    if state.counted is not None:
        _add(deltas, metric, state.counted, -1)
    if target is not None:
        _add(deltas, metric, target, +1)
    state.counted = target


def _add(deltas: Deltas, metric: Metric, dated: Dated, sign: int) -> None:
    day, dims, cohort = dated
    deltas.counters[(metric, day, TOTAL)] += sign
    for dimension, value in dims.items():
        deltas.counters[(metric, day, f"{dimension.value}:{value}")] += sign
    if cohort is not None:
        deltas.funnel[(metric, cohort, day)] += sign
