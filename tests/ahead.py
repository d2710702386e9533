"""Events as a producer one minor contract version ahead sends them: with optional fields added that
today's consumers do not know (PRODUCT.md §5, rolling deploys upgrade producers first)."""

import json
from datetime import date
from typing import Any

from shared.contracts.codec import encode, wrap
from shared.contracts.envelope import EventPayload

ADDED = "added_in_a_later_version"


def sent(event: EventPayload, *, ahead: bool, key: str = "k", occurred_on: date = date(2023, 4, 20)) -> bytes:
    """The event's bytes as the codec writes them; `ahead`: with a field added to the envelope, the payload
    and every object inside it (profile, a correction's fact), in the codec's layout."""
    envelope = wrap(event, key=key, occurred_on=occurred_on, producer="ahead", correlation_id=None)
    if not ahead:
        return encode(envelope)
    written: dict[str, Any] = envelope.model_dump(mode="json")
    _add_fields(written["payload"])
    written["trace_parent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
    return json.dumps(written, separators=(",", ":")).encode()


def _add_fields(node: dict[str, Any]) -> None:
    nested = [value for value in node.values() if isinstance(value, dict)]
    node[ADDED] = {"kind": "optional", "n": 1}
    for value in nested:
        _add_fields(value)
