"""Request bodies of every `…/correct` and `…/void` endpoint."""

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Officer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class VoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the fact was recorded by mistake")
    by: Officer = Field(description="Account of the officer making the change (an id, not a name)")


class CorrectionIn(VoidIn):
    date: dt.date = Field(description="The fact's right business date (Asia/Jakarta)")
    reason: Reason = Field(description="Why the recorded date was wrong")
