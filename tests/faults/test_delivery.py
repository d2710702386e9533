"""Events delivered twice, re-wrapped, out of order or undecodable, straight onto the topics with aiokafka:
reporting still counts every fact exactly once, on the day of its earliest occurrence."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

import pytest
from aiokafka import AIOKafkaProducer, ConsumerRecord

from shared.contracts.codec import encode, wrap
from shared.contracts.enums import Agency, Gender, PermitType, Sector, TrainingProgram
from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.contracts.events import ParticipantRegistered, PermitIssued, TrainingCompleted
from shared.contracts.profile import ParticipantProfile
from shared.regions import jakarta
from tests.factories import profile
from tests.faults.conftest import Scenario
from tests.faults.inject import topic_records
from tests.faults.ledger import dims_of_profile
from tests.faults.traffic import Traffic
from tests.integration.kafka_read import read_topic
from tests.integration.stack import Stack

pytestmark = [pytest.mark.integration, pytest.mark.timeout(150)]
PARTITIONS = 3  # Stack.common_env: KAFKA_PARTITIONS


async def test_duplicate_and_out_of_order_delivery(stack: Stack, scenario: Scenario) -> None:
    """Duplicate and out-of-order delivery of the same events."""
    registration, training = stack.registration(), stack.producing("training")
    permits, reporting = stack.producing("permits", "postgres"), stack.reporting()
    await Traffic(scenario.ledger, registration, training, permits, seed=61).run(200)
    await scenario.check(reporting.url)
    topics = {service: stack.topic(service) for service in ("registration", "training", "permits")}
    records = await topic_records(stack.infra.kafka_bootstrap, list(topics.values()))
    rng = random.Random(62)
    producer = AIOKafkaProducer(bootstrap_servers=stack.infra.kafka_bootstrap)
    await producer.start()
    try:
        for record in reversed(records):  # the same bytes again, newest first
            await producer.send(record.topic, record.value, key=record.key, headers=list(record.headers))
        for record in rng.sample(records, len(records)):  # new event ids, on another partition
            await producer.send(record.topic, _rewrapped(record), key=record.key, partition=_next(record))
        for topic, envelope in _stage_facts_before_registration(scenario, rng, topics):
            await producer.send(topic, encode(envelope), key=envelope.key.encode())
        await producer.flush()
    finally:
        await producer.stop()
    scenario.note(
        f"{len(records)} events re-sent byte-identical (newest first) and re-wrapped (shuffled, other "
        f"partition); 20 new participants' stage facts before their registration, backdated ones last"
    )
    await scenario.check(reporting.url)


def _rewrapped(record: ConsumerRecord) -> bytes:
    envelope = EventEnvelope.model_validate_json(record.value)
    return encode(envelope.model_copy(update={"event_id": uuid4(), "recorded_at": datetime.now(UTC)}))


def _next(record: ConsumerRecord) -> int:
    return (int(record.partition) + 1) % PARTITIONS


def _stage_facts_before_registration(
    scenario: Scenario, rng: random.Random, topics: dict[str, str]
) -> list[tuple[str, EventEnvelope]]:
    """Per new participant, in delivery order: a completion and an issued permit, then the registration,
    then a completion dated earlier than the first (the count must move to its day), then the first again."""
    sent: list[tuple[str, EventEnvelope]] = []
    for _ in range(20):
        pid = uuid4()
        person = _profile(rng)
        registered_on = person.registered_on
        later, earlier = registered_on + timedelta(days=200), registered_on + timedelta(days=20)
        program = rng.choice(list(TrainingProgram))
        completed_later = _completion(pid, program, later, person)
        permit = PermitIssued(
            permit_id=uuid4(),
            participant_id=pid,
            permit_type=PermitType.HALAL,
            applied_on=registered_on,
            issued_on=later,
            profile=person,
        )
        sent += [
            (topics["training"], _envelope(completed_later, pid, later, "training")),
            (topics["permits"], _envelope(permit, pid, later, "permits")),
            (
                topics["registration"],
                _envelope(
                    ParticipantRegistered(participant_id=pid, profile=person),
                    pid,
                    registered_on,
                    "registration",
                ),
            ),
            (
                topics["training"],
                _envelope(_completion(pid, program, earlier, person), pid, earlier, "training"),
            ),
            (topics["training"], _envelope(completed_later, pid, later, "training")),
        ]
        ledger = scenario.ledger
        ledger.participant(str(pid), dims_of_profile(person), registered_on)
        ledger.completed(str(pid), program.value, later)
        ledger.issued(str(permit.permit_id), str(pid), later)
        ledger.completed(str(pid), program.value, earlier)
    return sent


def _profile(rng: random.Random) -> ParticipantProfile:
    kota = rng.choice(jakarta().kota)
    kecamatan = rng.choice(kota.kecamatan)
    return profile(
        registered_on=date(2019, 1, 1) + timedelta(days=rng.randrange(5 * 365)),
        gender=rng.choice(list(Gender)),
        kota_code=kota.code,
        kecamatan_code=kecamatan.code,
        kelurahan_code=rng.choice(kecamatan.kelurahan).code,
        sector=rng.choice([None, *Sector]),
        agency=rng.choice(list(Agency)),
    )


def _completion(
    pid: UUID, program: TrainingProgram, day: date, person: ParticipantProfile
) -> TrainingCompleted:
    return TrainingCompleted(
        participant_id=pid, class_id=uuid4(), program=program, completed_on=day, profile=person
    )


def _envelope(payload: EventPayload, pid: UUID, day: date, producer: str) -> EventEnvelope:
    return wrap(payload, key=str(pid), occurred_on=day, producer=producer, correlation_id=None)


def bad_events() -> dict[str, bytes]:
    """One of each kind of unusable event, keyed by the words its dead-letter reason must contain."""
    good = _envelope(
        ParticipantRegistered(participant_id=uuid4(), profile=profile()), uuid4(), date(2023, 1, 2), "test"
    )
    return {
        "invalid envelope": b"\x00not json",
        "unknown event type 'Nope'": encode(good.model_copy(update={"event_type": "Nope"})),
        "version 99": encode(good.model_copy(update={"event_version": 99})),
        "invalid ParticipantRegistered payload": encode(
            good.model_copy(update={"payload": {"participant_id": 1}})
        ),
    }


async def test_undecodable_events_are_dead_lettered_and_counting_goes_on(
    stack: Stack, scenario: Scenario
) -> None:
    """Undecodable events dead-lettered while counting goes on."""
    registration, reporting = stack.registration(), stack.reporting()
    topic = stack.topic("registration")
    producer = AIOKafkaProducer(bootstrap_servers=stack.infra.kafka_bootstrap)
    await producer.start()
    sent = {}
    try:
        for reason, value in bad_events().items():
            sent[reason] = await producer.send_and_wait(topic, value, key=b"junk")
    finally:
        await producer.stop()
    await Traffic(scenario.ledger, registration, seed=63).run(200)
    await scenario.check(reporting.url)
    dead = await read_topic(
        stack.infra.kafka_bootstrap, stack.topic("reporting.dlq"), until=lambda seen: len(seen) >= len(sent)
    )
    assert len(dead) == len(sent)
    by_offset = {int(dict(r.headers)["source_offset"]): r for r in dead}
    for reason, metadata in sent.items():
        headers = dict(by_offset[metadata.offset].headers)
        assert headers["source_topic"] == topic.encode()
        assert int(headers["source_partition"]) == metadata.partition
        assert reason in headers["reason"].decode(), headers["reason"]
    scenario.note(f"{len(dead)} undecodable events on the dead-letter topic with their reasons")
