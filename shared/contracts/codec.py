"""Turning payloads into envelopes and bytes, and back."""

from datetime import UTC, date, datetime
from uuid import uuid4

from pydantic import ValidationError

from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.contracts.reading import read, read_json
from shared.contracts.registry import payload_model


class UndecodableEvent(ValueError):
    """Bytes that are not a valid envelope, or a payload that fails its model."""


def wrap(
    payload: EventPayload, *, key: str, occurred_on: date, producer: str, correlation_id: str | None
) -> EventEnvelope:
    return EventEnvelope(
        event_id=uuid4(),
        event_type=payload.event_type,
        event_version=payload.event_version,
        occurred_on=occurred_on,
        recorded_at=datetime.now(UTC),
        key=key,
        correlation_id=correlation_id,
        producer=producer,
        payload=payload.model_dump(mode="json"),
    )


def encode(envelope: EventEnvelope) -> bytes:
    return envelope.model_dump_json().encode()


def decode(raw: bytes | None) -> tuple[EventEnvelope, EventPayload]:
    """Parse and validate, ignoring fields this code does not know yet (shared.contracts.reading).

    Raises UndecodableEvent or UnknownEventType with a readable reason."""
    if raw is None:
        raise UndecodableEvent("empty message value")
    try:
        envelope = read_json(EventEnvelope, raw)
    except ValidationError as exc:
        raise UndecodableEvent(f"invalid envelope: {_first_error(exc)}") from None
    model = payload_model(envelope.event_type, envelope.event_version)
    try:
        return envelope, read(model, envelope.payload)
    except ValidationError as exc:
        raise UndecodableEvent(f"invalid {envelope.event_type} payload: {_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "value"
    return f"{where}: {err['msg']} ({exc.error_count()} error(s))"
