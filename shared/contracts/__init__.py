"""Event contracts: the one place producers and consumers import event shapes from."""

from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.contracts.registry import EVENT_TYPES, UnknownEventType, payload_model

__all__ = ["EVENT_TYPES", "EventEnvelope", "EventPayload", "UnknownEventType", "payload_model"]
