"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.permits.api.deps import Storage
from services.permits.api.schemas import IssueIn, PermitIn, PermitOut, PermitPage, RejectIn
from services.permits.domain.permit import PermitStatus
from services.permits.domain.work_list import MAX_WAITING_DAYS, check_work_list
from services.permits.handlers import issues, permits
from shared.corrections.api import CorrectionIn, Officer, VoidIn, concurrent_change, correction, void
from shared.web.page_params import Cursor, Limit
from shared.web.paging import Position, decode_cursor, decode_position, encode_cursor, encode_position
from shared.web.refusals import BAD_CURSOR, UNKNOWN_PARTICIPANT, Refusal, invalid, refusals

router = APIRouter(tags=["permits"])

PERMIT_ID = "5b0e6f3a-2c1d-4e8f-9a7b-3c2d1e0f9a8b"
PARTICIPANT_ID = "7d9f2a4c-1b3e-4f5a-8c7d-9e0f1a2b3c4d"
NO_PERMIT = Refusal(404, "not_found", f"permit {PERMIT_ID} not found")
NOT_APPLIED = Refusal(
    409,
    "invalid_transition",
    f"cannot issue permit {PERMIT_ID}: it is rejected, not applied",
    (("permit_id", PERMIT_ID), ("status", "rejected")),
)
DECISION_DATE = Refusal(422, "rule_violation", "issued_on 2023-01-31 is before applied_on 2023-02-01")
NOT_ISSUED = Refusal(
    409,
    "invalid_transition",
    f"cannot void the issue of permit {PERMIT_ID}: it is applied, not issued",
    (("permit_id", PERMIT_ID), ("status", "applied")),
)


@router.post(
    "/permits",
    status_code=201,
    response_model=PermitOut,
    responses=refusals(
        Refusal(
            409,
            "duplicate_nib",
            f"participant {PARTICIPANT_ID} already has an NIB (applied or issued): {PERMIT_ID}",
            (("permit_id", PERMIT_ID),),
        ),
        UNKNOWN_PARTICIPANT,
        Refusal(422, "rule_violation", "applied_on 2023-01-09 is before the registration on 2023-01-10"),
    ),
)
async def apply_for_permit(body: PermitIn, uow: Storage) -> PermitOut:
    return PermitOut.of(await permits.apply_for_permit(uow, body.to_command()))


@router.post(
    "/permits/{permit_id}/issue",
    response_model=PermitOut,
    description="`applied` → `issued`. A number already used for this permit type is a 409 "
    "`duplicate_permit_number` naming the permit that holds it — or, when that permit is outside the "
    "caller's area, saying only that the number is taken.",
    responses=refusals(
        NO_PERMIT,
        NOT_APPLIED,
        Refusal(
            409,
            "duplicate_permit_number",
            f"permit number 'NIB-0001' is already used by permit {PERMIT_ID}",
            (("permit_id", PERMIT_ID),),
        ),
        DECISION_DATE,
    ),
)
async def issue_permit(permit_id: UUID, body: IssueIn, uow: Storage) -> PermitOut:
    return PermitOut.of(await permits.issue_permit(uow, body.to_command(permit_id)))


@router.post(
    "/permits/{permit_id}/reject",
    response_model=PermitOut,
    responses=refusals(
        NO_PERMIT,
        NOT_APPLIED,
        Refusal(422, "rule_violation", "rejected_on 2023-01-31 is before applied_on 2023-02-01"),
    ),
)
async def reject_permit(permit_id: UUID, body: RejectIn, uow: Storage) -> PermitOut:
    return PermitOut.of(await permits.reject_permit(uow, body.to_command(permit_id)))


@router.get("/permits/{permit_id}", response_model=PermitOut, responses=refusals(NO_PERMIT))
async def get_permit(permit_id: UUID, uow: Storage) -> PermitOut:
    return PermitOut.of(await permits.get_permit(uow, permit_id))


@router.get(
    "/permits",
    response_model=PermitPage,
    summary="List permits, or the work list of applications waiting",
    description="In application order, optionally of one participant and/or one status; a caller scoped "
    "to a kota or agency sees its area's participants' permits only. With `waiting_days` it is the permit "
    "officer's work list: applications still `applied` whose `applied_on` is at least that many days ago "
    "(0: all of them), **oldest first** (then by id), each with its `waiting_days`; `status` may then only "
    "be `applied`. A cursor continues the list it came from.",
    responses=refusals(
        BAD_CURSOR,
        Refusal(
            422,
            "rule_violation",
            "waiting_days lists applications still applied, not issued: drop status, or use status=applied",
        ),
        invalid("waiting_days: Input should be greater than or equal to 0"),
    ),
)
async def list_permits(
    uow: Storage,
    *,
    participant_id: UUID | None = None,
    status: PermitStatus | None = None,
    waiting_days: Annotated[
        int | None,
        Query(
            ge=0, le=MAX_WAITING_DAYS, description="The work list: waiting this long or more", examples=[30]
        ),
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> PermitPage:
    if waiting_days is not None:
        check_work_list(status)
        found, last = await permits.waiting_page(
            uow,
            participant_id=participant_id,
            waiting_days=waiting_days,
            position=decode_position(cursor),
            limit=limit,
        )
        after = Position(last.applied_on, last.permit_id) if last else None
        return PermitPage(items=[PermitOut.of(p) for p in found], next_cursor=encode_position(after))
    items, last_seq = await permits.permits_page(
        uow, participant_id=participant_id, status=status, after_seq=decode_cursor(cursor), limit=limit
    )
    return PermitPage(
        items=[PermitOut.of(p) for p in items],
        next_cursor=encode_cursor(last_seq),
    )


@router.post(
    "/permits/{permit_id}/correct",
    response_model=PermitOut,
    summary="Correct the date a permit was issued",
    description="Re-dates the issue; the new `issued_on` must pass the rules the original passed "
    "(not before `applied_on`, not after today). Publishes `FactCorrected` carrying the `PermitIssued` as "
    "it now stands, and logs who and why. Correcting to the date it already has changes nothing.",
    responses=refusals(
        NO_PERMIT,
        NOT_ISSUED,
        concurrent_change(f"the issue of permit {PERMIT_ID}", "2023-03-02", permit_id=PERMIT_ID),
        DECISION_DATE,
        invalid("date: Input should be a valid date"),
    ),
)
async def correct_issue(permit_id: UUID, body: CorrectionIn, officer: Officer, uow: Storage) -> PermitOut:
    return PermitOut.of(await issues.correct_issue(uow, correction(permit_id, body, officer)))


@router.post(
    "/permits/{permit_id}/void",
    response_model=PermitOut,
    summary="Void an issue recorded by mistake",
    description="The permit goes back to `applied` and its number is freed, so it can be issued or "
    "rejected properly. Publishes `FactVoided` carrying the `PermitIssued` as it stood; the correction log "
    "keeps who and why.",
    responses=refusals(NO_PERMIT, NOT_ISSUED, invalid("reason: Field required")),
)
async def void_issue(permit_id: UUID, body: VoidIn, officer: Officer, uow: Storage) -> PermitOut:
    return PermitOut.of(await issues.void_issue(uow, void(permit_id, body, officer)))
