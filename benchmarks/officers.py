"""Officers' reads at scale (issue 13 budgets; a script, never a test): `python -m benchmarks.officers`.

Starts its own Kafka, Redis and PostgreSQL on free ports in a temp dir, a registration service on
PostgreSQL and a reporting service, then:
  - registers N participants (default 100,000) through `POST /participants/batch` (500 a request, 4 in
    flight), with names drawn from common Indonesian given names and family names, so a name search finds
    what it would in a real registry: a full name a few people, one given name a couple of thousand;
  - gives a sample of them a journey of 7 facts (two entrepreneurship completions, one re-dated, a vocational
    completion, a placement, two permits, one voided), produced onto the training and permits topics as
    those services publish them, and waits until reporting has applied every event;
  - times each read over real HTTP, one request at a time, by an officer of the participant's kota:
    lookup by NIK, name search (a full name; one given name), resolve of 500 ids, the journey;
  - measures Redis memory per journey fact (MEMORY USAGE of the journey hashes).
Prints each p50/p99 beside its budget; `--write` records them in docs/benchmarks.md (its officers section,
kept by `python -m benchmarks`). Not part of `make bench`: loading takes a few minutes of its own.

`--before REF` measures a change side by side: registration at commit REF (`git archive`) loads the
participants, this tree's registration migrates a copy of that database (timed: the migrations a release
brings, at 100,000 participants), and each registration read alternates between the two, request by
request, so both meet the same load.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import httpx
import psycopg
import sqlalchemy as sa
from aiokafka import AIOKafkaProducer, TopicPartition
from psycopg import sql
from redis.asyncio import Redis

from benchmarks import sections
from benchmarks.consume import end_offsets, wait_applied
from benchmarks.names import FAMILY, GIVEN
from benchmarks.stack import Stack, percentile
from devstack.app_server import AppServer
from devstack.postgres import libpq_url
from devstack.process import run_checked
from services.registration.adapters.tables import followed_offsets
from services.reporting.store.keyspace import Keyspaces
from shared.auth import Role
from shared.contracts.codec import encode, wrap
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import AgeBand, Agency, Gender, PermitType, Sector, TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import ParticipantPlaced, PermitIssued, TrainingCompleted
from shared.contracts.profile import ParticipantProfile
from shared.contracts.topics import PERMITS, REGISTRATION, TOPIC_EVENTS, TRAINING
from shared.dates import jakarta_today
from shared.db.engine import sync_url
from shared.kafka.settings import KafkaSettings
from shared.kafka.topics import ensure_topics
from tests.integration.people import participant
from tests.tokens import ADMIN, bearer

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "docs" / "benchmarks.md"
PREFIX, KEYSPACE = "benchofficers", "benchofficers"
BATCH, IN_FLIGHT = 500, 4
BUDGETS_MS = {"lookup": 20.0, "search": 50.0, "resolve": 100.0, "journey": 20.0}


@dataclass(frozen=True)
class Registered:
    participant_id: str
    nik: str
    full_name: str
    body: dict[str, Any]

    @property
    def kota(self) -> str:
        return str(self.body["domicile"]["kota_code"])


def people(count: int, seed: int) -> Iterator[dict[str, Any]]:
    """Valid, distinct registrations between 2018 and 2024 (people.py's, with realistic names)."""
    rng, seen, serial = random.Random(seed), set[str](), 0
    while len(seen) < count:
        serial += 1
        body = participant(rng, serial, date(2018, 1, 1) + timedelta(days=rng.randrange(2500)))
        if body["nik"] in seen:  # people.py draws NIKs at random: rare repeats are left out
            continue
        seen.add(body["nik"])
        words = (
            [rng.choice(GIVEN)] + ([rng.choice(GIVEN)] if rng.random() < 0.3 else []) + [rng.choice(FAMILY)]
        )
        body["full_name"] = " ".join(words)
        yield body


async def register(url: str, bodies: list[dict[str, Any]]) -> list[Registered]:
    """Through the batch import, IN_FLIGHT requests at a time; every row must be created."""
    slots = asyncio.Semaphore(IN_FLIGHT)

    async def batch(http: httpx.AsyncClient, rows: list[dict[str, Any]]) -> list[Registered]:
        async with slots:
            response = await http.post("/participants/batch", json={"rows": rows})
        response.raise_for_status()
        results = response.json()["results"]
        refused = [r for r in results if r["status"] != "created"]
        if refused:
            raise SystemExit(f"{len(refused)} rows not created, e.g. {refused[0]}")
        return [
            Registered(r["participant_id"], row["nik"], row["full_name"], row)
            for r, row in zip(results, rows, strict=True)
        ]

    async with httpx.AsyncClient(base_url=url, headers=ADMIN, timeout=300) as http:
        chunks = [bodies[i : i + BATCH] for i in range(0, len(bodies), BATCH)]
        done = await asyncio.gather(*(batch(http, chunk) for chunk in chunks))
    return [r for chunk in done for r in chunk]


def _profile(person: Registered) -> ParticipantProfile:
    body = person.body
    business = body.get("business")
    return ParticipantProfile(
        registered_on=date.fromisoformat(body["registered_on"]),
        gender=Gender(body["gender"]),
        age_band=AgeBand.AGE_25_34,  # what the figures break down by; the journey does not read it
        kota_code=body["domicile"]["kota_code"],
        kecamatan_code=body["domicile"]["kecamatan_code"],
        kelurahan_code=body["domicile"]["kelurahan_code"],
        sector=Sector(business["sector"]) if business else None,
        agency=Agency(body["agency"]),
        disability=False,
        ktp_dki=body["nik"].startswith("31"),
    )


JOURNEY_FACTS = 7  # the registration and six stage facts (one of them voided)


def journey_events(person: Registered, rng: random.Random) -> list[tuple[str, EventPayload]]:
    """(source service, event) of a journey of JOURNEY_FACTS facts: re-dated, voided, vocational too."""
    profile, pid, today = _profile(person), UUID(person.participant_id), jakarta_today()

    def after(start: date) -> date:
        return min(start + timedelta(days=rng.randrange(1, 200)), today)

    registered = profile.registered_on
    first, second, vocational = after(registered), after(registered), after(registered)
    completed = [
        TrainingCompleted(
            participant_id=pid,
            class_id=uuid4(),
            program=program,
            completed_on=on,
            profile=profile,
        )
        for program, on in (
            (TrainingProgram.ENTREPRENEURSHIP, first),
            (TrainingProgram.ENTREPRENEURSHIP, second),
            (TrainingProgram.VOCATIONAL, vocational),
        )
    ]
    placed = ParticipantPlaced(
        participant_id=pid, placement_id=uuid4(), placed_on=after(vocational), profile=profile
    )
    permits = [
        PermitIssued(
            permit_id=uuid4(),
            participant_id=pid,
            permit_type=kind,
            applied_on=registered,
            issued_on=after(registered),
            profile=profile,
        )
        for kind in (PermitType.NIB, PermitType.HALAL)
    ]
    moved = completed[0].model_copy(update={"completed_on": max(registered, first - timedelta(days=1))})
    events: list[tuple[str, EventPayload]] = [(TRAINING, e) for e in [*completed, placed]]
    events += [(PERMITS, e) for e in permits]
    events.append(
        (
            TRAINING,
            FactCorrected(
                participant_id=pid, fact_type="TrainingCompleted", fact=moved, previous_on=first, by="bench"
            ),
        )
    )
    events.append(
        (PERMITS, FactVoided(participant_id=pid, fact_type="PermitIssued", fact=permits[1], by="bench"))
    )
    return events


async def produce_journeys(kafka: KafkaSettings, sample: list[Registered], seed: int) -> int:
    producer = AIOKafkaProducer(**kafka.client_options(), linger_ms=20, acks=1)
    await producer.start()
    rng, sent, today = random.Random(seed), 0, jakarta_today()
    try:
        pending = []
        for person in sample:
            for source, event in journey_events(person, rng):
                envelope = wrap(
                    event, key=person.participant_id, occurred_on=today, producer="bench", correlation_id=None
                )
                pending.append(
                    await producer.send(kafka.topic(source), encode(envelope), key=envelope.key.encode())
                )
                sent += 1
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return sent


def followed(database_url: str, ends: dict[TopicPartition, int], limit_s: float) -> None:
    """Until registration has followed the stage topics to their ends (its followed_offsets rows)."""
    stage = {(tp.topic, tp.partition): end for tp, end in ends.items() if not tp.topic.endswith(REGISTRATION)}
    engine = sa.create_engine(sync_url(database_url))
    deadline = time.monotonic() + limit_s
    try:
        while True:
            with engine.connect() as conn:
                rows = conn.execute(sa.select(followed_offsets)).all()
            at = {(r.topic, r.partition): r.next_offset for r in rows}
            if all(at.get(key, 0) >= end for key, end in stage.items()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError("registration did not follow the stage topics in time")
            time.sleep(0.2)
    finally:
        engine.dispose()


def cpu_seconds(pid: int) -> float:
    """CPU time a process has used (user and system), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Timing:
    name: str
    budget: str
    samples: list[float]  # ms
    cpu_ms: float  # the service's CPU time a request: its own cost, whatever else the machine runs
    load: float  # the machine's load average (1 min) when the requests ended

    @property
    def p50(self) -> float:
        return percentile(self.samples, 0.5)

    @property
    def p99(self) -> float:
        return percentile(self.samples, 0.99)

    def describe(self) -> str:
        budget = BUDGETS_MS[self.budget]
        verdict = "within budget" if self.p99 <= budget else "OVER BUDGET"
        return (
            f"{self.name}: p50 {self.p50:.1f} ms, p99 {self.p99:.1f} ms (budget p99 ≤ {budget:.0f} ms: "
            f"{verdict}); service CPU {self.cpu_ms:.1f} ms a request; {len(self.samples)} sequential "
            f"requests, load average {self.load:.1f}"
        )


@dataclass(frozen=True)
class Target:
    """A service answering the timed requests: `label` names it when two are measured side by side."""

    label: str
    pid: int
    http: httpx.Client


def timed(
    name: str,
    budget: str,
    repeats: int,
    targets: list[Target],
    send: Callable[[httpx.Client, int], httpx.Response],
) -> list[Timing]:
    """`repeats` requests one after the other to each target, alternating which goes first."""
    for target in targets:
        for i in range(min(20, repeats)):  # connections and caches warm, as in a working day
            send(target.http, -1 - i)
    samples: dict[str, list[float]] = {target.label: [] for target in targets}
    used = {target.label: cpu_seconds(target.pid) for target in targets}
    for i in range(repeats):
        for target in targets if i % 2 else targets[::-1]:
            began = time.perf_counter()
            response = send(target.http, i)
            samples[target.label].append((time.perf_counter() - began) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{name}: {response.status_code} {response.text[:300]}")
    timings = []
    for target in targets:
        cpu_ms = (cpu_seconds(target.pid) - used[target.label]) / repeats * 1000
        label = f"{name} [{target.label}]" if target.label else name
        timings.append(Timing(label, budget, samples[target.label], cpu_ms, os.getloadavg()[0]))
        print(f"  → {timings[-1].describe()}", flush=True)
    return timings


@dataclass(frozen=True)
class Loaded:
    registration: AppServer
    reporting: AppServer
    people: list[Registered]
    staged: list[Registered]  # those with a journey of JOURNEY_FACTS facts
    before: tuple[str, AppServer] | None = None  # (commit, its registration) with --before


def _pid(server: AppServer) -> int:
    if server.pid is None:
        raise SystemExit(f"{server.service} is not running")
    return server.pid


def measure_reads(loaded: Loaded, repeats: int, seed: int) -> list[Timing]:
    people_, staged = loaded.people, loaded.staged
    reporting = _pid(loaded.reporting)
    rng = random.Random(seed)
    officers = {kota: bearer(Role.REGISTRAR, kota=kota) for kota in {p.kota for p in people_}}
    trainers = {kota: bearer(Role.TRAINER, kota=kota) for kota in officers}
    picks = [rng.choice(people_) for _ in range(repeats + 20)]
    # The same ids for every target: a side-by-side measurement compares like with like.
    lists = [[p.participant_id for p in rng.sample(people_, 500)] for _ in range(repeats + 20)]
    servers = [("", loaded.registration)] + (
        [(f"before: {loaded.before[0]}", loaded.before[1])] if loaded.before else []
    )
    clients = [httpx.Client(base_url=server.url, timeout=30) for _, server in servers]
    targets = [
        Target(label, _pid(server), http) for (label, server), http in zip(servers, clients, strict=True)
    ]
    timings = []
    try:

        def lookup(http: httpx.Client, i: int) -> httpx.Response:
            person = picks[i]
            return http.post("/participants/lookup", json={"nik": person.nik}, headers=officers[person.kota])

        timings += timed("lookup by NIK (POST /participants/lookup)", "lookup", repeats, targets, lookup)

        def full_name(http: httpx.Client, i: int) -> httpx.Response:
            person = picks[i]
            found = http.get("/participants", params={"q": person.full_name}, headers=officers[person.kota])
            if found.status_code == 200 and person.participant_id not in found.text:
                raise SystemExit(f"name search did not find {person.participant_id}")  # 50 a page: enough
            return found

        timings += timed(
            "name search, a full name (GET /participants?q=)", "search", repeats, targets, full_name
        )

        def given_name(http: httpx.Client, i: int) -> httpx.Response:
            person = picks[i]
            params: dict[str, str | int] = {"q": person.full_name.split()[0], "limit": 50}
            return http.get("/participants", params=params, headers=officers[person.kota])

        timings += timed("name search, one given name, a page of 50", "search", repeats, targets, given_name)
        everywhere = bearer(Role.REGISTRAR)

        def resolve(http: httpx.Client, i: int) -> httpx.Response:
            found = http.post("/participants/resolve", json={"participant_ids": lists[i]}, headers=everywhere)
            if found.status_code == 200 and len(found.json()["items"]) != 500:
                raise SystemExit("resolve left participants out")
            return found

        timings += timed(
            "resolve of 500 ids (POST /participants/resolve)", "resolve", repeats, targets, resolve
        )
    finally:
        for http in clients:
            http.close()
    staged_picks = [rng.choice(staged) for _ in range(repeats + 20)]
    with httpx.Client(base_url=loaded.reporting.url, timeout=30) as http:

        def journey(http: httpx.Client, i: int) -> httpx.Response:
            person = staged_picks[i]
            found = http.get(f"/participants/{person.participant_id}/journey", headers=trainers[person.kota])
            if found.status_code == 200 and len(found.json()["facts"]) != JOURNEY_FACTS:
                raise SystemExit(f"journey of {person.participant_id} incomplete: {found.text[:300]}")
            return found

        timings += timed(
            f"journey of {JOURNEY_FACTS} facts (GET /participants/{{id}}/journey)",
            "journey",
            repeats,
            [Target("", reporting, http)],
            journey,
        )
    return timings


async def journey_memory(
    redis_url: str, staged: list[Registered], bare: list[Registered]
) -> tuple[float, float]:
    """(bytes a journey of JOURNEY_FACTS facts takes, bytes each fact beyond the first adds), on average."""
    redis = Redis.from_url(redis_url, decode_responses=True)
    try:
        keys = await Keyspaces(KEYSPACE).live(redis)

        async def average(sample: list[Registered]) -> float:
            sizes = [await redis.memory_usage(keys.journey(p.participant_id)) for p in sample[:1000]]
            return sum(s or 0 for s in sizes) / len(sizes)

        full, single = await average(staged), await average(bare)
        return full, (full - single) / (JOURNEY_FACTS - 1)
    finally:
        await redis.aclose()


def write_doc(lines: list[str], args: argparse.Namespace) -> None:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    before = f" --before {args.before}" if args.before else ""
    body = "\n".join(
        [
            "## Officers' reads (issue 13 budgets)",
            "",
            f"Produced by `python -m benchmarks.officers --write{before}` "
            "(not part of `make bench`), measured "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
            f"{os.cpu_count()} cores (client, services, Kafka, Redis and PostgreSQL share them; load average "
            f"at the end {load}), Python {platform.python_version()}. {args.participants:,} participants "
            f"registered on PostgreSQL through the batch import, {args.journeys:,} of them with a journey "
            f"of {JOURNEY_FACTS} facts; "
            f"every figure is over real HTTP, one request at a time, {args.repeats} requests each, by an "
            "officer of the participant's kota (resolve: of the whole province).",
            "",
            *(f"- {line}" for line in lines),
            "",
            "Wall times include waiting for a core: everything shares two, so a p99 moves with the "
            "machine's load (given above). The service CPU a request is each service's own cost: what a "
            "read needs when it has a core to itself."
            + (
                f" `[before: {args.before}]` is registration at that commit, on the same participants "
                "(loaded by it; this tree's registration on a migrated copy of its database), each request "
                "sent to both in turn. The two databases share PostgreSQL's 128 MB of shared buffers, so "
                "side by side a read finds fewer of its pages cached than alone; both are vacuumed and "
                "analysed before the reads (autovacuum never visits a fresh copy: it has no activity "
                "counts); a run without `--before` gives each figure on its own."
                if args.before
                else ""
            ),
            "",
            "Registration fixes that came from this benchmark: a name search reads its words through a "
            "(digest, seq) index (migration 0006; a page of one given name took PostgreSQL 60-170 ms, now "
            "about 2 ms); the audit entries of a request are one statement (a resolve's 500 rows: ~30 ms, "
            "now ~10); a resolve opens one name tag a participant, the masked NIK and the name sealed "
            "together with AES-256-GCM to the row (migration 0007), where it decrypted two Fernet tokens "
            "(the name, and the whole NIK only to mask it: ~1,000 a request at ~18 µs of CPU each, an "
            "AES-GCM opening takes ~2 µs), and sends its ids as one array parameter; a lookup and a "
            "resolve write their audit entries without a transaction around the read (each statement is "
            "atomic by itself): two round trips to PostgreSQL rather than four. Then: a request's token is "
            "verified once (the rate limiter's check is the route's: every request decoded it twice); a "
            "name search and a resolve have PostgreSQL write their audit entries while they decrypt (whom "
            "a page names is known from its rows; a resolve's 500 entries take the database ~10 ms), the "
            "search without BEGIN/COMMIT too; ids travel as one comma-separated text PostgreSQL splits, "
            "not an array psycopg dumps element by element (~0.8 ms of CPU for 500, twice a resolve); and "
            "a resolve's 500 tags are validated for the answer in one call.",
        ]
    )
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    REPORT.write_text(sections.replace(text, "officers", body))


def run(args: argparse.Namespace) -> list[str]:
    stack = Stack()
    stack.start()
    try:
        kafka = KafkaSettings(bootstrap_servers=stack.endpoints.kafka_bootstrap, topic_prefix=PREFIX)
        # Topics as a deployment has them before its services start: a follower that starts while its
        # topics are being created may be told of no partitions yet, and then follows none.
        asyncio.run(ensure_topics(kafka, [kafka.topic(source) for source in TOPIC_EVENTS]))
        url = stack.endpoints.create_database("bench_officers_registration")
        settings = {"REGISTRATION_DATABASE_URL": url, "KAFKA_TOPIC_PREFIX": PREFIX}
        tree = _tree_of(stack, args.before) if args.before else None
        # With --before, the commit's registration loads the participants; else this tree's does.
        loader = stack.service("registration", "registration", {**settings, **_running(tree)})
        reporting = stack.reporting("reporting", KEYSPACE, PREFIX)
        bodies = list(people(args.participants, args.seed))
        began = time.perf_counter()
        registered = asyncio.run(register(loader.url, bodies))
        lines = [
            f"registered {len(registered):,} participants through POST /participants/batch in "
            f"{time.perf_counter() - began:.0f} s"
        ]
        print(f"  → {lines[-1]}", flush=True)
        urls, before = [url], None
        if tree is None:
            registration = loader
        else:
            stack.dismiss(loader)  # a database is copied only while nobody is connected to it
            copy = _copy_database(stack, url, "bench_officers_registration_after")
            began = time.perf_counter()
            _migrate(copy)
            lines.append(
                f"this tree's migrations on a copy of the database at {args.before}: "
                f"{time.perf_counter() - began:.0f} s for {len(registered):,} participants"
            )
            print(f"  → {lines[-1]}", flush=True)
            registration = stack.service(
                "registration", "after", {**settings, "REGISTRATION_DATABASE_URL": copy}
            )
            before = (args.before, stack.service("registration", "before", {**settings, **_running(tree)}))
            urls.append(copy)
        for measured in urls:
            _vacuum(measured)
        staged = random.Random(args.seed).sample(registered, args.journeys)
        sent = asyncio.run(produce_journeys(kafka, staged, args.seed))
        ends = asyncio.run(end_offsets(kafka))
        asyncio.run(wait_applied(stack.endpoints.redis_url, KEYSPACE, ends, 600))
        for followed_url in urls:  # registration follows the stage topics too: measure it idle
            followed(followed_url, ends, 600)
        print(f"  reporting applied {len(registered):,} registrations and {sent:,} stage events", flush=True)
        loaded = Loaded(registration, reporting, registered, staged, before)
        timings = measure_reads(loaded, args.repeats, args.seed)
        lines += [t.describe() for t in timings]
        staged_ids = {p.participant_id for p in staged}
        bare = [p for p in registered if p.participant_id not in staged_ids]
        full, per_fact = asyncio.run(journey_memory(stack.endpoints.redis_url, staged, bare))
        lines.append(
            f"Redis memory of a journey (MEMORY USAGE of its hash): {full:.0f} bytes for {JOURNEY_FACTS} "
            f"facts, {per_fact:.0f} bytes each fact beyond the first"
        )
        print(f"  → {lines[-1]}", flush=True)
        return lines
    finally:
        stack.stop()


def _tree_of(stack: Stack, ref: str) -> Path:
    """The repository's files at commit `ref`, unpacked under the run's temp dir."""
    tree = stack.base / f"tree-{ref}"
    tree.mkdir()
    archive = subprocess.run(["git", "archive", ref], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def _running(tree: Path | None) -> dict[str, str]:
    """The environment that runs a service (and its migrate) from `tree`: PYTHONSAFEPATH keeps the working
    directory (this checkout) off sys.path, so `python -m services.…` imports the tree's code."""
    return {} if tree is None else {"PYTHONPATH": str(tree), "PYTHONSAFEPATH": "1"}


def _copy_database(stack: Stack, url: str, name: str) -> str:
    admin = libpq_url(stack.endpoints.postgres_dsn("postgres"))
    source = sa.engine.make_url(sync_url(url)).database
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(str(source))
            )
        )
    return stack.endpoints.postgres_dsn(name)


