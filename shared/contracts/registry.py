"""Which payload model a (type, version) pair on the wire means."""

from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    ParticipantEnrolled,
    ParticipantPlaced,
    ParticipantRegistered,
    PermitApplied,
    PermitIssued,
    PermitRejected,
    TrainingClassScheduled,
    TrainingCompleted,
)

_MODELS: tuple[type[EventPayload], ...] = (
    ParticipantRegistered,
    TrainingClassScheduled,
    ParticipantEnrolled,
    TrainingCompleted,
    ParticipantPlaced,
    PermitApplied,
    PermitIssued,
    PermitRejected,
)

EVENT_TYPES: dict[tuple[str, int], type[EventPayload]] = {(m.event_type, m.event_version): m for m in _MODELS}


class UnknownEventType(LookupError):
    """The envelope names a type or version this code does not know."""


def payload_model(event_type: str, event_version: int) -> type[EventPayload]:
    try:
        return EVENT_TYPES[(event_type, event_version)]
    except KeyError:
        raise UnknownEventType(f"unknown event type {event_type!r} version {event_version}") from None
