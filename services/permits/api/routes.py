"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.permits import handlers
from services.permits.api.schemas import IssueIn, PermitIn, PermitOut, PermitPage, RejectIn
from services.permits.domain.permit import PermitStatus
from shared.web.deps import Uow
from shared.web.paging import decode_cursor, encode_cursor

router = APIRouter(tags=["permits"])


@router.post("/permits", status_code=201, response_model=PermitOut)
async def apply_for_permit(body: PermitIn, uow: Uow) -> PermitOut:
    return PermitOut.of(await handlers.apply_for_permit(uow, body.to_command()))


@router.post("/permits/{permit_id}/issue", response_model=PermitOut)
async def issue_permit(permit_id: UUID, body: IssueIn, uow: Uow) -> PermitOut:
    return PermitOut.of(await handlers.issue_permit(uow, body.to_command(permit_id)))


@router.post("/permits/{permit_id}/reject", response_model=PermitOut)
async def reject_permit(permit_id: UUID, body: RejectIn, uow: Uow) -> PermitOut:
    return PermitOut.of(await handlers.reject_permit(uow, body.to_command(permit_id)))


@router.get("/permits/{permit_id}", response_model=PermitOut)
async def get_permit(permit_id: UUID, uow: Uow) -> PermitOut:
    return PermitOut.of(await handlers.get_permit(uow, permit_id))


@router.get("/permits", response_model=PermitPage)
async def list_permits(
    uow: Uow,
    participant_id: UUID | None = None,
    status: PermitStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> PermitPage:
    items, last_seq = await handlers.permits_page(
        uow, participant_id=participant_id, status=status, after_seq=decode_cursor(cursor), limit=limit
    )
    return PermitPage(
        items=[PermitOut.of(p) for p in items],
        next_cursor=encode_cursor(last_seq),
    )
