"""A participant's journey (PRODUCT.md §4): every stage fact, in date order, counted or voided.

Taken from the same facts as the figures (facts.py): each event's participant-level fact is one step of its
participant's journey, known by (metric, fact id). Re-applying a step is a no-op, a correction restates its
day, a void keeps it with the day it had, marked voided. Whether a step counts is not kept: it is derived
when read, exactly as the figures count — the participant's earliest remaining fact of each metric, ties
by fact id (earliest.SubjectState.earliest) — so no write ever has to revisit another step.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import NamedTuple

from services.reporting.metrics import Metric
from services.reporting.projection.facts import Fact
from shared.contracts.topics import FINANCE, MARKETING, MENTORING, PERMITS, REGISTRATION, TRAINING


class JourneyStage(StrEnum):
    """The seven PE-7P stages in their funnel order (metrics.Stage), and the sister programme's."""

    REGISTRATION = "registration"
    TRAINING = "training"
    MENTORING = "mentoring"
    PERMITS = "permits"
    MARKETING = "marketing"
    FINANCIAL_REPORTING = "financial_reporting"
    FINANCING = "financing"
    VOCATIONAL = "vocational"


@dataclass(frozen=True)
class Kind:
    """What the facts of one participant-level metric are on a journey."""

    stage: JourneyStage
    service: str  # the producing service that records them
    event: str  # the event type that records them


KINDS: dict[Metric, Kind] = {
    Metric.REGISTERED: Kind(JourneyStage.REGISTRATION, REGISTRATION, "ParticipantRegistered"),
    Metric.TRAINED: Kind(JourneyStage.TRAINING, TRAINING, "TrainingCompleted"),
    Metric.MENTORED: Kind(JourneyStage.MENTORING, MENTORING, "ParticipantMentored"),
    Metric.PERMIT_HOLDERS: Kind(JourneyStage.PERMITS, PERMITS, "PermitIssued"),
    Metric.MARKETED_PARTICIPANTS: Kind(JourneyStage.MARKETING, MARKETING, "ProductShowcased"),
    Metric.FINANCIAL_REPORTING: Kind(JourneyStage.FINANCIAL_REPORTING, FINANCE, "FinancialReportSubmitted"),
    Metric.FINANCED: Kind(JourneyStage.FINANCING, FINANCE, "FinancingDisbursed"),
    Metric.VOCATIONAL_TRAINED: Kind(JourneyStage.VOCATIONAL, TRAINING, "TrainingCompleted"),
    Metric.VOCATIONAL_PLACED: Kind(JourneyStage.VOCATIONAL, TRAINING, "ParticipantPlaced"),
}
_STAGE_ORDER = {stage: i for i, stage in enumerate(JourneyStage)}


class Step(NamedTuple):
    """One fact of a participant's journey as the store keeps it (plain values: it crosses processes)."""

    participant: str
    metric: Metric
    fact_id: str
    on: str  # ISO day
    voided: bool = False


def steps_of(facts: Iterable[Fact]) -> list[Step]:
    """The journey steps among an event's facts: those about a participant (not a permit's or a product's)."""
    return [
        Step(f.subject, f.metric, f.fact_id, f.on.isoformat(), f.void) for f in facts if f.metric in KINDS
    ]


@dataclass(frozen=True)
class JourneyFact:
    kind: Kind
    fact_id: str
    on: date
    counted: bool  # the participant is counted in the figures of this metric on this fact
    voided: bool


def walk(steps: Iterable[Step]) -> list[JourneyFact]:
    """A participant's steps in date order (then stage order, then fact id), each counted or not."""
    steps = list(steps)
    counted: dict[Metric, tuple[str, str]] = {}  # metric → (day, fact id) of its earliest remaining step
    for step in steps:
        if not step.voided:
            candidate = (step.on, step.fact_id)
            counted[step.metric] = min(counted.get(step.metric, candidate), candidate)
    ordered = sorted(steps, key=lambda s: (s.on, _STAGE_ORDER[KINDS[s.metric].stage], s.fact_id))
    return [
        JourneyFact(
            KINDS[s.metric],
            s.fact_id,
            date.fromisoformat(s.on),
            counted=counted.get(s.metric) == (s.on, s.fact_id),
            voided=s.voided,
        )
        for s in ordered
    ]
