"""Section 2 of `make bench` alone: open-loop POST /participants and each stage service's write.

    python -m benchmarks.write_path --db postgres [--rates 100,200,400] [--bare] [--profile DIR]
        [--services participants|all|training,mentoring,marketing,permits,finance]

Same infrastructure, settings and ramp as the write path of benchmarks.pipeline (own infrastructure on
free ports, open-loop steps until p99 > 100 ms or errors), in about a minute per database, so a change
to the write path can be measured without the whole run. Besides latency it prints the CPU time per
request of the service process and of the whole machine: on this shared 2-core machine, CPU per request
varies far less from run to run than the highest sustained rate. `--profile DIR` records the service
with py-spy (`pip install py-spy`) during the ramp: DIR/<db>.folded (folded stacks, for flame-graph
tools) and DIR/<db>.txt (functions by own and total share of the samples). `--services` adds one write
per stage service (benchmarks.service_writes; `all` = participants and the five), each ramped the same
way, with a row "write path <service> <db>" (and its ratio to the bare endpoint with --bare). Does not
write docs/.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from benchmarks.load import Step, best_rate, ramp
from benchmarks.pipeline import registrations
from benchmarks.service_writes import SERVICES, ramp_services
from benchmarks.stack import CpuMeter, Stack


def _highest(steps: list[Step], p99_ms: float) -> int:
    return max((s.rate for s in steps if s.errors == 0 and s.p99_ms <= p99_ms), default=0)


def process_cpu_s(pid: int | None) -> float:
    """User + system CPU seconds a process (all its threads) has used so far; 0 if unknown."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _row(steps: list[Step], bare_best: int) -> str:
    best = best_rate(steps)
    at = next((s for s in steps if s.rate == best), None)
    latency = f" (p50 {at.p50_ms:.1f} ms, p99 {at.p99_ms:.1f} ms)" if at else ""
    ratio = f", {best / bare_best:.0%} of the bare endpoint's {bare_best} req/s" if bare_best else ""
    return f"highest rate with p99 ≤ 100 ms {best} req/s{latency}{ratio}"


def _summary(label: str, steps: list[Step], cpu: float, wall_s: float, service_cpu_s: float) -> None:
    sent = sum(s.sent for s in steps) or 1
    machine_ms = cpu * (os.cpu_count() or 1) * wall_s / sent * 1000
    print(
        f"  {label}: highest rate with p99 ≤ 100 ms {best_rate(steps)} req/s, "
        f"with p99 ≤ 50 ms {_highest(steps, 50.0)} req/s (CPU busy {cpu:.0%}); CPU per request: "
        f"service {service_cpu_s / sent * 1000:.2f} ms, whole machine {machine_ms:.2f} ms",
        flush=True,
    )


class Profiler:
    """py-spy recording one process: folded stacks and its top functions by own and total time."""

    def __init__(self, pid: int | None, out: Path | None, name: str) -> None:
        self._pid, self._out, self._name = pid, out, name
        self._procs: list[subprocess.Popen[bytes]] = []

    def __enter__(self) -> Profiler:
        spy = shutil.which("py-spy")
        if self._out is None or self._pid is None:
            return self
        if spy is None:
            raise SystemExit("--profile needs py-spy: pip install py-spy")
        self._out.mkdir(parents=True, exist_ok=True)
        argv = [spy, "record", "--pid", str(self._pid), "--rate", "250", "--nonblocking", "--format", "raw"]
        argv += ["--output", str(self._out / f"{self._name}.folded")]
        self._procs.append(subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self._procs:
            proc.send_signal(signal.SIGINT)  # py-spy writes its output on SIGINT
        for proc in self._procs:
            proc.wait(30)
        if self._out is not None and self._procs:
            folded = self._out / f"{self._name}.folded"
            (self._out / f"{self._name}.txt").write_text(top_functions(folded))
            print(f"  profile: {self._out / self._name}.folded, .txt", flush=True)


def top_functions(folded: Path, limit: int = 60) -> str:
    """Own and total sample shares per function from py-spy's folded stacks."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    samples = 0
    for line in folded.read_text().splitlines():
        stack, _, count_text = line.rpartition(" ")
        count = int(count_text)
        samples += count
        frames = stack.split(";")
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            total[frame] = total.get(frame, 0) + count
    lines = [f"{samples} samples", "", "own time:"]
    lines += [f"{n / samples:6.1%}  {f}" for f, n in sorted(own.items(), key=lambda kv: -kv[1])[:limit]]
    lines += ["", "total time:"]
    lines += [f"{n / samples:6.1%}  {f}" for f, n in sorted(total.items(), key=lambda kv: -kv[1])[:limit]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--rates", default="50,100,200,300,400,800,1600,2400")
    parser.add_argument("--step-seconds", type=float, default=5.0)
    parser.add_argument("--bare", action="store_true", help="also ramp the bare FastAPI endpoint")
    parser.add_argument("--profile", type=Path, help="record the service with py-spy into this directory")
    parser.add_argument(
        "--services",
        default="participants",
        help=f"comma-separated: participants, {', '.join(SERVICES)}; or all (default: participants)",
    )
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    chosen = ["participants", *SERVICES] if args.services == "all" else args.services.split(",")
    if unknown := set(chosen) - {"participants", *SERVICES}:
        parser.error(f"unknown services: {', '.join(sorted(unknown))}")
    stack = Stack()
    stack.start()
    bare_best = 0
    try:
        if args.bare:
            with stack.running(stack.bare()) as bare:
                meter, began, spent = CpuMeter(), time.monotonic(), process_cpu_s(bare.pid)
                steps = asyncio.run(ramp(bare.url, rates, args.step_seconds, registrations(1), "bare"))
                wall = time.monotonic() - began
                _summary("bare", steps, meter.busy(), wall, process_cpu_s(bare.pid) - spent)
                bare_best = best_rate(steps)
        for db in ("sqlite", "postgres") if args.db == "both" else (args.db,):
            if "participants" in chosen:
                _participants(stack, db, args, rates)
            if stage := [s for s in chosen if s != "participants"]:
                for name, steps in ramp_services(stack, db, stage, rates, args.step_seconds).items():
                    print(f"  write path {name} {db}: {_row(steps, bare_best)}", flush=True)
    finally:
        stack.stop()


def _participants(stack: Stack, db: str, args: argparse.Namespace, rates: list[int]) -> None:
    url = (
        f"sqlite:///{stack.base}/registration.db"
        if db == "sqlite"
        else stack.endpoints.create_database("bench_registration")
    )
    env = {"KAFKA_TOPIC_PREFIX": "benchw", "REGISTRATION_DATABASE_URL": url}
    with stack.running(stack.service("registration", f"registration-{db}", env)) as service:
        meter, began, spent = CpuMeter(), time.monotonic(), process_cpu_s(service.pid)
        with Profiler(service.pid, args.profile, db):
            steps = asyncio.run(ramp(service.url, rates, args.step_seconds, registrations(2), db, 10_000_000))
        wall = time.monotonic() - began
        _summary(db, steps, meter.busy(), wall, process_cpu_s(service.pid) - spent)


if __name__ == "__main__":
    main()
