"""Benchmark of the core pipeline (a script, never a test): `make bench` or `python -m benchmarks.pipeline`.

Starts its own infrastructure on free ports in a temp dir (so it never touches a developer's figures), then
prints and records in docs/benchmarks.md:
  1. POST /participants throughput and p50/p99 latency, on SQLite and on PostgreSQL (closed loop);
  2. freshness: time from an acknowledged write to the change being visible in /metrics/summary;
  3. reporting apply rate from a pre-filled topic, against the raw aiokafka consume rate of that topic.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from uuid import uuid4

import httpx
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from devstack import Endpoints, InfraPorts, LocalInfra
from devstack.app_server import AppServer
from devstack.kafka_jars import kafka_version
from devstack.ports import free_ports
from services.reporting.rebuild import rebuild
from services.reporting.settings import ReportingSettings
from shared.contracts.codec import encode, wrap
from shared.contracts.enums import AgeBand, Agency, Gender, Sector
from shared.contracts.events import ParticipantRegistered
from shared.contracts.profile import ParticipantProfile
from shared.dates import PROGRAMME_START, jakarta_today
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from shared.regions import jakarta
from tests.integration.people import participant

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def start_service(infra: Endpoints, base: Path, service: str, env: dict[str, str]) -> AppServer:
    (port,) = free_ports(1)
    server = AppServer(
        service, port, {"KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap, **env}, base / service
    )
    server.start(timeout=90)
    return server


async def write_path(url: str, count: int, concurrency: int) -> dict[str, float]:
    rng = random.Random(1)
    bodies = [participant(rng, i, date(2023, 1, 1) + timedelta(days=i % 365)) for i in range(count)]
    latencies: list[float] = []
    gate = asyncio.Semaphore(concurrency)
    async with httpx.AsyncClient(base_url=url, timeout=30) as http:

        async def one(body: dict[str, object]) -> None:
            async with gate:
                began = time.perf_counter()
                response = await http.post("/participants", json=body)
                latencies.append(time.perf_counter() - began)
                assert response.status_code in (201, 409), response.text

        began = time.perf_counter()
        await asyncio.gather(*(one(b) for b in bodies))
        elapsed = time.perf_counter() - began
    return {
        "rps": count / elapsed,
        "p50_ms": percentile(latencies, 0.5) * 1000,
        "p99_ms": percentile(latencies, 0.99) * 1000,
    }


async def freshness(registration: str, reporting: str, samples: int) -> dict[str, float]:
    rng = random.Random(2)
    waits: list[float] = []
    async with (
        httpx.AsyncClient(base_url=registration, timeout=30) as reg,
        httpx.AsyncClient(base_url=reporting, timeout=30) as rep,
    ):
        params = {"from": str(PROGRAMME_START), "to": str(jakarta_today())}
        for i in range(samples):
            before = (await rep.get("/metrics/summary", params=params)).json()["registered"]
            response = await reg.post("/participants", json=participant(rng, 500_000 + i, jakarta_today()))
            assert response.status_code == 201, response.text
            acknowledged = time.perf_counter()
            while True:  # poll as a dashboard would; the figure itself is what is measured
                if (await rep.get("/metrics/summary", params=params)).json()["registered"] > before:
                    break
                await asyncio.sleep(0.002)
            waits.append(time.perf_counter() - acknowledged)
            await asyncio.sleep(0.05)
    return {"p50_ms": percentile(waits, 0.5) * 1000, "p99_ms": percentile(waits, 0.99) * 1000}


def random_event(rng: random.Random) -> ParticipantRegistered:
    kota = rng.choice(jakarta().kota)
    kecamatan = rng.choice(kota.kecamatan)
    return ParticipantRegistered(
        participant_id=uuid4(),
        profile=ParticipantProfile(
            registered_on=PROGRAMME_START + timedelta(days=rng.randrange(2900)),
            gender=rng.choice(list(Gender)),
            age_band=rng.choice(list(AgeBand)),
            kota_code=kota.code,
            kecamatan_code=kecamatan.code,
            kelurahan_code=rng.choice(kecamatan.kelurahan).code,
            sector=rng.choice([*Sector, None]),
            agency=rng.choice(list(Agency)),
            disability=rng.random() < 0.05,
            ktp_dki=rng.random() < 0.8,
        ),
    )


async def prefill(kafka: KafkaSettings, topic: str, count: int) -> None:
    await ensure_topics(kafka, [topic])
    rng = random.Random(3)
    producer = AIOKafkaProducer(bootstrap_servers=kafka.bootstrap_servers, linger_ms=20, acks="all")
    await producer.start()
    try:
        pending = []
        for _ in range(count):
            event = random_event(rng)
            envelope = wrap(
                event,
                key=str(event.participant_id),
                occurred_on=event.profile.registered_on,
                producer="bench",
                correlation_id=None,
            )
            pending.append(await producer.send(topic, encode(envelope), key=envelope.key.encode()))
            if len(pending) >= 5000:
                await asyncio.gather(*pending)
                pending.clear()
        await asyncio.gather(*pending)
    finally:
        await producer.stop()


async def raw_consume_rate(bootstrap: str, topic: str, count: int) -> float:
    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=f"raw-{uuid4().hex[:6]}",
        max_poll_records=5000,
    )
    await consumer.start()
    seen = 0
    began = time.perf_counter()
    try:
        while seen < count:
            for records in (await consumer.getmany(timeout_ms=500, max_records=5000)).values():
                seen += len(records)
    finally:
        await consumer.stop()
    return count / (time.perf_counter() - began)


async def apply_rate(reporting: str, count: int) -> float:
    began = time.perf_counter()
    async with httpx.AsyncClient(base_url=reporting, timeout=30) as http:
        params = {"from": str(PROGRAMME_START), "to": str(jakarta_today())}
        while True:
            if (await http.get("/metrics/summary", params=params)).json()["registered"] >= count:
                break
            await asyncio.sleep(0.1)
    return count / (time.perf_counter() - began)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--events", type=int, default=200_000)
    args = parser.parse_args()

    base = Path(tempfile.mkdtemp(prefix="jakpreneur-bench-"))
    base.chmod(0o755)
    infra = LocalInfra(base / "infra", InfraPorts.free())
    infra.start()
    rows: list[str] = []
    servers: list[AppServer] = []
    try:
        endpoints = infra.endpoints()
        reporting = start_service(endpoints, base, "reporting", {"REPORTING_REDIS_URL": endpoints.redis_url})
        servers.append(reporting)
        for db in ("sqlite", "postgres"):
            url = (
                f"sqlite:///{base}/registration.db" if db == "sqlite" else endpoints.create_database("bench")
            )
            registration = start_service(
                endpoints, base / db, "registration", {"REGISTRATION_DATABASE_URL": url}
            )
            servers.append(registration)
            result = asyncio.run(write_path(registration.url, args.writes, args.concurrency))
            rows.append(
                f"| POST /participants, {db}, {args.writes} writes, concurrency {args.concurrency} "
                f"| {result['rps']:.0f} req/s, p50 {result['p50_ms']:.1f} ms, p99 {result['p99_ms']:.1f} ms |"
            )
            print(rows[-1], flush=True)
            if db == "postgres":
                fresh = asyncio.run(freshness(registration.url, reporting.url, 100))
                rows.append(
                    f"| freshness: acknowledged write → /metrics/summary (100 sequential writes) "
                    f"| p50 {fresh['p50_ms']:.0f} ms, p99 {fresh['p99_ms']:.0f} ms |"
                )
                print(rows[-1], flush=True)
            registration.stop()

        kafka = KafkaSettings(bootstrap_servers=endpoints.kafka_bootstrap, topic_prefix="applybench")
        asyncio.run(prefill(kafka, kafka.topic("registration"), args.events))
        raw = asyncio.run(
            raw_consume_rate(endpoints.kafka_bootstrap, kafka.topic("registration"), args.events)
        )
        applier = start_service(
            endpoints,
            base / "apply",
            "reporting",
            {
                "REPORTING_REDIS_URL": endpoints.redis_url,
                "REPORTING_KEYSPACE": "applybench",
                "REPORTING_CONSUMER_GROUP": "applybench",
                "KAFKA_TOPIC_PREFIX": "applybench",
            },
        )
        servers.append(applier)
        applied = asyncio.run(apply_rate(applier.url, args.events))
        rows.append(f"| raw aiokafka consume, {args.events} events, 3 partitions | {raw:,.0f} events/s |")
        rows.append(
            f"| reporting apply to Redis (same topic, from empty) | {applied:,.0f} events/s "
            f"({applied / raw:.0%} of raw consume) |"
        )
        rebuilt = asyncio.run(
            rebuild(
                ReportingSettings(
                    redis_url=endpoints.redis_url,
                    keyspace="applybench",
                    sources=["registration"],
                    kafka=kafka,
                )
            )
        )
        rows.append(
            f"| rebuild of the same {rebuilt.events:,} events into a fresh keyspace "
            f"| {rebuilt.seconds:.1f} s ({rebuilt.events / rebuilt.seconds:,.0f} events/s) |"
        )
        print("\n".join(rows[-3:]), flush=True)
    finally:
        for server in servers:
            server.stop()
        infra.stop()
    write_report(rows)


def write_report(rows: list[str]) -> None:
    header = (
        "# Benchmarks\n\n"
        "Produced by `python -m benchmarks.pipeline` (`make bench`) on its own infrastructure; "
        "see docs/performance-notes.md for how to read it.\n\n"
        f"Machine: {platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"Kafka {kafka_version()}. Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n\n"
        "| measurement | result |\n|---|---|\n"
    )
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(header + "\n".join(rows) + "\n")


if __name__ == "__main__":
    main()
