"""Kafka records → what the applier takes: the decoded event, or None with the reason it is unusable.

Decoding was the largest cost of applying: `decode` validates the envelope, then its payload again as a
dict. The producers' encoding (`shared.contracts.codec.encode`) starts with event_id, event_type and
event_version, so those are read off the bytes and the record is validated ONCE, as an envelope whose
payload field is that event's model: the same fields and rules, one pass in pydantic-core. If the guess
does not hold, or anything fails, `decode` decides and gives the reason an event is dead-lettered.

`prepare` goes one step further for a rebuild's worker processes: records to the entries its projection
takes, small to send back (plain strings, no models).
"""

import re
from dataclasses import dataclass

from pydantic import ValidationError, create_model

from services.reporting.store.applier import Consumed, Entry, Partition, entries_of, targets_of
from services.reporting.store.keys import Keys
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


def to_consumed(offset: int, raw: bytes | None) -> tuple[Consumed, str | None]:
    """The record at `offset` decoded, or (with its event None) the reason it cannot be used."""
    return _fast(offset, raw) or _checked(offset, raw)


def _fast(offset: int, raw: bytes | None) -> tuple[Consumed, None] | None:
    head = _HEAD.match(raw) if raw is not None else None
    typed = _TYPED.get((head[1], head[2])) if head else None
    if raw is None or typed is None:
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
    return Consumed(offset, payload), None


def _checked(offset: int, raw: bytes | None) -> tuple[Consumed, str | None]:
    try:
        _, event = decode(raw)
        return Consumed(offset, event), None
    except (UndecodableEvent, UnknownEventType) as exc:
        # Its offset still counts as applied, so the partition moves on past it.
        return Consumed(offset, None), str(exc)


Raw = list[tuple[Partition, list[tuple[int, bytes | None]]]]  # records per partition, in log order


@dataclass(frozen=True)
class Prepared:
    """A batch of records, decoded and turned into the entries a projection takes."""

    entries: list[Entry]
    targets: dict[str, str]
    last: dict[Partition, int]  # last offset per partition
    records: int


def prepare(keyspace: str, batch: Raw) -> Prepared:
    """Decode a batch (undecodable records count as read, and give nothing)."""
    events = [
        event
        for _, records in batch
        for offset, raw in records
        if (event := to_consumed(offset, raw)[0].event)
    ]
    return Prepared(
        entries_of(Keys(keyspace), events),
        targets_of(events),
        {p: records[-1][0] for p, records in batch if records},
        sum(len(records) for _, records in batch),
    )
