"""Corrections: the owning service re-dates or voids a fact it recorded, saying who (and, in its own
correction log only, why: a reason is free text, which events never carry).

The event carries the fact as it now stands (corrected) or as it stood (voided), in the fact's own event
shape, so a consumer applies a correction with the same code that applied the fact: the same fact ids are
restated with the new date, or withdrawn.

`CorrectableFact` is the one declaration of which facts can be corrected: each stage fact with the date
field a correction changes. The tuple of models, the `fact_type` names and the date fields derive from it;
tests/unit/test_correctable_events.py holds every stage service's correction wiring and reporting's
projection to it.
"""

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, get_args
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


@dataclass(frozen=True)
class Redates:
    """The field of a correctable fact that a correction changes: its business date."""

    field: str


# A new correctable fact is one line here (a type checker needs the union spelled out, so it is the source).
CorrectableFact = (
    Annotated[TrainingCompleted, Redates("completed_on")]
    | Annotated[ParticipantPlaced, Redates("placed_on")]
    | Annotated[PermitIssued, Redates("issued_on")]
    | Annotated[ParticipantMentored, Redates("held_on")]
    | Annotated[ProductShowcased, Redates("shown_on")]
    | Annotated[FinancialReportSubmitted, Redates("submitted_on")]
    | Annotated[FinancingDisbursed, Redates("disbursed_on")]
)


def _declared() -> dict[type[EventPayload], str]:
    """Model → the date field a correction changes, in the order declared; checked as it is read."""
    declared: dict[type[EventPayload], str] = {}
    for member in get_args(CorrectableFact):
        model, redates = get_args(member)
        if (
            redates.field not in model.model_fields
            or model.model_fields[redates.field].annotation is not date
        ):
            raise TypeError(f"{model.__name__}.{redates.field} is not a date field")
        declared[model] = redates.field
    return declared


REDATED_FIELD: dict[type[EventPayload], str] = _declared()
CORRECTABLE: tuple[type[EventPayload], ...] = tuple(REDATED_FIELD)
_BY_TYPE = {model.event_type: model for model in CORRECTABLE}

# Models read the plain Literal and union, exactly as if spelled out, so the schemas and every consumer
# see what they saw before; a type checker cannot evaluate them and reads `str` and `CorrectableFact`.
if TYPE_CHECKING:
    CorrectableType = str
    _Fact = CorrectableFact
else:
    CorrectableType = Literal[tuple(_BY_TYPE)]
    _Fact = reduce(or_, CORRECTABLE)


def redated_field(model: type[EventPayload]) -> str:
    """The date field a correction of this fact changes (LookupError for a fact that is not correctable)."""
    try:
        return REDATED_FIELD[model]
    except KeyError:
        raise LookupError(f"{model.__name__} is not a correctable fact") from None


class _Correction(EventPayload):
    participant_id: UUID
    fact_type: CorrectableType
    fact: _Fact
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
