"""Consumers tolerate what producers add (PRODUCT.md §5): an event with a field they do not know yet is used
exactly as without it — by the codec, reporting's decoder and the participant followers — while producers'
own models still refuse an unknown field."""

import json
from datetime import date
from typing import Any, NamedTuple, cast
from uuid import UUID, uuid4

import pytest
from pydantic import ValidationError
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import create_async_engine

from services.reporting import records
from services.reporting.records import to_consumed
from shared.contracts.codec import decode
from shared.contracts.corrections import FactVoided
from shared.contracts.enums import PermitType
from shared.contracts.events import ParticipantRegistered, PermitIssued
from shared.contracts.profile import ParticipantProfile
from shared.kafka.settings import KafkaSettings
from shared.participants.directory import participant_tables
from shared.participants.follower import RegistrationFollower
from tests.ahead import ADDED, sent
from tests.factories import profile

PROFILE = profile()


def registered() -> ParticipantRegistered:
    return ParticipantRegistered(participant_id=uuid4(), profile=PROFILE)


def voided_permit() -> FactVoided:
    issued = PermitIssued(
        permit_id=uuid4(),
        participant_id=uuid4(),
        permit_type=PermitType.HALAL,
        applied_on=date(2023, 4, 1),
        issued_on=date(2023, 4, 20),
        profile=PROFILE,
    )
    return FactVoided(participant_id=issued.participant_id, fact_type="PermitIssued", fact=issued, by="o-1")


EVENTS = [registered, voided_permit]


@pytest.mark.parametrize("make", EVENTS, ids=["registered", "voided-fact"])
def test_the_codec_decodes_an_event_with_added_fields_as_without_them(make: Any) -> None:
    event = make()
    ahead = sent(event, ahead=True)
    assert ahead.count(ADDED.encode()) >= 2  # the payload and an object inside it
    envelope, decoded = decode(ahead)
    assert decoded == event == decode(sent(event, ahead=False))[1]
    assert envelope.event_type == event.event_type


@pytest.mark.parametrize("make", EVENTS, ids=["registered", "voided-fact"])
def test_reporting_counts_an_event_with_added_fields_as_without_them(
    make: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = make()
    current = to_consumed(7, sent(event, ahead=False))

    # Read in one pass, as the producer's current events are: additions need no second, slower pass.
    def no_second_pass(raw: bytes | None) -> Any:
        raise AssertionError("decoded twice: the fast path refused the added field")

    monkeypatch.setattr(records, "decode", no_second_pass)
    ahead = to_consumed(7, sent(event, ahead=True))
    assert ahead == current == ((7, event), None)  # (offset, event), no problem: the same figures


async def test_a_participant_follower_learns_an_event_with_added_fields_as_without_them() -> None:
    participant_id = uuid4()
    current, ahead = [await _learned_by_a_follower(participant_id, ahead) for ahead in (False, True)]
    assert ahead == current
    assert ahead[0] == str(participant_id) and ahead[2] == 42  # learned, and read past: never skipped
    assert ParticipantProfile.model_validate_json(ahead[1]) == PROFILE


class _Partition(NamedTuple):  # what the follower reads of aiokafka's TopicPartition
    topic: str
    partition: int


class _Record(NamedTuple):  # ... and of its ConsumerRecord
    offset: int
    value: bytes


async def _learned_by_a_follower(participant_id: UUID, ahead: bool) -> tuple[str, str, int]:
    """(participant id, stored profile, next offset) once a follower stored one registration at offset 41."""
    metadata = MetaData()
    tables = participant_tables(metadata)
    engine = create_async_engine("sqlite+aiosqlite://")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    follower = RegistrationFollower(KafkaSettings(), engine, tables)
    event = ParticipantRegistered(participant_id=participant_id, profile=PROFILE)
    tp = _Partition("jakpreneur.registration", 0)
    record = _Record(offset=41, value=sent(event, ahead=ahead))
    try:
        await follower._store(cast(Any, {tp: [record]}))
        async with engine.connect() as conn:
            row = (await conn.execute(select(tables.known.c.participant_id, tables.known.c.profile))).one()
            offset = (await conn.execute(select(tables.offsets.c.next_offset))).scalar_one()
    finally:
        await engine.dispose()
    return row.participant_id, row.profile, offset


def test_producers_still_refuse_a_field_their_model_does_not_have() -> None:
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ParticipantRegistered(participant_id=uuid4(), profile=PROFILE, profil_typo=1)  # type: ignore[call-arg]
    written = registered().model_dump(mode="json")
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ParticipantRegistered.model_validate({**written, "typo": 1})
    fact = voided_permit().model_dump(mode="json")
    fact["fact"]["typo"] = 1
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        FactVoided.model_validate(fact)


def test_an_addition_never_hides_a_broken_event() -> None:
    written = json.loads(sent(registered(), ahead=True))
    del written["payload"]["profile"]["kota_code"]
    with pytest.raises(ValueError, match="kota_code"):
        decode(json.dumps(written).encode())
