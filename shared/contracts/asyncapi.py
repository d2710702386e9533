"""AsyncAPI 3.0 document of every topic and event, generated from the contracts; committed, diffed by a test.

Run `python -m shared.contracts.asyncapi` after changing a contract or `shared.contracts.topics` to refresh
contracts/asyncapi.json.
"""

import copy
from pathlib import Path
from typing import Any

from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.contracts.registry import EVENT_TYPES
from shared.contracts.schemas import render
from shared.contracts.topics import (
    CORRECTIONS,
    DEAD_LETTER_TOPIC,
    REPORTING,
    TOPIC_CONSUMERS,
    TOPIC_EVENTS,
    key_field,
)
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import KEEP_FOREVER

ASYNCAPI_PATH = Path(__file__).resolve().parents[2] / "contracts" / "asyncapi.json"

# Version of this API description; bump it when an event, a topic or a header changes.
DOCUMENT_VERSION = "2.0.0"
KAFKA_BINDING_VERSION = "0.5.0"
REPORTING_GROUP = "reporting"
DEAD_LETTER_MESSAGE = "DeadLetter"

# Field defaults, not KafkaSettings(): the document must not depend on the generating shell's environment.
_PREFIX: str = KafkaSettings.model_fields["topic_prefix"].default
_BOOTSTRAP: str = KafkaSettings.model_fields["bootstrap_servers"].default

_SCHEMAS = "#/components/schemas/"


def topic_address(service: str) -> str:
    return f"{_PREFIX}.{service}"


def message_id(model: type[EventPayload]) -> str:
    return f"{model.event_type}.v{model.event_version}"


def channel_id(service: str) -> str:
    """Channel keys are the topic suffixes: `registration`, `reporting.dlq`, ..."""
    return service


def generated_asyncapi() -> dict[str, Any]:
    _check_every_event_has_one_topic()
    schemas: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}

    for producer, models in TOPIC_EVENTS.items():
        channel = channel_id(producer)
        for model in models:
            messages[message_id(model)] = _event_message(model, schemas)
        channels[channel] = _channel(
            topic_address(producer),
            f"Events published by the {producer} service (its outbox relay), in commit order per key.",
            {model.event_type: {"$ref": f"#/components/messages/{message_id(model)}"} for model in models},
        )
        operations[f"{producer}.send"] = _operation(
            "send", channel, [model.event_type for model in models], f"{producer} publishes its events."
        )
        for consumer in TOPIC_CONSUMERS[producer]:
            operations[f"{consumer}.receive.{producer}"] = _receive(consumer, producer, models)

    dlq = channel_id(DEAD_LETTER_TOPIC)
    messages[DEAD_LETTER_MESSAGE] = _dead_letter_message()
    channels[dlq] = _channel(
        topic_address(DEAD_LETTER_TOPIC),
        "Records reporting could not use (undecodable, unknown type or version, invalid payload), "
        "kept for inspection and replay.",
        {DEAD_LETTER_MESSAGE: {"$ref": f"#/components/messages/{DEAD_LETTER_MESSAGE}"}},
    )
    operations[f"{REPORTING}.send.{DEAD_LETTER_TOPIC}"] = _operation(
        "send", dlq, [DEAD_LETTER_MESSAGE], "reporting dead-letters a record it cannot apply, then moves on."
    )

    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Jakpreneur Platform events",
            "version": DOCUMENT_VERSION,
            "description": (
                "Domain events of the Jakpreneur programme. Each producing service owns one topic "
                f"(`{_PREFIX}.<service>`) and publishes through a transactional outbox; every event travels "
                "in the same JSON envelope, whose `payload` is the event named by `event_type` and "
                "`event_version`. Consumers ignore fields they do not know yet, so a producer may add an "
                "optional field before its consumers are upgraded (a minor version of this document); "
                "producers never send a field their schema lacks. "
                "Generated from `shared.contracts` by `python -m shared.contracts.asyncapi`."
            ),
        },
        "defaultContentType": "application/json",
        "servers": {
            "local": {
                "host": _BOOTSTRAP,
                "protocol": "kafka",
                "description": "Local development broker (devstack); topic prefix is configurable "
                "with KAFKA_TOPIC_PREFIX.",
            }
        },
        "channels": channels,
        "operations": operations,
        "components": {"schemas": dict(sorted(schemas.items())), "messages": messages},
    }


def _check_every_event_has_one_topic() -> None:
    """Every event is published on exactly one topic, except corrections, which each owner publishes."""
    published = [model for models in TOPIC_EVENTS.values() for model in models if model not in CORRECTIONS]
    expected = [model for model in EVENT_TYPES.values() if model not in CORRECTIONS]
    if sorted(map(message_id, published)) != sorted(map(message_id, expected)):
        raise ValueError("shared.contracts.topics.TOPIC_EVENTS must list every event in EVENT_TYPES once")


