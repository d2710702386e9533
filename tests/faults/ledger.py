"""Every write the platform acknowledged, and the figures they must add up to — computed without reporting.

A fact counts once per subject (a participant, or a permit for `permits_issued`) on the day of its earliest
fact, broken down by the participant's profile: PRODUCT.md §3 restated from scratch, never from reporting.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from shared.contracts.profile import ParticipantProfile

METRICS = ("registered", "trained", "vocational_trained", "permits_issued", "permit_holders")
DIMENSIONS = ("kota", "kecamatan", "gender", "sector", "agency")
TRAINING_METRIC = {"entrepreneurship": "trained", "vocational": "vocational_trained"}

Dims = dict[str, str]


@dataclass(frozen=True)
class Fact:
    metric: str
    subject: str  # what the metric counts once
    day: date
    participant: str  # whose profile breaks the count down


def dims_of_registration(body: dict[str, Any]) -> Dims:
    """Breakdown keys of a participant as the registration API answered them."""
    return {
        "kota": body["domicile"]["kota_code"],
        "kecamatan": body["domicile"]["kecamatan_code"],
        "gender": body["gender"],
        "sector": body["business"]["sector"] if body["business"] else "none",
        "agency": body["agency"],
    }


def dims_of_profile(profile: ParticipantProfile) -> Dims:
    return {
        "kota": profile.kota_code,
        "kecamatan": profile.kecamatan_code,
        "gender": profile.gender.value,
        "sector": profile.sector.value if profile.sector else "none",
        "agency": profile.agency.value,
    }


@dataclass
class Ledger:
    profiles: dict[str, Dims] = field(default_factory=dict)
    facts: list[Fact] = field(default_factory=list)
    writes: int = 0  # acknowledged writes that carry a counted fact

    def registered(self, body: dict[str, Any]) -> bool:
        """A 201 (or a GET of an in-doubt write) from registration; False if already known."""
        pid = body["participant_id"]
        if pid in self.profiles:
            return False
        self.participant(pid, dims_of_registration(body), date.fromisoformat(body["registered_on"]))
        return True

    def participant(self, pid: str, dims: Dims, registered_on: date) -> None:
        self.profiles[pid] = dims
        self.fact("registered", pid, registered_on, pid)

    def completed(self, pid: str, program: str, day: date) -> None:
        self.fact(TRAINING_METRIC[program], pid, day, pid)

    def issued(self, permit_id: str, pid: str, day: date) -> None:
        self.facts.append(Fact("permits_issued", permit_id, day, pid))
        self.fact("permit_holders", pid, day, pid)

    def fact(self, metric: str, subject: str, day: date, participant: str) -> None:
        self.facts.append(Fact(metric, subject, day, participant))
        self.writes += 1

    def firsts(self, metric: str) -> dict[str, Fact]:
        """Each subject's earliest fact of the metric."""
        first: dict[str, Fact] = {}
        for fact in self.facts:
            if fact.metric == metric and (fact.subject not in first or fact.day < first[fact.subject].day):
                first[fact.subject] = fact
        return first

    def days(self, metric: str) -> Counter[date]:
        return Counter(fact.day for fact in self.firsts(metric).values())

    def breakdown(self, metric: str, by: str) -> Counter[str]:
        return Counter(self.profiles[fact.participant][by] for fact in self.firsts(metric).values())

    def total(self) -> int:
        return sum(len(self.firsts(metric)) for metric in METRICS)
