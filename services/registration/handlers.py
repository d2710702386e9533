"""Use cases of the registration service: each one transaction, state and event together."""

from collections.abc import Sequence
from datetime import date

from sqlalchemy.exc import IntegrityError

from services.registration.adapters import repository
from services.registration.domain.batch import Candidate, OnDuplicate, RowResult, decide, screen
from services.registration.domain.participant import (
    DuplicateNik,
    Participant,
    RegisterParticipant,
    register,
)
from shared.dates import jakarta_today
from shared.outbox.unit_of_work import UnitOfWork


async def register_participant(uow: UnitOfWork, command: RegisterParticipant) -> Participant:
    participant = register(command, jakarta_today())
    try:
        async with uow.begin() as tx:
            existing = await repository.participant_id_for_nik(tx.conn, command.nik)
            if existing is None:
                await repository.insert(tx.conn, participant)
                await tx.record(
                    participant.registered_event(),
                    key=str(participant.participant_id),
                    occurred_on=participant.registered_on,
                )
    except IntegrityError:
        # Lost a race with a concurrent registration of the same NIK: the unique index decided.
        async with uow.engine.connect() as conn:
            existing = await repository.participant_id_for_nik(conn, command.nik)
        if existing is None:
            raise
    if existing is not None:
        raise DuplicateNik(f"NIK is already registered as participant {existing}", participant_id=existing)
    return participant


async def import_participants(
    uow: UnitOfWork,
    rows: Sequence[RegisterParticipant | RowResult],
    on_duplicate: OnDuplicate,
    *,
    dry_run: bool,
) -> list[RowResult]:
    """A batch of registrations (legacy imports): one transaction for the batch, a result for every row."""
    today = jakarta_today()
    screened = screen(rows, today)
    if dry_run:
        async with uow.engine.connect() as conn:
            registered = await repository.by_niks(conn, screened.niks)
        decided = decide(screened.candidates, registered, on_duplicate, today).results
        written = [result.as_dry_run() for result in decided]
    else:
        try:
            written = await _store(uow, screened.candidates, on_duplicate, today)
        except IntegrityError:
            # A concurrent registration took one of these NIKs after our lookup and the unique index
            # refused the batch: go row by row, so only that row becomes a duplicate.
            written = [r for c in screened.candidates for r in await _store_one(uow, c, on_duplicate, today)]
    return sorted([*screened.rejected, *written], key=lambda result: result.index)


async def _store_one(
    uow: UnitOfWork, candidate: Candidate, on_duplicate: OnDuplicate, today: date
) -> list[RowResult]:
    try:
        return await _store(uow, [candidate], on_duplicate, today)
    except IntegrityError:
        # Lost the race for this NIK: the second attempt finds the winner's row and skips or updates it.
        return await _store(uow, [candidate], on_duplicate, today)


async def _store(
    uow: UnitOfWork, candidates: Sequence[Candidate], on_duplicate: OnDuplicate, today: date
) -> list[RowResult]:
    niks = [c.participant.nik for c in candidates]
    async with uow.begin() as tx:
        # Updating: lock the rows read so that two imports restating one participant take turns.
        registered = await repository.by_niks(tx.conn, niks, lock=on_duplicate is OnDuplicate.UPDATE)
        decisions = decide(candidates, registered, on_duplicate, today)
        await repository.insert_many(tx.conn, decisions.create)
        for p in decisions.create:
            await tx.record(p.registered_event(), key=str(p.participant_id), occurred_on=p.registered_on)
        for change in decisions.update:
            after = change.after
            await repository.update(tx.conn, after)
            if change.profile_changed:
                await tx.record(
                    after.updated_event(), key=str(after.participant_id), occurred_on=after.registered_on
                )
    return decisions.results
