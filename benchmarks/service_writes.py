"""One repeatable write on each stage service, ramped open-loop like POST /participants.

Each write is chosen so that generated bodies never collide: a class, a mentor (fresh staff number) and an
exhibition need nobody; a permit application (not NIB, which is one per participant) and a financial report
(a fresh one-day period per request) need participants the service knows, so a pool is registered through
registration first and each stage service is polled until its participant directory, which follows the
registration topic, has all of them (422 unknown_participant until then).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta

import httpx

from benchmarks.load import Bodies, Step, json_bytes, ramp
from benchmarks.stack import Stack
from shared.regions import jakarta
from tests.integration.people import participant
from tests.tokens import ADMIN

POOL_SIZE = 200
KNOWN_TIMEOUT_S = 60.0
PROBE_DAY = date(2019, 1, 1)  # the readiness probe's report period; the ramp's periods start later
PERIODS_FROM = date(2020, 1, 1)
SERVICES = ("training", "mentoring", "marketing", "permits", "finance")


@dataclass(frozen=True)
class Write:
    service: str
    path: str
    bodies: Callable[[list[str]], Bodies]  # from the participant pool (unused by most)
    probe: Callable[[str], dict[str, object]] | None = None  # a write naming one participant, if needed

    @property
    def label(self) -> str:
        return f"POST {self.path}"


def _classes(_: list[str]) -> Bodies:
    kota = jakarta().kota[0].code
    return lambda serial: json_bytes(
        {
            "title": f"Kelas {serial}",
            "program": "entrepreneurship",
            "kota_code": kota,
            "starts_on": "2024-03-01",
            "ends_on": "2024-03-05",
            "capacity": 30,
        }
    )


def _mentors(_: list[str]) -> Bodies:
    kecamatan = jakarta().kota[0].kecamatan[0].code
    return lambda serial: json_bytes(
        {"staff_number": f"BENCH-{serial}", "full_name": f"Mentor {serial}", "kecamatan_code": kecamatan}
    )


def _exhibitions(_: list[str]) -> Bodies:
    return lambda serial: json_bytes(
        {
            "title": f"Bazaar {serial}",
            "kind": "bazaar",
            "scope": "national",
            "starts_on": "2024-08-01",
            "ends_on": "2024-08-03",
        }
    )


def _permit(participant_id: str) -> dict[str, object]:
    return {"participant_id": participant_id, "permit_type": "HALAL"}


def _permits(pool: list[str]) -> Bodies:
    return lambda serial: json_bytes(_permit(pool[serial % len(pool)]))


def _report(participant_id: str, day: date) -> dict[str, object]:
    return {
        "participant_id": participant_id,
        "period_start": day.isoformat(),
        "period_end": day.isoformat(),
        "revenue": 12_000_000,
        "expenses": 9_000_000,
        "employees": 2,
    }


def _reports(pool: list[str]) -> Bodies:
    # One live report per participant and period: serial → (participant, day) is one-to-one.
    return lambda serial: json_bytes(
        _report(pool[serial % len(pool)], PERIODS_FROM + timedelta(days=serial // len(pool)))
    )


WRITES = {
    w.service: w
    for w in (
        Write("training", "/classes", _classes),
        Write("mentoring", "/mentors", _mentors),
        Write("marketing", "/exhibitions", _exhibitions),
        Write("permits", "/permits", _permits, _permit),
        Write("finance", "/financial-reports", _reports, lambda p: _report(p, PROBE_DAY)),
    )
}


async def register_pool(registration_url: str, n: int) -> list[str]:
    rng = random.Random(7)
    bodies = [participant(rng, 30_000_000 + i, date(2023, 1, 1)) for i in range(n)]
    async with httpx.AsyncClient(base_url=registration_url, headers=ADMIN, timeout=30) as client:
        responses = await asyncio.gather(*(client.post("/participants", json=b) for b in bodies))
    created = [r.json()["participant_id"] for r in responses if r.status_code == 201]
    if len(created) < n * 0.9:  # a few generated NIKs may collide (409); more means something is wrong
        failed = next(r for r in responses if r.status_code != 201)
        raise RuntimeError(f"{len(created)} of {n} pool participants registered: {failed.text}")
    return created


async def wait_known(url: str, write: Write, pool: list[str]) -> None:
    """Probe each participant once with a real write until none is still unknown to the service."""
    if write.probe is None:
        return
    waiting = list(pool)
    deadline = time.monotonic() + KNOWN_TIMEOUT_S
    async with httpx.AsyncClient(base_url=url, headers=ADMIN, timeout=30) as client:
        while waiting:
            responses = await asyncio.gather(*(client.post(write.path, json=write.probe(p)) for p in waiting))
            unexpected = [r for r in responses if r.status_code not in (201, 422)]
            if unexpected:
                raise RuntimeError(f"{write.label} probe: {unexpected[0].status_code} {unexpected[0].text}")
            waiting = [p for p, r in zip(waiting, responses, strict=True) if r.status_code == 422]
            if waiting and time.monotonic() > deadline:
                raise RuntimeError(f"{write.service} still does not know {len(waiting)} participants")
            if waiting:
                await asyncio.sleep(0.5)


def ramp_service(  # noqa: PLR0917
    stack: Stack,
    service: str,
    db: str,
    prefix: str,
    pool: list[str],
    rates: list[int],
    seconds: float,
) -> list[Step]:
    """Start the service on a fresh database following `prefix`, wait for the pool, ramp its write."""
    write = WRITES[service]
    url = (
        f"sqlite:///{stack.base}/{service}.db"
        if db == "sqlite"
        else stack.endpoints.create_database(f"bench_{service}")
    )
    env = {"KAFKA_TOPIC_PREFIX": prefix, f"{service.upper()}_DATABASE_URL": url}
    with stack.running(stack.service(service, f"{service}-{db}", env)) as server:
        asyncio.run(wait_known(server.url, write, pool))
        return asyncio.run(
            ramp(server.url, rates, seconds, write.bodies(pool), f"{service} {db}", path=write.path)
        )


def ramp_services(
    stack: Stack, db: str, services: list[str], rates: list[int], seconds: float
) -> dict[str, list[Step]]:
    """A participant pool registered on `db`, then each service's write ramped in turn on `db`."""
    prefix = f"benchs-{db}"  # own topics: the directories read only this pool
    url = (
        f"sqlite:///{stack.base}/registration-pool.db"
        if db == "sqlite"
        else stack.endpoints.create_database("bench_registration_pool")
    )
    env = {"KAFKA_TOPIC_PREFIX": prefix, "REGISTRATION_DATABASE_URL": url}
    # Registration stays up while the services catch up: its outbox relay publishes the pool.
    with stack.running(stack.service("registration", f"registration-pool-{db}", env)) as registration:
        needs_pool = any(WRITES[s].probe is not None for s in services)
        pool = asyncio.run(register_pool(registration.url, POOL_SIZE)) if needs_pool else []
        return {s: ramp_service(stack, s, db, prefix, pool, rates, seconds) for s in services}
