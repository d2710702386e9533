import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator

from shared.contracts.asyncapi import ASYNCAPI_PATH, generated_asyncapi, message_id, topic_address
from shared.contracts.registry import EVENT_TYPES
from shared.contracts.schemas import render
from shared.contracts.topics import CORRECTIONS, TOPIC_CONSUMERS, TOPIC_EVENTS, producers_of

# Official AsyncAPI 3.0.0 JSON Schema from npm @asyncapi/specs (Apache-2.0); see data/README.md.
ASYNCAPI_3_SCHEMA = Path(__file__).parent / "data" / "asyncapi-3.0.0.schema.json"


def test_committed_asyncapi_matches_the_contracts() -> None:
    assert ASYNCAPI_PATH.exists(), "run `python -m shared.contracts.asyncapi` and commit the file"
    assert ASYNCAPI_PATH.read_text() == render(generated_asyncapi()), (
        "contracts/asyncapi.json is stale: run `python -m shared.contracts.asyncapi`, review the diff, commit"
    )


def test_document_is_valid_asyncapi_3() -> None:
    meta_schema = json.loads(ASYNCAPI_3_SCHEMA.read_text())
    Draft7Validator.check_schema(meta_schema)
    errors = sorted(Draft7Validator(meta_schema).iter_errors(generated_asyncapi()), key=lambda e: e.path)
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:10])


def test_every_ref_resolves_inside_the_document() -> None:
    document = generated_asyncapi()
    refs = list(_refs(document))
    assert refs, "expected the document to use $ref"
    for ref in refs:
        assert ref.startswith("#/"), f"{ref} points outside the document"
        node: Any = document
        for escaped in ref[2:].split("/"):
            token = escaped.replace("~1", "/").replace("~0", "~")
            assert isinstance(node, dict) and token in node, f"{ref} does not resolve"
            node = node[token]


def test_every_event_type_is_a_message_on_its_topic() -> None:
    document = generated_asyncapi()
    messages = document["components"]["messages"]
    for model in EVENT_TYPES.values():
        message = messages[message_id(model)]
        assert message["name"] == model.event_type
        assert message["payload"]["properties"]["event_type"]["const"] == model.event_type
        for producer in producers_of(model):
            channel = document["channels"][producer]
            assert channel["address"] == topic_address(producer)
            ref = {"$ref": f"#/components/messages/{message_id(model)}"}
            assert channel["messages"][model.event_type] == ref


def test_every_event_belongs_to_exactly_one_topic_but_corrections() -> None:
    published = Counter(model for models in TOPIC_EVENTS.values() for model in models)
    assert set(published) == set(EVENT_TYPES.values()), "TOPIC_EVENTS and EVENT_TYPES list different events"
    several = {model for model, count in published.items() if count > 1}
    assert several == set(CORRECTIONS), f"published on several topics: {several}"
    assert set(TOPIC_CONSUMERS) == set(TOPIC_EVENTS)


def test_topics_follow_the_naming_convention() -> None:
    addresses = {channel["address"] for channel in generated_asyncapi()["channels"].values()}
    assert addresses == {
        "jakpreneur.registration",
        "jakpreneur.training",
        "jakpreneur.permits",
        "jakpreneur.mentoring",
        "jakpreneur.marketing",
        "jakpreneur.finance",
        "jakpreneur.reporting",
        "jakpreneur.reporting.dlq",
    }


def _refs(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)
