"""Financing: applying, approving, rejecting, disbursing; correcting and voiding the disbursement; an
application and the application list."""

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from services.finance.adapters.repositories import ApplicationsView, FinanceStorage, FinanceWrites
from services.finance.commands import (
    ApplyForFinancing,
    ApproveFinancing,
    DisburseFinancing,
    RejectFinancing,
)
from services.finance.domain.financing import FinancingApplication, FinancingStatus, apply
from shared.contracts.profile import ParticipantProfile
from shared.corrections import Voided
from shared.corrections.use_cases import StageCorrections
from shared.dates import jakarta_today
from shared.decisions import InvalidTransition
from shared.errors import NotFound
from shared.participants.views import ParticipantsView

Change = Callable[[FinancingApplication, ParticipantProfile], FinancingApplication]


async def apply_for_financing(uow: FinanceStorage, command: ApplyForFinancing) -> FinancingApplication:
    async with uow.begin() as tx:
        profile = await tx.participants.profile(command.participant_id)
        application = apply(command, profile, jakarta_today())
        await tx.applications.add(application)
    return application


async def approve(uow: FinanceStorage, command: ApproveFinancing) -> FinancingApplication:
    today = jakarta_today()
    return await _transition(uow, command.application_id, lambda a, _: a.approve(command, today))


async def reject(uow: FinanceStorage, command: RejectFinancing) -> FinancingApplication:
    today = jakarta_today()
    return await _transition(uow, command.application_id, lambda a, _: a.reject(command, today))


async def disburse(uow: FinanceStorage, command: DisburseFinancing) -> FinancingApplication:
    today = jakarta_today()
    return await _transition(
        uow, command.application_id, lambda a, profile: a.disburse(command, profile.registered_on, today)
    )


async def get_application(uow: FinanceStorage, application_id: UUID) -> FinancingApplication:
    async with uow.view() as view:
        return await visible_application(view.applications, view.participants, application_id)


async def applications_page(
    uow: FinanceStorage,
    *,
    participant_id: UUID | None,
    status: FinancingStatus | None,
    after_seq: int,
    limit: int,
) -> tuple[list[FinancingApplication], int | None]:
    async with uow.view() as view:
        return await view.applications.page(
            participant_id=participant_id, status=status, after_seq=after_seq, limit=limit
        )


async def visible_application(
    applications: ApplicationsView, participants: ParticipantsView, application_id: UUID
) -> FinancingApplication:
    """The application, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"financing application {application_id} not found")
    return await participants.found_in_area(await applications.get(application_id), missing)


async def _transition(uow: FinanceStorage, application_id: UUID, change: Change) -> FinancingApplication:
    async with uow.begin() as tx:
        current = await visible_application(tx.applications, tx.participants, application_id)
        profile = await tx.participants.profile(current.participant_id)
        changed = change(current, profile).recorded(profile)
        if not await tx.applications.transition(changed, was=current.status):
            raise InvalidTransition(
                f"financing application {application_id} was changed by a concurrent request; "
                f"it is no longer {current.status}",
                application_id=str(application_id),
            )
    return changed


@dataclass(frozen=True)
class DisbursementCorrections:
    """An application's live disbursement as the correction lifecycle reads and writes it
    (`lifecycle.CorrectionStore`): its date, or its void (the application approved again)."""

    tx: FinanceWrites

    async def read(self, fact_id: UUID) -> FinancingApplication:
        return await visible_application(self.tx.applications, self.tx.participants, fact_id)

    async def context_of(self, fact: FinancingApplication) -> ParticipantProfile:
        return await self.tx.participants.profile(fact.participant_id)

    async def save_date(self, read: FinancingApplication, corrected: FinancingApplication) -> bool:
        assert corrected.disbursement is not None, "a corrected disbursement is live"
        return await self.tx.applications.redate_disbursement(corrected.disbursement)

    async def save_void(
        self, read: FinancingApplication, voided: FinancingApplication, details: Voided
    ) -> bool:
        return await self.tx.applications.void_disbursement(voided)


# A disbursement's correction to the date it has is logged too (log_same_date).
_corrections = StageCorrections[FinanceWrites, FinancingApplication](
    DisbursementCorrections, lambda tx: tx.disbursement_log, log_same_date=True
)
correct_disbursement = _corrections.correct
void_disbursement = _corrections.void
