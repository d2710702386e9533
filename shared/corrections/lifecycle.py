"""Correcting and voiding a recorded stage fact, once for every stage — free of SQL and HTTP.

Read the fact (404 if the caller may not see it) and what its rules need → let the fact re-date or void
itself under its own rules → write it back on condition that nobody changed it since it was read → if
somebody did, refuse as the fact now stands (voided, or re-dated: retry) → log the change and publish it.

A stage takes part by giving its facts the `Correctable` methods and its adapters a `CorrectionStore`;
`shared.corrections.log` is the log over SQL and the outbox, tests use in-memory ones.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol, Self, TypeVar
from uuid import UUID

from shared.contracts.corrections import CorrectableFact
from shared.errors import DomainError

Context_contra = TypeVar("Context_contra", contravariant=True)
Context_co = TypeVar("Context_co", covariant=True)


@dataclass(frozen=True)
class CorrectDate:
    """Re-date a recorded fact (`fact_id`) that was entered with the wrong business date."""

    fact_id: UUID
    on: date
    by: str
    reason: str


@dataclass(frozen=True)
class VoidFact:
    """Withdraw a fact (`fact_id`) that was recorded by mistake."""

    fact_id: UUID
    by: str
    reason: str


@dataclass(frozen=True)
class Voided:
    """When, by whom and why a fact was withdrawn; the fact is kept, marked voided."""

    at: datetime
    by: str
    reason: str


class Correctable(Protocol[Context_contra]):
    """A stage fact as stored (a session, a permit's issue, a showcase, a report, a disbursement).

    `Context` is what its rules and its event need beyond itself (the participant's profile, the mentor …).
    """

    def redate(self, on: date, today: date, context: Context_contra) -> Self:
        """The fact on its right date, under the rules the original date passed (`AlreadyVoided` …)."""
        ...

    def void(self, voided: Voided) -> Self:
        """The fact withdrawn (`AlreadyVoided` if it already is)."""
        ...

    def fact(self, context: Context_contra) -> CorrectableFact:
        """The fact's event as it stands: what FactCorrected and FactVoided restate."""
        ...

    def changed_meanwhile(self, now: Self) -> DomainError:
        """The refusal when the conditional write found this fact changed; `now` is as it stands."""
        ...


Fact = TypeVar("Fact", bound=Correctable[Any])


class CorrectionStore(Protocol[Fact, Context_co]):
    """A stage's facts in one transaction."""

    async def read(self, fact_id: UUID) -> Fact:
        """The fact, or NotFound when there is none the caller may see."""
        ...

    async def context_of(self, fact: Fact) -> Context_co: ...

    async def save_date(self, read: Fact, corrected: Fact) -> bool:
        """Store the new date only if the fact is still as `read`; False if another request changed it."""
        ...

    async def save_void(self, read: Fact, voided: Fact, details: Voided) -> bool:
        """Store the void only if the fact is still as `read`; False if another request changed it."""
        ...


class CorrectionLog(Protocol):
    """The audit trail, in the same transaction: a log row and a FactCorrected / FactVoided event."""

    async def corrected(
        self, fact: CorrectableFact, *, fact_id: UUID, new_on: date, by: str, reason: str
    ) -> None: ...

    async def voided(self, fact: CorrectableFact, *, fact_id: UUID, by: str, reason: str) -> None: ...


async def correct(
    store: CorrectionStore[Fact, Any],
    log: CorrectionLog,
    command: CorrectDate,
    today: date,
    *,
    log_same_date: bool = False,
) -> Fact:
    """Re-date a fact; correcting it to the date it already has changes nothing and records nothing,
    unless the stage logs that too (`log_same_date`)."""
    current = await store.read(command.fact_id)
    context = await store.context_of(current)
    corrected = current.redate(command.on, today, context)
    if corrected == current and not log_same_date:
        return current
    if not await store.save_date(current, corrected):
        raise current.changed_meanwhile(await store.read(command.fact_id))
    await log.corrected(
        current.fact(context),
        fact_id=command.fact_id,
        new_on=command.on,
        by=command.by,
        reason=command.reason,
    )
    return corrected


async def void(
    store: CorrectionStore[Fact, Any], log: CorrectionLog, command: VoidFact, at: datetime
) -> Fact:
    """Withdraw a fact recorded by mistake; it is kept, marked voided."""
    current = await store.read(command.fact_id)
    context = await store.context_of(current)
    details = Voided(at, command.by, command.reason)
    voided = current.void(details)
    if not await store.save_void(current, voided, details):
        raise current.changed_meanwhile(await store.read(command.fact_id))
    await log.voided(current.fact(context), fact_id=command.fact_id, by=command.by, reason=command.reason)
    return voided
