"""Use cases of financing: each one transaction, state and event together.

Every status change is a conditional update on the status it was read with, so of concurrent requests on
one application exactly one succeeds and the others get 409.
"""

from collections.abc import Callable
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy.ext.asyncio import AsyncConnection

from services.finance.adapters import financing, participants
from services.finance.adapters.tables import correction_log, known_participants
from services.finance.domain.facts import CorrectDate, Voided, VoidFact
from services.finance.domain.financing import (
    ApplyForFinancing,
    ApproveFinancing,
    DisburseFinancing,
    FinancingApplication,
    FinancingStatus,
    InvalidTransition,
    RejectFinancing,
    apply,
)
from shared.contracts.profile import ParticipantProfile
from shared.corrections import AlreadyVoided
from shared.corrections.log import record_correction, record_void
from shared.dates import jakarta_today
from shared.errors import NotFound
from shared.outbox.unit_of_work import UnitOfWork
from shared.participants.area import found_in_area

DATE_FIELD = "disbursed_on"

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


async def correct_disbursement(uow: UnitOfWork, command: CorrectDate) -> FinancingApplication:
    today = jakarta_today()
    async with uow.begin() as tx:
        application = await _get(tx.conn, command.fact_id)
        profile = await participants.profile(tx.conn, application.participant_id)
        corrected = application.redate_disbursement(command.on, profile.registered_on, today)
        assert corrected.disbursement is not None
        if not await financing.save_disbursement_date(tx.conn, corrected.disbursement):
            raise _voided_meanwhile(application)
        await record_correction(
            tx,
            correction_log,
            fact=application.disbursed_event(profile),
            fact_id=str(application.application_id),
            date_field=DATE_FIELD,
            new_on=command.on,
            by=command.by,
            reason=command.reason,
        )
    return corrected


async def void_disbursement(uow: UnitOfWork, command: VoidFact) -> FinancingApplication:
    """Withdraw the live disbursement and put the application back to `approved`, in one transaction."""
    async with uow.begin() as tx:
        application = await _get(tx.conn, command.fact_id)
        profile = await participants.profile(tx.conn, application.participant_id)
        voided = application.void_disbursement(Voided(datetime.now(UTC), command.by, command.reason))
        withdrawn = voided.disbursements[-1]
        if not (
            await financing.save_transition(tx.conn, voided, was=FinancingStatus.DISBURSED)
            and await financing.save_disbursement_void(tx.conn, withdrawn)
        ):
            raise _voided_meanwhile(application)
        await record_void(
            tx,
            correction_log,
            fact=application.disbursed_event(profile),
            fact_id=str(application.application_id),
            date_field=DATE_FIELD,
            by=command.by,
            reason=command.reason,
        )
    return voided


async def get_application(uow: UnitOfWork, application_id: UUID) -> FinancingApplication:
    async with uow.engine.connect() as conn:
        return await _get(conn, application_id)


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
        current = await _get(tx.conn, application_id)
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


async def _get(conn: AsyncConnection, application_id: UUID) -> FinancingApplication:
    """The application, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"financing application {application_id} not found")
    return await found_in_area(conn, known_participants, await financing.get(conn, application_id), missing)


def _voided_meanwhile(application: FinancingApplication) -> AlreadyVoided:
    return AlreadyVoided(
        f"the disbursement of financing application {application.application_id} was voided by a "
        "concurrent request",
        application_id=str(application.application_id),
    )
