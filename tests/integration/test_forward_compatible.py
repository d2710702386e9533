"""A producer one minor contract version ahead of its consumers, on real Kafka: reporting counts its events
and a stage service learns its participants, as if the added fields were not there (PRODUCT.md §5)."""

from __future__ import annotations

import time
from datetime import date
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaProducer

from shared.contracts.enums import PermitType
from shared.contracts.events import ParticipantRegistered, PermitIssued
from shared.contracts.topics import PERMITS, REGISTRATION
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from tests.ahead import ADDED, sent
from tests.factories import profile
from tests.integration.stack import Stack, client

REGISTERED_ON, ISSUED_ON = date(2019, 5, 17), date(2019, 6, 3)  # days no other event of this stack has


async def test_events_with_added_fields_are_counted_and_followed(stack: Stack) -> None:
    reporting, permits = stack.reporting(), stack.producing("permits")
    participant_id, person = uuid4(), profile(registered_on=REGISTERED_ON)
    registration = ParticipantRegistered(participant_id=participant_id, profile=person)
    issued = PermitIssued(
        permit_id=uuid4(),
        participant_id=participant_id,
        permit_type=PermitType.NIB,
        applied_on=REGISTERED_ON,
        issued_on=ISSUED_ON,
        profile=person,
    )
    key = str(participant_id)
    values = {
        REGISTRATION: sent(registration, ahead=True, key=key, occurred_on=REGISTERED_ON),
        PERMITS: sent(issued, ahead=True, key=key, occurred_on=ISSUED_ON),
    }
    assert all(ADDED.encode() in value for value in values.values())
    kafka = KafkaSettings(bootstrap_servers=stack.infra.kafka_bootstrap, topic_prefix=stack.topic_prefix)
    await ensure_topics(kafka, [kafka.topic(source) for source in values])
    producer = AIOKafkaProducer(bootstrap_servers=stack.infra.kafka_bootstrap)
    await producer.start()
    try:
        for source, value in values.items():
            await producer.send_and_wait(kafka.topic(source), value, key=key.encode())
    finally:
        await producer.stop()

    with client(reporting) as figures:
        assert _figure(figures, REGISTERED_ON, "registered") == 1
        assert _figure(figures, ISSUED_ON, "permits_issued") == 1
        assert b'reporting_events_dead_lettered_total{topic="' not in figures.get("/ops/metrics").content
    with client(permits) as api:  # the permits service learned the participant from the registration
        applied = _apply_when_known(api, key)
    assert applied.status_code == 201, applied.text


def _figure(http: httpx.Client, day: date, name: str, timeout_s: float = 30.0) -> int:
    deadline = time.monotonic() + timeout_s
    while True:
        summary = http.get("/metrics/summary", params={"from": str(day), "to": str(day)})
        assert summary.status_code == 200, summary.text
        value = int(summary.json()[name])
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def _apply_when_known(api: httpx.Client, participant_id: str, timeout_s: float = 30.0) -> httpx.Response:
    body = {"participant_id": participant_id, "permit_type": "HALAL", "applied_on": str(ISSUED_ON)}
    deadline = time.monotonic() + timeout_s
    while True:
        response = api.post("/permits", json=body)
        unknown = response.status_code == 422 and response.json()["code"] == "unknown_participant"
        if not unknown or time.monotonic() > deadline:
            return response
        time.sleep(0.1)
