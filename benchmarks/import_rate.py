"""Legacy import rate (a script, never a test): `python -m benchmarks.import_rate [--rows 100000]`.

Writes N valid synthetic OK OCE rows (legacy headers, day-first dates; the people of
tests/integration/people.py) to a CSV file, starts a registration service on a fresh PostgreSQL database
and imports the file with the code of `jakpreneur import participants`, as an operator would. Then:
  - checks the figures are exact (N created) and waits until the outbox has published every event;
  - imports the same file again (every row a duplicate: what re-running an interrupted import costs);
  - measures a ceiling: the same rows and as many outbox rows bulk-inserted straight into an empty
    registration database with SQLAlchemy Core, no HTTP, no validation.
Prints every figure; `--write` also puts them in docs/legacy-import.md (between its import-rate markers).

Starts its own Kafka, Redis and PostgreSQL on free ports in a temp dir, unless --kafka and --postgres name
running servers. `measure(stack, ...)` is what `python -m benchmarks` can call with its own stack.
"""

from __future__ import annotations

import argparse
import csv
import itertools
import os
import platform
import random
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from rich.console import Console

from benchmarks.stack import CpuMeter, Stack
from devstack import Endpoints
from operator_cli.importer import Outcome, Settings, import_file
from services.registration.adapters.tables import metadata, outbox, participants
from services.registration.domain.batch import MAX_ROWS, OnDuplicate
from services.registration.settings import RegistrationSettings
from shared.auth.settings import AuthSettings
from shared.db.engine import sync_url
from tests.integration.people import participant
from tests.tokens import ADMIN

DOC = Path(__file__).resolve().parents[1] / "docs" / "legacy-import.md"
BEGIN, END = "<!-- import-rate:begin -->", "<!-- import-rate:end -->"
HEADER = [
    "NIK",
    "Nama Lengkap",
    "Jenis Kelamin",
    "Tanggal Lahir",
    "No HP",
    "Kode Kota",
    "Kode Kecamatan",
    "Kode Kelurahan",
    "Nama Usaha",
    "Sektor",
    "Instansi",
    "Tanggal Daftar",
]


@dataclass(frozen=True)
class Figures:
    rows: int
    database: str
    batch_size: int
    concurrency: int
    imported: Outcome
    cpu_busy: float
    published_s: float  # from the start of the import until the outbox held nothing unpublished
    again: Outcome
    ceiling_rows_per_s: float

    @property
    def rate(self) -> float:
        return self.imported.run_rows / self.imported.seconds

    def row(self) -> tuple[str, str, str, str]:
        """One line of docs/benchmarks.md: measurement, result, ceiling, ratio."""
        return (
            f"legacy import of {self.rows:,} rows (CSV → POST /participants/batch, {self.database})",
            f"{self.rate:,.0f} rows/s ({self.imported.seconds:.1f} s; events published after "
            f"{self.published_s:.1f} s)",
            f"bulk insert straight into the database {self.ceiling_rows_per_s:,.0f} rows/s",
            f"{self.rate / self.ceiling_rows_per_s:.0%}",
        )

    def describe(self) -> list[str]:
        created = self.imported.whole.statuses["created"]
        skipped = self.again.whole.statuses["skipped"]
        return [
            f"import of {self.rows:,} rows into registration on {self.database} "
            f"(batches of {self.batch_size}, {self.concurrency} in flight): "
            f"{self.imported.seconds:.1f} s, {self.rate:,.0f} rows/s, "
            f"{created:,} created (CPU busy {self.cpu_busy:.0%}, whole machine)",
            f"every ParticipantRegistered published by the outbox {self.published_s:.1f} s after the start",
            f"the same file again (all {skipped:,} rows duplicates, skipped): {self.again.seconds:.1f} s, "
            f"{self.again.run_rows / self.again.seconds:,.0f} rows/s",
            f"ceiling: the same rows and outbox rows bulk-inserted straight into the database: "
            f"{self.ceiling_rows_per_s:,.0f} rows/s; the import reaches "
            f"{self.rate / self.ceiling_rows_per_s:.0%} of it",
        ]


