"""Reading and writing financing applications and their disbursements in the finance database."""

from collections import defaultdict
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
from shared.errors import NotFound
from shared.participants.area import found_in_area, in_caller_area


async def insert(conn: AsyncConnection, a: FinancingApplication) -> None:
    await conn.execute(
        applications.insert().values(
            application_id=str(a.application_id),
            participant_id=str(a.participant_id),
            lender=a.lender,
            product=a.product.value,
            amount=a.amount,
            status=a.status.value,
            applied_on=a.applied_on,
            created_at=datetime.now(UTC),
        )
    )


async def save_transition(conn: AsyncConnection, a: FinancingApplication, *, was: FinancingStatus) -> bool:
    """Store the new status and decision only if the application still has status `was`; False if another
    request moved it first. Decision columns change only with the status, so the status guards them all."""
    return await update_one(
        conn,
        applications,
        applications.c.application_id == str(a.application_id),
        applications.c.status == was.value,
        status=a.status.value,
        approved_amount=a.approved_amount,
        approved_on=a.approved_on,
        rejected_on=a.rejected_on,
        rejection_reason=a.rejection_reason,
    )


async def insert_disbursement(conn: AsyncConnection, application_id: UUID, d: Disbursement) -> None:
    await conn.execute(
        disbursements.insert().values(
            disbursement_id=str(d.disbursement_id),
            application_id=str(application_id),
            amount=d.amount,
            disbursed_on=d.disbursed_on,
            created_at=datetime.now(UTC),
        )
    )


async def save_disbursement_date(conn: AsyncConnection, d: Disbursement) -> bool:
    """Store a corrected date unless the disbursement was voided meanwhile (False)."""
    return await _update_live_disbursement(conn, d, disbursed_on=d.disbursed_on)


async def save_disbursement_void(conn: AsyncConnection, d: Disbursement) -> bool:
    """Mark the disbursement voided unless another request voided it first (False)."""
    assert d.voided is not None
    return await _update_live_disbursement(conn, d, **void_values(d.voided))


async def get(conn: AsyncConnection, application_id: UUID) -> FinancingApplication | None:
    row = await row_by(conn, applications.c.application_id, application_id)
    if row is None:
        return None
    return _to_application(row, (await _disbursements_of(conn, [row.application_id]))[row.application_id])


async def visible(conn: AsyncConnection, application_id: UUID) -> FinancingApplication:
    """The application, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"financing application {application_id} not found")
    return await found_in_area(conn, known_participants, await get(conn, application_id), missing)


async def page(
    conn: AsyncConnection,
    *,
    participant_id: UUID | None,
    status: FinancingStatus | None,
    after_seq: int,
    limit: int,
) -> tuple[list[FinancingApplication], int | None]:
    """One page in application order, of the caller's area; returns the seq to continue after, or None."""
    area = in_caller_area(applications.c.participant_id, known_participants)
    filters = given((applications.c.participant_id, participant_id), (applications.c.status, status))
    rows, next_seq = await seq_page(conn, applications, area, *filters, after_seq=after_seq, limit=limit)
    paid = await _disbursements_of(conn, [r.application_id for r in rows])
    return [_to_application(r, paid[r.application_id]) for r in rows], next_seq


async def _update_live_disbursement(conn: AsyncConnection, d: Disbursement, **values: Any) -> bool:
    return await update_live(
        conn, disbursements, disbursements.c.disbursement_id == str(d.disbursement_id), **values
    )


async def _disbursements_of(
    conn: AsyncConnection, application_ids: list[str]
) -> defaultdict[str, list[Disbursement]]:
    """Each application's disbursements, oldest first, in one query for a whole page."""
    found: defaultdict[str, list[Disbursement]] = defaultdict(list)
    if not application_ids:
        return found
    query = (
        select(disbursements)
        .where(disbursements.c.application_id.in_(application_ids))
        .order_by(disbursements.c.seq)
    )
    for row in await conn.execute(query):
        found[row.application_id].append(
            Disbursement(
                disbursement_id=UUID(row.disbursement_id),
                amount=row.amount,
                disbursed_on=row.disbursed_on,
                voided=voided_of(row),
            )
        )
    return found


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
