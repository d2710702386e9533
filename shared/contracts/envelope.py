"""The single envelope every event travels in, whatever its type."""

from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field


class EventPayload(BaseModel):
    """Base of every event payload: a past-tense fact with a stable wire name and version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    event_version: ClassVar[int] = 1


class EventEnvelope(BaseModel):
    """Metadata shared by all events; `payload` is validated against the model named by type and version."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_id: UUID
    event_type: str = Field(min_length=1, description="Stable wire name, e.g. 'ParticipantRegistered'")
    event_version: int = Field(ge=1)
    occurred_on: date = Field(description="Business date of the fact (Asia/Jakarta calendar day)")
    recorded_at: datetime = Field(description="When the producing service recorded the fact (UTC)")
    key: str = Field(min_length=1, description="participant_id for participant facts, else the aggregate id")
    correlation_id: str | None = None
    producer: str = Field(min_length=1, description="Name of the producing service")
    payload: dict[str, Any]