def _channel(address: str, description: str, messages: dict[str, Any]) -> dict[str, Any]:
    return {
        "address": address,
        "description": description,
        "messages": messages,
        "servers": [{"$ref": "#/servers/local"}],
        "bindings": {
            "kafka": {
                "topicConfiguration": {
                    "cleanup.policy": [KEEP_FOREVER["cleanup.policy"]],
                    "retention.bytes": int(KEEP_FOREVER["retention.bytes"]),
                    "retention.ms": int(KEEP_FOREVER["retention.ms"]),
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _operation(action: str, channel: str, message_keys: list[str], description: str) -> dict[str, Any]:
    return {
        "action": action,
        "channel": {"$ref": f"#/channels/{channel}"},
        "messages": [{"$ref": f"#/channels/{channel}/messages/{key}"} for key in message_keys],
        "description": description,
    }


def _receive(consumer: str, producer: str, models: tuple[type[EventPayload], ...]) -> dict[str, Any]:
    keys = [model.event_type for model in models]
    if consumer == REPORTING:
        operation = _operation(
            "receive",
            channel_id(producer),
            keys,
            "reporting applies each batch to Redis with the offsets it applied (one consumer group).",
        )
        operation["bindings"] = {
            "kafka": {
                "groupId": {"type": "string", "enum": [REPORTING_GROUP]},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        }
        return operation
    return _operation(
        "receive",
        channel_id(producer),
        keys,
        f"{consumer} follows {producer} into its own database, storing offsets with the rows "
        "(partitions assigned, no consumer group).",
    )


def _event_message(model: type[EventPayload], schemas: dict[str, Any]) -> dict[str, Any]:
    payload_ref = _add_model_schema(model, schemas)
    envelope = EventEnvelope.model_json_schema()
    envelope["title"] = f"{model.event_type} v{model.event_version} envelope"
    props = envelope["properties"]
    props["event_type"] = props["event_type"] | {"const": model.event_type}
    props["event_version"] = props["event_version"] | {"const": model.event_version}
    props["key"] = props["key"] | {"description": f"The {key_field(model)} (also the Kafka message key)"}
    props["payload"] = {"$ref": payload_ref}
    return {
        "name": model.event_type,
        "title": f"{model.event_type} v{model.event_version}",
        "summary": f"{model.event_type} (version {model.event_version}) in the event envelope.",
        "contentType": "application/json",
        "headers": {
            "type": "object",
            "description": "Kafka record headers, UTF-8 strings.",
            "properties": {
                "event_type": {"type": "string", "const": model.event_type},
                "correlation_id": {
                    "type": "string",
                    "description": "Request that caused the event; absent when there was none.",
                },
            },
            "required": ["event_type"],
        },
        "payload": envelope,
        "correlationId": {"location": "$message.header#/correlation_id"},
        "bindings": {
            "kafka": {
                "key": {
                    "type": "string",
                    "format": "uuid",
                    "description": f"{key_field(model)}: keeps each {key_field(model)}'s events in order.",
                },
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _dead_letter_message() -> dict[str, Any]:
    decimal = {"type": "string", "pattern": r"^\d+$"}
    return {
        "name": DEAD_LETTER_MESSAGE,
        "title": "Dead letter",
        "summary": "A record reporting could not use, value and key copied byte for byte.",
        "contentType": "application/octet-stream",
        "headers": {
            "type": "object",
            "description": "Kafka record headers, UTF-8 strings.",
            "properties": {
                "reason": {"type": "string", "description": "Why the record could not be used."},
                "source_topic": {"type": "string", "description": "Topic the record was read from."},
                "source_partition": decimal | {"description": "Its partition."},
                "source_offset": decimal | {"description": "Its offset in that partition."},
            },
            "required": ["reason", "source_topic", "source_partition", "source_offset"],
        },
        "payload": {
            "description": "The original record value, unchanged: usually an event envelope, but possibly "
            "not JSON at all (that may be why it is here).",
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "The original record key, unchanged."},
                "bindingVersion": KAFKA_BINDING_VERSION,
            }
        },
    }


def _add_model_schema(model: type[EventPayload], schemas: dict[str, Any]) -> str:
    """Put the model's schema and its $defs under components.schemas; returns the reference to the model."""
    schema = model.model_json_schema(ref_template=_SCHEMAS + "{model}")
    for name, definition in schema.pop("$defs", {}).items():
        _add_schema(schemas, name, definition)
    schema["x-event-type"] = model.event_type
    schema["x-event-version"] = model.event_version
    name = message_id(model)
    _add_schema(schemas, name, schema)
    return _SCHEMAS + name


def _add_schema(schemas: dict[str, Any], name: str, schema: dict[str, Any]) -> None:
    if name in schemas and schemas[name] != schema:
        raise ValueError(f"two different schemas named {name!r}: rename one of the models")
    schemas[name] = copy.deepcopy(schema)


def write(path: Path = ASYNCAPI_PATH) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(generated_asyncapi()))
    return path


if __name__ == "__main__":
    print(write())
