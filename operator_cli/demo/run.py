"""One demo run: check the services, note reporting's figures, send the plan, wait for reporting to agree."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from operator_cli.demo.api import Api, Tally, connect
from operator_cli.demo.executor import Executor, Outcome, shared_writes, writes
from operator_cli.demo.plan import Figures, Plan
from shared.contracts.topics import REGISTRATION, REPORTING

POLL_S = 0.25


class DemoError(Exception):
    """The demo cannot start: a readable reason for the operator."""


@dataclass(frozen=True)
class Settings:
    plan: Plan
    urls: Mapping[str, str]  # every service the run talks to, reporting included
    services: tuple[str, ...]  # stage services to fill, besides registration
    concurrency: int
    headers: Mapping[str, str]  # the bearer token every request carries
    wait_s: float  # how long to wait for reporting to show the figures; 0: do not wait


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    tally: Tally
    seconds: float  # from the first write to the last
    added: Figures  # what this run's new participants add to the period's figures
    baseline: Figures | None  # reporting before the run; None when reporting could not be read
    shown: Figures | None  # reporting after the wait
    settled_s: float | None  # seconds after the last write until reporting showed baseline + added

    @property
    def expected(self) -> Figures | None:
        return None if self.baseline is None else self.baseline + self.added

    @property
    def events_per_s(self) -> float:
        return self.tally.events / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        return not self.tally.failures and (self.expected is None or self.shown == self.expected)


async def run(settings: Settings, console: Console) -> Result:
    needed = (REGISTRATION, *settings.services)
    async with connect(settings.urls, settings.headers, settings.concurrency) as api:
        await check_alive(api, needed)
        baseline = await summary(api, settings.plan)
        if baseline is None:
            console.print("[yellow]reporting did not answer: the figures will not be checked[/]")
        outcome, seconds = await _send(api, settings, console)
        added = Figures.of(outcome.new, settings.services)
        shown, settled_s = None, None
        if baseline is not None and settings.wait_s > 0:
            shown, settled_s = await wait_for(api, settings.plan, baseline + added, settings.wait_s)
        return Result(outcome, api.tally, seconds, added, baseline, shown, settled_s)


async def check_alive(api: Api, services: Collection[str]) -> None:
    for service in services:
        url = api.clients[service].base_url
        try:
            alive = (await api.clients[service].get("/healthz")).status_code == 200
        except httpx.TransportError:
            alive = False
        if not alive:
            where = (
                f"{service} does not answer at {url}: start the stack (`make up`) or point --services at it"
            )
            if service == REGISTRATION:
                raise DemoError(where)
            others = ",".join(s for s in services if s not in (service, REGISTRATION))
            raise DemoError(f"{where}, or leave it out with --stages {others or 'none'}")


async def summary(api: Api, plan: Plan) -> Figures | None:
    period = {"from": plan.period.start.isoformat(), "to": plan.period.end.isoformat()}
    try:
        reply = await api.get(REPORTING, "/metrics/summary", period)
    except httpx.TransportError:
        return None
    return Figures.of_summary(reply.body) if reply.status == 200 else None


async def _send(api: Api, settings: Settings, console: Console) -> tuple[Outcome, float]:
    plan, services = settings.plan, settings.services
    total = len(plan.journeys) + shared_writes(plan.journeys, services)
    total += sum(writes(j, services) for j in plan.journeys)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[events]:,} events"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("writing", total=total, events=0)

        def skipped(count: int) -> None:
            nonlocal total
            total -= count
            progress.update(task, total=total)

        api.on_write = lambda: progress.update(task, advance=1, events=api.tally.events)
        started = time.monotonic()
        outcome = await Executor(api, plan, services, skipped).run(settings.concurrency)
        seconds = time.monotonic() - started
        # Writes that depended on a refused one were never sent: the bar ends full either way.
        progress.update(task, completed=total, events=api.tally.events)
    return outcome, seconds


async def wait_for(
    api: Api, plan: Plan, expected: Figures, timeout_s: float
) -> tuple[Figures | None, float | None]:
    """Reporting's figures once they equal `expected`, and how long that took; the last seen on timeout."""
    started = time.monotonic()
    while True:
        shown = await summary(api, plan)
        elapsed = time.monotonic() - started
        if shown == expected:
            return shown, elapsed
        if elapsed >= timeout_s:
            return shown, None
        await asyncio.sleep(POLL_S)
