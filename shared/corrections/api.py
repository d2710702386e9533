"""Request bodies of every `…/correct` and `…/void` endpoint, and who is making the change."""

import datetime as dt
from typing import Annotated

from fastapi import Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.auth.deps import Caller

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class VoidIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason = Field(description="Why the fact was recorded by mistake")


class CorrectionIn(VoidIn):
    date: dt.date = Field(description="The fact's right business date (Asia/Jakarta)")
    reason: Reason = Field(description="Why the recorded date was wrong")


async def _officer(caller: Caller) -> str:
    # From the verified token, never the body: the audit trail names who really made the change.
    return caller.subject


Officer = Annotated[str, Depends(_officer)]
"""The account id (token subject) of the caller correcting or voiding a fact."""
