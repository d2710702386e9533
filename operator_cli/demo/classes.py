"""A trainer's work once a class's enrolments are in: withdrawals, the freed places taken, the completions.

Completions of a class go in one batch call per completion day (`POST /classes/{id}/completions/batch`, a
result per participant); a class that only one participant completes gets the single call.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from operator_cli.demo import requests
from operator_cli.demo.api import Api
from operator_cli.demo.model import Enrolment
from operator_cli.demo.resources import Resources
from shared.contracts.topics import TRAINING

Member = tuple[str, Enrolment]  # participant id, and the enrolment as planned


@dataclass
class Roster:
    """One class as this run filled it."""

    enrolled: list[Member] = field(default_factory=list)  # enrolments accepted so far
    waiting: list[Member] = field(default_factory=list)  # to enrol once a withdrawal freed a place


@dataclass
class TrainerWork:
    """What the trainers' calls did, for the demo's report."""

    withdrawals: int = 0
    refills: int = 0  # enrolments into a full class, on a place a withdrawal freed
    batches: int = 0  # batch completion calls accepted
    batched: int = 0  # completions those calls recorded
    single: int = 0  # completions recorded one by one (the class's only completer)


async def conclude(api: Api, shared: Resources, key: str, roster: Roster, work: TrainerWork) -> None:
    class_id = await shared.class_id(key)
    if class_id is None:
        return
    path = f"/classes/{class_id}"
    attending = []
    for pid, enrolment in sorted(roster.enrolled, key=lambda m: m[1].withdrawn_on or date.max):
        if enrolment.withdrawn_on is None:
            attending.append((pid, enrolment))
            continue
        left = await api.post(
            TRAINING, f"{path}/enrollments/{pid}/withdraw", requests.withdrawal(enrolment), events=0
        )
        work.withdrawals += left.created
    for pid, enrolment in roster.waiting:  # the class is full until the withdrawals above
        joined = await api.post(TRAINING, f"{path}/enrollments", requests.enrolment(pid, enrolment))
        if joined.created:
            work.refills += 1
            attending.append((pid, enrolment))
    by_day: defaultdict[date, list[Member]] = defaultdict(list)
    for pid, enrolment in attending:
        if enrolment.completed_on:
            by_day[enrolment.completed_on].append((pid, enrolment))
    for day, completers in sorted(by_day.items()):
        await _complete(api, path, day, completers, work)


async def _complete(api: Api, path: str, day: date, completers: list[Member], work: TrainerWork) -> None:
    if len(completers) == 1:
        reply = await api.post(TRAINING, f"{path}/completions", requests.completion(*completers[0]))
        work.single += reply.created
        return
    pids = [pid for pid, _ in completers]
    reply = await api.post_batch(TRAINING, f"{path}/completions/batch", requests.completions(day, pids))
    if reply.created:
        work.batches += 1
        work.batched += sum(row["status"] == 201 for row in reply.body["results"])
