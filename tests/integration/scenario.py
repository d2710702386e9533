"""A programme history driven only through the HTTP APIs, and the figures PRODUCT.md §3 says it must give.

Everything expected is computed here from the services' own accepted responses, never from reporting.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx

from tests.integration.people import participant

PERMIT_TYPES = ["NIB", "SPP_IRT", "HALAL", "BPOM_MD", "HKI"]


@dataclass
class Person:
    participant_id: str
    registered_on: date
    profile: dict[str, str]


@dataclass
class History:
    people: dict[str, Person] = field(default_factory=dict)
    completions: list[tuple[str, str, date]] = field(default_factory=list)  # (pid, program, day)
    placements: list[tuple[str, date]] = field(default_factory=list)
    issued: list[tuple[str, date]] = field(default_factory=list)  # (pid, issued_on)
    refused: Counter[str] = field(default_factory=Counter)  # error code → count


async def post(
    http: httpx.AsyncClient, path: str, body: dict[str, Any], history: History
) -> dict[str, Any] | None:
    """POST, retrying while the service has not heard of the participant yet (PRODUCT.md §2)."""
    for _ in range(100):
        response = await http.post(path, json=body)
        if response.status_code in (200, 201):
            result: dict[str, Any] = response.json()
            return result
        code = response.json().get("code")
        if code != "unknown_participant":
            assert response.status_code in (409, 422), response.text
            history.refused[code] += 1
            return None
        await asyncio.sleep(0.1)
    raise AssertionError(f"{path}: participant never became known")


def day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


async def register(http: httpx.AsyncClient, rng: random.Random, count: int, history: History) -> None:
    for serial in range(count):
        body = participant(rng, 70_000 + serial, day_between(rng, date(2021, 1, 1), date(2023, 6, 30)))
        created = await post(http, "/participants", body, history)
        assert created is not None
        profile = {
            "kota": created["domicile"]["kota_code"],
            "kecamatan": created["domicile"]["kecamatan_code"],
            "gender": created["gender"],
            "sector": created["business"]["sector"] if created["business"] else "none",
            "agency": created["agency"],
        }
        pid = created["participant_id"]
        history.people[pid] = Person(pid, date.fromisoformat(created["registered_on"]), profile)


async def train(http: httpx.AsyncClient, rng: random.Random, history: History) -> None:
    classes = []
    for i in range(10):
        program = "vocational" if i % 3 == 0 else "entrepreneurship"
        starts = day_between(rng, date(2021, 3, 1), date(2024, 3, 1))
        body = {
            "title": f"Kelas {i}",
            "program": program,
            "format": rng.choice(["regular", "mobile_unit"]),
            "kota_code": rng.choice(["31.71", "31.72", "31.73", "31.74", "31.75", "31.01"]),
            "starts_on": str(starts),
            "ends_on": str(starts + timedelta(days=rng.randrange(3, 60))),
            "capacity": max(80, len(history.people) // 3),
        }
        created = await post(http, "/classes", body, history)
        assert created is not None
        classes.append(created)
    attempts = []
    for person in history.people.values():
        for cls in rng.sample(classes, rng.randrange(0, 4)):
            attempts.append((person, cls))
    rng.shuffle(attempts)  # facts reach the services in any order: backdated completions come late
    for person, cls in attempts:
        await _enrol_and_maybe_complete(http, rng, person, cls, history)


async def _enrol_and_maybe_complete(
    http: httpx.AsyncClient, rng: random.Random, person: Person, cls: dict[str, Any], history: History
) -> None:
    starts, ends = date.fromisoformat(cls["starts_on"]), date.fromisoformat(cls["ends_on"])
    enrolled_on = max(person.registered_on, starts - timedelta(days=rng.randrange(0, 20)))
    path = f"/classes/{cls['class_id']}"
    enrolled = await post(
        http,
        f"{path}/enrollments",
        {"participant_id": person.participant_id, "enrolled_on": str(enrolled_on)},
        history,
    )
    if enrolled is None or rng.random() < 0.25:
        return
    completed_on = day_between(rng, max(enrolled_on, starts), ends) if enrolled_on <= ends else None
    body = {"participant_id": person.participant_id, "completed_on": str(completed_on or ends)}
    done = await post(http, f"{path}/completions", body, history)
    if done is not None:
        history.completions.append(
            (person.participant_id, cls["program"], date.fromisoformat(done["completed_on"]))
        )
        if rng.random() < 0.2:  # a repeat of the same completion is refused, never counted
            assert await post(http, f"{path}/completions", body, history) is None


async def place(http: httpx.AsyncClient, rng: random.Random, history: History) -> None:
    first_vocational: dict[str, date] = {}
    for pid, program, day in history.completions:
        if program == "vocational":
            first_vocational[pid] = min(day, first_vocational.get(pid, day))
    for pid, first in first_vocational.items():
        for _ in range(rng.choice([0, 1, 1, 2])):
            placed_on = min(first + timedelta(days=rng.randrange(0, 90)), date(2024, 12, 31))
            body = {"participant_id": pid, "employer": "PT Maju Jaya", "placed_on": str(placed_on)}
            if await post(http, "/placements", body, history) is not None:
                history.placements.append((pid, placed_on))
    untrained = next(p for p in history.people if p not in first_vocational)
    refused = {"participant_id": untrained, "employer": "PT Lain", "placed_on": "2024-01-01"}
    assert await post(http, "/placements", refused, history) is None


async def permit(http: httpx.AsyncClient, rng: random.Random, history: History) -> None:
    for person in rng.sample(list(history.people.values()), len(history.people) // 2):
        for permit_type in rng.sample(PERMIT_TYPES, rng.randrange(1, 3)):
            applied_on = day_between(rng, person.registered_on, date(2024, 6, 30))
            body = {
                "participant_id": person.participant_id,
                "permit_type": permit_type,
                "applied_on": str(applied_on),
            }
            created = await post(http, "/permits", body, history)
            if created is None:
                continue
            if permit_type == "NIB":  # a second NIB while one is pending is refused
                assert await post(http, "/permits", body, history) is None
            roll = rng.random()
            path = f"/permits/{created['permit_id']}"
            if roll < 0.6:
                issued_on = applied_on + timedelta(days=rng.randrange(0, 60))
                number = f"{permit_type}-{created['permit_id'][:8]}"
                issue = {"permit_number": number, "issued_on": str(issued_on)}
                assert await post(http, f"{path}/issue", issue, history) is not None
                history.issued.append((person.participant_id, issued_on))
                assert await post(http, f"{path}/issue", issue, history) is None  # issued twice: 409
                assert await post(http, f"{path}/reject", {"reason": "late"}, history) is None
            elif roll < 0.8:
                rejected = {"reason": "dokumen tidak lengkap", "rejected_on": str(applied_on)}
                assert await post(http, f"{path}/reject", rejected, history) is not None
                issue = {"permit_number": f"X-{created['permit_id'][:8]}", "issued_on": str(applied_on)}
                assert await post(http, f"{path}/issue", issue, history) is None  # rejected stays rejected


def earliest(pairs: list[tuple[str, date]]) -> dict[str, date]:
    first: dict[str, date] = {}
    for pid, day in pairs:
        first[pid] = min(day, first.get(pid, day))
    return first


@dataclass(frozen=True)
class Expected:
    """Counts straight from the definitions of PRODUCT.md §3."""

    history: History

    def firsts(self, metric: str) -> dict[str, date]:
        h = self.history
        if metric == "registered":
            return {pid: p.registered_on for pid, p in h.people.items()}
        if metric in ("trained", "vocational_trained"):
            program = "entrepreneurship" if metric == "trained" else "vocational"
            return earliest([(pid, day) for pid, prog, day in h.completions if prog == program])
        if metric == "vocational_placed":
            return earliest(h.placements)
        if metric == "permit_holders":
            return earliest(h.issued)
        raise ValueError(metric)

    def count(self, metric: str, start: date, end: date) -> int:
        if metric == "permits_issued":
            return sum(start <= day <= end for _, day in self.history.issued)
        return sum(start <= day <= end for day in self.firsts(metric).values())

    def breakdown(self, metric: str, by: str, start: date, end: date) -> dict[str, int]:
        people = self.history.people
        if metric == "permits_issued":
            days = [(pid, day) for pid, day in self.history.issued]
        else:
            days = list(self.firsts(metric).items())
        rows = Counter(people[pid].profile[by] for pid, day in days if start <= day <= end)
        return dict(rows)

    def reached(self, metric: str, start: date, end: date) -> int:
        firsts = self.firsts(metric)
        people = self.history.people
        return sum(start <= people[pid].registered_on <= end and day <= end for pid, day in firsts.items())
