"""Use cases of the registration service: each one transaction, state, event and audit entry together.

Every use case acts for a caller and keeps to the caller's area (PRODUCT.md §2 Area scope): a participant
outside it is answered like an unknown one (404), a NIK registered outside it is only "taken", and a
request about another kota or agency is refused (403 `out_of_scope`). The audit trail records each
participant whose personal data was shown or changed, each NIK lookup, and each refused attempt; a
refusal's own transaction is rolled back, so it is recorded in a transaction of its own.
"""

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registration.adapters import audit, duplicates, repository, stage_facts
from services.registration.adapters.repository import Filters
from services.registration.domain.audit import Action, Outcome
from services.registration.domain.batch import (
    AreaCheck,
    Candidate,
    Decisions,
    OnDuplicate,
    RowResult,
    decide,
    screen,
)
from services.registration.domain.duplicates import Dismissal, NotPossibleDuplicates
from services.registration.domain.names import NameTag, query_problem
from services.registration.domain.participant import (
    DuplicateNik,
    Erased,
    Participant,
    RegisterParticipant,
    register,
)
from services.registration.domain.upkeep import EditParticipant, changes_between, edit
from shared.auth import Principal
from shared.auth.principal import OutOfScope
from shared.dates import jakarta_today
from shared.errors import DomainError, NotFound, RuleViolation
from shared.outbox.unit_of_work import Fact, Transaction, UnitOfWork
from shared.personal_data import PersonalDataKeys

T = TypeVar("T")


def _not_found(participant_id: UUID) -> NotFound:
    """The one answer for a participant that does not exist and for one outside the caller's area."""
    return NotFound(f"participant {participant_id} not found")


def _unknown(caller: Principal) -> str:
    """The audit's note on a participant outside the caller's area, answered as if unknown."""
    return f"outside the caller's area ({caller.area}): answered as unknown"


async def _check_scope(
    uow: UnitOfWork, caller: Principal, action: Action, kota_code: str, agency: str
) -> None:
    """A request about another kota or agency (not about a participant): refused, and recorded."""
    try:
        caller.check_scope(kota_code, agency)
    except OutOfScope as refused:
        await audit.record_refusal(uow.engine, caller.subject, action, None, refused.detail)
        raise


async def register_participant(
    uow: UnitOfWork, keys: PersonalDataKeys, command: RegisterParticipant, caller: Principal
) -> Participant:
    await _check_scope(uow, caller, Action.REGISTER, command.domicile.kota_code, command.agency.value)
    participant = register(command, jakarta_today())
    try:
        async with uow.begin() as tx:
            holder = await repository.holder_of_nik(tx.conn, keys, command.nik)
            if holder is None:
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
            holder = await repository.holder_of_nik(conn, keys, command.nik)
        if holder is None:
            raise
    if holder is not None:
        shown = caller.covers(holder.kota_code, holder.agency)
        async with uow.engine.begin() as conn:
            outcome = Outcome.FOUND if shown else Outcome.TAKEN
            await audit.record(conn, caller.subject, Action.LOOKUP, [holder.participant_id], outcome=outcome)
        raise DuplicateNik.of(holder.participant_id if shown else None)
    return participant


async def read_participant(
    uow: UnitOfWork, keys: PersonalDataKeys, participant_id: UUID, caller: Principal
) -> Participant:
    async with uow.engine.begin() as conn:
        found = await repository.get(conn, keys, participant_id)
        shown = found is not None and caller.covers(*found.area)
        if shown and isinstance(found, Participant):
            await audit.record(conn, caller.subject, Action.READ, [participant_id])
    if found is None:
        raise _not_found(participant_id)
    if not shown:
        await audit.record_refusal(uow.engine, caller.subject, Action.READ, participant_id, _unknown(caller))
        raise _not_found(participant_id)
    if isinstance(found, Erased):
        raise found.refusal()
    return found


@asynccontextmanager
async def _each_statement_commits(uow: UnitOfWork) -> AsyncIterator[AsyncConnection]:
    """For a read and its audit entries: each is one statement, atomic by itself, so a transaction around
    them guards nothing and costs two round trips (BEGIN, COMMIT) of a lookup's four. An entry is written
    before the answer leaves, and a failed one fails the request, as inside a transaction."""
    async with uow.engine.connect() as conn:
        await conn.execution_options(isolation_level="AUTOCOMMIT")
        yield conn


