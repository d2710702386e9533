import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from services.reporting.api.schemas import placement_rate
from services.reporting.projection.facts import facts_of
from shared.contracts.codec import UndecodableEvent, decode, encode, wrap
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import ExhibitionScope, TargetScope, TrainingProgram
from shared.contracts.events import ParticipantRegistered, ProductShowcased, TargetSet, TrainingCompleted
from shared.contracts.profile import ParticipantProfile
from shared.contracts.reading import read
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


def test_a_profile_written_before_provinsi_code_is_read_with_the_province_of_its_kota() -> None:
    event = ParticipantRegistered(participant_id=uuid4(), profile=PROFILE)
    envelope = wrap(event, key="k", occurred_on=date(2023, 1, 2), producer="p", correlation_id=None)
    before = {k: v for k, v in envelope.payload["profile"].items() if k != "provinsi_code"}
    older = envelope.model_copy(update={"payload": {**envelope.payload, "profile": before}})
    assert "provinsi_code" not in encode(older).decode()
    _, decoded = decode(encode(older))
    assert isinstance(decoded, ParticipantRegistered)
    assert decoded == event and decoded.profile.provinsi_code == "31"


class _Forbidding(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")  # as ParticipantProfile's


def test_a_consumer_that_does_not_know_provinsi_code_yet_reads_todays_profile() -> None:
    # The profile as consumers built before the national region model know it: no provinsi_code.
    fields: dict[str, Any] = {
        name: (info.annotation, info)
        for name, info in ParticipantProfile.model_fields.items()
        if name != "provinsi_code"
    }
    before = create_model("ProfileBefore", __base__=_Forbidding, **fields)
    today = profile(kota_code="32.73", kecamatan_code="32.73.01", kelurahan_code="32.73.01.1001")
    dumped = today.model_dump(mode="json")
    assert dumped["provinsi_code"] == "32"
    with pytest.raises(ValidationError, match="provinsi_code"):
        before.model_validate(dumped)  # a producer's own model still refuses what it does not know ...
    read_by_older = read(before, dumped)  # ... while a consumer reads past it (shared.contracts.reading)
    assert read_by_older.model_dump(mode="json") == {k: v for k, v in dumped.items() if k != "provinsi_code"}


def test_provinsi_code_must_be_the_province_of_the_kota() -> None:
    assert profile(provinsi_code="31").provinsi_code == "31"
    with pytest.raises(ValidationError, match=r"provinsi_code 32 is not the province of kota 31\.71"):
        profile(provinsi_code="32")
    with pytest.raises(ValidationError, match="provinsi_code"):
        profile(provinsi_code="3")


@pytest.mark.parametrize("kota", ["32.73", "96.71", "11.01"])
def test_events_carry_regions_of_any_province(kota: str) -> None:
    somewhere = profile(kota_code=kota, kecamatan_code=f"{kota}.01", kelurahan_code=f"{kota}.01.2001")
    assert somewhere.provinsi_code == kota[:2]
    event = ParticipantRegistered(participant_id=uuid4(), profile=somewhere)
    envelope = wrap(event, key="k", occurred_on=date(2023, 1, 2), producer="p", correlation_id=None)
    assert decode(encode(envelope))[1] == event


@pytest.mark.parametrize(
    "domicile",
    [
        {"kota_code": "3273"},  # BPS/NIK style, undotted
        {"kota_code": "\uff13\uff12.73", "kecamatan_code": "32.73.01"},  # full-width digits
        {"kecamatan_code": "32.73.1"},
        {"kelurahan_code": "32.73.01.20011"},
    ],
)
def test_region_codes_in_events_are_dotted_ascii_kemendagri_codes(domicile: dict[str, str]) -> None:
    base = {"kota_code": "32.73", "kecamatan_code": "32.73.01", "kelurahan_code": "32.73.01.2001"}
    with pytest.raises(ValidationError):
        profile(**(base | domicile))


@pytest.mark.parametrize(
    ("scope", "key"),
    [
        (TargetScope.PROVINCE, "31"),
        (TargetScope.PROVINCE, "32"),
        (TargetScope.KOTA, "32.73"),
        (TargetScope.AGENCY, "PPKUKM"),
    ],
)
def test_a_target_may_be_set_for_any_province_or_kota(scope: TargetScope, key: str) -> None:
    target = TargetSet(year=2027, metric="registered", scope=scope, scope_key=key, value=10, by="admin-1")
    assert target.scope_key == key


@pytest.mark.parametrize("key", ["3", "32.7", "3273", "PPK", "\uff13\uff12"])
def test_a_target_scope_key_is_a_province_kota_or_agency_code(key: str) -> None:
    with pytest.raises(ValidationError, match="scope_key"):
        TargetSet(year=2027, metric="registered", scope=TargetScope.PROVINCE, scope_key=key, value=10, by="a")
