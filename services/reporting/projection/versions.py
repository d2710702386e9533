"""Per-fact versions: an older version of a fact never overwrites a newer one.

Events normally reach reporting in their commit order per participant, but nothing downstream relies on
it: an event sent with a version (the outbox row id, shared/outbox/fact_version.py) is applied only if
that version is at least the highest one applied to each of its facts so far. The highest version is kept
per fact even once the fact is withdrawn, so a void that arrives before the fact it voids still wins, and a
correction older than a void does not bring the fact back. An equal version is the same event again
(a redelivery): applied again, it changes nothing. Events sent without a version (before the relay sent
one) keep the rule of log order: the last one read stands.
"""

from collections.abc import Hashable, Iterable, Mapping
from collections.abc import Set as AbstractSet
from typing import TypeVar

from services.reporting.metrics import Metric
from services.reporting.projection.earliest import Dated, SubjectState

K = TypeVar("K", bound=Hashable)

Versioned = tuple[K, Metric, str, Dated | None, int | None]  # an entry by subject key, with its version
Stale = AbstractSet[tuple[K, str, int]]  # (subject key, fact id, version) of entries older than their fact


def admit(
    states: Mapping[K, SubjectState], entries: Iterable[Versioned[K]]
) -> tuple[list[tuple[K, Metric, str, Dated | None]], Stale[K]]:
    """The entries to project, in log order, and those left out as older than what their fact holds;
    notes each admitted version in its subject's state."""
    admitted: list[tuple[K, Metric, str, Dated | None]] = []
    stale: set[tuple[K, str, int]] = set()
    for key, metric, fact_id, fact, version in entries:
        if version is not None:
            versions = states[key].versions
            if version < versions.get(fact_id, version):
                stale.add((key, fact_id, version))
                continue
            versions[fact_id] = version
        admitted.append((key, metric, fact_id, fact))
    return admitted, stale