async def look_up_nik(uow: UnitOfWork, keys: PersonalDataKeys, nik: str, caller: Principal) -> Participant:
    """The participant registered under a NIK, if in the caller's area; otherwise 404, as for nobody."""
    async with _each_statement_commits(uow) as conn:
        found = await repository.by_nik(conn, keys, nik)
        if found is None:
            await audit.record(conn, caller.subject, Action.LOOKUP, [None], outcome=Outcome.NOT_FOUND)
        elif caller.covers(*found.area):
            await audit.record(
                conn, caller.subject, Action.LOOKUP, [found.participant_id], outcome=Outcome.FOUND
            )
            return found
        else:
            await audit.record(
                conn,
                caller.subject,
                Action.LOOKUP,
                [found.participant_id],
                outcome=Outcome.REFUSED,
                detail=_unknown(caller),
            )
    raise NotFound("no participant is registered under this NIK")


async def erase_participant(uow: UnitOfWork, participant_id: UUID, reason: str, caller: Principal) -> Erased:
    """PRODUCT.md §2 Erasure: every personal column cleared; the pseudonymous row stays for the figures.

    No event: followers and reporting hold only the pseudonymous profile, which does not change, so every
    figure stays as it was.
    """
    async with uow.engine.begin() as conn:
        area = await repository.area_of(conn, participant_id)
        shown = area is not None and caller.covers(area.kota_code, area.agency)
        erased_at = await repository.erase(conn, participant_id) if shown else None
        if erased_at is not None:
            await audit.record(conn, caller.subject, Action.ERASE, [participant_id], detail=reason)
    if area is None:
        raise _not_found(participant_id)
    if not shown:
        await audit.record_refusal(uow.engine, caller.subject, Action.ERASE, participant_id, _unknown(caller))
        raise _not_found(participant_id)
    erased = Erased(participant_id, area.kota_code, area.agency, erased_at or area.erased_at)
    if erased_at is None:
        raise erased.refusal()
    return erased


async def edit_participant(
    uow: UnitOfWork, keys: PersonalDataKeys, participant_id: UUID, command: EditParticipant, caller: Principal
) -> Participant:
    """PATCH: the fields given, under every registration rule; audited with the reason and what changed.

    The row is locked for the edit, so two edits of one participant take turns and neither undoes the
    other's fields. A refusal is audited in the edit's own transaction, which then writes nothing else.
    """
    try:
        outcome = await _edit_once(uow, keys, participant_id, command, caller)
    except IntegrityError:
        # A concurrent registration took the corrected NIK after our check and the unique index refused
        # the edit: once more, it finds that registration and answers duplicate_nik.
        outcome = await _edit_once(uow, keys, participant_id, command, caller)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


async def _edit_once(
    uow: UnitOfWork, keys: PersonalDataKeys, participant_id: UUID, command: EditParticipant, caller: Principal
) -> Participant | DomainError:
    async with uow.begin() as tx:
        return await _edit(tx, keys, participant_id, command, caller)


async def _edit(
    tx: Transaction, keys: PersonalDataKeys, participant_id: UUID, command: EditParticipant, caller: Principal
) -> Participant | DomainError:
    conn, subject = tx.conn, caller.subject
    found = await repository.get(conn, keys, participant_id, lock=True)
    if found is None:
        return _not_found(participant_id)
    if not caller.covers(*found.area):
        await audit.record(
            conn, subject, Action.UPDATE, [participant_id], outcome=Outcome.REFUSED, detail=_unknown(caller)
        )
        return _not_found(participant_id)
    if isinstance(found, Erased):
        return found.refusal()
    earliest = (await stage_facts.earliest(conn, [participant_id])).get(participant_id)
    try:
        after = edit(found, command, jakarta_today(), earliest)
    except DomainError as refused:  # a registration rule, or stage_fact_precedes
        return refused
    if moved_out := caller.outside(*after.area):
        await audit.record(
            conn, subject, Action.UPDATE, [participant_id], outcome=Outcome.REFUSED, detail=moved_out
        )
        return OutOfScope(moved_out)
    if after.nik != found.nik and (holder := await repository.holder_of_nik(conn, keys, after.nik)):
        shown = caller.covers(holder.kota_code, holder.agency)
        outcome = Outcome.FOUND if shown else Outcome.TAKEN
        await audit.record(conn, subject, Action.LOOKUP, [holder.participant_id], outcome=outcome)
        return DuplicateNik.of(holder.participant_id if shown else None)
    await repository.update(conn, keys, after)
    changes = changes_between(found, after)
    await audit.record(conn, subject, Action.UPDATE, [participant_id], detail=command.reason, changes=changes)
    if found.profile() != after.profile():  # followers and reporting hold the profile only
        await tx.record(after.updated_event(), key=str(participant_id), occurred_on=after.registered_on)
    return after


