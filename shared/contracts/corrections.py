"""Corrections: the owning service re-dates or voids a fact it recorded, saying who (and, in its own
correction log only, why: a reason is free text, which events never carry).

The event carries the fact as it now stands (corrected) or as it stood (voided), in the fact's own event
shape, so a consumer applies a correction with the same code that applied the fact: the same fact ids are
restated with the new date, or withdrawn.
"""

from datetime import date
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import Field, ValidationInfo, model_validator

from shared.contracts.codes import AccountId
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    FinancialReportSubmitted,
    FinancingDisbursed,
    ParticipantMentored,
    ParticipantPlaced,
    PermitIssued,
    ProductShowcased,
    TrainingCompleted,
)
from shared.contracts.reading import extra_of

CORRECTABLE: tuple[type[EventPayload], ...] = (
    TrainingCompleted,
    ParticipantPlaced,
    PermitIssued,
    ParticipantMentored,
    ProductShowcased,
    FinancialReportSubmitted,
    FinancingDisbursed,
)
_BY_TYPE = {model.event_type: model for model in CORRECTABLE}

CorrectableType = Literal[
    "TrainingCompleted",
    "ParticipantPlaced",
    "PermitIssued",
    "ParticipantMentored",
    "ProductShowcased",
    "FinancialReportSubmitted",
    "FinancingDisbursed",
]
CorrectableFact = (
    TrainingCompleted
    | ParticipantPlaced
    | PermitIssued
    | ParticipantMentored
    | ProductShowcased
    | FinancialReportSubmitted
    | FinancingDisbursed
)


class _Correction(EventPayload):
    participant_id: UUID
    fact_type: CorrectableType
    fact: CorrectableFact
    by: AccountId = Field(description="Account that made the change")

    @model_validator(mode="before")
    @classmethod
    def _parse_fact_by_type(cls, data: Any, info: ValidationInfo) -> Any:
        """Validate `fact` as the model `fact_type` names, never by guessing among similar shapes."""
        if isinstance(data, dict) and isinstance(data.get("fact"), dict):
            model = _BY_TYPE.get(data.get("fact_type", ""))
            if model is not None:
                fact = model.model_validate(data["fact"], extra=extra_of(info), context=info.context)
                data = {**data, "fact": fact}
        return data

    @model_validator(mode="after")
    def _fact_matches_its_type(self) -> "_Correction":
        fact = self.fact
        if fact.event_type != self.fact_type:
            raise ValueError(f"fact is a {fact.event_type}, not a {self.fact_type}")
        if fact.participant_id != self.participant_id:
            raise ValueError("fact belongs to another participant")
        return self


class FactCorrected(_Correction):
    """A fact re-dated: `fact` is the fact as it now stands; `previous_on` the date it had."""

    event_type: ClassVar[str] = "FactCorrected"

    previous_on: date


class FactVoided(_Correction):
    """A fact recorded by mistake: `fact` is the fact as it stood; it no longer counts anywhere."""

    event_type: ClassVar[str] = "FactVoided"
