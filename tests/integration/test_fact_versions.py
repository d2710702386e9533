"""Per-fact versions on real Kafka and Redis: events published out of their version order (a void before
its issue, a correction after its void) give the figures and journeys of their commit order, in the live
reporting service and after a rebuild from the topics."""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from redis.asyncio import Redis

from services.reporting.metrics import Interval, Metric
from services.reporting.store.figures import Figures
from services.reporting.store.journeys import Journeys
from services.reporting.store.keyspace import Keyspaces
from shared.contracts.codec import encode, wrap
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import PermitType
from shared.contracts.envelope import EventPayload
from shared.contracts.events import ParticipantRegistered, PermitIssued
from shared.contracts.topics import PERMITS, REGISTRATION
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from shared.outbox import fact_version
from tests import factories
from tests.integration.applied import applied_to_the_end
from tests.integration.stack import Stack

pytestmark = pytest.mark.timeout(300)

REPO_ROOT = Path(__file__).resolve().parents[2]
SPAN = (date(2022, 1, 1), date(2024, 12, 31))


@dataclass
class Published:
    """What went onto the topics, and what it must add up to in its commit (version) order."""

    sent: list[tuple[str, str, EventPayload, int]] = field(default_factory=list)  # topic, key, event, version
    issued_by_month: Counter[date] = field(default_factory=Counter)  # permits counted, by month issued
    permits: dict[str, tuple[str, str, bool]] = field(default_factory=dict)  # participant → permit's step


def histories(stack: Stack, rng: random.Random, participants: int) -> Published:
    """Per participant: a registration and one permit issued, then perhaps re-dated, voided, re-issued;
    each participant's permit events sent in a shuffled order (reversed, mostly), their versions rising."""
    published = Published()
    versions = iter(range(1_000, 1_000_000))
    for _ in range(participants):
        pid = uuid4()
        profile = factories.profile(registered_on=date(2022, 1, 1) + timedelta(days=rng.randrange(200)))
        registration = ParticipantRegistered(participant_id=pid, profile=profile)
        published.sent.append((stack.topic(REGISTRATION), str(pid), registration, next(versions)))
        permit = PermitIssued(
            permit_id=uuid4(),
            participant_id=pid,
            permit_type=PermitType.HALAL,
            applied_on=profile.registered_on,
            issued_on=profile.registered_on + timedelta(days=rng.randrange(1, 400)),
            profile=profile,
        )
        history: list[EventPayload] = [permit]
        fact, voided = permit, False
        if rng.random() < 0.5:
            moved = fact.model_copy(
                update={"issued_on": fact.issued_on + timedelta(days=rng.randrange(1, 90))}
            )
            history.append(_corrected(fact, moved))
            fact = moved
        if rng.random() < 0.6:
            history.append(FactVoided(participant_id=pid, fact_type="PermitIssued", fact=fact, by="o-1"))
            voided = True
            if rng.random() < 0.4:  # a voided permit is applied again, and issued again
                fact = fact.model_copy(update={"issued_on": fact.issued_on + timedelta(days=30)})
                history.append(fact)
                voided = False
        if not voided:
            published.issued_by_month[fact.issued_on.replace(day=1)] += 1
        published.permits[str(pid)] = (str(permit.permit_id), fact.issued_on.isoformat(), voided)
        in_order = [(stack.topic(PERMITS), str(pid), event, next(versions)) for event in history]
        arrival = in_order[::-1] if rng.random() < 0.8 else rng.sample(in_order, len(in_order))
        published.sent += arrival
    return published


def _corrected(fact: PermitIssued, moved: PermitIssued) -> FactCorrected:
    return FactCorrected(
        participant_id=fact.participant_id,
        fact_type="PermitIssued",
        fact=moved,
        previous_on=fact.issued_on,
        by="officer-1",
    )


async def publish(kafka: KafkaSettings, published: Published) -> None:
    await ensure_topics(kafka, [kafka.topic(REGISTRATION), kafka.topic(PERMITS)])
    producer = AIOKafkaProducer(**kafka.client_options(), enable_idempotence=True)
    await producer.start()
    try:
        sent = []
        for topic, key, event, version in published.sent:
            envelope = wrap(
                event, key=key, occurred_on=date(2024, 1, 1), producer="test", correlation_id=None
            )
            headers = [("event_type", event.event_type.encode()), fact_version.header(version)]
            sent.append(await producer.send(topic, encode(envelope), key=key.encode(), headers=headers))
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


@dataclass(frozen=True)
class Seen:
    issued_by_month: dict[date, int]
    totals: dict[Metric, int]
    permits: dict[str, tuple[str, str, bool]]
    subjects: dict[str, dict[str, str]]  # every subject hash, by key without its keyspace


async def seen(redis: Redis, keyspaces: Keyspaces, participants: list[str]) -> Seen:
    figures = Figures(redis, keyspaces)
    series = await figures.series(Metric.PERMITS_ISSUED, Interval.MONTH, *SPAN)
    totals = await figures.totals([Metric.PERMITS_ISSUED, Metric.PERMIT_HOLDERS, Metric.REGISTERED], *SPAN)
    permits = {}
    for pid in participants:
        journey = await Journeys(redis, keyspaces).of(pid)
        assert journey is not None
        (step,) = [s for s in journey.steps if s.metric is Metric.PERMIT_HOLDERS]
        permits[pid] = (step.fact_id, step.on, step.voided)
    keys = await keyspaces.live(redis)
    prefix = f"{keys.keyspace}:s:"
    subjects: dict[str, dict[str, str]] = {}
    async for key in redis.scan_iter(match=prefix + "*"):
        subjects[key[len(keys.keyspace) :]] = {str(k): str(v) for k, v in (await redis.hgetall(key)).items()}
    return Seen({d: n for d, n in series if n}, totals, permits, subjects)


def rebuild(stack: Stack) -> None:
    env = {
        **os.environ,
        **stack.common_env(),
        "REPORTING_REDIS_URL": stack.infra.redis_url,
        "REPORTING_KEYSPACE": stack.name,
    }
    done = subprocess.run(
        [sys.executable, "-m", "services.reporting.rebuild"],
        env=env,
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]


async def test_events_out_of_version_order_count_as_in_commit_order_live_and_after_a_rebuild(
    stack: Stack,
) -> None:
    published = histories(stack, random.Random(15), participants=300)
    kafka = KafkaSettings(bootstrap_servers=stack.infra.kafka_bootstrap, topic_prefix=stack.topic_prefix)
    stack.reporting()
    await publish(kafka, published)
    keyspaces = Keyspaces(stack.name)
    topics = [kafka.topic(REGISTRATION), kafka.topic(PERMITS)]
    participants = list(published.permits)
    issued = sum(published.issued_by_month.values())
    async with Redis.from_url(stack.infra.redis_url, decode_responses=True) as redis:
        await applied_to_the_end(redis, keyspaces, kafka, topics)
        live = await seen(redis, keyspaces, participants)
        assert live.issued_by_month == dict(published.issued_by_month)
        assert live.totals == {
            Metric.PERMITS_ISSUED: issued,
            Metric.PERMIT_HOLDERS: issued,  # one permit each
            Metric.REGISTERED: len(participants),
        }
        assert live.permits == published.permits  # the journey's permit step as its last version left it
        assert 50 < issued < 250, "a history with voids, re-issues and corrections, not all one kind"
        rebuild(stack)
        await applied_to_the_end(redis, keyspaces, kafka, topics)
        assert (await keyspaces.live(redis)).keyspace != stack.name, "the rebuild switched keyspaces"
        assert await seen(redis, keyspaces, participants) == live