async def resolve_names(
    uow: UnitOfWork, keys: PersonalDataKeys, participant_ids: Sequence[UUID], caller: Principal
) -> list[NameTag]:
    """Names and NIKs of those in the caller's area, in the order asked; others left out like unknown ones.

    Audited as one read per participant named (and a refused one per participant outside the area).
    """
    wanted = list(dict.fromkeys(participant_ids))
    order = {participant_id: i for i, participant_id in enumerate(wanted)}
    async with _each_statement_commits(uow) as conn:
        found = await repository.name_tags(conn, keys, wanted, caller)
        named = [stored for _, stored in sorted(found.named, key=lambda named: order[named[0]])]

        async def record() -> None:
            await audit.record(conn, caller.subject, Action.READ, named)
            detail = _unknown(caller)
            await audit.record(
                conn, caller.subject, Action.READ, found.outside, outcome=Outcome.REFUSED, detail=detail
            )

        tags = await _audited_meanwhile(record(), lambda: found.open(keys))
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


async def possible_duplicates(
    uow: UnitOfWork, keys: PersonalDataKeys, caller: Principal, *, after: int, limit: int
) -> tuple[list[tuple[Participant, Participant]], int | None]:
    """Pairs of the caller's area with the same normalised name and birth date, not dismissed."""
    async with uow.engine.begin() as conn:
        pairs, last = await duplicates.page(
            conn, keys, kota_code=caller.kota, agency=caller.agency, after=after, limit=limit
        )
        shown = dict.fromkeys(p.participant_id for pair in pairs for p in pair)
        await audit.record(conn, caller.subject, Action.LIST, shown)
    return pairs, last


async def dismiss_duplicate(
    uow: UnitOfWork, pair: tuple[UUID, UUID], reason: str, caller: Principal
) -> Dismissal:
    """Records that the pair are two people (who, when, why); they no longer list as possible duplicates."""
    async with uow.engine.begin() as conn:
        outcome = await _dismiss(conn, pair, reason, caller)
    if isinstance(outcome, DomainError):
        raise outcome
    return outcome


async def _dismiss(
    conn: AsyncConnection, pair: tuple[UUID, UUID], reason: str, caller: Principal
) -> Dismissal | DomainError:
    for participant_id in pair:
        area = await repository.area_of(conn, participant_id)
        if area is None:
            return _not_found(participant_id)
        if not caller.covers(area.kota_code, area.agency):
            detail = _unknown(caller)
            await audit.record(
                conn, caller.subject, Action.DISMISS, [participant_id], outcome=Outcome.REFUSED, detail=detail
            )
            return _not_found(participant_id)
    if not await duplicates.pair_matches(conn, pair):
        return NotPossibleDuplicates(
            "these participants are not possible duplicates: their names or birth dates differ"
        )
    dismissal = await duplicates.dismiss(conn, pair, caller.subject, reason)
    await audit.record(conn, caller.subject, Action.DISMISS, pair, detail=reason)
    return dismissal


async def list_participants(
    uow: UnitOfWork,
    keys: PersonalDataKeys,
    caller: Principal,
    filters: Filters,
    *,
    after_seq: int,
    limit: int,
) -> tuple[list[Participant], int | None]:
    """A page of the caller's area, filtered by region and name (`filters.name`: every word, whole).

    A kota-scoped caller asking for another kota (or a kecamatan or kelurahan of one) is refused.
    """
    if filters.name is not None and (problem := query_problem(filters.name)):
        raise RuleViolation(problem)
    await _check_kota_filters(uow, caller, filters)
    scoped = replace(filters, kota_code=caller.kota or filters.kota_code, agency=caller.agency)
    async with _each_statement_commits(uow) as conn:  # one read, one audit statement: no BEGIN/COMMIT
        stored = await repository.page(conn, keys, scoped, after_seq=after_seq, limit=limit)
        shown = stored.participant_ids
        items = await _audited_meanwhile(
            audit.record(conn, caller.subject, Action.LIST, shown), lambda: stored.open(keys)
        )
    return items, stored.last_seq


