"""Benchmark of the core pipeline (a script, never a test): `make bench` or `python -m benchmarks`.

Starts its own infrastructure on free ports in a temp dir, with its own topics (KAFKA_TOPIC_PREFIX),
keyspaces and databases, and measures every figure against a ceiling taken in the same run:
  1. reporting apply rate over 1,000,000 mixed events vs raw aiokafka consume and a naive consumer; rebuild;
  2. open-loop write path (POST /participants) on SQLite and PostgreSQL vs a bare FastAPI endpoint, and
     one write on each stage service on PostgreSQL (benchmarks.service_writes);
  3. freshness (summary polling and SSE) at 10/50/90% of the sustainable PostgreSQL write rate;
  4. query latency for a week and five years with the events applied; Redis memory per million events;
  5. scale-out: one vs two reporting instances on 6 partitions.
Prints each figure as it goes and writes docs/benchmarks.md. Budget: under 15 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from importlib.metadata import version
from pathlib import Path

from benchmarks import sections
from benchmarks.consume import end_offsets, naive_rate, raw_consume_rate, summary, used_memory, wait_applied
from benchmarks.events import prefill
from benchmarks.load import Bodies, best_rate, json_bytes, ramp
from benchmarks.probe import freshness as measure_freshness
from benchmarks.probe import query_latency
from benchmarks.service_writes import SERVICES, WRITES, ramp_services
from benchmarks.stack import CpuMeter, Stack
from devstack.kafka_jars import kafka_version
from services.reporting.rebuild import rebuild
from services.reporting.settings import ReportingSettings
from shared.auth.settings import AuthSettings
from shared.kafka.settings import KafkaSettings
from tests.integration.people import participant

REPORT = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"
BUDGET_S = 14 * 60


@dataclass
class Results:
    rows: list[tuple[str, str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, measurement: str, result: str, ceiling: str = "", ratio: str = "") -> None:
        self.rows.append((measurement, result, ceiling, ratio))
        parts = [f"{measurement}: {result}"] + ([f"ceiling {ceiling}", f"ratio {ratio}"] if ceiling else [])
        print("  → " + " | ".join(parts), flush=True)

    def note(self, text: str) -> None:
        self.notes.append(text)
        print(f"  note: {text}", flush=True)


def registrations(seed: int) -> Bodies:
    rng = random.Random(seed)
    return lambda serial: json_bytes(
        participant(rng, serial, date(2023, 1, 1) + timedelta(days=serial % 365))
    )


def pct(value: float) -> str:
    return f"{value:.1%}" if value < 0.1 else f"{value:.0%}"


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.began = time.monotonic()
        self.stack = Stack()
        self.results = Results()
        self.pg_best = 0
        self.big_apply_rate = 0.0
        self.prefill_rate = 0.0

    def elapsed(self) -> float:
        return time.monotonic() - self.began

    def section(self, title: str) -> None:
        print(f"\n[{self.elapsed():5.0f}s] {title}", flush=True)

    # --- 2 + 3: write path and freshness ----------------------------------------------------------

    def write_path(self) -> None:
        args, stack, res = self.args, self.stack, self.results
        rates = [int(r) for r in args.rates.split(",")]
        self.section("2. write path: open-loop POST /participants at rising rates")
        bare = stack.bare()
        with stack.running(bare):
            meter = CpuMeter()
            bare_steps = asyncio.run(ramp(bare.url, rates, args.step_seconds, registrations(1), "bare"))
            bare_cpu = meter.busy()
        bare_best = best_rate(bare_steps)
        common = {"KAFKA_TOPIC_PREFIX": "benchw"}
        for db in ("sqlite", "postgres"):
            url = (
                f"sqlite:///{stack.base}/registration.db"
                if db == "sqlite"
                else stack.endpoints.create_database("bench_registration")
            )
            registration = stack.service(
                "registration", f"registration-{db}", {**common, "REGISTRATION_DATABASE_URL": url}
            )
            meter = CpuMeter()
            steps = asyncio.run(
                ramp(registration.url, rates, args.step_seconds, registrations(2), db, serial_base=10_000_000)
            )
            cpu = meter.busy()
            best = best_rate(steps)
            for step in steps:
                res.add(f"POST /participants, {db}, open loop {step.rate} req/s", step.describe())
            res.add(
                f"write path {db}: highest rate with p99 ≤ 100 ms and no errors",
                f"{best} req/s (CPU busy {cpu:.0%} during the ramp)",
                f"bare FastAPI endpoint {bare_best} req/s (CPU busy {bare_cpu:.0%})",
                pct(best / bare_best) if bare_best else "n/a",
            )
            if db == "postgres":
                self.pg_best = best
                self.freshness(registration.url)
            stack.dismiss(registration)
        self.stage_writes(rates, bare_best, bare_cpu)
        for step in bare_steps:
            res.add(f"bare endpoint, open loop {step.rate} req/s", step.describe())
        if bare_best == max(rates):
            res.note("the bare endpoint sustained the highest offered rate: its ceiling is at least that")

    def stage_writes(self, rates: list[int], bare_best: int, bare_cpu: float) -> None:
        """One write per stage service, PostgreSQL only: SQLite as well would not fit the budget."""
        res = self.results
        self.section("2b. write path: one write on each stage service, PostgreSQL")
        meter = CpuMeter()
        ramps = ramp_services(self.stack, "postgres", list(SERVICES), rates, self.args.step_seconds)
        cpu = meter.busy()
        for service, steps in ramps.items():
            best = best_rate(steps)
            at = next((s for s in steps if s.rate == best), None)
            res.add(
                f"write path {service} postgres ({WRITES[service].label}): highest rate with p99 ≤ 100 ms "
                "and no errors",
                f"{best} req/s" + (f" (p50 {at.p50_ms:.1f} ms, p99 {at.p99_ms:.1f} ms)" if at else ""),
                f"bare FastAPI endpoint {bare_best} req/s (CPU busy {bare_cpu:.0%})",
                pct(best / bare_best) if bare_best else "n/a",
            )
        res.note(f"section 2b (pool registration, catch-up and the five ramps): CPU busy {cpu:.0%}")

    def freshness(self, registration: str) -> None:
        args, stack, res = self.args, self.stack, self.results
        self.section("3. freshness at 10/50/90% of the sustainable PostgreSQL write rate")
        reporting = stack.reporting("reporting-fresh", "benchfresh", "benchw")
        kafka = KafkaSettings(bootstrap_servers=stack.endpoints.kafka_bootstrap, topic_prefix="benchw")
        ends = asyncio.run(end_offsets(kafka))
        asyncio.run(wait_applied(stack.endpoints.redis_url, "benchfresh", ends, 120))
        base_rate = self.pg_best or 50
        for share in (0.1, 0.5, 0.9):
            rate = max(1.0, base_rate * share)
            fresh = asyncio.run(
                measure_freshness(
                    registration,
                    reporting.url,
                    rate,
                    args.probes,
                    registrations(3),
                    20_000_000 + int(share * 1e6),
                )
            )
            res.add(
                f"freshness at {share:.0%} of {base_rate} req/s ({rate:.0f} req/s background), "
                f"{fresh['probes']:.0f} probes",
                f"/metrics/summary p50 {fresh['summary_p50_ms']:.0f} ms, "
                f"p99 {fresh['summary_p99_ms']:.0f} ms; "
                f"SSE summary p50 {fresh['stream_p50_ms']:.0f} ms, p99 {fresh['stream_p99_ms']:.0f} ms"
                + (
                    f" ({fresh['stream_missed']:.0f} not seen on SSE within 5 s)"
                    if fresh["stream_missed"]
                    else ""
                )
                + (
                    f"; {fresh['background_failed']:.0f} background failures"
                    if fresh["background_failed"]
                    else ""
                ),
                "PRODUCT.md §3: 1,000 ms p99",
                pct(max(fresh["summary_p99_ms"], fresh["stream_p99_ms"]) / 1000),
            )
        stack.dismiss(reporting)

    # --- 1 + 4: apply rate, queries, memory, rebuild -----------------------------------------------

    def apply(self) -> None:
        args, stack, res = self.args, self.stack, self.results
        endpoints = stack.endpoints
        n = args.events
        self.section(f"1. reporting apply rate over {n:,} mixed events")
        kafka = KafkaSettings(bootstrap_servers=endpoints.kafka_bootstrap, topic_prefix="bench1m")
        expected, self.prefill_rate = asyncio.run(prefill(kafka, n, seed=4))
        print(f"  produced {expected.describe()} at {self.prefill_rate:,.0f} events/s", flush=True)
        raw = asyncio.run(raw_consume_rate(kafka, n))
        naive_n = min(args.naive, n)
        naive = asyncio.run(naive_rate(kafka, endpoints.redis_url.rsplit("/", 1)[0] + "/1", naive_n))
        memory_before = asyncio.run(used_memory(endpoints.redis_url))
        ends = asyncio.run(end_offsets(kafka))
        meter = CpuMeter()
        began = time.perf_counter()
        reporting = stack.reporting("reporting-1m", "bench1m", "bench1m")
        done = asyncio.run(wait_applied(endpoints.redis_url, "bench1m", ends, args.apply_timeout))
        cpu = meter.busy()
        applied = n / (done - began)
        self.big_apply_rate = applied
        exact = expected.matches(asyncio.run(summary(reporting.url)))
        memory = asyncio.run(used_memory(endpoints.redis_url)) - memory_before
        res.add(
            f"reporting apply, {n:,} mixed events, 3 topics x 3 partitions, fresh service to last offset",
            f"{applied:,.0f} events/s ({done - began:.1f} s incl. start-up; CPU busy {cpu:.0%}); "
            f"figures {'exact' if exact else 'WRONG'}",
            f"raw aiokafka consume {raw:,.0f} events/s",
            pct(applied / raw),
        )
        res.add(
            "reporting apply vs naive consumer",
            f"{applied:,.0f} events/s",
            f"naive decode + one awaited HINCRBY per event ({naive_n:,} events) {naive:,.0f} events/s",
            f"{applied / naive:.1f}x",
        )
        res.add(
            "naive consumer vs raw consume",
            f"{naive:,.0f} events/s",
            f"raw {raw:,.0f} events/s",
            pct(naive / raw),
        )
        res.add(
            "Redis memory (INFO used_memory growth) per million events applied",
            f"{memory / n * 1e6 / 2**20:,.0f} MiB ({memory / 2**20:,.0f} MiB for {n:,})",
        )
        if not exact:
            res.note(f"summary after apply did not match the generated {expected.describe()}")
        self.section("4. query latency with the events applied")
        for (query, span), (p50, p99) in asyncio.run(query_latency(reporting.url, args.repeats)).items():
            res.add(f"GET {query}, {span}, {args.repeats} sequential", f"p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        stack.dismiss(reporting)
        self.section(f"1b. rebuild of all aggregates from the {n:,} events (in-process)")
        # The rebuild signs nobody in, but its settings are a service's: development keeps them complete.
        auth = AuthSettings(environment="development")
        settings = ReportingSettings(
            redis_url=endpoints.redis_url, keyspace="bench1m", kafka=kafka, auth=auth
        )
        meter = CpuMeter()
        rebuilt = asyncio.run(rebuild(settings))
        res.add(
            f"rebuild of {rebuilt.events:,} events into a fresh keyspace",
            f"{rebuilt.seconds:.1f} s ({rebuilt.events / rebuilt.seconds:,.0f} events/s; "
            f"CPU busy {meter.busy():.0%})",
            f"raw aiokafka consume {raw:,.0f} events/s",
            pct(rebuilt.events / rebuilt.seconds / raw),
        )

    # --- 5: scale-out -------------------------------------------------------------------------------

    def scale_out(self) -> None:
        args, stack, res = self.args, self.stack, self.results
        endpoints = stack.endpoints
        n = args.scale_events
        per_event = 2 / max(self.big_apply_rate, 1) + 1 / max(self.prefill_rate, 1)
        fits = int((BUDGET_S - self.elapsed() - 45) / per_event)
        if fits < n:
            n = max(20_000, fits // 10_000 * 10_000)
            res.note(
                f"scale-out reduced from {args.scale_events:,} to {n:,} events to stay within the budget"
            )
        self.section(f"5. scale-out: 1 vs 2 reporting instances, {n:,} events on 6 partitions")
        kafka = KafkaSettings(
            bootstrap_servers=endpoints.kafka_bootstrap, topic_prefix="bench6p", partitions=6
        )
        expected, _ = asyncio.run(prefill(kafka, n, seed=5))
        ends = asyncio.run(end_offsets(kafka))
        rates: dict[int, float] = {}
        for instances in (1, 2):
            keyspace = f"bench6p-{instances}"
            meter = CpuMeter()
            began = time.perf_counter()
            servers = [
                stack.reporting(f"reporting-6p-{instances}-{i}", keyspace, "bench6p", wait=False)
                for i in range(instances)
            ]
            for server in servers:
                server.wait_ready(90)
            done = asyncio.run(wait_applied(endpoints.redis_url, keyspace, ends, args.apply_timeout))
            cpu = meter.busy()
            rates[instances] = n / (done - began)
            exact = all(expected.matches(asyncio.run(summary(s.url))) for s in servers)
            res.add(
                f"scale-out: {instances} reporting instance(s), same group, {n:,} events, 6 partitions",
                f"{rates[instances]:,.0f} events/s ({done - began:.1f} s; CPU busy {cpu:.0%}); "
                f"figures {'exact on every instance' if exact else 'WRONG'}",
                "1 instance" if instances == 2 else "",
                f"{rates[2] / rates[1]:.2f}x" if instances == 2 else "",
            )
            for server in servers:
                stack.dismiss(server)

    def execute(self) -> None:
        self.stack.start()
        try:
            self.write_path()
            self.apply()
            self.scale_out()
        finally:
            self.stack.stop()
        total = self.elapsed()
        self.results.note(f"whole run took {total / 60:.1f} min")
        write_report(self.args, self.results)
        print(f"\nwrote {REPORT}", flush=True)


def write_report(args: argparse.Namespace, results: Results) -> None:
    load = ", ".join(f"{v:.1f}" for v in os.getloadavg())
    header = (
        "# Benchmarks\n\n"
        "Produced by `python -m benchmarks` (`make bench`) on its own infrastructure (free ports, temp dir, "
        "own topics, keyspaces and databases); see docs/performance-notes.md for how to read it. Every "
        "figure is compared with a ceiling measured in the same run.\n\n"
        f"Machine: {platform.machine()}, {os.cpu_count()} cores (load generator, services, Kafka, Redis and "
        f"PostgreSQL all share them; load average at the end {load}); {platform.system()} "
        f"{platform.release()}.\n"
        f"Versions: Python {platform.python_version()}, Kafka {kafka_version()}, "
        f"aiokafka {version('aiokafka')}, "
        f"redis-py {version('redis')}, FastAPI {version('fastapi')}, uvicorn {version('uvicorn')}.\n"
        f"Settings: {args.events:,} mixed events (naive consumer on {min(args.naive, args.events):,}); "
        f"open-loop steps {args.rates} req/s x {args.step_seconds:g} s (stop at p99 > 100 ms or errors); "
        f"{args.probes} freshness probes per load level; {args.repeats} repetitions per query; scale-out on "
        f"{args.scale_events:,} events. Services log at WARNING.\n"
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.\n\n"
        "| measurement | result | ceiling (same run) | ratio |\n|---|---|---|---|\n"
    )
    body = "\n".join(f"| {m} | {r} | {c} | {q} |" for m, r, c, q in results.rows)
    notes = "".join(f"- {n}\n" for n in results.notes)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    others = sections.kept(REPORT.read_text()) if REPORT.exists() else ""
    REPORT.write_text(header + body + "\n" + (f"\nNotes:\n\n{notes}" if notes else "") + others)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--naive", type=int, default=100_000)
    parser.add_argument("--scale-events", type=int, default=300_000)
    parser.add_argument("--rates", default="50,100,200,300,400,800,1600,2400")
    parser.add_argument("--step-seconds", type=float, default=5.0)
    parser.add_argument("--probes", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--apply-timeout", type=float, default=420.0)
    Run(parser.parse_args()).execute()


if __name__ == "__main__":
    main()
