"""Request bodies of every `…/correct` and `…/void` endpoint, who is making the change, and the refusals
the lifecycle answers with, as the routes document them."""

import datetime as dt
from typing import Annotated
from uuid import UUID

from fastapi import Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.auth.deps import Caller
from shared.corrections.errors import AlreadyVoided, ConcurrentChange
from shared.corrections.lifecycle import CorrectDate, VoidFact
from shared.web.refusals import Refusal

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


def correction(fact_id: UUID, body: CorrectionIn, by: Officer) -> CorrectDate:
    return CorrectDate(fact_id, body.date, by, body.reason)


def void(fact_id: UUID, body: VoidIn, by: Officer) -> VoidFact:
    return VoidFact(fact_id, by, body.reason)


def already_voided(what: str, **ids: str) -> Refusal:
    """The documented example of `AlreadyVoided.of(what, **ids)`."""
    return _example(AlreadyVoided.of(what, **ids))


def concurrent_change(what: str, on: str, **ids: str) -> Refusal:
    """The documented example of `ConcurrentChange.redated(what, on, **ids)`."""
    return _example(ConcurrentChange.redated(what, dt.date.fromisoformat(on), **ids))


def _example(error: AlreadyVoided | ConcurrentChange) -> Refusal:
    return Refusal(error.status_code, error.code, error.detail, tuple(error.context.items()))
