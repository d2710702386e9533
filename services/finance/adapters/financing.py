"""Financing applications and their disbursements in the finance database."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.finance.adapters.tables import financing_applications as applications
from services.finance.adapters.tables import financing_disbursements as disbursements
from services.finance.adapters.tables import known_participants
from services.finance.domain.financing import (
    Disbursement,
    FinancingApplication,
    FinancingStatus,
)
from shared.contracts.enums import FinancingProduct
from shared.corrections.voids import update_live, void_values, voided_of
from shared.db.keyset import given, seq_page
from shared.db.rows import row_by, update_one
from shared.outbox.unit_of_work import Transaction
from shared.participants.area import in_caller_area


@dataclass(frozen=True)
class SqlApplicationsView:
    conn: AsyncConnection

    async def get(self, application_id: UUID) -> FinancingApplication | None:
        row = await row_by(self.conn, applications.c.application_id, application_id)
        if row is None:
            return None
        paid = await self._disbursements_of([row.application_id])
        return _to_application(row, paid[row.application_id])

    async def page(
        self, *, participant_id: UUID | None, status: FinancingStatus | None, after_seq: int, limit: int
    ) -> tuple[list[FinancingApplication], int | None]:
        area = in_caller_area(applications.c.participant_id, known_participants)
        filters = given((applications.c.participant_id, participant_id), (applications.c.status, status))
        rows, next_seq = await seq_page(
            self.conn, applications, area, *filters, after_seq=after_seq, limit=limit
        )
        paid = await self._disbursements_of([r.application_id for r in rows])
        return [_to_application(r, paid[r.application_id]) for r in rows], next_seq

    async def _disbursements_of(self, application_ids: list[str]) -> defaultdict[str, list[Disbursement]]:
        """Each application's disbursements, oldest first, in one query for a whole page."""
        found: defaultdict[str, list[Disbursement]] = defaultdict(list)
        if not application_ids:
            return found
        query = (
            select(disbursements)
            .where(disbursements.c.application_id.in_(application_ids))
            .order_by(disbursements.c.seq)
        )
        for row in await self.conn.execute(query):
            found[row.application_id].append(
                Disbursement(
                    disbursement_id=UUID(row.disbursement_id),
                    amount=row.amount,
                    disbursed_on=row.disbursed_on,
                    voided=voided_of(row),
                )
            )
        return found


@dataclass(frozen=True)
class SqlApplications(SqlApplicationsView):
    tx: Transaction

    async def add(self, application: FinancingApplication) -> None:
        await self.conn.execute(
            applications.insert().values(
                application_id=str(application.application_id),
                participant_id=str(application.participant_id),
                lender=application.lender,
                product=application.product.value,
                amount=application.amount,
                status=application.status.value,
                applied_on=application.applied_on,
                created_at=datetime.now(UTC),
            )
        )
        await self.tx.collect(application)

    async def transition(self, changed: FinancingApplication, *, was: FinancingStatus) -> bool:
        if not await self._save_status(changed, was=was):
            return False
        if (paid := changed.disbursement) is not None:
            await self.conn.execute(
                disbursements.insert().values(
                    disbursement_id=str(paid.disbursement_id),
                    application_id=str(changed.application_id),
                    amount=paid.amount,
                    disbursed_on=paid.disbursed_on,
                    created_at=datetime.now(UTC),
                )
            )
        await self.tx.collect(changed)
        return True

    async def redate_disbursement(self, disbursement: Disbursement) -> bool:
        return await self._update_live_disbursement(disbursement, disbursed_on=disbursement.disbursed_on)

    async def void_disbursement(self, voided: FinancingApplication) -> bool:
        withdrawn = voided.disbursements[-1]
        assert withdrawn.voided is not None
        return await self._save_status(
            voided, was=FinancingStatus.DISBURSED
        ) and await self._update_live_disbursement(withdrawn, **void_values(withdrawn.voided))

    async def _save_status(self, a: FinancingApplication, *, was: FinancingStatus) -> bool:
        # Decision columns change only with the status, so the status guards them all.
        return await update_one(
            self.conn,
            applications,
            applications.c.application_id == str(a.application_id),
            applications.c.status == was.value,
            status=a.status.value,
            approved_amount=a.approved_amount,
            approved_on=a.approved_on,
            rejected_on=a.rejected_on,
            rejection_reason=a.rejection_reason,
        )

    async def _update_live_disbursement(self, d: Disbursement, **values: Any) -> bool:
        return await update_live(
            self.conn, disbursements, disbursements.c.disbursement_id == str(d.disbursement_id), **values
        )


def _to_application(row: Row[Any], paid: list[Disbursement]) -> FinancingApplication:
    return FinancingApplication(
        application_id=UUID(row.application_id),
        participant_id=UUID(row.participant_id),
        lender=row.lender,
        product=FinancingProduct(row.product),
        amount=row.amount,
        status=FinancingStatus(row.status),
        applied_on=row.applied_on,
        approved_amount=row.approved_amount,
        approved_on=row.approved_on,
        rejected_on=row.rejected_on,
        rejection_reason=row.rejection_reason,
        disbursements=tuple(paid),
    )
