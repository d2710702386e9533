"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter

from services.finance.api.deps import Storage
from services.finance.api.schemas import (
    ApproveIn,
    DisburseIn,
    FinancingIn,
    FinancingOut,
    FinancingPage,
    RejectIn,
    ReportIn,
    ReportOut,
    ReportPage,
)
from services.finance.domain.financing import FinancingStatus
from services.finance.handlers import financing, reports
from shared.corrections.api import CorrectionIn, Officer, VoidIn, correction, void
from shared.web.page_params import Cursor, Limit
from shared.web.paging import decode_cursor, encode_cursor
from shared.web.refusals import ErrorOut


def problems(**described: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses` for the errors a route documents, by status: `problems(_409="…")`."""
    return {int(status[1:]): {"model": ErrorOut, "description": text} for status, text in described.items()}


UNKNOWN = "`unknown_participant`: registration has not told this service of them (yet) — retry shortly; "
BAD_BODY = "`validation_error`: malformed body; "
NOT_FOUND = "`not_found`"
BAD_ID = "`validation_error`: the id is not a UUID"

reports_router = APIRouter(tags=["financial reports (pelaporan keuangan)"])
financing_router = APIRouter(tags=["financing (permodalan)"])


@reports_router.post(
    "/financial-reports",
    status_code=201,
    response_model=ReportOut,
    summary="Submit a financial report",
    description="Records a participant's report for one closed business period (at most a year long). "
    "Submitting reaches the *financial reporting* stage and publishes `FinancialReportSubmitted`.",
    responses=problems(
        _409="`duplicate_report`: the participant already has a live report for this exact period; "
        "`report_id` names it",
        _422=f"{UNKNOWN}{BAD_BODY}`rule_violation`: period_end before period_start, a period longer than "
        "a year, submitted_on before period_end, before the registration, in the future or before 2018",
    ),
)
async def submit_report(body: ReportIn, uow: Storage) -> ReportOut:
    return ReportOut.of(await reports.submit_report(uow, body.to_command()))


@reports_router.get(
    "/financial-reports",
    response_model=ReportPage,
    summary="List financial reports",
    description="Reports in submission order, voided ones included (`voided: true`).",
    responses=problems(_422="`rule_violation`: a cursor this API did not hand out"),
)
async def list_reports(
    uow: Storage, participant_id: UUID | None = None, limit: Limit = 50, cursor: Cursor = None
) -> ReportPage:
    items, last_seq = await reports.reports_page(
        uow, participant_id=participant_id, after_seq=decode_cursor(cursor), limit=limit
    )
    return ReportPage(items=[ReportOut.of(r) for r in items], next_cursor=encode_cursor(last_seq))


@reports_router.get(
    "/financial-reports/{report_id}",
    response_model=ReportOut,
    summary="Get a financial report",
    responses=problems(_404=NOT_FOUND, _422=BAD_ID),
)
async def get_report(report_id: UUID, uow: Storage) -> ReportOut:
    return ReportOut.of(await reports.get_report(uow, report_id))


@reports_router.post(
    "/financial-reports/{report_id}/correct",
    response_model=ReportOut,
    summary="Correct a report's submission date",
    description="Re-dates a report recorded with the wrong `submitted_on`; the new date passes the same "
    "rules. Publishes `FactCorrected` and keeps who, when and why in the correction log.",
    responses=problems(
        _404=NOT_FOUND,
        _409="`already_voided`: a voided report cannot be corrected",
        _422=f"{BAD_BODY}`rule_violation`: the new date breaks a date rule",
    ),
)
async def correct_report(report_id: UUID, body: CorrectionIn, officer: Officer, uow: Storage) -> ReportOut:
    return ReportOut.of(await reports.correct_report(uow, correction(report_id, body, officer)))


@reports_router.post(
    "/financial-reports/{report_id}/void",
    response_model=ReportOut,
    summary="Void a report recorded by mistake",
    description="The report is kept, marked `voided`, and no longer counts anywhere; its period is free for "
    "a new report. Publishes `FactVoided`.",
    responses=problems(_404=NOT_FOUND, _409="`already_voided`", _422=BAD_BODY),
)
async def void_report(report_id: UUID, body: VoidIn, officer: Officer, uow: Storage) -> ReportOut:
    return ReportOut.of(await reports.void_report(uow, void(report_id, body, officer)))


@financing_router.post(
    "/financing",
    status_code=201,
    response_model=FinancingOut,
    summary="Apply for financing",
    description="Records an application to a lender (Bank DKI, KUR …); it starts `applied`. Publishes "
    "`FinancingApplied`.",
    responses=problems(
        _422=f"{UNKNOWN}{BAD_BODY}`rule_violation`: applied_on before the registration, in the future "
        "or before 2018"
    ),
)
async def apply_for_financing(body: FinancingIn, uow: Storage) -> FinancingOut:
    return FinancingOut.of(await financing.apply_for_financing(uow, body.to_command()))


TRANSITION = "`invalid_transition`: the application is not in the status this step needs (the response "
TRANSITION += "names its `status`), or a concurrent request changed it first"


@financing_router.post(
    "/financing/{application_id}/approve",
    response_model=FinancingOut,
    summary="Approve an application",
    description="`applied` → `approved`. Publishes `FinancingApproved`.",
    responses=problems(
        _404=NOT_FOUND,
        _409=TRANSITION,
        _422=f"{BAD_BODY}`rule_violation`: approved_amount above the amount applied for, approved_on "
        "before applied_on or in the future",
    ),
)
async def approve(application_id: UUID, body: ApproveIn, uow: Storage) -> FinancingOut:
    return FinancingOut.of(await financing.approve(uow, body.to_command(application_id)))


@financing_router.post(
    "/financing/{application_id}/reject",
    response_model=FinancingOut,
    summary="Reject an application",
    description="`applied` → `rejected`, final. Publishes `FinancingRejected`.",
    responses=problems(
        _404=NOT_FOUND,
        _409=TRANSITION,
        _422=f"{BAD_BODY}`rule_violation`: rejected_on before applied_on or in the future",
    ),
)
async def reject(application_id: UUID, body: RejectIn, uow: Storage) -> FinancingOut:
    return FinancingOut.of(await financing.reject(uow, body.to_command(application_id)))


@financing_router.post(
    "/financing/{application_id}/disburse",
    response_model=FinancingOut,
    summary="Record the disbursement",
    description="`approved` → `disbursed`: the money reached the business, which reaches the *financing* "
    "stage. Publishes `FinancingDisbursed`.",
    responses=problems(
        _404=NOT_FOUND,
        _409=TRANSITION,
        _422=f"{BAD_BODY}`rule_violation`: amount above the approved amount, disbursed_on before "
        "approved_on, before the registration or in the future",
    ),
)
async def disburse(application_id: UUID, body: DisburseIn, uow: Storage) -> FinancingOut:
    return FinancingOut.of(await financing.disburse(uow, body.to_command(application_id)))


@financing_router.post(
    "/financing/{application_id}/disbursement/correct",
    response_model=FinancingOut,
    summary="Correct the disbursement date",
    description="Re-dates the live disbursement; the new date passes the same rules (on or after "
    "approved_on). Publishes `FactCorrected`.",
    responses=problems(
        _404=NOT_FOUND,
        _409="`not_disbursed`: nothing was disbursed; `already_voided`: the disbursement is voided",
        _422=f"{BAD_BODY}`rule_violation`: the new date breaks a date rule",
    ),
)
async def correct_disbursement(
    application_id: UUID, body: CorrectionIn, officer: Officer, uow: Storage
) -> FinancingOut:
    return FinancingOut.of(
        await financing.correct_disbursement(uow, correction(application_id, body, officer))
    )


@financing_router.post(
    "/financing/{application_id}/disbursement/void",
    response_model=FinancingOut,
    summary="Void a disbursement recorded by mistake",
    description="The disbursement is kept in `disbursements`, marked `voided`, and no longer counts; the "
    "application goes back to `approved` so the real disbursement can be recorded. Publishes `FactVoided`.",
    responses=problems(
        _404=NOT_FOUND,
        _409="`not_disbursed`: nothing was disbursed; `already_voided`: the disbursement is voided",
        _422=BAD_BODY,
    ),
)
async def void_disbursement(
    application_id: UUID, body: VoidIn, officer: Officer, uow: Storage
) -> FinancingOut:
    return FinancingOut.of(await financing.void_disbursement(uow, void(application_id, body, officer)))


@financing_router.get(
    "/financing",
    response_model=FinancingPage,
    summary="List financing applications",
    description="Applications in application order, optionally of one participant and/or in one status.",
    responses=problems(_422="`validation_error`: unknown status; `rule_violation`: a foreign cursor"),
)
async def list_applications(
    uow: Storage,
    participant_id: UUID | None = None,
    status: FinancingStatus | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> FinancingPage:
    items, last_seq = await financing.applications_page(
        uow, participant_id=participant_id, status=status, after_seq=decode_cursor(cursor), limit=limit
    )
    return FinancingPage(items=[FinancingOut.of(a) for a in items], next_cursor=encode_cursor(last_seq))


@financing_router.get(
    "/financing/{application_id}",
    response_model=FinancingOut,
    summary="Get a financing application",
    responses=problems(_404=NOT_FOUND, _422=BAD_ID),
)
async def get_application(application_id: UUID, uow: Storage) -> FinancingOut:
    return FinancingOut.of(await financing.get_application(uow, application_id))
