"""Sends a plan through the public APIs, in three phases:

1. participant by participant: registration, then the stages side by side (training: the enrolments);
2. class by class: the trainer's withdrawals, the freed places taken, the completions in one batch call;
3. participant by participant: placements (they follow a vocational completion), then the registrar's
   edits — last, so a move of kota comes after every stage fact and the figures must follow it.

Journeys run in a seeded random order with a bounded number in flight: whatever period the dashboard shows
fills evenly while the demo runs, and facts reach reporting out of date order, as backdated facts do.
Classes, mentors and exhibitions are created the first time a new participant needs them.

Re-runs: a participant whose NIK is already registered (409 `duplicate_nik`, e.g. the same seed ran before)
is left as it is — none of its stage facts or edits are sent again — so re-running a seed adds nothing, and
the figures to expect are exactly what the participants registered by *this* run add. Mentors are found
again by their staff number (409 `duplicate_mentor` names them).
"""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass, field

from operator_cli.demo import requests
from operator_cli.demo.api import Api
from operator_cli.demo.classes import Roster, TrainerWork, conclude
from operator_cli.demo.model import Enrolment, Journey, Product
from operator_cli.demo.plan import Plan
from operator_cli.demo.resources import Resources
from shared.contracts.topics import FINANCE, MARKETING, MENTORING, PERMITS, REGISTRATION, TRAINING

JOURNEYS_PER_REQUEST_SLOT = 4  # journeys in flight per concurrent request: covers their waits for followers


@dataclass
class Outcome:
    new: list[Journey]  # registered by this run: the ones whose facts it sent
    existing: int  # already registered before: left alone
    edits: int = 0  # PATCHes accepted
    moves: int = 0  # of them, moves to another kota
    trainers: TrainerWork = field(default_factory=TrainerWork)


def writes(journey: Journey, services: Collection[str]) -> int:
    """How many facts a journey's stages and edits send (registration excluded), for the progress bar."""
    j = journey
    enrolments = j.courses + j.vocational
    count = {
        REGISTRATION: len(j.edits),
        TRAINING: len(j.placements)
        + sum(1 + bool(e.completed_on) + bool(e.withdrawn_on) for e in enrolments),
        MENTORING: len(j.sessions),
        PERMITS: sum(1 + bool(p.issued_on or p.rejected_on) for p in j.permits),
        MARKETING: sum(1 + len(p.curations) + len(p.showings) + bool(p.listed_on) for p in j.products),
        FINANCE: len(j.reports)
        + sum(1 + bool(f.approved_on or f.rejected_on) + bool(f.disbursed_on) for f in j.financing),
    }
    return sum(n for service, n in count.items() if service in (REGISTRATION, *services))


def events(journey: Journey, services: Collection[str]) -> int:
    """The domain events a journey's writes record, registration included: one a fact, except that a
    withdrawal records none (no figure counts enrolments) and neither does an edit that leaves the profile
    as it was (a phone number)."""
    silent = sum(not e.changes_profile for e in journey.edits)
    if TRAINING in services:
        silent += sum(e.withdrawn_on is not None for e in journey.courses + journey.vocational)
    return 1 + writes(journey, services) - silent


def shared_writes(journeys: Iterable[Journey], services: Collection[str]) -> int:
    """How many classes, mentors and exhibitions these journeys need (each one write and one event)."""
    keys: set[str] = set()
    for j in journeys:
        if TRAINING in services:
            keys |= {e.class_key for e in j.courses + j.vocational}
        if MENTORING in services:
            keys |= {s.staff_number for s in j.sessions}
        if MARKETING in services:
            keys |= {s.exhibition_key for p in j.products for s in p.showings}
    return len(keys)


