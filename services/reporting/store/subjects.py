"""Subject state ⇄ the Redis hash that stores it."""

import json
from datetime import date

from services.reporting.metrics import Dimension
from services.reporting.projection.earliest import Dated, SubjectState

FACT_PREFIX = "f:"
COUNTED = "c"


def _dump(dated: Dated) -> str:
    day, dims, cohort = dated
    encoded = [day.isoformat(), {d.value: v for d, v in dims.items()}, cohort.isoformat() if cohort else None]
    return json.dumps(encoded, separators=(",", ":"))


def _load(raw: str) -> Dated:
    day, dims, cohort = json.loads(raw)
    return (
        date.fromisoformat(day),
        {Dimension(d): v for d, v in dims.items()},
        date.fromisoformat(cohort) if cohort else None,
    )


def decode_state(fields: dict[str, str]) -> SubjectState:
    state = SubjectState()
    for name, raw in fields.items():
        if name.startswith(FACT_PREFIX):
            state.facts[name[len(FACT_PREFIX) :]] = _load(raw)
        elif name == COUNTED:
            state.counted = _load(raw)
    return state


def encode_state(state: SubjectState) -> dict[str, str]:
    fields = {FACT_PREFIX + fact_id: _dump(dated) for fact_id, dated in state.facts.items()}
    if state.counted is not None:
        fields[COUNTED] = _dump(state.counted)
    return fields
