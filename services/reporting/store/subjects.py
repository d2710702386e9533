"""Subjects ⇄ the Redis hashes that store them: fact id → the fact's `Dated` string, one field per fact.

What is counted is not stored: after every batch it is the earliest fact, so it is derived when read.
Hashes written before this layout (fields "f:{fact_id}" → JSON, and "c") are still read, and rewritten in
this layout by the first batch that touches them.
"""

import json
from collections.abc import Iterable, Mapping

from services.reporting.metrics import Dimension, Metric
from services.reporting.projection.batch import Decoded
from services.reporting.projection.earliest import SEP, Dated, SubjectState
from services.reporting.store.keys import Keys

Keyed = tuple[str, Metric, str, Dated | None]  # an Entry by its subject's key

_OLD_FACT = "f:"
_OLD_COUNTED = "c"


def keyed(keys: Keys, records: Iterable[Decoded]) -> list[Keyed]:
    return [
        (keys.subject(metric, subject), metric, fact_id, fact)
        for record in records
        for metric, subject, fact_id, fact in record.entries
    ]


def decode_state(fields: dict[str, str]) -> SubjectState:
    old = any(name == _OLD_COUNTED or name.startswith(_OLD_FACT) for name in fields)
    state = SubjectState(_from_old_layout(fields) if old else dict(fields))
    state.counted = state.earliest()
    return state


def _from_old_layout(fields: dict[str, str]) -> dict[str, Dated]:
    """ "f:{fact_id}" → JSON [day, {dimension: value}, cohort]; "c" (what was counted) is derived again."""
    facts = {}
    for name, raw in fields.items():
        if name.startswith(_OLD_FACT):
            day, dims, cohort = json.loads(raw)
            values = [dims.get(d.value, "") for d in Dimension]
            facts[name[len(_OLD_FACT) :]] = SEP.join((day, cohort or "", *values))
    return facts


def changed_fields(
    loaded: Mapping[str, Mapping[str, str]], states: Mapping[str, SubjectState]
) -> tuple[dict[str, dict[str, str]], dict[str, list[str]]]:
    """Fields to set and fields to delete so that each subject's hash holds its state's facts."""
    hashes: dict[str, dict[str, str]] = {}
    removed: dict[str, list[str]] = {}
    for key, state in states.items():
        old, new = loaded[key], state.facts
        changed = {fact_id: value for fact_id, value in new.items() if old.get(fact_id) != value}
        if changed:
            hashes[key] = changed
        gone = [name for name in old if name not in new]
        if gone:
            removed[key] = gone
    return hashes, removed
