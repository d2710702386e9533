"""Registering participants: one (POST /participants), or a batch of them (legacy imports)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from services.registration.adapters.repositories import (
    AuditTrail,
    NikTaken,
    RegistrationStorage,
    StageFactsView,
)
from services.registration.commands import OnDuplicate, RegisterParticipant
from services.registration.domain.audit import Action, Outcome
from services.registration.domain.batch import AreaCheck, Candidate, Decisions, RowResult, decide, screen
from services.registration.domain.participant import Participant, register
from services.registration.handlers.scope import check_scope, nik_taken
from shared.auth import Principal
from shared.auth.principal import OutOfScope
from shared.dates import jakarta_today


async def register_participant(
    uow: RegistrationStorage, command: RegisterParticipant, caller: Principal
) -> Participant:
    await check_scope(uow, caller, Action.REGISTER, command.domicile.kota_code, command.agency.value)
    participant = register(command, jakarta_today())
    try:
        async with uow.begin() as tx:
            holder = await tx.participants.holder_of_nik(command.nik)
            if holder is None:
                await tx.participants.add(participant.newly_registered())
                await tx.audit.record(caller.subject, Action.REGISTER, [participant.participant_id])
    except NikTaken:
        # Lost a race with a concurrent registration of the same NIK: the unique index decided.
        async with uow.view() as view:
            holder = await view.participants.holder_of_nik(command.nik)
        if holder is None:
            raise
    if holder is not None:
        outcome, refusal = nik_taken(holder, caller)
        async with uow.audited() as tx:
            await tx.audit.record(caller.subject, Action.LOOKUP, [holder.participant_id], outcome=outcome)
        raise refusal
    return participant


async def import_participants(
    uow: RegistrationStorage,
    rows: Sequence[RegisterParticipant | RowResult],
    on_duplicate: OnDuplicate,
    caller: Principal,
    *,
    dry_run: bool,
) -> list[RowResult]:
    """A batch of registrations (legacy imports): one transaction for the batch, a result for every row.

    Audited, in the batch's transaction: the rows created (`import`) and restated (`update`), every NIK
    a row matched (`lookup`, dry runs and skips included), and the rows refused outside the caller's area.
    """
    today = jakarta_today()
    outside = caller.outside
    screened = screen(rows, today, outside)
    if dry_run:
        async with uow.audited() as tx:
            registered = await tx.participants.by_niks(screened.niks)
            earliest = await _earliest_facts(tx.stage_facts, registered, on_duplicate)
            decided = decide(
                screened.candidates, registered, on_duplicate, today, outside, earliest_facts=earliest
            )
            await _audit_lookups(tx.audit, caller.subject, decided)
            found = [change.before.participant_id for change in decided.update]
            await tx.audit.record(caller.subject, Action.LOOKUP, found, outcome=Outcome.FOUND)
            nobody = [None] * len(decided.create)
            await tx.audit.record(caller.subject, Action.LOOKUP, nobody, outcome=Outcome.NOT_FOUND)
            await _audit_rows_outside(tx.audit, caller.subject, screened.rejected)
        written = [result.as_dry_run() for result in decided.results]
    else:
        batch = _Batch(uow, caller.subject, on_duplicate, today, outside)
        try:
            written = await batch.store(screened.candidates)
        except NikTaken:
            # A concurrent registration took one of these NIKs after our lookup and the unique index
            # refused the batch: go row by row, so only that row becomes a duplicate.
            written = [r for c in screened.candidates for r in await batch.store_one(c)]
        async with uow.audited() as tx:
            await _audit_rows_outside(tx.audit, caller.subject, screened.rejected)
    return sorted([*screened.rejected, *written], key=lambda result: result.index)


@dataclass(frozen=True)
class _Batch:
    """What storing candidates of one batch needs; each call is one transaction: rows, events, audit."""

    uow: RegistrationStorage
    subject: str
    on_duplicate: OnDuplicate
    today: date
    outside: AreaCheck

    async def store_one(self, candidate: Candidate) -> list[RowResult]:
        try:
            return await self.store([candidate])
        except NikTaken:
            # Lost the race for this NIK: the second attempt finds the winner's row and skips or updates it.
            return await self.store([candidate])

    async def store(self, candidates: Sequence[Candidate]) -> list[RowResult]:
        niks = [c.participant.nik for c in candidates]
        async with self.uow.begin() as tx:
            participants = tx.participants
            # Updating: lock the rows read so that two imports restating one participant take turns.
            if self.on_duplicate is OnDuplicate.UPDATE:
                registered = await participants.locked_by_niks(niks)
            else:
                registered = await participants.by_niks(niks)
            earliest = await _earliest_facts(tx.stage_facts, registered, self.on_duplicate)
            decisions = decide(
                candidates, registered, self.on_duplicate, self.today, self.outside, earliest_facts=earliest
            )
            # Each participant collected its event: registered, or updated when its profile changed.
            await participants.add(*decisions.create)
            await participants.update(*(change.after for change in decisions.update))
            created = [p.participant_id for p in decisions.create]
            await tx.audit.record(self.subject, Action.IMPORT, created)
            updated = [change.after.participant_id for change in decisions.update]
            await tx.audit.record(self.subject, Action.UPDATE, updated)
            await _audit_lookups(tx.audit, self.subject, decisions)
        return decisions.results


async def _earliest_facts(
    facts: StageFactsView, registered: Mapping[str, Participant], on_duplicate: OnDuplicate
) -> dict[UUID, date]:
    """What an update may not move `registered_on` past; skipping moves nothing."""
    if on_duplicate is OnDuplicate.SKIP:
        return {}
    return await facts.earliest([p.participant_id for p in registered.values()])


async def _audit_lookups(audit: AuditTrail, subject: str, decisions: Decisions) -> None:
    """The registered participants a batch's NIKs matched, and what the caller was told of them."""
    await audit.record(subject, Action.LOOKUP, decisions.found, outcome=Outcome.FOUND)
    await audit.record(subject, Action.LOOKUP, decisions.taken, outcome=Outcome.TAKEN)
    detail = "would restate a participant outside the caller's area: answered as taken"
    await audit.record(subject, Action.UPDATE, decisions.refused, outcome=Outcome.REFUSED, detail=detail)


async def _audit_rows_outside(audit: AuditTrail, subject: str, rejected: Sequence[RowResult]) -> None:
    """Rows refused because their own kota or agency lies outside the caller's area."""
    for row in rejected:
        if row.code == OutOfScope.code:
            await audit.record(subject, Action.IMPORT, [None], outcome=Outcome.REFUSED, detail=row.detail)
