import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from pydantic import ValidationError

from services.reporting.api.schemas import placement_rate
from services.reporting.projection.facts import facts_of
from shared.contracts.codec import UndecodableEvent, decode, encode, wrap
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import ExhibitionScope, TrainingProgram
from shared.contracts.events import ParticipantRegistered, ProductShowcased, TrainingCompleted
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


# A string is constrained by one of these; anything else could carry a reason, a note or a number.
_CONSTRAINTS = ("enum", "const", "pattern")
_FORMATS = ("uuid", "date", "date-time")


def test_no_event_field_is_free_text() -> None:
    for name, schema in generated_schemas().items():
        if name == "EventEnvelope.json":
            continue  # metadata the codec writes, not a payload a service fills in
        loose = [
            where
            for where, node in _schema_nodes(schema, name)
            if node.get("type") == "string"
            and not any(key in node for key in _CONSTRAINTS)
            and node.get("format") not in _FORMATS
        ]
        assert not loose, f"free text in an event: {loose} — keep it in the service's database"


def test_an_account_id_cannot_carry_a_name_or_an_e_mail_address() -> None:
    voided = {"participant_id": str(uuid4()), "fact_type": "TrainingCompleted"}
    fact = TrainingCompleted(
        participant_id=uuid4(),
        class_id=uuid4(),
        program=TrainingProgram.VOCATIONAL,
        completed_on=date(2023, 2, 1),
        profile=PROFILE,
    )
    for by in ("Budi Santoso", "budi@example.org", "", "x" * 101):
        with pytest.raises(ValidationError, match="by"):
            FactVoided(**{**voided, "participant_id": fact.participant_id}, fact=fact, by=by)


def _schema_nodes(node: object, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _schema_nodes(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _schema_nodes(item, f"{where}/{index}")


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


def test_a_correction_carries_the_fact_in_its_own_shape() -> None:
    completed = TrainingCompleted(
        participant_id=uuid4(),
        class_id=uuid4(),
        program=TrainingProgram.ENTREPRENEURSHIP,
        completed_on=date(2023, 2, 1),
        profile=PROFILE,
    )
    corrected = FactCorrected(
        participant_id=completed.participant_id,
        fact_type="TrainingCompleted",
        fact=completed,
        previous_on=date(2023, 3, 1),
        by="officer-7",
    )
    envelope = wrap(
        corrected, key="k", occurred_on=date(2023, 2, 1), producer="training", correlation_id=None
    )
    _, decoded = decode(encode(envelope))
    assert isinstance(decoded, FactCorrected) and decoded.fact == completed


def test_a_correction_refuses_a_fact_of_another_type_or_participant() -> None:
    completed = TrainingCompleted(
        participant_id=uuid4(),
        class_id=uuid4(),
        program=TrainingProgram.VOCATIONAL,
        completed_on=date(2023, 2, 1),
        profile=PROFILE,
    )
    fact = completed.model_dump(mode="json")
    with pytest.raises(ValidationError, match="Field required"):
        FactVoided.model_validate(
            {
                "participant_id": str(uuid4()),
                "fact_type": "ParticipantPlaced",
                "fact": fact,
                "by": "a",
            }
        )
    with pytest.raises(ValidationError, match="another participant"):
        FactVoided.model_validate(
            {
                "participant_id": str(uuid4()),
                "fact_type": "TrainingCompleted",
                "fact": fact,
                "by": "a",
            }
        )


def test_reporting_reads_a_void_as_the_withdrawal_of_the_same_facts() -> None:
    showcased = ProductShowcased(
        showcase_id=uuid4(),
        exhibition_id=uuid4(),
        product_id=uuid4(),
        participant_id=uuid4(),
        scope=ExhibitionScope.NATIONAL,
        shown_on=date(2023, 2, 1),
        profile=PROFILE,
    )
    voided = FactVoided(
        participant_id=showcased.participant_id,
        fact_type="ProductShowcased",
        fact=showcased,
        by="o",
    )
    original, withdrawn = facts_of(showcased), facts_of(voided)
    assert [(f.metric, f.subject, f.fact_id) for f in original] == [
        (f.metric, f.subject, f.fact_id) for f in withdrawn
    ]
    assert not any(f.void for f in original) and all(f.void for f in withdrawn)
