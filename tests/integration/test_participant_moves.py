"""A moved participant's every count follows them (issue 13.3) on real Kafka and Redis, whatever order the
topics reach reporting in: stage facts before their registration, the update before stage facts that
still carry the old profile, stage facts with the new profile before the update, voids and corrections
after it — in the live reporting service and after a rebuild from the topics."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from uuid import uuid4

import pytest
from aiokafka import AIOKafkaProducer
from redis.asyncio import Redis

from devstack import Endpoints
from services.reporting.metrics import Dimension, Interval, Metric
from services.reporting.projection.batch import Consumed, Decoded, Partition
from services.reporting.store.applier import Applied, Applier
from services.reporting.store.figures import Figures
from services.reporting.store.keyspace import Keyspaces
from shared.contracts.codec import encode, wrap
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import PermitType, TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    ParticipantMentored,
    ParticipantRegistered,
    ParticipantUpdated,
    PermitIssued,
    TrainingCompleted,
)
from shared.contracts.profile import ParticipantProfile
from shared.contracts.topics import MENTORING, PERMITS, REGISTRATION, TRAINING
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from shared.outbox import fact_version
from shared.regions import jakarta
from tests import factories
from tests.integration.applied import applied_to_the_end
from tests.integration.stack import Stack
from tests.integration.test_fact_versions import rebuild

pytestmark = pytest.mark.timeout(400)

SPAN = (date(2022, 1, 1), date(2024, 12, 31))
TOPICS = (REGISTRATION, TRAINING, MENTORING, PERMITS)
METRICS = (Metric.REGISTERED, Metric.TRAINED, Metric.MENTORED, Metric.PERMITS_ISSUED, Metric.PERMIT_HOLDERS)
Sent = tuple[str, str, EventPayload, int]  # source, key, event, fact version


@dataclass
class Plan:
    """Three waves of events, and what they add up to where each participant lives at the end."""

    waves: tuple[list[Sent], list[Sent], list[Sent]] = ([], [], [])
    counted: dict[Metric, Counter[tuple[str, str]]] = field(default_factory=dict)  # (kota, kecamatan) → n
    reached: Counter[Metric] = field(default_factory=Counter)  # stage reached by the end of SPAN

    def count(self, metric: Metric, where: ParticipantProfile) -> None:
        self.counted.setdefault(metric, Counter())[(where.kota_code, where.kecamatan_code)] += 1
        if metric is not Metric.REGISTERED and metric is not Metric.PERMITS_ISSUED:
            self.reached[metric] += 1


def somewhere(rng: random.Random, registered_on: date, **overrides: object) -> ParticipantProfile:
    kota = rng.choice(jakarta().kota)
    kecamatan = rng.choice(kota.kecamatan)
    return factories.profile(
        registered_on=registered_on,
        kota_code=kota.code,
        kecamatan_code=kecamatan.code,
        kelurahan_code=rng.choice(kecamatan.kelurahan).code,
        **overrides,
    )


def plan(rng: random.Random, participants: int) -> Plan:
    """Wave 1: stage facts with the profile held at registration (before the registration itself), and
    some with the new one; wave 2: registrations and updates; wave 3: stage facts still stating the old
    profile, voids and corrections, the rest of those with the new one."""
    planned, versions = Plan(), count(1_000)
    first, second, third = planned.waves
    for _ in range(participants):
        pid = uuid4()
        home = somewhere(rng, date(2022, 1, 10) + timedelta(days=rng.randrange(300)))
        key = str(pid)
        moves = rng.random() < 0.6
        now = (
            somewhere(rng, home.registered_on - timedelta(days=rng.randrange(3)), revision=1)
            if moves
            else home
        )
        second.append(
            (REGISTRATION, key, ParticipantRegistered(participant_id=pid, profile=home), next(versions))
        )
        if moves:
            second.append(
                (REGISTRATION, key, ParticipantUpdated(participant_id=pid, profile=now), next(versions))
            )
        planned.count(Metric.REGISTERED, now)
        stage_day = home.registered_on + timedelta(days=rng.randrange(5, 200))
        training = _trained(pid, stage_day, home)
        first.append((TRAINING, key, training, next(versions)))
        trained_on = [stage_day]
        if moves and rng.random() < 0.5:  # a service that has not heard of the move yet
            later = _trained(pid, stage_day + timedelta(days=20), home)
            third.append((TRAINING, key, later, next(versions)))
            trained_on.append(later.completed_on)
            if rng.random() < 0.5:  # and the first training is voided by a service that has
                voided = FactVoided(
                    participant_id=pid,
                    fact_type="TrainingCompleted",
                    fact=training.model_copy(update={"profile": now}),
                    by="officer-1",
                )
                third.append((TRAINING, key, voided, next(versions)))
                trained_on.remove(stage_day)
        if trained_on:
            planned.count(Metric.TRAINED, now)
        permit = PermitIssued(
            permit_id=uuid4(),
            participant_id=pid,
            permit_type=PermitType.HALAL,
            applied_on=stage_day,
            issued_on=stage_day + timedelta(days=10),
            profile=home,
        )
        first.append((PERMITS, key, permit, next(versions)))
        if rng.random() < 0.4:  # re-dated by an officer whose service still holds the old profile
            moved_on = permit.model_copy(update={"issued_on": permit.issued_on + timedelta(days=30)})
            correction = FactCorrected(
                participant_id=pid,
                fact_type="PermitIssued",
                fact=moved_on,
                previous_on=permit.issued_on,
                by="officer-1",
            )
            third.append((PERMITS, key, correction, next(versions)))
        planned.count(Metric.PERMITS_ISSUED, now)
        planned.count(Metric.PERMIT_HOLDERS, now)
        if moves:
            session = ParticipantMentored(
                session_id=uuid4(),
                participant_id=pid,
                mentor_id=uuid4(),
                held_on=stage_day + timedelta(days=40),
                profile=now,
            )
            (first if rng.random() < 0.5 else third).append((MENTORING, key, session, next(versions)))
            planned.count(Metric.MENTORED, now)
    return planned


def _trained(pid: object, on: date, held: ParticipantProfile) -> TrainingCompleted:
    return TrainingCompleted(
        participant_id=pid,
        class_id=uuid4(),
        program=TrainingProgram.ENTREPRENEURSHIP,
        completed_on=on,
        profile=held,
    )


async def publish(kafka: KafkaSettings, wave: list[Sent]) -> None:
    producer = AIOKafkaProducer(**kafka.client_options(), enable_idempotence=True)
    await producer.start()
    try:
        sent = []
        for source, key, event, version in wave:
            envelope = wrap(
                event, key=key, occurred_on=date(2024, 1, 1), producer="test", correlation_id=None
            )
            headers = [("event_type", event.event_type.encode()), fact_version.header(version)]
            sent.append(
                await producer.send(kafka.topic(source), encode(envelope), key=key.encode(), headers=headers)
            )
        await asyncio.gather(*sent)
    finally:
        await producer.stop()


@dataclass(frozen=True)
class Seen:
    counted: dict[Metric, Counter[tuple[str, str]]]
    reached: Counter[Metric]
    hashes: dict[str, dict[str, str]]  # every subject's and participant's hash, by key without keyspace


async def seen(redis: Redis, keyspaces: Keyspaces) -> Seen:
    figures = Figures(redis, keyspaces)
    counted: dict[Metric, Counter[tuple[str, str]]] = {}
    for metric in METRICS:
        kota = await figures.breakdown(metric, Dimension.KOTA, *SPAN)
        kecamatan = await figures.breakdown(metric, Dimension.KECAMATAN, *SPAN)
        # Each kecamatan lies in one kota: both breakdowns must tell the same places.
        assert Counter(kota) == _by_kota(kecamatan)
        counted[metric] = Counter({(code[:5], code): n for code, n in kecamatan.items()})
    reached: Counter[Metric] = Counter()
    for metric in (Metric.TRAINED, Metric.MENTORED, Metric.PERMIT_HOLDERS):
        reached[metric] = await figures.reached_by(metric, *SPAN)
    keys = await keyspaces.live(redis)
    hashes: dict[str, dict[str, str]] = {}
    for kind in ("s", "p"):
        async for key in redis.scan_iter(match=f"{keys.keyspace}:{kind}:*"):
            hashes[key[len(keys.keyspace) :]] = {
                str(k): str(v) for k, v in (await redis.hgetall(key)).items()
            }
    return Seen(counted, +reached, hashes)


def _by_kota(kecamatan: dict[str, int]) -> Counter[str]:
    totals: Counter[str] = Counter()
    for code, n in kecamatan.items():
        totals[code[:5]] += n
    return totals


async def test_a_moved_participants_counts_follow_them_whatever_order_the_topics_arrive_in(
    stack: Stack,
) -> None:
    planned = plan(random.Random(23), participants=200)
    kafka = KafkaSettings(bootstrap_servers=stack.infra.kafka_bootstrap, topic_prefix=stack.topic_prefix)
    topics = [kafka.topic(t) for t in TOPICS]
    await ensure_topics(kafka, topics)
    stack.reporting()
    keyspaces = Keyspaces(stack.name)
    async with Redis.from_url(stack.infra.redis_url, decode_responses=True) as redis:
        for wave in planned.waves:  # each applied before the next is sent: the order is the test's
            await publish(kafka, wave)
            await applied_to_the_end(redis, keyspaces, kafka, topics)
        live = await seen(redis, keyspaces)
        expected = {metric: +counts for metric, counts in planned.counted.items()}
        assert live.counted == expected
        assert live.reached == +planned.reached  # each stage in the cohort of the corrected registration
        moved = sum(isinstance(e, ParticipantUpdated) for _, _, e, _ in planned.waves[1])
        assert 80 < moved < 160, "a plan where most participants move, not all"
        rebuild(stack)
        await applied_to_the_end(redis, keyspaces, kafka, topics)
        assert (await keyspaces.live(redis)).keyspace != stack.name, "the rebuild switched keyspaces"
        assert await seen(redis, keyspaces) == live


class Interleaved(Applier):
    """An applier that lets another batch be applied whole right after its `read`-th read of hashes: the
    interleaving of two reporting instances, one a topic's partitions, the other another's."""

    def __init__(
        self, redis: Redis, keyspaces: Keyspaces, read: int, meanwhile: Callable[[], Awaitable[object]]
    ):
        super().__init__(redis, keyspaces)
        self._reads, self._read_at, self._meanwhile = 0, read, meanwhile
        self.attempts = 0

    async def _apply_once(self, batch: Mapping[Partition, Sequence[Consumed | Decoded]]) -> Applied:
        self.attempts += 1
        return await super()._apply_once(batch)

    async def _hashes(self, keys: list[str]) -> dict[str, dict[str, str]]:
        read = await super()._hashes(keys)
        self._reads += 1
        if self._reads == self._read_at:
            await self._meanwhile()
        return read


HOME = factories.profile()
COUNTED_WHERE_THEY_LIVE_NOW = {"31.71": [], "31.74": [(date(2023, 2, 1), 1)]}  # the earliest training
MOVED_TO = factories.profile(
    kota_code="31.74", kecamatan_code="31.74.07", kelurahan_code="31.74.07.1001", revision=1
)


async def _interleaved(
    infra: Endpoints, stage_first: bool, read: int
) -> tuple[dict[str, list[tuple[date, int]]], int]:
    """A registration and a training applied, then an update (registration's partition) and a late training
    stating the old profile (training's) applied by two appliers, one inside the other's batch."""
    pid = uuid4()
    keyspaces = Keyspaces(f"moves-{uuid4().hex[:8]}")
    reg, training = Partition("registration", 0), Partition("training", 0)
    update = ParticipantUpdated(participant_id=pid, profile=MOVED_TO)
    late = _trained(pid, date(2023, 2, 1), HOME)  # backdated: now the one counted
    async with Redis.from_url(infra.redis_url, decode_responses=True) as redis:
        plain = Applier(redis, keyspaces)
        await plain.apply({reg: [Consumed(0, ParticipantRegistered(participant_id=pid, profile=HOME))]})
        await plain.apply({training: [Consumed(0, _trained(pid, date(2023, 3, 1), HOME))]})
        other = Applier(redis, keyspaces)
        inner: tuple[Partition, list[Consumed]] = (
            (reg, [Consumed(1, update)]) if stage_first else (training, [Consumed(1, late)])
        )
        outer: tuple[Partition, list[Consumed]] = (
            (training, [Consumed(1, late)]) if stage_first else (reg, [Consumed(1, update)])
        )
        interleaved = Interleaved(redis, keyspaces, read, lambda: other.apply({inner[0]: inner[1]}))
        await interleaved.apply({outer[0]: outer[1]})
        figures = Figures(redis, keyspaces)
        days = {}
        for kota in ("31.71", "31.74"):
            series = await figures.series(Metric.TRAINED, Interval.DAY, *SPAN, field=f"kota:{kota}")
            days[kota] = [(day, n) for day, n in series if n]
        return days, interleaved.attempts


async def test_a_batch_that_read_the_old_profile_retries_when_another_moves_the_participant_meanwhile(
    infra: Endpoints,
) -> None:
    """The late training read the participant's old profile; the update is applied before it writes."""
    counted, attempts = await _interleaved(infra, stage_first=True, read=1)
    assert counted == COUNTED_WHERE_THEY_LIVE_NOW
    assert attempts == 2  # its guard failed once: written again under the new profile


@pytest.mark.parametrize("read", [1, 2], ids=["before-its-watch", "after-its-watch"])
async def test_a_move_restates_a_fact_another_batch_wrote_meanwhile(infra: Endpoints, read: int) -> None:
    """The update read the participant's subjects; the late training is applied before it writes: read
    again (the first read, before WATCH) or retried (after)."""
    counted, attempts = await _interleaved(infra, stage_first=False, read=read)
    assert counted == COUNTED_WHERE_THEY_LIVE_NOW
    assert attempts == (2 if read == 2 else 1)
