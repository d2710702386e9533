"""Writes through the services' HTTP APIs, as front-ends send them, while faults happen around them.

Each request is retried until the service gives a definite answer, as a careful client would. A write whose
first attempt got no answer (the service was killed) is *in doubt*: it may have committed. Its retry tells:
registration answers 409 naming the participant the lost attempt created, permits 409 that the permit is
already issued; either is then read back and counted as acknowledged. Only 2xx answers (and writes resolved
that way) enter the ledger. A service given as several instances is balanced round-robin, and an attempt
refused by a dead instance (nothing sent, so nothing in doubt) goes to the next one.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import random
import time
from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta
from typing import Any
from uuid import uuid4

import httpx

from devstack.app_server import AppServer
from shared.dates import jakarta_today
from tests.faults.ledger import Ledger
from tests.integration.writer import mixed_requests
from tests.tokens import ADMIN

PROGRAMS = ("entrepreneurship", "vocational")
PERMIT_TYPES = ("SPP_IRT", "HALAL", "BPOM_MD", "HKI")  # not NIB: one per participant would refuse some
Servers = AppServer | Sequence[AppServer]  # one service: an instance, or several behind a balancer


class Instances:
    """The instances of one service behind a round-robin balancer: each request goes to the next one."""

    def __init__(self, clients: list[httpx.AsyncClient]) -> None:
        self._count = len(clients)
        self._turns = itertools.cycle(clients)

    async def post(self, path: str, **options: Any) -> httpx.Response:
        return await next(self._turns).post(path, **options)

    async def get(self, path: str) -> httpx.Response:
        """A read, so safely tried again on the next instances when one does not answer."""
        attempts = 0
        while True:
            attempts += 1
            try:
                return await next(self._turns).get(path)
            except httpx.TransportError:
                if attempts >= 2 * self._count:
                    raise
            await asyncio.sleep(0.1)


class Traffic:
    """Registrations (~10% duplicates or invalid), and for a share of the new participants a completed
    class — sometimes a second, earlier-dated one that arrives later — and an issued permit."""

    def __init__(
        self,
        ledger: Ledger,
        registration: Servers,
        training: Servers | None = None,
        permits: Servers | None = None,
        *,
        seed: int,
        stage_share: float = 0.4,
        deadline_s: float = 120.0,
    ) -> None:
        self.ledger = ledger
        given = {"registration": registration, "training": training, "permits": permits}
        self._urls = {name: _urls(servers) for name, servers in given.items() if servers is not None}
        self._rng = random.Random(seed)
        self._serial = seed * 100_000  # names and NIK serials of the test people, distinct per run
        self._stage_share = stage_share
        self._deadline = time.monotonic() + deadline_s
        self._classes: dict[str, list[str]] = {}
        self._stage_tasks: set[asyncio.Task[None]] = set()
        self.in_doubt = 0  # writes whose first attempt got no answer
        self.resolved = 0  # of those, settled by reading back the participant a 409 named

    async def run(
        self,
        count: int,
        *,
        rate: float | None = None,
        stop: asyncio.Event | None = None,
        concurrency: int = 4,
    ) -> None:
        """Send `count` registration requests (at most `rate` per second) until `stop` is set; then wait for
        every stage write they started."""
        async with _clients(self._urls) as http:
            if "training" in http and not self._classes:
                await self._schedule_classes(http["training"])
            gate = asyncio.Semaphore(concurrency)
            stages = asyncio.Semaphore(concurrency)
            sent: set[asyncio.Task[None]] = set()
            requests = mixed_requests(self._rng, count, self._serial)
            self._serial += count
            for body in requests:
                if stop is not None and stop.is_set():
                    break
                await gate.acquire()
                task = asyncio.create_task(self._register(http, body, stages))
                task.add_done_callback(lambda _: gate.release())
                sent.add(task)
                if rate:
                    await asyncio.sleep(1 / rate)
            await asyncio.gather(*sent)
            await asyncio.gather(*self._stage_tasks)

    async def _schedule_classes(self, training: Instances) -> None:
        """Two classes per programme, open over the whole programme so any completion date fits."""
        for program in PROGRAMS:
            for n in range(2):
                body = {
                    "title": f"Kelas {program} {n}",
                    "program": program,
                    "kota_code": "31.71",
                    "starts_on": "2018-01-01",
                    "ends_on": str(jakarta_today()),
                    "capacity": 10_000,
                }
                created = await self._definite(training, "/classes", body)
                assert created.status_code == 201, created.text
                self._classes.setdefault(program, []).append(created.json()["class_id"])

    async def _register(
        self, http: dict[str, Instances], body: dict[str, Any] | bytes, stages: asyncio.Semaphore
    ) -> None:
        registration = http["registration"]
        response, in_doubt = await self._send(registration, "/participants", body)
        if response.status_code == 201:
            created = response.json()
        elif response.status_code == 409 and in_doubt:
            # Our lost attempt may have been the one that registered this NIK: read it back.
            existing = await registration.get(f"/participants/{response.json()['participant_id']}")
            existing.raise_for_status()
            created = existing.json()
            self.resolved += 1
        else:
            assert response.status_code in (400, 409, 422), response.text  # malformed, duplicate, invalid
            return
        if self.ledger.registered(created) and len(http) > 1 and self._rng.random() < self._stage_share:
            task = asyncio.create_task(self._stages(http, created, stages))
            self._stage_tasks.add(task)

    async def _stages(
        self, http: dict[str, Instances], participant: dict[str, Any], gate: asyncio.Semaphore
    ) -> None:
        pid = participant["participant_id"]
        registered_on = date.fromisoformat(participant["registered_on"])
        async with gate:
            if "training" in http:
                program = self._rng.choice(PROGRAMS)
                first, second = self._classes[program]
                later = _day_between(self._rng, registered_on, jakarta_today())
                await self._complete(
                    http["training"], first, pid, program=program, registered_on=registered_on, day=later
                )
                if self._rng.random() < 0.3:  # an earlier completion recorded afterwards: a backdated fact
                    earlier = _day_between(self._rng, registered_on, later)
                    await self._complete(
                        http["training"],
                        second,
                        pid,
                        program=program,
                        registered_on=registered_on,
                        day=earlier,
                    )
            if "permits" in http:
                await self._permit(http["permits"], pid, registered_on)

    async def _complete(
        self,
        training: Instances,
        class_id: str,
        pid: str,
        *,
        program: str,
        registered_on: date,
        day: date,
    ) -> None:
        enrolled_on = _day_between(self._rng, registered_on, day)
        path = f"/classes/{class_id}"
        enrolled = await self._known(
            training, f"{path}/enrollments", {"participant_id": pid, "enrolled_on": str(enrolled_on)}
        )
        assert enrolled.status_code == 201, enrolled.text
        body = {"participant_id": pid, "completed_on": str(day)}
        done = await self._known(training, f"{path}/completions", body)
        assert done.status_code == 201, done.text
        self.ledger.completed(pid, program, date.fromisoformat(done.json()["completed_on"]))

    async def _permit(self, permits: Instances, pid: str, registered_on: date) -> None:
        applied_on = _day_between(self._rng, registered_on, jakarta_today())
        body = {
            "participant_id": pid,
            "permit_type": self._rng.choice(PERMIT_TYPES),
            "applied_on": str(applied_on),
        }
        # An application lost in doubt leaves at most one more applied permit, which no figure counts.
        applied = await self._known(permits, "/permits", body, doubt_allowed=True)
        assert applied.status_code == 201, applied.text
        permit_id = applied.json()["permit_id"]
        issue = {
            "permit_number": uuid4().hex,
            "issued_on": str(_day_between(self._rng, applied_on, jakarta_today())),
        }
        path = f"/permits/{permit_id}/issue"
        issued, in_doubt = await self._send(permits, path, issue)
        if issued.status_code == 409 and in_doubt:
            # Only we issue this permit: the lost attempt did. Read back the date it recorded.
            issued = await permits.get(f"/permits/{permit_id}")
            assert issued.status_code == 200 and issued.json()["status"] == "issued", issued.text
            self.resolved += 1
        assert issued.status_code == 200, issued.text
        self.ledger.issued(permit_id, pid, date.fromisoformat(issued.json()["issued_on"]))

    async def _known(
        self, http: Instances, path: str, body: dict[str, Any], *, doubt_allowed: bool = False
    ) -> httpx.Response:
        """POST a stage fact, waiting while the service has not heard of the participant (PRODUCT.md §2):
        with Kafka down, registrations reach it only once the broker is back."""
        while True:
            response, in_doubt = await self._send(http, path, body)
            assert doubt_allowed or not in_doubt, f"{path}: a service never killed here did not answer"
            if response.status_code != 422 or response.json().get("code") != "unknown_participant":
                return response
            self._check_deadline(path)
            await asyncio.sleep(0.2)

    async def _definite(self, http: Instances, path: str, body: dict[str, Any]) -> httpx.Response:
        """A write to a service never killed mid-request here, so doubt would be a bug."""
        response, in_doubt = await self._send(http, path, body)
        assert not in_doubt, f"{path}: a service never killed here did not answer"
        return response

    async def _send(
        self, http: Instances, path: str, body: dict[str, Any] | bytes
    ) -> tuple[httpx.Response, bool]:
        """POST until a definite answer (< 500); True if an earlier attempt went unanswered."""
        in_doubt = False
        while True:
            pause = 0.2
            try:
                if isinstance(body, bytes):
                    response = await http.post(
                        path, content=body, headers={"content-type": "application/json"}
                    )
                else:
                    response = await http.post(path, json=body)
                if response.status_code < 500:
                    self.in_doubt += in_doubt
                    return response, in_doubt
                in_doubt = True
            except httpx.ConnectError:
                pause = 0.02  # refused before anything was sent: try the next instance soon
            except httpx.TransportError:
                in_doubt = True
            self._check_deadline(path)
            await asyncio.sleep(pause)

    def _check_deadline(self, path: str) -> None:
        if time.monotonic() > self._deadline:
            raise AssertionError(f"{path}: no definite answer before the scenario's deadline")


def _urls(servers: Servers) -> list[str]:
    return [servers.url] if isinstance(servers, AppServer) else [server.url for server in servers]


@contextlib.asynccontextmanager
async def _clients(urls: dict[str, list[str]]) -> AsyncIterator[dict[str, Instances]]:
    """One HTTP client per service instance, acting as an admin."""
    async with contextlib.AsyncExitStack() as stack:

        async def client(url: str) -> httpx.AsyncClient:
            return await stack.enter_async_context(
                httpx.AsyncClient(base_url=url, timeout=15.0, headers=ADMIN)
            )

        yield {name: Instances([await client(url) for url in each]) for name, each in urls.items()}


def _day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))