def _migrate(url: str) -> None:
    """This tree's `migrate` command, as a release runs it before its instances start."""
    env = {**os.environ, "REGISTRATION_DATABASE_URL": url, "AUTH_ENVIRONMENT": "development"}
    argv = [sys.executable, "-m", "services.registration", "migrate"]
    run_checked(argv, what="registration migrate", env=env, cwd=REPO, timeout=1200)


def _vacuum(url: str) -> None:
    """What autovacuum does soon after a load, done now in every database measured, so no read depends on
    when it ran: a migration that rewrote every row leaves dead row versions and stale statistics, and a
    copied database starts with no activity counts, so autovacuum never visits its freshly loaded tables
    (the name words' index-only scans then read the heap for every match: a full-name search took twice
    as long on the copy as on the database it was copied from)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--participants", type=int, default=100_000)
    parser.add_argument("--journeys", type=int, default=2_000, help="participants given a journey of facts")
    parser.add_argument("--repeats", type=int, default=500, help="timed requests per measurement")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--write", action="store_true", help=f"record the figures in {REPORT.name}")
    parser.add_argument(
        "--before",
        metavar="REF",
        help="also measure registration at this commit, request by request alongside",
    )
    args = parser.parse_args()
    lines = run(args)
    over = [line for line in lines if "OVER BUDGET" in line]
    if args.write:
        write_doc(lines, args)
        print(f"wrote {REPORT}", flush=True)
    if over:
        raise SystemExit(f"{len(over)} budget(s) missed")


if __name__ == "__main__":
    main()
