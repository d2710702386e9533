"""Which service publishes which events, and who reads them: the one place this mapping is written down.

Each producing service owns exactly one topic, `<prefix>.<service>` (see `KafkaSettings.topic`), so the
keys of `TOPIC_EVENTS` are both the producing services and the topic suffixes.
"""

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

REGISTRATION = "registration"
TRAINING = "training"
PERMITS = "permits"
REPORTING = "reporting"

TOPIC_EVENTS: dict[str, tuple[type[EventPayload], ...]] = {
    REGISTRATION: (ParticipantRegistered,),
    TRAINING: (TrainingClassScheduled, ParticipantEnrolled, TrainingCompleted, ParticipantPlaced),
    PERMITS: (PermitApplied, PermitIssued, PermitRejected),
}

# Producing service (topic) → services that consume it. Reporting reads every topic in one consumer group;
# training and permits follow registration without a group, storing offsets with their rows.
TOPIC_CONSUMERS: dict[str, tuple[str, ...]] = {
    REGISTRATION: (REPORTING, TRAINING, PERMITS),
    TRAINING: (REPORTING,),
    PERMITS: (REPORTING,),
}

# Reporting's dead-letter topic (`<prefix>.reporting.dlq`): events it could not use, byte for byte.
DEAD_LETTER_TOPIC = f"{REPORTING}.dlq"


def producer_of(model: type[EventPayload]) -> str:
    """The service (and so the topic) that publishes this event."""
    for producer, models in TOPIC_EVENTS.items():
        if model in models:
            return producer
    raise LookupError(f"{model.__name__} is not published on any topic")


def key_field(model: type[EventPayload]) -> str:
    """The payload field used as the Kafka message key: the participant, else the aggregate (the class)."""
    if "participant_id" in model.model_fields:
        return "participant_id"
    if "class_id" in model.model_fields:
        return "class_id"
    raise LookupError(f"{model.__name__} has no key field")
