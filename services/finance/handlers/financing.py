"""Use cases of financing: each one transaction, state and event together.

Every status change is a conditional update on the status it was read with, so of concurrent requests on
one application exactly one succeeds and the others get 409.
"""

from collections.abc import Callable
from uuid import UUID

from services.finance.adapters import financing, participants
from services.finance.adapters.corrections import DisbursementStore
from services.finance.adapters.tables import correction_log
from services.finance.domain.financing import (
    ApplyForFinancing,
    ApproveFinancing,
    DisburseFinancing,
    FinancingApplication,
    FinancingStatus,
    RejectFinancing,
    apply,
)
from shared.contracts.profile import ParticipantProfile
from shared.corrections.use_cases import StageCorrections
from shared.dates import jakarta_today
from shared.decisions import InvalidTransition
from shared.outbox.unit_of_work import UnitOfWork

# Finance has always logged and published a correction to the date a disbursement already has.
DISBURSEMENTS = StageCorrections(correction_log, "disbursed_on", DisbursementStore, log_same_date=True)

Change = Callable[[FinancingApplication, ParticipantProfile], FinancingApplication]


async def apply_for_financing(uow: UnitOfWork, command: ApplyForFinancing) -> FinancingApplication:
    async with uow.begin() as tx:
        profile = await participants.profile(tx.conn, command.participant_id)
        application = apply(command, profile, jakarta_today())
        await financing.insert(tx.conn, application)
        await tx.record(
            application.event(profile),
            key=str(application.participant_id),
            occurred_on=application.applied_on,
        )
    return application


async def approve(uow: UnitOfWork, command: ApproveFinancing) -> FinancingApplication:
    today = jakarta_today()
    return await _transition(uow, command.application_id, lambda a, _: a.approve(command, today))


async def reject(uow: UnitOfWork, command: RejectFinancing) -> FinancingApplication:
    today = jakarta_today()
    return await _transition(uow, command.application_id, lambda a, _: a.reject(command, today))


async def disburse(uow: UnitOfWork, command: DisburseFinancing) -> FinancingApplication:
    today = jakarta_today()
    return await _transition(
        uow, command.application_id, lambda a, profile: a.disburse(command, profile.registered_on, today)
    )


async def get_application(uow: UnitOfWork, application_id: UUID) -> FinancingApplication:
    async with uow.engine.connect() as conn:
        return await financing.visible(conn, application_id)


async def applications_page(
    uow: UnitOfWork,
    *,
    participant_id: UUID | None,
    status: FinancingStatus | None,
    after_seq: int,
    limit: int,
) -> tuple[list[FinancingApplication], int | None]:
    async with uow.engine.connect() as conn:
        return await financing.page(
            conn, participant_id=participant_id, status=status, after_seq=after_seq, limit=limit
        )


async def _transition(uow: UnitOfWork, application_id: UUID, change: Change) -> FinancingApplication:
    async with uow.begin() as tx:
        current = await financing.visible(tx.conn, application_id)
        profile = await participants.profile(tx.conn, current.participant_id)
        changed = change(current, profile)
        if not await financing.save_transition(tx.conn, changed, was=current.status):
            raise InvalidTransition(
                f"financing application {application_id} was changed by a concurrent request; "
                f"it is no longer {current.status}",
                application_id=str(application_id),
            )
        if changed.disbursement is not None:
            await financing.insert_disbursement(tx.conn, application_id, changed.disbursement)
        await tx.record(
            changed.event(profile), key=str(changed.participant_id), occurred_on=changed.fact_date
        )
    return changed
