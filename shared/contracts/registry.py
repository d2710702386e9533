"""Which payload model a (type, version) pair on the wire means."""

from shared.contracts.envelope import EventPayload
from shared.contracts.topics import TOPIC_EVENTS

EVENT_TYPES: dict[tuple[str, int], type[EventPayload]] = {
    (m.event_type, m.event_version): m for models in TOPIC_EVENTS.values() for m in models
}


class UnknownEventType(LookupError):
    """The envelope names a type or version this code does not know."""


def payload_model(event_type: str, event_version: int) -> type[EventPayload]:
    try:
        return EVENT_TYPES[(event_type, event_version)]
    except KeyError:
        raise UnknownEventType(f"unknown event type {event_type!r} version {event_version}") from None
