"""Which service publishes which events, and who reads them: the one place this mapping is written down.

Each producing service owns exactly one topic, `<prefix>.<service>` (see `KafkaSettings.topic`), so the
keys of `TOPIC_EVENTS` are both the producing services and the topic suffixes.
"""

from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    ExhibitionScheduled,
    FinancialReportSubmitted,
    FinancingApplied,
    FinancingApproved,
    FinancingDisbursed,
    FinancingRejected,
    MentorAssigned,
    ParticipantEnrolled,
    ParticipantMentored,
    ParticipantPlaced,
    ParticipantRegistered,
    ParticipantUpdated,
    PermitApplied,
    PermitIssued,
    PermitRejected,
    ProductCurated,
    ProductListed,
    ProductRegistered,
    ProductShowcased,
    TargetSet,
    TrainingClassScheduled,
    TrainingCompleted,
)

REGISTRATION = "registration"
TRAINING = "training"
PERMITS = "permits"
MENTORING = "mentoring"
MARKETING = "marketing"
FINANCE = "finance"
REPORTING = "reporting"

# Every service that records stage facts can also correct or void them (shared.contracts.corrections).
CORRECTIONS = (FactCorrected, FactVoided)

TOPIC_EVENTS: dict[str, tuple[type[EventPayload], ...]] = {
    REGISTRATION: (ParticipantRegistered, ParticipantUpdated),
    TRAINING: (
        TrainingClassScheduled,
        ParticipantEnrolled,
        TrainingCompleted,
        ParticipantPlaced,
        *CORRECTIONS,
    ),
    PERMITS: (PermitApplied, PermitIssued, PermitRejected, *CORRECTIONS),
    MENTORING: (MentorAssigned, ParticipantMentored, *CORRECTIONS),
    MARKETING: (
        ProductRegistered,
        ProductCurated,
        ExhibitionScheduled,
        ProductShowcased,
        ProductListed,
        *CORRECTIONS,
    ),
    FINANCE: (
        FinancialReportSubmitted,
        FinancingApplied,
        FinancingApproved,
        FinancingRejected,
        FinancingDisbursed,
        *CORRECTIONS,
    ),
    REPORTING: (TargetSet,),  # yearly targets: kept in the log so every rebuild restores them
}

# Producing service (topic) → services that consume it. Reporting reads every topic in one consumer group;
# the other services follow registration without a group, storing offsets with their rows.
TOPIC_CONSUMERS: dict[str, tuple[str, ...]] = {
    REGISTRATION: (REPORTING, TRAINING, PERMITS, MENTORING, MARKETING, FINANCE),
    TRAINING: (REPORTING, REGISTRATION),  # registration: the earliest stage fact bounds registered_on
    PERMITS: (REPORTING, REGISTRATION),  # registration: the earliest stage fact bounds registered_on
    MENTORING: (REPORTING, REGISTRATION),  # registration: the earliest stage fact bounds registered_on
    MARKETING: (REPORTING, REGISTRATION),  # registration: the earliest stage fact bounds registered_on
    FINANCE: (REPORTING, REGISTRATION),  # registration: the earliest stage fact bounds registered_on
    REPORTING: (REPORTING,),
}

# Reporting's dead-letter topic (`<prefix>.reporting.dlq`): events it could not use, byte for byte.
DEAD_LETTER_TOPIC = f"{REPORTING}.dlq"


def producers_of(model: type[EventPayload]) -> tuple[str, ...]:
    """The services (and so the topics) that publish this event: one, except for corrections."""
    producers = tuple(producer for producer, models in TOPIC_EVENTS.items() if model in models)
    if not producers:
        raise LookupError(f"{model.__name__} is not published on any topic")
    return producers


def key_field(model: type[EventPayload]) -> str:
    """The payload field used as the Kafka message key: the participant, else the aggregate (the class)."""
    for field in ("participant_id", "class_id", "exhibition_id", "mentor_id", "metric"):
        if field in model.model_fields:
            return field
    raise LookupError(f"{model.__name__} has no key field")
