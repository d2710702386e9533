"""Kafka records → what the applier takes: the decoded event, or None with the reason it is unusable.

Decoding was the largest cost of applying: `decode` validates the envelope, then its payload again as a
dict. The producers' encoding (`shared.contracts.codec.encode`) starts with event_id, event_type and
event_version, so those are read off the bytes and the record is validated ONCE, as an envelope whose
payload field is that event's model: the same fields and rules, one pass in pydantic-core. If the guess
does not hold, or anything fails, `decode` decides and gives the reason an event is dead-lettered.

`decode_batch` runs in a worker process, so that decoding overlaps applying on another core: it returns
records as the projection takes them (`Decoded`: plain strings, cheap to send back, no models). A record's
per-fact version travels as its `fact-version` header's raw value (`version_header`) and is read there too:
a value that is no version dead-letters the record, like any other bad input.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import ValidationError, create_model

from services.reporting.projection.batch import Consumed, Decoded, Partition, decoded
from shared.contracts.codec import UndecodableEvent, decode
from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.contracts.reading import read_json
from shared.contracts.registry import EVENT_TYPES, UnknownEventType
from shared.outbox import fact_version

_HEAD = re.compile(rb'\{"event_id":"[^"]*","event_type":"([A-Za-z]+)","event_version":([0-9]+),')

_TYPED: dict[tuple[bytes, bytes], tuple[type[EventEnvelope], type[EventPayload]]] = {
    (event_type.encode(), str(version).encode()): (
        create_model(f"{model.__name__}Envelope", __base__=EventEnvelope, payload=(model, ...)),
        model,
    )
    for (event_type, version), model in EVENT_TYPES.items()
}


def version_header(headers: Sequence[tuple[str, bytes]]) -> bytes | None:
    """The raw `fact-version` header of a Kafka record, if it has one."""
    for name, value in headers:
        if name == fact_version.HEADER:
            return value
    return None


def to_consumed(offset: int, raw: bytes | None) -> tuple[Consumed, str | None]:
    """The record at `offset` decoded, or (with its event None) the reason it cannot be used."""
    return _fast(offset, raw) or _checked(offset, raw)


def to_decoded(offset: int, raw: bytes | None, version: bytes | None) -> tuple[Decoded, str | None]:
    """The record at `offset`, sent with the raw `fact-version` header `version` (if any), as the
    projection takes it, or (with no entries) the reason it cannot be used."""
    if version is None:
        consumed, problem = to_consumed(offset, raw)
        return decoded(consumed), problem
    try:
        number = fact_version.parse(version)
    except ValueError as exc:
        return Decoded(offset, []), str(exc)
    consumed, problem = to_consumed(offset, raw)
    return decoded(consumed, number), problem


def _fast(offset: int, raw: bytes | None) -> tuple[Consumed, None] | None:
    head = _HEAD.match(raw) if raw is not None else None
    typed = _TYPED.get((head[1], head[2])) if head else None
    if raw is None or typed is None:
        return None
    envelope_model, payload_model = typed
    try:
        envelope = read_json(envelope_model, raw)  # as `decode` reads: additions ignored
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


# (offset, value, raw fact-version header) per partition, in log order
Raw = list[tuple[Partition, list[tuple[int, bytes | None, bytes | None]]]]


@dataclass(frozen=True)
class DecodedBatch:
    records: dict[Partition, list[Decoded]]  # an undecodable record has no entries: its offset still counts
    problems: list[tuple[Partition, int, str]]  # (partition, offset, reason) of each undecodable record


def decode_batch(batch: Raw) -> DecodedBatch:
    decoded_batch = DecodedBatch({}, [])
    for p, records in batch:
        out = decoded_batch.records[p] = []
        for offset, raw, version in records:
            record, problem = to_decoded(offset, raw, version)
            out.append(record)
            if problem is not None:
                decoded_batch.problems.append((p, offset, problem))
    return decoded_batch