class ExternalStack(Stack):
    """Servers somebody else runs (e.g. the test infrastructure); only the service is started here."""

    def __init__(self, endpoints: Endpoints) -> None:
        super().__init__()
        self._external = endpoints

    @property
    def endpoints(self) -> Endpoints:
        return self._external

    def start(self) -> None:
        print(f"using Kafka at {self._external.kafka_bootstrap}; work dir {self.base}", flush=True)

    def stop(self) -> None:
        for server in list(self._servers):
            self.dismiss(server)


def write_rows(path: Path, count: int, seed: int = 11) -> None:
    """Valid, distinct participants registered between 2018 and 2024, as an OK OCE export holds them."""
    rng = random.Random(seed)
    seen: set[str] = set()
    serial = 0
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        while len(seen) < count:
            serial += 1
            body = participant(rng, serial, date(2018, 1, 1) + timedelta(days=serial % 2500))
            if body["nik"] in seen:  # people.py draws NIKs at random: rare repeats are left out
                continue
            seen.add(body["nik"])
            business = body.get("business") or {}
            writer.writerow(
                [
                    body["nik"],
                    body["full_name"],
                    {"M": "L", "F": "P"}[body["gender"]],
                    date.fromisoformat(body["birth_date"]).strftime("%d/%m/%Y"),
                    body["phone"],
                    *body["domicile"].values(),
                    business.get("name", ""),
                    business.get("sector", ""),
                    body["agency"],
                    date.fromisoformat(body["registered_on"]).strftime("%d/%m/%Y"),
                ]
            )


def database_url(stack: Stack, database: str, purpose: str) -> str:
    name = f"bench_{purpose}_{uuid.uuid4().hex[:8]}"  # a server given with --postgres may be reused
    if database == "sqlite":
        return f"sqlite:///{stack.base / f'{name}.db'}"
    return stack.endpoints.create_database(name)


def unpublished(url: str) -> int:
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.connect() as conn:
            query = sa.select(sa.func.count()).select_from(outbox).where(outbox.c.published_at.is_(None))
            return int(conn.execute(query).scalar_one())
    finally:
        engine.dispose()


def ceiling(url: str, source: Path, batch_size: int) -> float:
    """Rows/s of bulk inserts of the file's rows (and one outbox row each) into an empty database.

    The personal data is digested and encrypted as the service stores it: that cost belongs to the ceiling.
    """
    keys = RegistrationSettings(auth=AuthSettings(environment="development")).personal_data
    engine = sa.create_engine(sync_url(url))
    metadata.create_all(engine)
    payload = "x" * 700  # about the size of an encoded ParticipantRegistered envelope
    try:
        with source.open(newline="", encoding="utf-8") as file:
            reader = csv.reader(file)
            next(reader)
            began = time.perf_counter()
            count = 0
            while chunk := list(itertools.islice(reader, batch_size)):
                now = datetime.now(UTC)
                people, events = [], []
                for nik, name, gender, born, phone, kota, kec, kel, business, sector, agency, on in chunk:
                    pid = str(uuid.uuid4())
                    people.append(
                        {
                            "participant_id": pid,
                            "nik_hmac": keys.digest(nik),
                            "nik_encrypted": keys.encrypt(nik),
                            "full_name_encrypted": keys.encrypt(name),
                            "gender": "M" if gender == "L" else "F",
                            "birth_date": datetime.strptime(born, "%d/%m/%Y").date(),
                            "phone_encrypted": keys.encrypt(phone) if phone else None,
                            "email_encrypted": None,
                            "disability": False,
                            "kota_code": kota,
                            "kecamatan_code": kec,
                            "kelurahan_code": kel,
                            "business_name": business or None,
                            "sector": sector or None,
                            "agency": agency,
                            "registered_on": datetime.strptime(on, "%d/%m/%Y").date(),
                            "created_at": now,
                        }
                    )
                    events.append(
                        {
                            "event_id": str(uuid.uuid4()),
                            "topic": "ceiling.registration",
                            "key": pid,
                            "event_type": "ParticipantRegistered",
                            "payload": payload,
                            "created_at": now,
                        }
                    )
                with engine.begin() as conn:
                    conn.execute(participants.insert(), people)
                    conn.execute(outbox.insert(), events)
                count += len(chunk)
            return count / (time.perf_counter() - began)
    finally:
        engine.dispose()