async def _check_kota_filters(uow: UnitOfWork, caller: Principal, filters: Filters) -> None:
    codes = (filters.kota_code, filters.kecamatan_code, filters.kelurahan_code)
    for code in codes:
        if caller.kota is not None and code is not None and code[:5] != caller.kota:
            refusal = OutOfScope(f"kota {code[:5]} is outside your area ({caller.area})")
            await audit.record_refusal(uow.engine, caller.subject, Action.LIST, None, refusal.detail)
            raise refusal


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

    Audited, in the batch's transaction: the rows created (`import`) and restated (`update`), every NIK
    a row matched (`lookup`, dry runs and skips included), and the rows refused outside the caller's area.
    """
    today = jakarta_today()
    outside = caller.outside
    screened = screen(rows, today, outside)
    if dry_run:
        async with uow.engine.begin() as conn:
            registered = await repository.by_niks(conn, keys, screened.niks)
            earliest = await _earliest_facts(conn, registered, on_duplicate)
            decided = decide(
                screened.candidates, registered, on_duplicate, today, outside, earliest_facts=earliest
            )
            await _audit_lookups(conn, caller.subject, decided)
            found = [change.before.participant_id for change in decided.update]
            await audit.record(conn, caller.subject, Action.LOOKUP, found, outcome=Outcome.FOUND)
            nobody = [None] * len(decided.create)
            await audit.record(conn, caller.subject, Action.LOOKUP, nobody, outcome=Outcome.NOT_FOUND)
            await _audit_rows_outside(conn, caller.subject, screened.rejected)
        written = [result.as_dry_run() for result in decided.results]
    else:
        batch = _Batch(uow, keys, caller.subject, on_duplicate, today, outside)
        try:
            written = await batch.store(screened.candidates)
        except IntegrityError:
            # A concurrent registration took one of these NIKs after our lookup and the unique index
            # refused the batch: go row by row, so only that row becomes a duplicate.
            written = [r for c in screened.candidates for r in await batch.store_one(c)]
        async with uow.engine.begin() as conn:
            await _audit_rows_outside(conn, caller.subject, screened.rejected)
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
            earliest = await _earliest_facts(tx.conn, registered, self.on_duplicate)
            decisions = decide(
                candidates, registered, self.on_duplicate, self.today, self.outside, earliest_facts=earliest
            )
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
            await _audit_lookups(tx.conn, self.subject, decisions)
        return decisions.results


async def _earliest_facts(
    conn: AsyncConnection, registered: Mapping[str, Participant], on_duplicate: OnDuplicate
) -> dict[UUID, date]:
    """What an update may not move `registered_on` past; skipping moves nothing."""
    if on_duplicate is OnDuplicate.SKIP:
        return {}
    return await stage_facts.earliest(conn, [p.participant_id for p in registered.values()])


async def _audit_lookups(conn: AsyncConnection, subject: str, decisions: Decisions) -> None:
    """The registered participants a batch's NIKs matched, and what the caller was told of them."""
    await audit.record(conn, subject, Action.LOOKUP, decisions.found, outcome=Outcome.FOUND)
    await audit.record(conn, subject, Action.LOOKUP, decisions.taken, outcome=Outcome.TAKEN)
    detail = "would restate a participant outside the caller's area: answered as taken"
    await audit.record(
        conn, subject, Action.UPDATE, decisions.refused, outcome=Outcome.REFUSED, detail=detail
    )


async def _audit_rows_outside(conn: AsyncConnection, subject: str, rejected: Sequence[RowResult]) -> None:
    """Rows refused because their own kota or agency lies outside the caller's area."""
    for row in rejected:
        if row.code == OutOfScope.code:
            await audit.record(
                conn, subject, Action.IMPORT, [None], outcome=Outcome.REFUSED, detail=row.detail
            )
