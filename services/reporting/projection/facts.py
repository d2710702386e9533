"""Events → dated facts: which metric a fact counts towards, for which subject, when. One entry per event.

A *subject* is what a metric counts once: a participant for most metrics, a permit for permits_issued, a
product for products_marketed. Its count sits on the day of its earliest fact, so facts are kept per subject
and keyed by `fact_id`, which makes re-applying the same event a no-op. A correction restates the same facts
with a new date; a void withdraws them.

`PROJECTIONS` is the one place an event type is given its facts: a new stage event is one entry here (and
its metric's labels); events without an entry count towards nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any, NamedTuple, TypeVar
from uuid import UUID

from services.reporting.metrics import NO_SECTOR, Dimension, Metric
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.enums import TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    FinancialReportSubmitted,
    FinancingDisbursed,
    ParticipantMentored,
    ParticipantPlaced,
    ParticipantRegistered,
    ParticipantUpdated,
    PermitIssued,
    ProductShowcased,
    TrainingCompleted,
)
from shared.contracts.profile import ParticipantProfile

Dims = dict[Dimension, str]
REGISTRATION = "registration"  # the fact id of a participant's registration
E = TypeVar("E", bound=EventPayload)


class Fact(NamedTuple):
    """One per counted event (a NamedTuple: immutable, and cheap to build at tens of thousands a second)."""

    metric: Metric
    subject: str
    fact_id: str
    on: date
    dims: Dims
    cohort: date | None = None  # the participant's registration day, for participant-level stage facts
    void: bool = False  # withdrawn: the fact no longer counts anywhere


@dataclass(frozen=True)
class Projection:
    """How reporting counts one event type: the facts each of its events establishes."""

    event: type[EventPayload]
    facts: Callable[[Any], list[Fact]]


def entry(event: type[E], facts: Callable[[E], list[Fact]]) -> Projection:
    """A projection entry whose function is checked to take that event type."""
    return Projection(event, facts)


def dims_of(profile: ParticipantProfile) -> Dims:
    return {
        Dimension.KOTA: profile.kota_code,
        Dimension.KECAMATAN: profile.kecamatan_code,
        Dimension.GENDER: profile.gender.value,
        Dimension.SECTOR: profile.sector.value if profile.sector else NO_SECTOR,
        Dimension.AGENCY: profile.agency.value,
    }


def _stage_fact(metric: Metric, profile: ParticipantProfile, participant: UUID, fact: UUID, on: date) -> Fact:
    """A participant-level fact: counted once per participant, and placed in its registration cohort."""
    return Fact(metric, str(participant), str(fact), on, dims_of(profile), cohort=profile.registered_on)


def _registered(e: ParticipantRegistered | ParticipantUpdated) -> list[Fact]:
    profile = e.profile
    return [
        Fact(Metric.REGISTERED, str(e.participant_id), REGISTRATION, profile.registered_on, dims_of(profile))
    ]


def _trained(e: TrainingCompleted) -> list[Fact]:
    entrepreneurship = e.program is TrainingProgram.ENTREPRENEURSHIP
    metric = Metric.TRAINED if entrepreneurship else Metric.VOCATIONAL_TRAINED
    return [_stage_fact(metric, e.profile, e.participant_id, e.class_id, e.completed_on)]


def _placed(e: ParticipantPlaced) -> list[Fact]:
    return [_stage_fact(Metric.VOCATIONAL_PLACED, e.profile, e.participant_id, e.placement_id, e.placed_on)]


def _permit(e: PermitIssued) -> list[Fact]:
    """The permit counts once, and its holder reaches the permits stage."""
    return [
        Fact(Metric.PERMITS_ISSUED, str(e.permit_id), "issued", e.issued_on, dims_of(e.profile)),
        _stage_fact(Metric.PERMIT_HOLDERS, e.profile, e.participant_id, e.permit_id, e.issued_on),
    ]


def _mentored(e: ParticipantMentored) -> list[Fact]:
    return [_stage_fact(Metric.MENTORED, e.profile, e.participant_id, e.session_id, e.held_on)]


def _showcased(e: ProductShowcased) -> list[Fact]:
    """The product counts on its earliest showing, and its owner reaches the marketing stage."""
    showcase, on = str(e.showcase_id), e.shown_on
    return [
        Fact(Metric.PRODUCTS_MARKETED, str(e.product_id), showcase, on, dims_of(e.profile)),
        _stage_fact(Metric.MARKETED_PARTICIPANTS, e.profile, e.participant_id, e.showcase_id, on),
    ]


def _reported(e: FinancialReportSubmitted) -> list[Fact]:
    return [_stage_fact(Metric.FINANCIAL_REPORTING, e.profile, e.participant_id, e.report_id, e.submitted_on)]


def _financed(e: FinancingDisbursed) -> list[Fact]:
    return [_stage_fact(Metric.FINANCED, e.profile, e.participant_id, e.application_id, e.disbursed_on)]


def _corrected(e: FactCorrected) -> list[Fact]:
    return facts_of(e.fact)  # the same fact ids, restated with the right date


def _voided(e: FactVoided) -> list[Fact]:
    return [fact._replace(void=True) for fact in facts_of(e.fact)]


PROJECTIONS: tuple[Projection, ...] = (
    entry(ParticipantRegistered, _registered),
    entry(ParticipantUpdated, _registered),
    entry(TrainingCompleted, _trained),
    entry(ParticipantPlaced, _placed),
    entry(PermitIssued, _permit),
    entry(ParticipantMentored, _mentored),
    entry(ProductShowcased, _showcased),
    entry(FinancialReportSubmitted, _reported),
    entry(FinancingDisbursed, _financed),
    entry(FactCorrected, _corrected),
    entry(FactVoided, _voided),
)


def facts_of(event: EventPayload) -> list[Fact]:
    """The facts an event establishes (or withdraws); events that count towards no metric give none."""
    project = _projection_of(type(event))
    return project(event) if project else []


@cache
def _projection_of(event_type: type[EventPayload]) -> Callable[[Any], list[Fact]] | None:
    """The entry of the event's type (or of a type it extends), looked up once per type."""
    return next((p.facts for p in PROJECTIONS if issubclass(event_type, p.event)), None)
