"""Events → dated facts. A pure mapping: which metric a fact counts towards, for which subject, when.

A *subject* is what a metric counts once: a participant for most metrics, a permit for permits_issued, a
product for products_marketed. Its count sits on the day of its earliest fact, so facts are kept per subject
and keyed by `fact_id`, which makes re-applying the same event a no-op. A correction restates the same facts
with a new date; a void withdraws them.
"""

from datetime import date
from typing import NamedTuple
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


class Fact(NamedTuple):
    """One per counted event (a NamedTuple: immutable, and cheap to build at tens of thousands a second)."""

    metric: Metric
    subject: str
    fact_id: str
    on: date
    dims: Dims
    cohort: date | None = None  # the participant's registration day, for participant-level stage facts
    void: bool = False  # withdrawn: the fact no longer counts anywhere


def dims_of(profile: ParticipantProfile) -> Dims:
    return {
        Dimension.KOTA: profile.kota_code,
        Dimension.KECAMATAN: profile.kecamatan_code,
        Dimension.GENDER: profile.gender.value,
        Dimension.SECTOR: profile.sector.value if profile.sector else NO_SECTOR,
        Dimension.AGENCY: profile.agency.value,
    }


def facts_of(event: EventPayload) -> list[Fact]:
    """The facts an event establishes (or withdraws); events that count towards no metric give none."""
    match event:
        case ParticipantRegistered() | ParticipantUpdated():
            pid, profile = str(event.participant_id), event.profile
            return [Fact(Metric.REGISTERED, pid, "registration", profile.registered_on, dims_of(profile))]
        case TrainingCompleted():
            metric = (
                Metric.TRAINED
                if event.program is TrainingProgram.ENTREPRENEURSHIP
                else Metric.VOCATIONAL_TRAINED
            )
            return [
                _stage_fact(metric, event.profile, event.participant_id, event.class_id, event.completed_on)
            ]
        case ParticipantPlaced():
            return [
                _stage_fact(
                    Metric.VOCATIONAL_PLACED,
                    event.profile,
                    event.participant_id,
                    event.placement_id,
                    event.placed_on,
                )
            ]
        case PermitIssued():
            return [
                Fact(
                    Metric.PERMITS_ISSUED,
                    str(event.permit_id),
                    "issued",
                    event.issued_on,
                    dims_of(event.profile),
                ),
                _stage_fact(
                    Metric.PERMIT_HOLDERS,
                    event.profile,
                    event.participant_id,
                    event.permit_id,
                    event.issued_on,
                ),
            ]
        case ParticipantMentored():
            return [
                _stage_fact(
                    Metric.MENTORED, event.profile, event.participant_id, event.session_id, event.held_on
                )
            ]
        case ProductShowcased():
            showcase, on = str(event.showcase_id), event.shown_on
            return [
                Fact(Metric.PRODUCTS_MARKETED, str(event.product_id), showcase, on, dims_of(event.profile)),
                _stage_fact(
                    Metric.MARKETED_PARTICIPANTS, event.profile, event.participant_id, event.showcase_id, on
                ),
            ]
        case FinancialReportSubmitted():
            return [
                _stage_fact(
                    Metric.FINANCIAL_REPORTING,
                    event.profile,
                    event.participant_id,
                    event.report_id,
                    event.submitted_on,
                )
            ]
        case FinancingDisbursed():
            return [
                _stage_fact(
                    Metric.FINANCED,
                    event.profile,
                    event.participant_id,
                    event.application_id,
                    event.disbursed_on,
                )
            ]
        case FactCorrected():
            return facts_of(event.fact)  # the same fact ids, restated with the right date
        case FactVoided():
            return [_withdrawn(fact) for fact in facts_of(event.fact)]
        case _:
            return []


def _stage_fact(metric: Metric, profile: ParticipantProfile, participant: UUID, fact: UUID, on: date) -> Fact:
    """A participant-level fact: counted once per participant, and placed in its registration cohort."""
    return Fact(metric, str(participant), str(fact), on, dims_of(profile), cohort=profile.registered_on)


def _withdrawn(fact: Fact) -> Fact:
    return fact._replace(void=True)
