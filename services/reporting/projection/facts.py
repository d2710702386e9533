"""Events → dated facts. A pure mapping: which metric a fact counts towards, for which subject, when.

A *subject* is what a metric counts once: a participant for most metrics, a permit for permits_issued.
Its count sits on the day of its earliest fact, so facts are kept per subject and keyed by `fact_id`,
which makes re-applying the same event a no-op.
"""

from dataclasses import dataclass
from datetime import date

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
            pid = str(event.participant_id)
            on = event.profile.registered_on
            return [Fact(Metric.REGISTERED, pid, "registration", on, dims_of(event.profile))]
        case TrainingCompleted():
            metric = (
                Metric.TRAINED
                if event.program is TrainingProgram.ENTREPRENEURSHIP
                else Metric.VOCATIONAL_TRAINED
            )
            pid = str(event.participant_id)
            return [Fact(metric, pid, str(event.class_id), event.completed_on, dims_of(event.profile))]
        case ParticipantPlaced():
            pid = str(event.participant_id)
            placement = str(event.placement_id)
            return [Fact(Metric.VOCATIONAL_PLACED, pid, placement, event.placed_on, dims_of(event.profile))]
        case PermitIssued():
            permit = str(event.permit_id)
            return [Fact(Metric.PERMITS_ISSUED, permit, "issued", event.issued_on, dims_of(event.profile))]
        case _:
            return []
