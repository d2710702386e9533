"""One demo run: check the services, note reporting's figures, send the plan, wait for reporting to agree.

Reporting must agree on the period's summary and on `registered` by kota and by kecamatan, where every
participant counts where they live after the registrars' edits.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from operator_cli.demo.api import Api, Tally, connect
from operator_cli.demo.executor import Executor, Outcome, shared_writes, writes
from operator_cli.demo.plan import HOME_DIMENSIONS, Figures, Homes, Plan, add_homes, homes
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
class Reading:
    """What reporting shows for the period: the summary, and `registered` by kota and kecamatan."""

    figures: Figures
    homes: Homes

    def __add__(self, added: Reading) -> Reading:
        return Reading(self.figures + added.figures, add_homes(self.homes, added.homes))


@dataclass(frozen=True)
class Result:
    outcome: Outcome
    tally: Tally
    seconds: float  # from the first write to the last
    added: Reading  # what this run's new participants add to the period's figures
    baseline: Reading | None  # reporting before the run; None when reporting could not be read
    shown: Reading | None  # reporting after the wait
    settled_s: float | None  # seconds after the last write until reporting showed baseline + added

    @property
    def expected(self) -> Reading | None:
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
        baseline = await reading(api, settings.plan)
        if baseline is None:
            console.print("[yellow]reporting did not answer: the figures will not be checked[/]")
        outcome, seconds = await _send(api, settings, console)
        added = Reading(Figures.of(outcome.new, settings.services), homes(outcome.new))
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


async def reading(api: Api, plan: Plan) -> Reading | None:
    """Reporting's figures of the plan's period; None when reporting does not answer them."""
    period = {"from": plan.period.start.isoformat(), "to": plan.period.end.isoformat()}
    try:
        reply = await api.get(REPORTING, "/metrics/summary", period)
        rows = [
            await api.get(REPORTING, "/metrics/breakdown", {**period, "metric": "registered", "by": by})
            for by in HOME_DIMENSIONS
        ]
    except httpx.TransportError:
        return None
    if reply.status != 200 or any(r.status != 200 for r in rows):
        return None
    where = {
        by: Counter({row["key"]: int(row["value"]) for row in r.body["rows"] if row["value"]})
        for by, r in zip(HOME_DIMENSIONS, rows, strict=True)
    }
    return Reading(Figures.of_summary(reply.body), where)


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
    api: Api, plan: Plan, expected: Reading, timeout_s: float
) -> tuple[Reading | None, float | None]:
    """Reporting's figures once they equal `expected`, and how long that took; the last seen on timeout."""
    started = time.monotonic()
    while True:
        shown = await reading(api, plan)
        elapsed = time.monotonic() - started
        if shown == expected:
            return shown, elapsed
        if elapsed >= timeout_s:
            return shown, None
        await asyncio.sleep(POLL_S)
