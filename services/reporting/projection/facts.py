"""Events → dated facts. A pure mapping: which metric a fact counts towards, for which subject, when.

A *subject* is what a metric counts once: a participant for most metrics, a permit for permits_issued.
Its count sits on the day of its earliest fact, so facts are kept per subject and keyed by `fact_id`,
which makes re-applying the same event a no-op.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.reporting.metrics import NO_SECTOR, Dimension, Metric
from shared.contracts.enums import TrainingProgram
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    ParticipantPlaced,
    ParticipantRegistered,
    PermitIssued,
    TrainingCompleted,
)
from shared.contracts.profile import ParticipantProfile

Dims = dict[Dimension, str]


@dataclass(frozen=True)
class Fact:
    metric: Metric
    subject: str
    fact_id: str
    on: date
    dims: Dims
    cohort: date | None = None  # the participant's registration day, for participant-level stage facts


def dims_of(profile: ParticipantProfile) -> Dims:
    return {
        Dimension.KOTA: profile.kota_code,
        Dimension.KECAMATAN: profile.kecamatan_code,
        Dimension.GENDER: profile.gender.value,
        Dimension.SECTOR: profile.sector.value if profile.sector else NO_SECTOR,
        Dimension.AGENCY: profile.agency.value,
    }


def facts_of(event: EventPayload) -> list[Fact]:
    """The facts an event establishes; events that count towards no metric give none."""
    match event:
        case ParticipantRegistered():
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
            permit = str(event.permit_id)
            return [
                Fact(Metric.PERMITS_ISSUED, permit, "issued", event.issued_on, dims_of(event.profile)),
                _stage_fact(
                    Metric.PERMIT_HOLDERS,
                    event.profile,
                    event.participant_id,
                    event.permit_id,
                    event.issued_on,
                ),
            ]
        case _:
            return []


def _stage_fact(metric: Metric, profile: ParticipantProfile, participant: UUID, fact: UUID, on: date) -> Fact:
    """A participant-level fact: counted once per participant, and placed in its registration cohort."""
    return Fact(metric, str(participant), str(fact), on, dims_of(profile), cohort=profile.registered_on)