def measure(
    stack: Stack, rows: int, *, batch_size: int = MAX_ROWS, concurrency: int = 4, database: str = "postgres"
) -> Figures:
    source = stack.base / "okoce-legacy.csv"
    began = time.perf_counter()
    write_rows(source, rows)
    print(
        f"  wrote {rows:,} rows ({source.stat().st_size / 2**20:.1f} MiB) "
        f"in {time.perf_counter() - began:.1f} s"
    )
    url = database_url(stack, database, "import")
    registration = stack.service(
        "registration",
        "registration-import",
        {"REGISTRATION_DATABASE_URL": url, "KAFKA_TOPIC_PREFIX": "benchimport"},
    )
    console = Console()
    with stack.running(registration):
        settings = Settings(registration.url, OnDuplicate.SKIP, False, batch_size, concurrency, ADMIN, 120.0)
        meter = CpuMeter()
        began = time.perf_counter()
        imported = import_file(source, settings, stack.base / "errors.csv", restart=True, console=console)
        cpu = meter.busy()
        if imported.whole.statuses["created"] != rows:
            raise SystemExit(f"expected {rows:,} created, got {imported.summary()}")
        while unpublished(url):
            time.sleep(0.2)
        published_s = time.perf_counter() - began
        again = import_file(source, settings, stack.base / "errors.csv", restart=True, console=console)
    top = ceiling(database_url(stack, database, "ceiling"), source, batch_size)
    return Figures(rows, database, batch_size, concurrency, imported, cpu, published_s, again, top)


def write_doc(figures: Figures) -> None:
    """Replace the figures between the markers; the prose around them is left as it is."""
    text = DOC.read_text()
    if BEGIN not in text or END not in text:
        raise SystemExit(f"{DOC} has no {BEGIN} … {END} section to write into")
    body = "\n".join(
        [
            BEGIN,
            f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
            f"`python -m benchmarks.import_rate` on {platform.machine()}, {os.cpu_count()} cores (CLI, "
            f"service, Kafka and PostgreSQL share them; load average at the end "
            f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}), Python {platform.python_version()}:",
            "",
            *(f"- {line}" for line in figures.describe()),
            END,
        ]
    )
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    DOC.write_text(text[:start] + body + text[stop:])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=MAX_ROWS)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--kafka", help="bootstrap of a running Kafka (with --postgres): start none")
    parser.add_argument("--postgres", help="SQLAlchemy URL of a running PostgreSQL server")
    parser.add_argument("--write", action="store_true", help=f"record the figures in {DOC.name}")
    args = parser.parse_args()
    if bool(args.kafka) != bool(args.postgres):
        parser.error("--kafka and --postgres go together")
    stack = ExternalStack(Endpoints(args.kafka, "", args.postgres)) if args.kafka else Stack()
    stack.start()
    try:
        figures = measure(
            stack, args.rows, batch_size=args.batch_size, concurrency=args.concurrency, database=args.database
        )
    finally:
        stack.stop()
    for line in figures.describe():
        print(f"  → {line}", flush=True)
    if args.write:
        write_doc(figures)
        print(f"wrote {DOC}", flush=True)


if __name__ == "__main__":
    main()
