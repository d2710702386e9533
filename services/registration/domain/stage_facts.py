"""What registration must know of the stages: each participant's dated facts, for the earliest one.

PRODUCT.md §2: a stage fact may not precede the participant's registration, so `registered_on` may not move
after the earliest stage fact (409 `stage_fact_precedes`, for PATCH and the batch upsert alike). Every
participant event of a stage topic is a dated fact (an enrolment, an application, a session …): its
business date is the envelope's `occurred_on`. A fact is identified by its event type and its own id (the
first id of the payload besides the participant's), so a correction (FactCorrected, carrying the fact as
it now stands) re-dates the same fact and a FactVoided withdraws it. Free of I/O.
"""

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.envelope import EventEnvelope, EventPayload
from shared.errors import Conflict


class StageFactPrecedes(Conflict):
    code = "stage_fact_precedes"


@dataclass(frozen=True)
class StageFact:
    participant_id: UUID
    fact_key: str
    on: date
    voided: bool = False


def stage_fact_of(envelope: EventEnvelope, event: EventPayload) -> StageFact | None:
    """The participant fact an event records, re-dates or withdraws; None for events about no participant."""
    if isinstance(event, FactCorrected | FactVoided):
        key = fact_key(event.fact)
        voided = isinstance(event, FactVoided)
        return None if key is None else StageFact(event.participant_id, key, envelope.occurred_on, voided)
    participant_id = getattr(event, "participant_id", None)
    key = fact_key(event)
    if not isinstance(participant_id, UUID) or key is None:
        return None
    return StageFact(participant_id, key, envelope.occurred_on)


def fact_key(event: EventPayload) -> str | None:
    """`<event type>:<the fact's own id>`, e.g. `PermitIssued:<permit_id>`; None without such an id."""
    for name in type(event).model_fields:
        value = getattr(event, name)
        if name != "participant_id" and isinstance(value, UUID):
            return f"{event.event_type}:{value}"
    return None


def registration_date_problem(registered_on: date, earliest_fact: date | None) -> StageFactPrecedes | None:
    """A registration date after the participant's earliest stage fact would make that fact precede it."""
    if earliest_fact is None or registered_on <= earliest_fact:
        return None
    return StageFactPrecedes(
        f"registered_on {registered_on.isoformat()} would follow the participant's earliest stage fact "
        f"({earliest_fact.isoformat()}): a stage fact may not precede the registration",
        earliest_stage_fact=earliest_fact.isoformat(),
    )
