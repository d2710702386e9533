"""Possible duplicates: listing the caller's area's pairs, and dismissing a pair as two people."""

from uuid import UUID

from services.registration.adapters.repositories import Pair, RegistrationStorage, RegistrationWrites
from services.registration.commands import DismissDuplicate
from services.registration.domain.audit import Action, Outcome
from services.registration.domain.duplicates import Dismissal, NotPossibleDuplicates
from services.registration.handlers.scope import not_found, unknown
from shared.auth import Principal
from shared.errors import DomainError


async def possible_duplicates(
    uow: RegistrationStorage, caller: Principal, *, after: int, limit: int
) -> tuple[list[Pair], int | None]:
    """Pairs of the caller's area with the same normalised name and birth date, not dismissed."""
    async with uow.audited() as tx:
        pairs, last = await tx.duplicates.page(
            kota_code=caller.kota, agency=caller.agency, after=after, limit=limit
        )
        shown = dict.fromkeys(p.participant_id for pair in pairs for p in pair)
        await tx.audit.record(caller.subject, Action.LIST, shown)
    return pairs, last


async def dismiss_duplicate(
    uow: RegistrationStorage, command: DismissDuplicate, caller: Principal
) -> Dismissal:
    """Records that the pair are two people (who, when, why); they no longer list as possible duplicates."""
    async with uow.audited() as tx:
        outcome = await _dismiss(tx, command.pair, command.reason, caller)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


async def _dismiss(
    tx: RegistrationWrites, pair: tuple[UUID, UUID], reason: str, caller: Principal
) -> Dismissal | DomainError:
    for participant_id in pair:
        area = await tx.participants.area_of(participant_id)
        if area is None:
            return not_found(participant_id)
        if not caller.covers(area.kota_code, area.agency):
            detail = unknown(caller)
            await tx.audit.record(
                caller.subject, Action.DISMISS, [participant_id], outcome=Outcome.REFUSED, detail=detail
            )
            return not_found(participant_id)
    if not await tx.duplicates.pair_matches(pair):
        return NotPossibleDuplicates(
            "these participants are not possible duplicates: their names or birth dates differ"
        )
    dismissal = await tx.duplicates.dismiss(pair, caller.subject, reason)
    await tx.audit.record(caller.subject, Action.DISMISS, pair, detail=reason)
    return dismissal