class Executor:
    def __init__(
        self, api: Api, plan: Plan, services: Collection[str], skipped: Callable[[int], None] = lambda _: None
    ) -> None:
        self.api = api
        self.plan = plan
        self.services = services
        self.skipped = skipped  # told how many planned writes a participant found already there saves
        self.shared = Resources(api, plan)
        self.outcome = Outcome(new=[], existing=0)
        self.registered: list[tuple[str, Journey]] = []
        self.rosters: defaultdict[str, Roster] = defaultdict(Roster)

    async def run(self, concurrency: int) -> Outcome:
        window = asyncio.Semaphore(concurrency * JOURNEYS_PER_REQUEST_SLOT)
        order = random.Random(self.plan.seed)
        journeys = list(self.plan.journeys)
        order.shuffle(journeys)
        await _each(window, [self.journey(j) for j in journeys])
        if TRAINING in self.services:
            for pid, j in self.registered:
                for e in j.courses + j.vocational:
                    if e.refills:
                        self.rosters[e.class_key].waiting.append((pid, e))
            keys = sorted(self.rosters)
            order.shuffle(keys)
            work = self.outcome.trainers
            await _each(window, [conclude(self.api, self.shared, k, self.rosters[k], work) for k in keys])
        settling = list(self.registered)
        order.shuffle(settling)
        await _each(window, [self.settle(pid, j) for pid, j in settling])
        return self.outcome

    async def journey(self, journey: Journey) -> None:
        reply = await self.api.post(REGISTRATION, "/participants", requests.participant(journey.person))
        if not reply.created:
            self.outcome.existing += reply.code == "duplicate_nik"
            self.skipped(writes(journey, self.services))
            return
        self.outcome.new.append(journey)
        pid = str(reply.body["participant_id"])
        self.registered.append((pid, journey))
        stages: dict[str, Callable[[str, Journey], Awaitable[None]]] = {
            TRAINING: self.training,
            MENTORING: self.mentoring,
            PERMITS: self.permits,
            MARKETING: self.marketing,
            FINANCE: self.finance,
        }
        await asyncio.gather(*(run(pid, journey) for s, run in stages.items() if s in self.services))

    async def training(self, pid: str, j: Journey) -> None:
        """Enrolments only: the classes' trainers record withdrawals and completions (phase 2)."""
        for enrolment in j.courses + j.vocational:
            if not enrolment.refills:
                await self.enrol(pid, enrolment)

    async def enrol(self, pid: str, enrolment: Enrolment) -> None:
        class_id = await self.shared.class_id(enrolment.class_key)
        if class_id is None:
            return
        body = requests.enrolment(pid, enrolment)
        if (await self.api.post(TRAINING, f"/classes/{class_id}/enrollments", body)).created:
            self.rosters[enrolment.class_key].enrolled.append((pid, enrolment))

    async def settle(self, pid: str, j: Journey) -> None:
        """Placements, after the vocational completions they follow; then the edits, after every fact."""
        if TRAINING in self.services:
            for placement in j.placements:
                await self.api.post(TRAINING, "/placements", requests.placement(pid, placement))
        kota = j.person.kota_code
        for edit in j.edits:
            body = requests.edit(edit)
            path = f"/participants/{pid}"
            edited = await self.api.patch(REGISTRATION, path, body, events=int(edit.changes_profile))
            if edited.created:
                self.outcome.edits += 1
                if edit.domicile and edit.domicile.kota_code != kota:
                    self.outcome.moves += 1
                    kota = edit.domicile.kota_code

    async def mentoring(self, pid: str, j: Journey) -> None:
        for session in j.sessions:
            mentor_id = await self.shared.mentor_id(session.staff_number)
            if mentor_id is not None:
                await self.api.post(MENTORING, "/sessions", requests.session(pid, mentor_id, session))

    async def permits(self, pid: str, j: Journey) -> None:
        for case in j.permits:  # in order: a rejected NIB is decided before it is applied for again
            applied = await self.api.post(PERMITS, "/permits", requests.permit(pid, case))
            permit_id = applied.id_of("permit_id")
            if permit_id is None:
                continue
            if case.issued_on:
                await self.api.post(PERMITS, f"/permits/{permit_id}/issue", requests.issue(case))
            elif case.rejected_on:
                await self.api.post(PERMITS, f"/permits/{permit_id}/reject", requests.permit_rejection(case))

    async def marketing(self, pid: str, j: Journey) -> None:
        for product in j.products:
            await self.product(pid, product)

    async def product(self, pid: str, product: Product) -> None:
        product_id = (await self.api.post(MARKETING, "/products", requests.product(pid, product))).id_of(
            "product_id"
        )
        if product_id is None:
            return
        path = f"/products/{product_id}"
        for curation in product.curations:
            await self.api.post(MARKETING, f"{path}/curations", requests.curation(curation))
        for showing in product.showings:
            exhibition_id = await self.shared.exhibition_id(showing.exhibition_key)
            if exhibition_id is not None:
                body = requests.showcase(product_id, showing)
                await self.api.post(MARKETING, f"/exhibitions/{exhibition_id}/showcases", body)
        if product.listed_on:
            await self.api.post(MARKETING, f"{path}/listings", requests.listing(product))

    async def finance(self, pid: str, j: Journey) -> None:
        for report in j.reports:
            await self.api.post(FINANCE, "/financial-reports", requests.report(pid, report))
        for case in j.financing:
            applied = await self.api.post(FINANCE, "/financing", requests.financing(pid, case))
            application_id = applied.id_of("application_id")
            if application_id is None:
                continue
            path = f"/financing/{application_id}"
            if case.rejected_on:
                await self.api.post(FINANCE, f"{path}/reject", requests.financing_rejection(case))
            elif case.approved_on:
                approved = await self.api.post(FINANCE, f"{path}/approve", requests.approval(case))
                if approved.created and case.disbursed_on:
                    await self.api.post(FINANCE, f"{path}/disburse", requests.disbursement(case))


async def _each(window: asyncio.Semaphore, work: Iterable[Awaitable[None]]) -> None:
    """All of `work` at once, at most as many in flight as the window lets through."""

    async def one(item: Awaitable[None]) -> None:
        async with window:
            await item

    await asyncio.gather(*(one(item) for item in work))
