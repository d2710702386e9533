import json
from datetime import date
from uuid import uuid4

import pytest

from services.reporting.api.schemas import placement_rate
from shared.contracts.codec import UndecodableEvent, decode, encode, wrap
from shared.contracts.events import ParticipantRegistered
from shared.contracts.registry import UnknownEventType
from shared.contracts.schemas import SCHEMA_DIR, generated_schemas, render
from tests.factories import profile

PROFILE = profile()


def test_committed_schemas_match_the_models() -> None:
    generated = generated_schemas()
    committed = {p.name for p in SCHEMA_DIR.glob("*.json")}
    assert committed == set(generated), "run `python -m shared.contracts.schemas` and commit"
    for name, schema in generated.items():
        assert (SCHEMA_DIR / name).read_text() == render(schema), f"{name} changed: regenerate and review"


def test_events_round_trip_through_the_envelope() -> None:
    event = ParticipantRegistered(participant_id=uuid4(), profile=PROFILE)
    envelope = wrap(
        event,
        key=str(event.participant_id),
        occurred_on=event.profile.registered_on,
        producer="registration",
        correlation_id="c-1",
    )
    decoded_envelope, decoded = decode(encode(envelope))
    assert decoded == event
    assert decoded_envelope.event_type == "ParticipantRegistered"


def test_no_event_schema_has_a_personal_data_field() -> None:
    personal = {"nik", "full_name", "name", "phone", "email", "birth_date"}
    for name, schema in generated_schemas().items():
        text = json.dumps(schema)
        for field in personal:
            assert f'"{field}"' not in text, f"{name} exposes {field}"


def test_undecodable_and_unknown_events_are_told_apart() -> None:
    with pytest.raises(UndecodableEvent):
        decode(b"not json")
    event = ParticipantRegistered(participant_id=uuid4(), profile=PROFILE)
    envelope = wrap(event, key="k", occurred_on=date(2023, 1, 2), producer="p", correlation_id=None)
    unknown = envelope.model_copy(update={"event_version": 99})
    with pytest.raises(UnknownEventType):
        decode(encode(unknown))
    broken = envelope.model_copy(update={"payload": {"participant_id": "x"}})
    with pytest.raises(UndecodableEvent, match="invalid ParticipantRegistered payload"):
        decode(encode(broken))


def test_placement_rate_is_computed_not_copied() -> None:
    assert placement_rate(5871, 7626) == 0.7699
    assert placement_rate(0, 0) is None
    assert placement_rate(3, 2) == 1.5
