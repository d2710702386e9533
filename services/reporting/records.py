"""Kafka records → what the applier takes: the decoded event, or None with the reason it is unusable."""

from aiokafka import ConsumerRecord

from services.reporting.store.applier import Consumed
from shared.contracts.codec import UndecodableEvent, decode
from shared.contracts.registry import UnknownEventType


def to_consumed(record: ConsumerRecord) -> tuple[Consumed, str | None]:
    try:
        _, event = decode(record.value)
        return Consumed(record.offset, event), None
    except (UndecodableEvent, UnknownEventType) as exc:
        # Its offset still counts as applied, so the partition moves on past it.
        return Consumed(record.offset, None), str(exc)
