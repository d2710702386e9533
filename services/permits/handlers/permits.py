"""Permits: applying for one, deciding it (issue or reject), reading one, the list and the work list."""

from collections.abc import Callable
from uuid import UUID

from services.permits.adapters.repositories import (
    ActiveNibTaken,
    PermitNumberTaken,
    PermitsReads,
    PermitsStorage,
    PermitsView,
    Position,
)
from services.permits.commands import ApplyForPermit, IssuePermit, RejectPermit
from services.permits.domain.permit import DuplicateNib, DuplicatePermitNumber, Permit, PermitStatus, apply
from services.permits.domain.work_list import applied_by
from shared.contracts.enums import PermitType
from shared.dates import jakarta_today
from shared.db.unique import naming_holder
from shared.decisions import InvalidTransition
from shared.errors import NotFound
from shared.participants.area import OutsideArea
from shared.participants.views import ParticipantsView


async def apply_for_permit(uow: PermitsStorage, command: ApplyForPermit) -> Permit:
    async def active_nib(view: PermitsReads) -> UUID | None:
        # Possibly taken by a concurrent application: committed by now, so a view sees it.
        return await view.permits.active_nib_of(command.participant_id)

    def refusal(existing: UUID) -> DuplicateNib:
        return DuplicateNib(
            f"participant {command.participant_id} already has an NIB (applied or issued): {existing}",
            permit_id=str(existing),
        )

    async def nothing(view: PermitsReads) -> None:
        return None

    holder = active_nib if command.permit_type is PermitType.NIB else nothing
    async with naming_holder(uow.view, ActiveNibTaken, holder, refusal), uow.begin() as tx:
        profile = await tx.participants.profile(command.participant_id)
        permit = apply(command, profile, jakarta_today())
        await tx.permits.add(permit)
    return permit


async def issue_permit(uow: PermitsStorage, command: IssuePermit) -> Permit:
    today = jakarta_today()
    try:
        return await _decide(uow, command.permit_id, lambda permit: permit.issue(command, today))
    except PermitNumberTaken:
        holder = await _holder_of_number(uow, command)
        if holder is None:
            raise
        holder_id, visible = holder
        if not visible:  # held by a permit of another area: say only that the number is taken
            raise DuplicatePermitNumber(f"permit number {command.permit_number!r} is already used") from None
        raise DuplicatePermitNumber(
            f"permit number {command.permit_number!r} is already used by permit {holder_id}",
            permit_id=str(holder_id),
        ) from None


async def reject_permit(uow: PermitsStorage, command: RejectPermit) -> Permit:
    today = jakarta_today()
    return await _decide(uow, command.permit_id, lambda permit: permit.reject(command, today))


async def get_permit(uow: PermitsStorage, permit_id: UUID) -> Permit:
    async with uow.view() as view:
        return await permit_in_area(view.permits, view.participants, permit_id)


async def permits_page(
    uow: PermitsStorage,
    *,
    participant_id: UUID | None,
    status: PermitStatus | None,
    after_seq: int,
    limit: int,
) -> tuple[list[Permit], int | None]:
    async with uow.view() as view:
        return await view.permits.page(
            participant_id=participant_id, status=status, after_seq=after_seq, limit=limit
        )


async def waiting_page(
    uow: PermitsStorage,
    *,
    participant_id: UUID | None,
    waiting_days: int,
    position: Position | None,
    limit: int,
) -> tuple[list[Permit], Permit | None]:
    """The work list: applications waiting at least `waiting_days` days, oldest first."""
    cutoff = applied_by(jakarta_today(), waiting_days)
    async with uow.view() as view:
        return await view.permits.waiting(
            participant_id=participant_id, applied_by=cutoff, position=position, limit=limit
        )


async def permit_in_area(permits: PermitsView, participants: ParticipantsView, permit_id: UUID) -> Permit:
    """The permit, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"permit {permit_id} not found")
    return await participants.found_in_area(await permits.get(permit_id), missing)


async def _decide(uow: PermitsStorage, permit_id: UUID, decide: Callable[[Permit], Permit]) -> Permit:
    """Apply a decision to an applied permit; the conditional write makes concurrent decisions race-safe."""
    async with uow.begin() as tx:
        current = await permit_in_area(tx.permits, tx.participants, permit_id)
        decided = decide(current)
        profile = await tx.participants.profile(decided.participant_id)
        if not await tx.permits.decide(decided.collect_fact(profile)):
            raise InvalidTransition(
                f"permit {permit_id} was decided by a concurrent request; it is no longer applied",
                permit_id=str(permit_id),
            )
    return decided


async def _holder_of_number(uow: PermitsStorage, command: IssuePermit) -> tuple[UUID, bool] | None:
    """The permit already carrying the number, and whether the caller may see it."""
    async with uow.view() as view:
        permit = await view.permits.get(command.permit_id)
        if permit is None:
            return None
        holder = await view.permits.holder_of_number(permit.permit_type, command.permit_number)
        if holder is None:
            return None
        try:
            await permit_in_area(view.permits, view.participants, holder)
        except OutsideArea:
            return holder, False
        return holder, True
