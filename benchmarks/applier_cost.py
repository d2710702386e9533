"""The live applier's in-process cost, this tree against another commit's, side by side in one run.

`python -m benchmarks.applier_cost --before REF [--events 200000] [--moves 0.05] [--rounds 3]` builds one
set of events with the real contracts (benchmarks.events' mix: registrations with their trainings,
vocational completions, placements and permits), plus a ParticipantUpdated for a share of the participants
(`--moves`), each sent after that participant's stage facts and moving them to another kota, as the demo's
registrars do. Each event is encoded as the relay sends it (with its `fact-version` header).

Then, round after round, this tree and the tree at REF (`git archive`) each apply the same batches in a
process of their own (their own code decodes, outside the timing, as the consumer's worker process does)
through `store.applier.Applier` to a fresh keyspace of one Redis (devstack), alternating, so the noise of
this shared machine falls on both alike. The figure is the time inside `Applier.apply` per event: the
projection, the Redis reads under WATCH and the one MULTI/EXEC per batch. Not part of `make bench` nor the
tests. REF must read the events this tree writes (a commit with ParticipantProfile.revision).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import pickle
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any
from uuid import UUID

from redis.asyncio import Redis

# A worker runs this file with PYTHONPATH at the tree it measures: these are that tree's.
from benchmarks.events import Expected, mixed_events
from devstack.ports import free_ports
from devstack.redis_server import RedisServer
from services.reporting.projection.batch import Partition
from services.reporting.records import decode_batch
from services.reporting.store.applier import Applier
from services.reporting.store.keyspace import Keyspaces
from shared.contracts.codec import encode, wrap
from shared.contracts.events import ParticipantUpdated
from shared.contracts.profile import ParticipantProfile
from shared.regions import jakarta

ROOT = Path(__file__).resolve().parents[1]
Records = list[tuple[str, bytes, int]]  # (topic, encoded event, its fact version), in the order sent


def build(events: int, moves: float, seed: int) -> Records:
    rng = random.Random(seed)
    kota = jakarta().kota
    sent: list[tuple[str, UUID, date, Any]] = list(mixed_events(events, seed, Expected()))
    profiles: dict[UUID, ParticipantProfile] = {}
    last: dict[UUID, int] = {}
    for i, (_, pid, _, payload) in enumerate(sent):
        profiles.setdefault(pid, payload.profile)
        last[pid] = i
    moved = rng.sample(sorted(profiles), int(len(profiles) * moves))
    updates: list[tuple[int, tuple[str, UUID, date, Any]]] = []
    for pid in moved:
        old = profiles[pid]
        to = rng.choice([k for k in kota if k.code != old.kota_code])
        kecamatan = rng.choice(to.kecamatan)
        new = old.model_copy(
            update={
                "kota_code": to.code,
                "kecamatan_code": kecamatan.code,
                "kelurahan_code": rng.choice(kecamatan.kelurahan).code,
                "revision": old.revision + 1,
            }
        )
        at = rng.randrange(last[pid] + 1, len(sent) + 1)  # after the participant's stage facts
        update = ParticipantUpdated(participant_id=pid, profile=new)
        updates.append((at, ("registration", pid, old.registered_on, update)))
    for at, item in sorted(updates, key=lambda u: u[0], reverse=True):
        sent.insert(at, item)
    records: Records = []
    for version, (source, pid, on, payload) in enumerate(sent, start=1):
        envelope = wrap(payload, key=str(pid), occurred_on=on, producer="bench", correlation_id=None)
        records.append((source, encode(envelope), version))
    return records


async def _apply(records: Records, redis_url: str, keyspace: str, batch: int) -> dict[str, float]:
    redis = Redis.from_url(redis_url, decode_responses=True)
    await redis.flushdb()  # the memory figure is this run's keyspace alone
    applier = Applier(redis, Keyspaces(keyspace))
    offsets: dict[str, int] = {}
    batches = []
    for start in range(0, len(records), batch):
        raw: dict[Partition, list[tuple[int, bytes | None, bytes | None]]] = {}
        for topic, value, version in records[start : start + batch]:
            offset = offsets[topic] = offsets.get(topic, -1) + 1
            raw.setdefault(Partition(topic, 0), []).append((offset, value, str(version).encode()))
        batches.append(decode_batch(list(raw.items())).records)  # outside the timing, as in the consumer
    spent = cpu = 0.0
    try:
        redis_cpu = await _redis_cpu(redis)
        for decoded in batches:
            began, began_cpu = time.perf_counter(), time.process_time()
            await applier.apply(decoded)
            spent += time.perf_counter() - began
            cpu += time.process_time() - began_cpu
        redis_cpu = await _redis_cpu(redis) - redis_cpu
        memory = (await redis.info("memory"))["used_memory"]
    finally:
        await redis.aclose()
    return {
        "seconds": spent,
        "cpu": cpu,
        "redis_cpu": redis_cpu,
        "events": len(records),
        "used_memory": memory,
    }


async def _redis_cpu(redis: Redis) -> float:
    """CPU seconds the Redis server spent so far (it serves this worker alone): less noisy than wall time
    on a shared machine."""
    info = await redis.info("cpu")
    return float(info["used_cpu_user"]) + float(info["used_cpu_sys"])


def worker(args: argparse.Namespace) -> None:
    records: Records = pickle.loads(Path(args.records).read_bytes())
    result = asyncio.run(_apply(records, args.redis, args.keyspace, args.batch))
    print(json.dumps(result))


def _tree_at(ref: str, into: Path) -> Path:
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive.stdout, check=True)
    return into


def _run(tree: Path, records: Path, redis_url: str, keyspace: str, batch: int) -> dict[str, float]:
    argv = [sys.executable, str(Path(__file__).resolve()), "--worker", "--records", str(records)]
    argv += ["--redis", redis_url, "--keyspace", keyspace, "--batch", str(batch)]
    env = {**os.environ, "PYTHONPATH": str(tree)}
    done = subprocess.run(argv, cwd=tree, env=env, check=False, capture_output=True)
    if done.returncode != 0:
        raise RuntimeError(f"the worker at {tree} failed: {done.stderr.decode()[-3000:]}")
    result: dict[str, float] = json.loads(done.stdout.decode().strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", help="the commit to compare with (its tree, by git archive)")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--moves", type=float, default=0.05, help="share of participants moved by an edit")
    parser.add_argument("--batch", type=int, default=5_000, help="records per applied batch")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--records", help=argparse.SUPPRESS)
    parser.add_argument("--redis", help=argparse.SUPPRESS)
    parser.add_argument("--keyspace", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args)
        return

    with tempfile.TemporaryDirectory(prefix="applier-cost-") as tmp:
        records = build(args.events, args.moves, args.seed)
        moved = sum(b'"event_type":"ParticipantUpdated"' in value for _, value, _ in records)
        print(
            f"{len(records):,} events ({moved:,} ParticipantUpdated moving a participant), "
            f"batches of {args.batch:,}"
        )
        path = Path(tmp) / "records.pickle"
        path.write_bytes(pickle.dumps(records))
        trees = {"this tree": ROOT}
        if args.before:
            trees[f"before ({args.before})"] = _tree_at(args.before, Path(tmp) / "before")
        (port,) = free_ports(1)
        server = RedisServer(port, Path(tmp) / "redis")
        server.start(timeout=30)
        results: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
        try:
            for round_ in range(args.rounds):
                order = list(trees.items()) if round_ % 2 == 0 else list(reversed(trees.items()))
                for name, tree in order:
                    keyspace = f"bench{round_}-{len(results[name])}-{abs(hash(name)) % 1000}"
                    result = _run(tree, path, server.url, keyspace, args.batch)
                    results[name].append(result)
                    rate = result["events"] / result["seconds"]
                    print(
                        f"  round {round_ + 1} {name}: {result['seconds']:.2f}s in apply "
                        f"({rate:,.0f} events/s), "
                        f"CPU {result['cpu']:.2f}s here + {result['redis_cpu']:.2f}s in Redis, "
                        f"Redis {result['used_memory'] / 2**20:.0f} MiB"
                    )
        finally:
            server.stop()
        for name, runs in results.items():
            events = runs[0]["events"]
            seconds, cpu, redis_cpu = (
                statistics.median(r[k] for r in runs) for k in ("seconds", "cpu", "redis_cpu")
            )
            print(
                f"{name}: median {seconds / events * 1e6:.1f} µs an event in apply "
                f"({events / seconds:,.0f}/s); "
                f"CPU {cpu / events * 1e6:.1f} µs here + {redis_cpu / events * 1e6:.1f} µs in Redis an event"
            )


if __name__ == "__main__":
    main()
