"""The caller's area: one answer for unknown participants and for those outside it, refusals audited."""

from uuid import UUID

from services.registration.adapters.repositories import Holder, RegistrationStorage
from services.registration.domain.audit import Action, Outcome
from services.registration.domain.participant import DuplicateNik
from shared.auth import Principal
from shared.auth.principal import OutOfScope
from shared.errors import NotFound


def not_found(participant_id: UUID) -> NotFound:
    """The one answer for a participant that does not exist and for one outside the caller's area."""
    return NotFound(f"participant {participant_id} not found")


def unknown(caller: Principal) -> str:
    """The audit's note on a participant outside the caller's area, answered as if unknown."""
    return f"outside the caller's area ({caller.area}): answered as unknown"


async def check_scope(
    uow: RegistrationStorage, caller: Principal, action: Action, kota_code: str, agency: str
) -> None:
    """A request about another kota or agency (not about a participant): refused, and recorded."""
    try:
        caller.check_scope(kota_code, agency)
    except OutOfScope as refused:
        await uow.record_refusal(caller.subject, action, None, refused.detail)
        raise


def nik_taken(holder: Holder, caller: Principal) -> tuple[Outcome, DuplicateNik]:
    """A NIK another participant holds: named to a caller whose area holds them, else only "taken"; with
    what the audit's lookup entry says the caller was told."""
    shown = caller.covers(holder.kota_code, holder.agency)
    return (Outcome.FOUND if shown else Outcome.TAKEN), DuplicateNik.of(
        holder.participant_id if shown else None
    )
