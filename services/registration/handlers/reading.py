"""Reading personal data, every read audited: one participant, a NIK lookup, a page, names for a list,
and the audit trail itself."""

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import replace
from typing import Any, TypeVar
from uuid import UUID

from services.registration.adapters.repositories import RegistrationStorage
from services.registration.adapters.repository import Filters
from services.registration.domain.audit import Action, AuditEntry, Outcome
from services.registration.domain.names import NameTag, query_problem
from services.registration.domain.participant import Erased, Participant
from services.registration.handlers.scope import not_found, unknown
from shared.auth import Principal
from shared.auth.principal import OutOfScope
from shared.errors import NotFound, RuleViolation

T = TypeVar("T")


async def read_participant(uow: RegistrationStorage, participant_id: UUID, caller: Principal) -> Participant:
    async with uow.audited() as tx:
        found = await tx.participants.get(participant_id)
        shown = found is not None and caller.covers(*found.area)
        if shown and isinstance(found, Participant):
            await tx.audit.record(caller.subject, Action.READ, [participant_id])
    if found is None:
        raise not_found(participant_id)
    if not shown:
        await uow.record_refusal(caller.subject, Action.READ, participant_id, unknown(caller))
        raise not_found(participant_id)
    if isinstance(found, Erased):
        raise found.refusal()
    return found


async def look_up_nik(uow: RegistrationStorage, nik: str, caller: Principal) -> Participant:
    """The participant registered under a NIK, if in the caller's area; otherwise 404, as for nobody."""
    async with uow.each_statement_commits() as view:
        found = await view.participants.by_nik(nik)
        if found is None:
            await view.audit.record(caller.subject, Action.LOOKUP, [None], outcome=Outcome.NOT_FOUND)
        elif caller.covers(*found.area):
            await view.audit.record(
                caller.subject, Action.LOOKUP, [found.participant_id], outcome=Outcome.FOUND
            )
            return found
        else:
            await view.audit.record(
                caller.subject,
                Action.LOOKUP,
                [found.participant_id],
                outcome=Outcome.REFUSED,
                detail=unknown(caller),
            )
    raise NotFound("no participant is registered under this NIK")


async def resolve_names(
    uow: RegistrationStorage, participant_ids: Sequence[UUID], caller: Principal
) -> list[NameTag]:
    """Names and NIKs of those in the caller's area, in the order asked; others left out like unknown ones.

    Audited as one read per participant named (and a refused one per participant outside the area).
    """
    wanted = list(dict.fromkeys(participant_ids))
    order = {participant_id: i for i, participant_id in enumerate(wanted)}
    async with uow.each_statement_commits() as view:
        found = await view.participants.name_tags(wanted, caller)
        named = [stored for _, stored in sorted(found.named, key=lambda named: order[named[0]])]

        async def record() -> None:
            await view.audit.record(caller.subject, Action.READ, named)
            detail = unknown(caller)
            await view.audit.record(
                caller.subject, Action.READ, found.outside, outcome=Outcome.REFUSED, detail=detail
            )

        tags = await _audited_meanwhile(record(), found.open)
    return sorted(tags, key=lambda tag: order[tag.participant_id])


async def _audited_meanwhile(recording: Coroutine[Any, Any, None], decrypt: Callable[[], T]) -> T:
    """`decrypt` (CPU) while PostgreSQL writes the audit entries of what it decrypts (`recording`, which
    knows whom they name already): a resolve's 500 entries take the database ~10 ms, and this side's
    decryption need not wait for them. Returns only once both are done, so nothing is shown unaudited,
    and a failed audit write fails the request as before."""
    writing = asyncio.create_task(recording)
    await asyncio.sleep(0)  # the task sends its statement before the decryption holds the event loop
    try:
        return decrypt()
    finally:
        await writing  # also when decrypt raised: the connection is free again before it is released


async def list_participants(
    uow: RegistrationStorage, caller: Principal, filters: Filters, *, after_seq: int, limit: int
) -> tuple[list[Participant], int | None]:
    """A page of the caller's area, filtered by region and name (`filters.name`: every word, whole).

    A kota-scoped caller asking for another kota (or a kecamatan or kelurahan of one) is refused.
    """
    if filters.name is not None and (problem := query_problem(filters.name)):
        raise RuleViolation(problem)
    await _check_kota_filters(uow, caller, filters)
    scoped = replace(filters, kota_code=caller.kota or filters.kota_code, agency=caller.agency)
    async with uow.each_statement_commits() as view:  # one read, one audit statement: no BEGIN/COMMIT
        stored = await view.participants.page(scoped, after_seq=after_seq, limit=limit)
        shown = stored.participant_ids
        items = await _audited_meanwhile(view.audit.record(caller.subject, Action.LIST, shown), stored.open)
    return items, stored.last_seq


async def _check_kota_filters(uow: RegistrationStorage, caller: Principal, filters: Filters) -> None:
    codes = (filters.kota_code, filters.kecamatan_code, filters.kelurahan_code)
    for code in codes:
        if caller.kota is not None and code is not None and code[:5] != caller.kota:
            refusal = OutOfScope(f"kota {code[:5]} is outside your area ({caller.area})")
            await uow.record_refusal(caller.subject, Action.LIST, None, refusal.detail)
            raise refusal


async def audit_trail(
    uow: RegistrationStorage, *, participant_id: UUID | None, subject: str | None, after_id: int, limit: int
) -> tuple[list[AuditEntry], int | None]:
    """Who read or changed whose personal data, oldest first (the route admits admins only)."""
    async with uow.view() as view:
        return await view.audit.page(
            participant_id=participant_id, subject=subject, after_id=after_id, limit=limit
        )
