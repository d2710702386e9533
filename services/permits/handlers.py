"""Use cases of the permits service: each one transaction, state and event together."""

from collections.abc import Callable
from datetime import date
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from services.permits.adapters import repository
from services.permits.adapters.corrections import IssueStore
from services.permits.adapters.tables import correction_log
from services.permits.domain.permit import (
    ApplyForPermit,
    DuplicateNib,
    DuplicatePermitNumber,
    IssuePermit,
    Permit,
    PermitStatus,
    RejectPermit,
    apply,
)
from services.permits.domain.work_list import applied_by
from shared.contracts.enums import PermitType
from shared.corrections.use_cases import StageCorrections
from shared.dates import jakarta_today
from shared.decisions import InvalidTransition
from shared.outbox.unit_of_work import UnitOfWork
from shared.participants.area import OutsideArea

# Correcting and voiding issues: the shared lifecycle (shared.corrections), `.correct` / `.void`.
ISSUES = StageCorrections(correction_log, "issued_on", IssueStore)


async def apply_for_permit(uow: UnitOfWork, command: ApplyForPermit) -> Permit:
    try:
        async with uow.begin() as tx:
            profile = await repository.profile(tx.conn, command.participant_id)
            permit = apply(command, profile, jakarta_today())
            await repository.insert(tx.conn, permit)
            await tx.record(
                permit.event(profile), key=str(permit.participant_id), occurred_on=permit.applied_on
            )
    except IntegrityError:
        # The one-active-NIB index refused the insert, possibly against a concurrent application.
        existing = await _active_nib(uow, command) if command.permit_type is PermitType.NIB else None
        if existing is None:
            raise
        raise DuplicateNib(
            f"participant {command.participant_id} already has an NIB (applied or issued): {existing}",
            permit_id=existing,
        ) from None
    return permit


async def issue_permit(uow: UnitOfWork, command: IssuePermit) -> Permit:
    today = jakarta_today()
    try:
        return await _decide(uow, command.permit_id, lambda permit: permit.issue(command, today))
    except IntegrityError:
        # The (permit_type, permit_number) unique constraint refused the number.
        holder = await _holder_of_number(uow, command)
        if holder is None:
            raise
        holder_id, visible = holder
        if not visible:  # held by a permit of another area: say only that the number is taken
            raise DuplicatePermitNumber(f"permit number {command.permit_number!r} is already used") from None
        raise DuplicatePermitNumber(
            f"permit number {command.permit_number!r} is already used by permit {holder_id}",
            permit_id=holder_id,
        ) from None


async def reject_permit(uow: UnitOfWork, command: RejectPermit) -> Permit:
    today = jakarta_today()
    return await _decide(uow, command.permit_id, lambda permit: permit.reject(command, today))


async def get_permit(uow: UnitOfWork, permit_id: UUID) -> Permit:
    async with uow.engine.connect() as conn:
        return await repository.visible(conn, permit_id)


async def permits_page(
    uow: UnitOfWork, *, participant_id: UUID | None, status: PermitStatus | None, after_seq: int, limit: int
) -> tuple[list[Permit], int | None]:
    async with uow.engine.connect() as conn:
        return await repository.page(
            conn, participant_id=participant_id, status=status, after_seq=after_seq, limit=limit
        )


async def waiting_page(
    uow: UnitOfWork,
    *,
    participant_id: UUID | None,
    waiting_days: int,
    position: tuple[date, UUID] | None,
    limit: int,
) -> tuple[list[Permit], Permit | None]:
    """The work list: applications waiting at least `waiting_days` days, oldest first."""
    cutoff = applied_by(jakarta_today(), waiting_days)
    async with uow.engine.connect() as conn:
        return await repository.waiting(
            conn, participant_id=participant_id, applied_by=cutoff, position=position, limit=limit
        )


async def _decide(uow: UnitOfWork, permit_id: UUID, decide: Callable[[Permit], Permit]) -> Permit:
    """Apply a decision to an applied permit; the conditional update makes concurrent decisions race-safe."""
    async with uow.begin() as tx:
        current = await repository.visible(tx.conn, permit_id)
        decided = decide(current)
        profile = await repository.profile(tx.conn, decided.participant_id)
        if not await repository.save_decision(tx.conn, decided):
            raise InvalidTransition(
                f"permit {permit_id} was decided by a concurrent request; it is no longer applied",
                permit_id=str(permit_id),
            )
        await tx.record(
            decided.event(profile), key=str(decided.participant_id), occurred_on=decided.fact_date
        )
    return decided


async def _active_nib(uow: UnitOfWork, command: ApplyForPermit) -> str | None:
    async with uow.engine.connect() as conn:
        return await repository.active_nib_of(conn, command.participant_id)


async def _holder_of_number(uow: UnitOfWork, command: IssuePermit) -> tuple[str, bool] | None:
    """The permit already carrying the number, and whether the caller may see it."""
    async with uow.engine.connect() as conn:
        permit = await repository.get(conn, command.permit_id)
        if permit is None:
            return None
        holder = await repository.holder_of_number(conn, permit.permit_type, command.permit_number)
        if holder is None:
            return None
        try:
            await repository.visible(conn, UUID(holder))
        except OutsideArea:
            return holder, False
        return holder, True
