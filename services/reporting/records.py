"""Kafka records → what the applier takes: the decoded event, or None with the reason it is unusable.

Decoding was the largest cost of applying: `decode` validates the envelope, then its payload again as a
dict. The producers' encoding (`shared.contracts.codec.encode`) starts with event_id, event_type and
event_version, so those are read off the bytes and the record is validated ONCE, as an envelope whose
payload field is that event's model: the same fields and rules, one pass in pydantic-core. If the guess
does not hold, or anything fails, `decode` decides and gives the reason an event is dead-lettered.
"""

import re

from aiokafka import ConsumerRecord
from pydantic import ValidationError, create_model

from services.reporting.store.applier import Consumed
from shared.contracts.codec import UndecodableEvent, decode
from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.contracts.registry import EVENT_TYPES, UnknownEventType

_HEAD = re.compile(rb'\{"event_id":"[^"]*","event_type":"([A-Za-z]+)","event_version":([0-9]+),')

_TYPED: dict[tuple[bytes, bytes], tuple[type[EventEnvelope], type[EventPayload]]] = {
    (event_type.encode(), str(version).encode()): (
        create_model(f"{model.__name__}Envelope", __base__=EventEnvelope, payload=(model, ...)),
        model,
    )
    for (event_type, version), model in EVENT_TYPES.items()
}


def to_consumed(record: ConsumerRecord) -> tuple[Consumed, str | None]:
    return _fast(record) or _checked(record)


def _fast(record: ConsumerRecord) -> tuple[Consumed, None] | None:
    raw = record.value
    head = _HEAD.match(raw) if raw is not None else None
    typed = _TYPED.get((head[1], head[2])) if head else None
    if typed is None:
        return None
    envelope_model, payload_model = typed
    try:
        envelope = envelope_model.model_validate_json(raw)
    except ValidationError:
        return None
    payload = envelope.payload
    # The guess only picked the model: the validated envelope must name it, or the record is decoded again.
    if not isinstance(payload, payload_model) or (envelope.event_type, envelope.event_version) != (
        payload_model.event_type,
        payload_model.event_version,
    ):
        return None
    return Consumed(record.offset, payload), None


def _checked(record: ConsumerRecord) -> tuple[Consumed, str | None]:
    try:
        _, event = decode(record.value)
        return Consumed(record.offset, event), None
    except (UndecodableEvent, UnknownEventType) as exc:
        # Its offset still counts as applied, so the partition moves on past it.
        return Consumed(record.offset, None), str(exc)
