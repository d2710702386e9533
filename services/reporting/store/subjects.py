"""Subject state ⇄ the Redis hash that stores it: fact id → the fact's `Dated` string, one field per fact.

What is counted is not stored: after every batch it is the earliest fact, so it is derived when read.
Hashes written before this layout hold "f:{fact_id}" → JSON [day, {dimension: value}, cohort] and "c"
(what was counted). They read the same, and a batch that touches one rewrites it in this layout.
"""

import json

from services.reporting.metrics import Dimension
from services.reporting.projection.earliest import SEP, Dated, SubjectState

_LEGACY_FACT = "f:"
_LEGACY_COUNTED = "c"


def decode_state(fields: dict[str, str]) -> SubjectState:
    legacy = any(name == _LEGACY_COUNTED or name.startswith(_LEGACY_FACT) for name in fields)
    state = SubjectState(_from_legacy(fields) if legacy else dict(fields))
    state.counted = state.earliest()
    return state


def _from_legacy(fields: dict[str, str]) -> dict[str, Dated]:
    facts = {}
    for name, raw in fields.items():
        if name.startswith(_LEGACY_FACT):
            day, dims, cohort = json.loads(raw)
            values = [dims.get(d.value, "") for d in Dimension]
            facts[name[len(_LEGACY_FACT) :]] = SEP.join((day, cohort or "", *values))
    return facts
