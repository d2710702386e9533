"""Mixed domain events built with the real contracts, produced fast onto a benchmark's own topics."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from uuid import UUID, uuid4

from aiokafka import AIOKafkaProducer

from shared.contracts.codec import encode, wrap
from shared.contracts.enums import AgeBand, Agency, Gender, PermitType, Sector, TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import ParticipantPlaced, ParticipantRegistered, PermitIssued, TrainingCompleted
from shared.contracts.profile import ParticipantProfile
from shared.contracts.topics import PERMITS, REGISTRATION, TRAINING
from shared.dates import PROGRAMME_START, jakarta_today
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from shared.regions import jakarta

SOURCES = [REGISTRATION, TRAINING, PERMITS]

# Share of registered participants reaching each stage (one fact each, so every figure is known exactly).
TRAINED_SHARE = 0.6
VOCATIONAL_SHARE = 0.2
PLACED_SHARE_OF_VOCATIONAL = 0.7
PERMIT_SHARE = 0.3


@dataclass
class Expected:
    """The summary figures over the whole programme that the produced events must add up to."""

    counts: Counter[str] = field(default_factory=Counter)

    @property
    def events(self) -> int:
        return sum(
            self.counts[k] for k in ("registered", "trained", "vocational", "placed", "permits_issued")
        )

    def matches(self, summary: dict[str, object]) -> bool:
        vocational = summary["vocational"]
        assert isinstance(vocational, dict)
        return (
            summary["registered"] == self.counts["registered"]
            and summary["trained"] == self.counts["trained"]
            and summary["permits_issued"] == self.counts["permits_issued"]
            and vocational["trained"] == self.counts["vocational"]
            and vocational["placed"] == self.counts["placed"]
        )

    def describe(self) -> str:
        c = self.counts
        return (
            f"{c['registered']:,} registered, {c['trained']:,} entrepreneurship + "
            f"{c['vocational']:,} vocational completions, {c['placed']:,} placements, "
            f"{c['permits_issued']:,} permits issued"
        )


def _profile(rng: random.Random, span: int) -> ParticipantProfile:
    kota = rng.choice(jakarta().kota)
    kecamatan = rng.choice(kota.kecamatan)
    return ParticipantProfile(
        registered_on=PROGRAMME_START + timedelta(days=rng.randrange(span)),
        gender=rng.choice(list(Gender)),
        age_band=rng.choice(list(AgeBand)),
        kota_code=kota.code,
        kecamatan_code=kecamatan.code,
        kelurahan_code=rng.choice(kecamatan.kelurahan).code,
        sector=rng.choice([*Sector, None]),
        agency=rng.choice(list(Agency)),
        disability=rng.random() < 0.05,
        ktp_dki=rng.random() < 0.8,
    )


def mixed_events(count: int, seed: int, expected: Expected) -> Iterator[tuple[str, UUID, date, EventPayload]]:
    """(source, key, business date, payload) for `count` events; tallies what they add up to."""
    rng = random.Random(seed)
    today = jakarta_today()
    span = (today - PROGRAMME_START).days
    produced = 0
    while True:
        profile = _profile(rng, span)
        pid = uuid4()

        def later(profile: ParticipantProfile = profile) -> date:
            return min(profile.registered_on + timedelta(days=rng.randrange(1, 365)), today)

        stage: list[tuple[str, str, date, EventPayload]] = [
            (
                REGISTRATION,
                "registered",
                profile.registered_on,
                ParticipantRegistered(participant_id=pid, profile=profile),
            )
        ]
        if rng.random() < TRAINED_SHARE:
            on = later()
            stage.append(
                (
                    TRAINING,
                    "trained",
                    on,
                    TrainingCompleted(
                        participant_id=pid,
                        class_id=uuid4(),
                        program=TrainingProgram.ENTREPRENEURSHIP,
                        completed_on=on,
                        profile=profile,
                    ),
                )
            )
        if rng.random() < VOCATIONAL_SHARE:
            on = later()
            stage.append(
                (
                    TRAINING,
                    "vocational",
                    on,
                    TrainingCompleted(
                        participant_id=pid,
                        class_id=uuid4(),
                        program=TrainingProgram.VOCATIONAL,
                        completed_on=on,
                        profile=profile,
                    ),
                )
            )
            if rng.random() < PLACED_SHARE_OF_VOCATIONAL:
                placed = min(on + timedelta(days=rng.randrange(0, 90)), today)
                stage.append(
                    (
                        TRAINING,
                        "placed",
                        placed,
                        ParticipantPlaced(
                            participant_id=pid, placement_id=uuid4(), placed_on=placed, profile=profile
                        ),
                    )
                )
        if rng.random() < PERMIT_SHARE:
            on = later()
            stage.append(
                (
                    PERMITS,
                    "permits_issued",
                    on,
                    PermitIssued(
                        permit_id=uuid4(),
                        participant_id=pid,
                        permit_type=rng.choice(list(PermitType)),
                        applied_on=max(profile.registered_on, on - timedelta(days=14)),
                        issued_on=on,
                        profile=profile,
                    ),
                )
            )
        for source, counted, on, payload in stage:
            if produced >= count:
                return
            expected.counts[counted] += 1
            produced += 1
            yield source, pid, on, payload


async def prefill(kafka: KafkaSettings, count: int, seed: int) -> tuple[Expected, float]:
    """Produce `count` mixed events onto the three source topics of `kafka`; returns what they add up to."""
    await ensure_topics(kafka, [kafka.topic(s) for s in SOURCES])
    expected = Expected()
    producer = AIOKafkaProducer(
        **kafka.client_options(), linger_ms=50, max_batch_size=512 * 1024, acks=1, max_request_size=4 << 20
    )
    await producer.start()
    began = time.perf_counter()
    try:
        pending: list[asyncio.Future[object]] = []
        topics = {s: kafka.topic(s) for s in SOURCES}
        for source, key, on, payload in mixed_events(count, seed, expected):
            envelope = wrap(payload, key=str(key), occurred_on=on, producer="bench", correlation_id=None)
            pending.append(await producer.send(topics[source], encode(envelope), key=envelope.key.encode()))
            if len(pending) >= 20_000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return expected, count / (time.perf_counter() - began)
