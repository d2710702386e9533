"""The whole demo history, decided up front from a seed: pure, so it can be tested and its figures known.

`make_plan` draws every participant and what they reach; `Figures.of` says what reporting must then show.
Every date lies within the period, so the period's summary equals the plan's figures exactly.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from operator_cli.demo import finance, marketing, mentoring
from operator_cli.demo.days import registration_days
from operator_cli.demo.model import Exhibition, Journey, Mentor, Period, TrainingClass
from operator_cli.demo.people import People
from operator_cli.demo.permits import PermitPlanner
from operator_cli.demo.training import TrainingPlanner
from operator_cli.demo.upkeep import Upkeep
from shared.contracts.topics import FINANCE, MARKETING, MENTORING, PERMITS, TRAINING

# The services that record stages after registration, in the order the demo talks about them.
STAGE_SERVICES = (TRAINING, MENTORING, PERMITS, MARKETING, FINANCE)
# Breakdowns of `registered` the demo checks besides the summary: an edit's move must show in them.
HOME_DIMENSIONS = ("kota", "kecamatan")
# Registered participants per dimension and value (zero rows left out), as /metrics/breakdown shows them.
Homes = dict[str, Counter[str]]


def homes(journeys: Iterable[Journey]) -> Homes:
    """Where the participants are counted once their edits are made: where they live now."""
    where = [j.home for j in journeys]
    return {
        "kota": Counter(h.kota_code for h in where),
        "kecamatan": Counter(h.kecamatan_code for h in where),
    }


def add_homes(a: Homes, b: Homes) -> Homes:
    return {by: a[by] + b[by] for by in HOME_DIMENSIONS}


@dataclass(frozen=True)
class Plan:
    period: Period
    seed: int
    journeys: tuple[Journey, ...]
    classes: tuple[TrainingClass, ...]
    mentors: tuple[Mentor, ...]
    exhibitions: tuple[Exhibition, ...]


def make_plan(period: Period, participants: int, seed: int) -> Plan:
    rng = random.Random(seed)
    people = People(rng)
    persons = [people.person(day) for day in registration_days(rng, period, participants)]
    mentors = mentoring.roster(seed, period)
    serving: dict[str, list[Mentor]] = defaultdict(list)
    for mentor in mentors:
        serving[mentor.kecamatan_code].append(mentor)
    exhibitions = marketing.calendar(rng, period)
    training = TrainingPlanner(rng, period, seed)
    permits, products = PermitPlanner(rng, period), marketing.MarketingPlanner(rng, period, exhibitions)
    money = finance.FinancePlanner(rng, period)
    drafts = []
    for index, person in enumerate(persons):
        drive = rng.uniform(0.4, 1.6)  # how far this participant takes the programme; mean 1
        training.wish(index, person, drive)
        cases = permits.cases(person, drive)
        drafts.append(
            Journey(
                person,
                permits=cases,
                sessions=mentoring.sessions(rng, period, person, drive, serving[person.kecamatan_code]),
                products=products.products(person, drive),
                reports=money.reports(person, drive),
                financing=money.financing(person, drive, cases),
            )
        )
    schedule = training.schedule(persons)
    registrars = Upkeep(seed)
    journeys = tuple(
        replace(
            draft,
            courses=tuple(schedule.courses.get(i, ())),
            vocational=tuple(schedule.vocational.get(i, ())),
            placements=tuple(schedule.placements.get(i, ())),
            edits=registrars.edits(draft.person),
        )
        for i, draft in enumerate(drafts)
    )
    shown = {s.exhibition_key for j in journeys for p in j.products for s in p.showings}
    return Plan(
        period=period,
        seed=seed,
        journeys=journeys,
        classes=tuple(schedule.classes),
        mentors=tuple(mentors),
        exhibitions=tuple(x for x in exhibitions if x.key in shown),
    )


@dataclass(frozen=True)
class Figures:
    """The figures of reporting's /metrics/summary that a demo adds to."""

    registered: int = 0
    trained: int = 0
    mentored: int = 0
    permits_issued: int = 0
    products_marketed: int = 0
    financial_reporting: int = 0
    financed: int = 0
    vocational_trained: int = 0
    vocational_placed: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    def items(self) -> list[tuple[str, int]]:
        return [(f.name, getattr(self, f.name)) for f in fields(self)]

    @classmethod
    def of_summary(cls, summary: Mapping[str, Any]) -> Figures:
        vocational = {"vocational_trained": "trained", "vocational_placed": "placed"}
        return cls(
            **{
                f.name: int(
                    summary["vocational"][vocational[f.name]] if f.name in vocational else summary[f.name]
                )
                for f in fields(cls)
            }
        )

    @classmethod
    def of(cls, journeys: Iterable[Journey], services: Collection[str] = STAGE_SERVICES) -> Figures:
        """PRODUCT.md §3 counted on the plan: participants once per stage, permits and products each once."""
        total = Figures()
        for j in journeys:
            total += cls._of(j, services)
        return total

    @classmethod
    def _of(cls, j: Journey, services: Collection[str]) -> Figures:
        reached: dict[str, int] = {"registered": 1}
        if TRAINING in services:
            reached["trained"] = any(e.completed_on for e in j.courses)
            reached["vocational_trained"] = any(e.completed_on for e in j.vocational)
            reached["vocational_placed"] = bool(j.placements)
        if MENTORING in services:
            reached["mentored"] = bool(j.sessions)
        if PERMITS in services:
            reached["permits_issued"] = sum(p.issued_on is not None for p in j.permits)
        if MARKETING in services:
            reached["products_marketed"] = sum(bool(p.showings) for p in j.products)
        if FINANCE in services:
            reached["financial_reporting"] = bool(j.reports)
            reached["financed"] = any(f.disbursed_on for f in j.financing)
        return cls(**{name: int(value) for name, value in reached.items()})
