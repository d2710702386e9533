"""Sends a plan through the public APIs, participant by participant, stages of one participant side by side.

Journeys run in a seeded random order with a bounded number in flight: whatever period the dashboard shows
fills evenly while the demo runs, and facts reach reporting out of date order, as backdated facts do.
Classes, mentors and exhibitions are created the first time a new participant needs them.

Re-runs: a participant whose NIK is already registered (409 `duplicate_nik`, e.g. the same seed ran before)
is left as it is — none of its stage facts are sent again — so re-running a seed adds nothing, and the
figures to expect are exactly what the participants registered by *this* run add. Mentors are found again by
their staff number (409 `duplicate_mentor` names them).
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Collection, Iterable
from dataclasses import dataclass

from operator_cli.demo import requests
from operator_cli.demo.api import Api, Reply
from operator_cli.demo.model import Enrolment, Exhibition, Journey, Mentor, Product, TrainingClass
from operator_cli.demo.plan import Plan
from shared.contracts.topics import FINANCE, MARKETING, MENTORING, PERMITS, REGISTRATION, TRAINING

JOURNEYS_PER_REQUEST_SLOT = 4  # journeys in flight per concurrent request: covers their waits for followers


@dataclass
class Outcome:
    new: list[Journey]  # registered by this run: the ones whose facts it sent
    existing: int  # already registered before: left alone


def writes(journey: Journey, services: Collection[str]) -> int:
    """How many writes a journey's stages take (registration excluded), for the progress bar."""
    j = journey
    count = {
        TRAINING: 2 * len(j.courses + j.vocational) + len(j.placements),
        MENTORING: len(j.sessions),
        PERMITS: sum(1 + bool(p.issued_on or p.rejected_on) for p in j.permits),
        MARKETING: sum(1 + len(p.curations) + len(p.showings) + bool(p.listed_on) for p in j.products),
        FINANCE: len(j.reports)
        + sum(1 + bool(f.approved_on or f.rejected_on) + bool(f.disbursed_on) for f in j.financing),
    }
    return sum(n for service, n in count.items() if service in services)


def shared_writes(journeys: Iterable[Journey], services: Collection[str]) -> int:
    """How many classes, mentors and exhibitions these journeys need, for the progress bar."""
    keys: set[str] = set()
    for j in journeys:
        if TRAINING in services:
            keys |= {e.class_key for e in j.courses + j.vocational}
        if MENTORING in services:
            keys |= {s.staff_number for s in j.sessions}
        if MARKETING in services:
            keys |= {s.exhibition_key for p in j.products for s in p.showings}
    return len(keys)


class Resources:
    """Things several journeys share, each created once, by whichever journey needs it first."""

    def __init__(self, api: Api, plan: Plan) -> None:
        self.api = api
        self.classes = {c.key: c for c in plan.classes}
        self.mentors = {m.staff_number: m for m in plan.mentors}
        self.exhibitions = {x.key: x for x in plan.exhibitions}
        self.created: dict[str, asyncio.Task[str | None]] = {}

    async def class_id(self, key: str) -> str | None:
        return await self._once(key, lambda: self._create_class(self.classes[key]))

    async def mentor_id(self, staff_number: str) -> str | None:
        return await self._once(staff_number, lambda: self._create_mentor(self.mentors[staff_number]))

    async def exhibition_id(self, key: str) -> str | None:
        return await self._once(key, lambda: self._create_exhibition(self.exhibitions[key]))

    async def _once(self, key: str, create: Callable[[], Awaitable[str | None]]) -> str | None:
        if key not in self.created:
            self.created[key] = asyncio.ensure_future(create())
        return await self.created[key]

    async def _create_class(self, cls: TrainingClass) -> str | None:
        reply = await self.api.post(TRAINING, "/classes", requests.training_class(cls))
        return _id(reply, "class_id")

    async def _create_mentor(self, mentor: Mentor) -> str | None:
        # A mentor of an earlier run with this seed and start: 409 names them, and they are the same mentor.
        reply = await self.api.post(MENTORING, "/mentors", requests.mentor(mentor))
        return str(reply.body["mentor_id"]) if reply.created or reply.code == "duplicate_mentor" else None

    async def _create_exhibition(self, exhibition: Exhibition) -> str | None:
        reply = await self.api.post(MARKETING, "/exhibitions", requests.exhibition(exhibition))
        return _id(reply, "exhibition_id")


def _id(reply: Reply, field: str) -> str | None:
    return str(reply.body[field]) if reply.created else None


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

    async def run(self, concurrency: int) -> Outcome:
        window = asyncio.Semaphore(concurrency * JOURNEYS_PER_REQUEST_SLOT)
        journeys = list(self.plan.journeys)
        random.Random(self.plan.seed).shuffle(journeys)

        async def one(journey: Journey) -> None:
            async with window:
                await self.journey(journey)

        await asyncio.gather(*(one(j) for j in journeys))
        return self.outcome

    async def journey(self, journey: Journey) -> None:
        reply = await self.api.post(REGISTRATION, "/participants", requests.participant(journey.person))
        if not reply.created:
            self.outcome.existing += reply.code == "duplicate_nik"
            self.skipped(writes(journey, self.services))
            return
        self.outcome.new.append(journey)
        pid = str(reply.body["participant_id"])
        stages: dict[str, Callable[[str, Journey], Awaitable[None]]] = {
            TRAINING: self.training,
            MENTORING: self.mentoring,
            PERMITS: self.permits,
            MARKETING: self.marketing,
            FINANCE: self.finance,
        }
        await asyncio.gather(*(run(pid, journey) for s, run in stages.items() if s in self.services))

    async def training(self, pid: str, j: Journey) -> None:
        for enrolment in j.courses + j.vocational:
            await self.attend(pid, enrolment)
        for placement in j.placements:  # after the vocational completions they follow
            await self.api.post(TRAINING, "/placements", requests.placement(pid, placement))

    async def attend(self, pid: str, enrolment: Enrolment) -> None:
        class_id = await self.shared.class_id(enrolment.class_key)
        if class_id is None:
            return
        path = f"/classes/{class_id}"
        enrolled = await self.api.post(TRAINING, f"{path}/enrollments", requests.enrolment(pid, enrolment))
        if enrolled.created and enrolment.completed_on:
            await self.api.post(TRAINING, f"{path}/completions", requests.completion(pid, enrolment))

    async def mentoring(self, pid: str, j: Journey) -> None:
        for session in j.sessions:
            mentor_id = await self.shared.mentor_id(session.staff_number)
            if mentor_id is not None:
                await self.api.post(MENTORING, "/sessions", requests.session(pid, mentor_id, session))

    async def permits(self, pid: str, j: Journey) -> None:
        for case in j.permits:  # in order: a rejected NIB is decided before it is applied for again
            applied = await self.api.post(PERMITS, "/permits", requests.permit(pid, case))
            permit_id = _id(applied, "permit_id")
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
        product_id = _id(
            await self.api.post(MARKETING, "/products", requests.product(pid, product)), "product_id"
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
            application_id = _id(applied, "application_id")
            if application_id is None:
                continue
            path = f"/financing/{application_id}"
            if case.rejected_on:
                await self.api.post(FINANCE, f"{path}/reject", requests.financing_rejection(case))
            elif case.approved_on:
                approved = await self.api.post(FINANCE, f"{path}/approve", requests.approval(case))
                if approved.created and case.disbursed_on:
                    await self.api.post(FINANCE, f"{path}/disburse", requests.disbursement(case))
