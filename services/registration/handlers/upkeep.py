"""Keeping a record right: correcting it (PATCH) and erasing its personal data."""

from datetime import UTC, datetime
from uuid import UUID

from services.registration.adapters.repositories import NikTaken, RegistrationStorage, RegistrationWrites
from services.registration.commands import EditParticipant, EraseParticipant
from services.registration.domain.audit import Action, Outcome
from services.registration.domain.participant import Erased, Participant
from services.registration.domain.upkeep import changes_between, edit
from services.registration.handlers.scope import nik_taken, not_found, unknown
from shared.auth import Principal
from shared.auth.principal import OutOfScope
from shared.dates import jakarta_today
from shared.errors import DomainError


async def erase_participant(uow: RegistrationStorage, command: EraseParticipant, caller: Principal) -> Erased:
    """PRODUCT.md §2 Erasure: every personal column cleared; the pseudonymous row stays for the figures.

    No event: followers and reporting hold only the pseudonymous profile, which does not change, so every
    figure stays as it was.
    """
    participant_id = command.participant_id
    async with uow.audited() as tx:
        area = await tx.participants.area_of(participant_id)
        shown = area is not None and caller.covers(area.kota_code, area.agency)
        erased_at = await tx.participants.erase(participant_id) if shown else None
        if erased_at is not None:
            await tx.audit.record(caller.subject, Action.ERASE, [participant_id], detail=command.reason)
    if area is None:
        raise not_found(participant_id)
    if not shown:
        await uow.record_refusal(caller.subject, Action.ERASE, participant_id, unknown(caller))
        raise not_found(participant_id)
    # None of both: a concurrent erasure committed between our read and our write, just now.
    when = erased_at or area.erased_at or datetime.now(UTC)
    erased = Erased(participant_id, area.kota_code, area.agency, when)
    if erased_at is None:
        raise erased.refusal()
    return erased


async def edit_participant(
    uow: RegistrationStorage, participant_id: UUID, command: EditParticipant, caller: Principal
) -> Participant:
    """PATCH: the fields given, under every registration rule; audited with the reason and what changed.

    The row is locked for the edit, so two edits of one participant take turns and neither undoes the
    other's fields. A refusal is audited in the edit's own transaction, which then writes nothing else.
    """
    try:
        outcome = await _edit_once(uow, participant_id, command, caller)
    except NikTaken:
        # A concurrent registration took the corrected NIK after our check and the unique index refused
        # the edit: once more, it finds that registration and answers duplicate_nik.
        outcome = await _edit_once(uow, participant_id, command, caller)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


async def _edit_once(
    uow: RegistrationStorage, participant_id: UUID, command: EditParticipant, caller: Principal
) -> Participant | DomainError:
    async with uow.begin() as tx:
        return await _edit(tx, participant_id, command, caller)


async def _edit(
    tx: RegistrationWrites, participant_id: UUID, command: EditParticipant, caller: Principal
) -> Participant | DomainError:
    audit, subject = tx.audit, caller.subject
    found = await tx.participants.locked(participant_id)
    if found is None:
        return not_found(participant_id)
    if not caller.covers(*found.area):
        await audit.record(
            subject, Action.UPDATE, [participant_id], outcome=Outcome.REFUSED, detail=unknown(caller)
        )
        return not_found(participant_id)
    if isinstance(found, Erased):
        return found.refusal()
    earliest = (await tx.stage_facts.earliest([participant_id])).get(participant_id)
    try:
        after = edit(found, command, jakarta_today(), earliest)  # collects ParticipantUpdated if need be
    except DomainError as refused:  # a registration rule, or stage_fact_precedes
        return refused
    if moved_out := caller.outside(*after.area):
        await audit.record(
            subject, Action.UPDATE, [participant_id], outcome=Outcome.REFUSED, detail=moved_out
        )
        return OutOfScope(moved_out)
    if after.nik != found.nik and (holder := await tx.participants.holder_of_nik(after.nik)):
        outcome, refusal = nik_taken(holder, caller)
        await audit.record(subject, Action.LOOKUP, [holder.participant_id], outcome=outcome)
        return refusal
    await tx.participants.update(after)
    changes = changes_between(found, after)
    await audit.record(subject, Action.UPDATE, [participant_id], detail=command.reason, changes=changes)
    return after
