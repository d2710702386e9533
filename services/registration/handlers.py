"""Use cases of the registration service: each one transaction, state, event and audit entry together.

Every use case acts for a caller: it refuses what lies outside the caller's area (403 `out_of_scope`) and
records in the audit trail each participant whose personal data it showed or changed.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from services.registration.adapters import audit, repository
from services.registration.domain.audit import Action
from services.registration.domain.batch import (
    AreaCheck,
    Candidate,
    OnDuplicate,
    RowResult,
    decide,
    screen,
)
from services.registration.domain.participant import (
    DuplicateNik,
    Participant,
    RegisterParticipant,
    register,
)
from shared.auth import Principal
from shared.auth.principal import OutOfScope
from shared.dates import jakarta_today
from shared.errors import NotFound
from shared.outbox.unit_of_work import Fact, UnitOfWork
from shared.personal_data import PersonalDataKeys


async def register_participant(
    uow: UnitOfWork, keys: PersonalDataKeys, command: RegisterParticipant, caller: Principal
) -> Participant:
    caller.check_scope(command.domicile.kota_code, command.agency.value)
    participant = register(command, jakarta_today())
    try:
        async with uow.begin() as tx:
            existing = await repository.participant_id_for_nik(tx.conn, keys, command.nik)
            if existing is None:
                await repository.insert(tx.conn, keys, participant)
                await audit.record(tx.conn, caller.subject, Action.REGISTER, [participant.participant_id])
                await tx.record(
                    participant.registered_event(),
                    key=str(participant.participant_id),
                    occurred_on=participant.registered_on,
                )
    except IntegrityError:
        # Lost a race with a concurrent registration of the same NIK: the unique index decided.
        async with uow.engine.connect() as conn:
            existing = await repository.participant_id_for_nik(conn, keys, command.nik)
        if existing is None:
            raise
    if existing is not None:
        raise DuplicateNik(f"NIK is already registered as participant {existing}", participant_id=existing)
    return participant


async def read_participant(
    uow: UnitOfWork, keys: PersonalDataKeys, participant_id: UUID, caller: Principal
) -> Participant:
    async with uow.engine.begin() as conn:  # a refusal rolls back; what is shown is recorded
        participant = await repository.get(conn, keys, participant_id)
        if participant is None:
            raise NotFound(f"participant {participant_id} not found")
        caller.check_scope(participant.domicile.kota_code, participant.agency.value)
        await audit.record(conn, caller.subject, Action.READ, [participant_id])
    return participant


async def list_participants(
    uow: UnitOfWork,
    keys: PersonalDataKeys,
    caller: Principal,
    *,
    kota_code: str | None,
    after_seq: int,
    limit: int,
) -> tuple[list[Participant], int | None]:
    """A page of the caller's area: a kota-scoped caller asking for another kota is refused."""
    if caller.kota is not None and kota_code not in (None, caller.kota):
        raise OutOfScope(f"kota {kota_code} is outside your area ({caller.area})")
    async with uow.engine.begin() as conn:
        items, last_seq = await repository.page(
            conn,
            keys,
            kota_code=caller.kota or kota_code,
            agency=caller.agency,
            after_seq=after_seq,
            limit=limit,
        )
        await audit.record(conn, caller.subject, Action.LIST, [p.participant_id for p in items])
    return items, last_seq


async def import_participants(
    uow: UnitOfWork,
    keys: PersonalDataKeys,
    rows: Sequence[RegisterParticipant | RowResult],
    on_duplicate: OnDuplicate,
    caller: Principal,
    *,
    dry_run: bool,
) -> list[RowResult]:
    """A batch of registrations (legacy imports): one transaction for the batch, a result for every row.

    Audited: the rows created (`import`) and restated (`update`); a dry run or a skipped row shows and
    changes no personal data, so it leaves no entry.
    """
    today = jakarta_today()
    outside = caller.outside
    screened = screen(rows, today, outside)
    if dry_run:
        async with uow.engine.connect() as conn:
            registered = await repository.by_niks(conn, keys, screened.niks)
        decided = decide(screened.candidates, registered, on_duplicate, today, outside).results
        written = [result.as_dry_run() for result in decided]
    else:
        batch = _Batch(uow, keys, caller.subject, on_duplicate, today, outside)
        try:
            written = await batch.store(screened.candidates)
        except IntegrityError:
            # A concurrent registration took one of these NIKs after our lookup and the unique index
            # refused the batch: go row by row, so only that row becomes a duplicate.
            written = [r for c in screened.candidates for r in await batch.store_one(c)]
    return sorted([*screened.rejected, *written], key=lambda result: result.index)


@dataclass(frozen=True)
class _Batch:
    """What storing candidates of one batch needs; each call is one transaction: rows, events, audit."""

    uow: UnitOfWork
    keys: PersonalDataKeys
    subject: str
    on_duplicate: OnDuplicate
    today: date
    outside: AreaCheck

    async def store_one(self, candidate: Candidate) -> list[RowResult]:
        try:
            return await self.store([candidate])
        except IntegrityError:
            # Lost the race for this NIK: the second attempt finds the winner's row and skips or updates it.
            return await self.store([candidate])

    async def store(self, candidates: Sequence[Candidate]) -> list[RowResult]:
        niks = [c.participant.nik for c in candidates]
        async with self.uow.begin() as tx:
            # Updating: lock the rows read so that two imports restating one participant take turns.
            lock = self.on_duplicate is OnDuplicate.UPDATE
            registered = await repository.by_niks(tx.conn, self.keys, niks, lock=lock)
            decisions = decide(candidates, registered, self.on_duplicate, self.today, self.outside)
            await repository.insert_many(tx.conn, self.keys, decisions.create)
            facts = [
                Fact(p.registered_event(), str(p.participant_id), p.registered_on) for p in decisions.create
            ]
            for change in decisions.update:
                after = change.after
                await repository.update(tx.conn, self.keys, after)
                if change.profile_changed:
                    facts.append(Fact(after.updated_event(), str(after.participant_id), after.registered_on))
            await tx.record_many(facts)
            created = [p.participant_id for p in decisions.create]
            await audit.record(tx.conn, self.subject, Action.IMPORT, created)
            updated = [change.after.participant_id for change in decisions.update]
            await audit.record(tx.conn, self.subject, Action.UPDATE, updated)
        return decisions.results
