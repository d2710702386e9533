"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query, Request

from services.training.adapters.repositories import ClassFilters
from services.training.api.deps import Storage
from services.training.api.schemas import (
    BatchRowOut,
    ClassIn,
    ClassOut,
    ClassPage,
    CompletionBatchIn,
    CompletionBatchOut,
    CompletionIn,
    CompletionOut,
    EnrollmentIn,
    EnrollmentOut,
    PlacementIn,
    PlacementOut,
    RosterPage,
    WithdrawalIn,
)
from services.training.commands import (
    CompletionKey,
    CorrectCompletion,
    CorrectPlacement,
    VoidCompletion,
    VoidPlacement,
)
from services.training.handlers import classes, completions, placements
from shared.contracts.enums import TrainingFormat, TrainingProgram
from shared.contracts.profile import KOTA_CODE
from shared.corrections.api import CorrectionIn, Officer, VoidIn
from shared.participants.area import OutsideArea
from shared.participants.audit import record_refusal
from shared.web.paging import Position, decode_position, encode_position
from shared.web.refusals import BAD_CURSOR, UNKNOWN_PARTICIPANT, Refusal, invalid, refusals

router = APIRouter()

CLASS_ID = "0b7c4f1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f"
PARTICIPANT_ID = "7d9f2a4c-1b3e-4f5a-8c7d-9e0f1a2b3c4d"
PLACEMENT_ID = "3e5a7c9b-2d4f-4a6c-8e0b-1c3d5f7a9b2e"
NO_COMPLETION = Refusal(
    404, "not_found", f"participant {PARTICIPANT_ID} has no completion of class {CLASS_ID}"
)
COMPLETION_VOIDED = Refusal(
    409,
    "already_voided",
    f"the completion of class {CLASS_ID} by participant {PARTICIPANT_ID} is voided",
    (("class_id", CLASS_ID), ("participant_id", PARTICIPANT_ID)),
)


def _depended_on(change: str) -> Refusal:
    return Refusal(
        409,
        "placement_depends_on_it",
        f"cannot {change}: placement {PLACEMENT_ID} on 2023-05-01 relies on it (no other vocational "
        "completion); correct or void the placement first",
        (("placement_id", PLACEMENT_ID),),
    )


NO_CLASS = Refusal(404, "not_found", f"class {CLASS_ID} not found")
WITHDRAWN = Refusal(
    409,
    "enrollment_withdrawn",
    f"participant {PARTICIPANT_ID} withdrew from class {CLASS_ID} on 2023-03-05",
    (("withdrawn_on", "2023-03-05"),),
)
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Cursor = Annotated[str | None, Query(description="`next_cursor` of the previous page")]
DATE_RULE = Refusal(422, "rule_violation", "enrolled_on 2023-04-01 is after the class ended on 2023-03-31")
ALREADY_COMPLETED = Refusal(
    409, "already_completed", f"participant {PARTICIPANT_ID} already completed class {CLASS_ID}"
)
NOT_ENROLLED = Refusal(
    422, "not_enrolled", f"participant {PARTICIPANT_ID} is not enrolled in class {CLASS_ID}"
)
COMPLETION_DATE = Refusal(422, "rule_violation", "completed_on 2023-02-28 is before enrolled_on 2023-03-01")
NO_PLACEMENT = Refusal(404, "not_found", f"placement {PLACEMENT_ID} not found")
PLACEMENT_VOIDED = Refusal(
    409, "already_voided", f"placement {PLACEMENT_ID} is voided", (("placement_id", PLACEMENT_ID),)
)


@router.post(
    "/classes",
    status_code=201,
    response_model=ClassOut,
    tags=["classes"],
    summary="Schedule a class",
    description="A trainer scoped to a kota schedules classes in that kota only (403 `out_of_scope`).",
    responses=refusals(
        Refusal(422, "rule_violation", "ends_on 2023-02-28 is before starts_on 2023-03-01"),
        Refusal(
            403,
            "out_of_scope",
            "a class in kota 31.72 is outside your area (kota 31.71)",
            (("kota_code", "31.72"),),
        ),
    ),
)
async def schedule_class(body: ClassIn, uow: Storage) -> ClassOut:
    return ClassOut.of(await classes.schedule_class(uow, body.to_command()), enrolled=0)


@router.get(
    "/classes",
    response_model=ClassPage,
    tags=["classes"],
    summary="List classes",
    description="By start date (then id), with the places taken; every filter is optional and they "
    "combine. `active_on` keeps the classes running that day (`starts_on` ≤ day ≤ `ends_on`). Classes are "
    "about no participant, so every trainer sees every class (participants may attend a class of another "
    "kota); the roster shows only the caller's area.",
    responses=refusals(BAD_CURSOR, invalid("kota_code: String should match pattern '^31\\.\\d{2}$'")),
)
async def list_classes(
    uow: Storage,
    *,
    kota_code: Annotated[str | None, Query(pattern=KOTA_CODE, examples=["31.71"])] = None,
    program: TrainingProgram | None = None,
    format: TrainingFormat | None = None,
    active_on: Annotated[date | None, Query(examples=["2023-03-15"])] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ClassPage:
    filters = ClassFilters(kota_code, program, format, active_on)
    found, last = await classes.classes_page(uow, filters, decode_position(cursor), limit)
    return ClassPage(
        items=[ClassOut.of(c, enrolled=n) for c, n in found],
        next_cursor=encode_position(Position(last.starts_on, last.class_id) if last else None),
    )


@router.get("/classes/{class_id}", response_model=ClassOut, tags=["classes"], responses=refusals(NO_CLASS))
async def get_class(class_id: UUID, uow: Storage) -> ClassOut:
    found, enrolled = await classes.get_class(uow, class_id)
    return ClassOut.of(found, enrolled=enrolled)


@router.post(
    "/classes/{class_id}/enrollments",
    status_code=201,
    response_model=EnrollmentOut,
    tags=["classes"],
    responses=refusals(
        NO_CLASS,
        Refusal(
            409, "already_enrolled", f"participant {PARTICIPANT_ID} is already enrolled in class {CLASS_ID}"
        ),
        Refusal(409, "class_full", f"class {CLASS_ID} is full (25 places)"),
        WITHDRAWN,
        UNKNOWN_PARTICIPANT,
        DATE_RULE,
    ),
)
async def enroll(class_id: UUID, body: EnrollmentIn, uow: Storage) -> EnrollmentOut:
    return EnrollmentOut.of(await classes.enroll(uow, body.to_command(class_id)))


@router.get(
    "/classes/{class_id}/enrollments",
    response_model=RosterPage,
    tags=["classes"],
    summary="The roster of a class",
    description="Every enrolment by enrolment date (then participant id), with its state: `enrolled`, "
    "`completed` (with the date of the completion that stands) or `withdrawn`. Participants outside the "
    "caller's area are left out. Names come from registration's `POST /participants/resolve`.",
    responses=refusals(NO_CLASS, BAD_CURSOR),
)
async def class_roster(class_id: UUID, uow: Storage, limit: Limit = 50, cursor: Cursor = None) -> RosterPage:
    found, last = await classes.roster(uow, class_id, decode_position(cursor), limit)
    return RosterPage(
        items=[EnrollmentOut.of(e) for e in found],
        next_cursor=encode_position(Position(last.enrolled_on, last.participant_id) if last else None),
    )


@router.post(
    "/classes/{class_id}/enrollments/{participant_id}/withdraw",
    response_model=EnrollmentOut,
    tags=["classes"],
    summary="Withdraw an enrolment",
    description="The participant leaves the class: the enrolment stays on the roster as `withdrawn` and "
    "frees its place (a full class can take someone else). A withdrawn enrolment is not completed nor "
    "enrolled again (409 `enrollment_withdrawn`); a completed one cannot be withdrawn (409 "
    "`already_completed`: void the completion first if it was recorded by mistake). The officer and the "
    "reason are kept in the training database; no event is published, as no figure counts enrolments. "
    "A participant outside the caller's area is answered as not enrolled.",
    responses=refusals(
        NO_CLASS,
        Refusal(404, "not_found", f"participant {PARTICIPANT_ID} is not enrolled in class {CLASS_ID}"),
        WITHDRAWN,
        Refusal(
            409,
            "already_completed",
            f"participant {PARTICIPANT_ID} completed class {CLASS_ID} on 2023-03-31: a completed enrolment "
            "cannot be withdrawn (void the completion first if it was recorded by mistake)",
            (("completed_on", "2023-03-31"),),
        ),
        Refusal(422, "rule_violation", "withdrawn_on 2023-02-28 is before enrolled_on 2023-03-01"),
        invalid("reason: Field required"),
    ),
)
async def withdraw(
    class_id: UUID, participant_id: UUID, body: WithdrawalIn, officer: Officer, uow: Storage
) -> EnrollmentOut:
    withdrawn = await classes.withdraw(uow, body.to_command(class_id, participant_id, by=officer))
    return EnrollmentOut.of(withdrawn)


@router.post(
    "/classes/{class_id}/completions",
    status_code=201,
    response_model=CompletionOut,
    tags=["classes"],
    summary="Record a completion",
    description="The participant must be enrolled; 409 `already_completed` if a completion of this class by "
    "them stands. A voided completion does not stand: the class may be completed again. A withdrawn "
    "enrolment is not completed (409 `enrollment_withdrawn`).",
    responses=refusals(
        NO_CLASS,
        ALREADY_COMPLETED,
        WITHDRAWN,
        NOT_ENROLLED,
        UNKNOWN_PARTICIPANT,
        COMPLETION_DATE,
    ),
)
async def complete(class_id: UUID, body: CompletionIn, uow: Storage) -> CompletionOut:
    return CompletionOut.of(await classes.complete(uow, body.to_command(class_id)))


@router.post(
    "/classes/{class_id}/completions/batch",
    response_model=CompletionBatchOut,
    response_model_exclude_none=True,
    tags=["classes"],
    summary="Record many completions of a class",
    description="Up to 500 participants who completed the class on `completed_on`, each under the rules "
    "of `POST /classes/{class_id}/completions`. Every participant gets a result, in the order given: "
    "`status` 201 when recorded (with its `TrainingCompleted` event), otherwise the status and code a "
    "single request would get — `unknown_participant` (also for a participant outside the caller's "
    "area), `not_enrolled`, `enrollment_withdrawn`, `already_completed` (also for an id listed twice), "
    "`rule_violation`. A refused participant changes nothing; the others are recorded together. Rows "
    "are named by their index and their details do not repeat the id.",
    responses=refusals(
        NO_CLASS, invalid("participant_ids: List should have at most 500 items after validation, not 501")
    ),
)
async def complete_many(
    class_id: UUID, body: CompletionBatchIn, uow: Storage, request: Request
) -> CompletionBatchOut:
    rows = await classes.complete_many(uow, body.to_command(class_id))
    for _, refused in rows:
        if isinstance(refused, OutsideArea):
            record_refusal(request, refused)
    return CompletionBatchOut(results=[BatchRowOut.of(row) for row, _ in rows])


@router.get(
    "/classes/{class_id}/completions/{participant_id}",
    response_model=CompletionOut,
    tags=["classes"],
    summary="A participant's completion of a class",
    description="The completion that stands, or if none does, the last one voided (`voided: true`).",
    responses=refusals(NO_COMPLETION),
)
async def get_completion(class_id: UUID, participant_id: UUID, uow: Storage) -> CompletionOut:
    return CompletionOut.of(await completions.get_completion(uow, CompletionKey(class_id, participant_id)))


@router.post(
    "/classes/{class_id}/completions/{participant_id}/correct",
    response_model=CompletionOut,
    tags=["classes"],
    summary="Correct a completion's date",
    description="Re-dates the completion that stands; the new date must pass the rules the original passed "
    "(not before enrolment nor registration, within the class dates, not after today), and a vocational "
    "completion may not move after a placement it supports. Publishes `FactCorrected` and logs who and "
    "why. Correcting to the date it already has changes nothing.",
    responses=refusals(
        NO_COMPLETION,
        COMPLETION_VOIDED,
        _depended_on(f"move the completion of class {CLASS_ID} to 2023-05-10"),
        Refusal(
            422, "rule_violation", "completed_on 2023-04-01 is outside the class dates 2023-03-01..2023-03-31"
        ),
        invalid("date: Input should be a valid date"),
    ),
)
async def correct_completion(
    class_id: UUID, participant_id: UUID, body: CorrectionIn, officer: Officer, uow: Storage
) -> CompletionOut:
    command = CorrectCompletion(CompletionKey(class_id, participant_id), body.date, officer, body.reason)
    return CompletionOut.of(await completions.correct_completion(uow, command))


@router.post(
    "/classes/{class_id}/completions/{participant_id}/void",
    response_model=CompletionOut,
    tags=["classes"],
    summary="Void a completion recorded by mistake",
    description="The completion is kept, marked `voided`, and no longer counts anywhere; the class may be "
    "completed again. A vocational completion a placement relies on (no other vocational completion "
    "before the placement) cannot be voided. Publishes `FactVoided` and logs who and why.",
    responses=refusals(
        NO_COMPLETION,
        COMPLETION_VOIDED,
        _depended_on(f"void the completion of class {CLASS_ID}"),
        invalid("reason: Field required"),
    ),
)
async def void_completion(
    class_id: UUID, participant_id: UUID, body: VoidIn, officer: Officer, uow: Storage
) -> CompletionOut:
    command = VoidCompletion(CompletionKey(class_id, participant_id), officer, body.reason)
    return CompletionOut.of(await completions.void_completion(uow, command))


@router.post(
    "/placements",
    status_code=201,
    response_model=PlacementOut,
    tags=["placements"],
    responses=refusals(
        UNKNOWN_PARTICIPANT,
        Refusal(422, "no_vocational_completion", "a placement needs a completed vocational class first"),
        Refusal(
            422,
            "rule_violation",
            "placed_on 2023-03-19 is before the first vocational completion on 2023-03-20",
        ),
    ),
)
async def place(body: PlacementIn, uow: Storage) -> PlacementOut:
    return PlacementOut.of(await placements.place(uow, body.to_command()))


@router.get(
    "/placements/{placement_id}",
    response_model=PlacementOut,
    tags=["placements"],
    summary="One placement",
    description="Voided placements are shown too, with `voided: true`.",
    responses=refusals(NO_PLACEMENT),
)
async def get_placement(placement_id: UUID, uow: Storage) -> PlacementOut:
    return PlacementOut.of(await placements.get_placement(uow, placement_id))


@router.post(
    "/placements/{placement_id}/correct",
    response_model=PlacementOut,
    tags=["placements"],
    summary="Correct a placement's date",
    description="Re-dates the placement; the new date must pass the rules the original passed (after a "
    "vocational completion, not before registration, not after today). Publishes `FactCorrected` and "
    "logs who and why. Correcting to the date it already has changes nothing.",
    responses=refusals(
        NO_PLACEMENT,
        PLACEMENT_VOIDED,
        Refusal(
            422,
            "rule_violation",
            "placed_on 2023-03-19 is before the first vocational completion on 2023-03-20",
        ),
        invalid("date: Input should be a valid date"),
    ),
)
async def correct_placement(
    placement_id: UUID, body: CorrectionIn, officer: Officer, uow: Storage
) -> PlacementOut:
    command = CorrectPlacement(placement_id, body.date, officer, body.reason)
    return PlacementOut.of(await placements.correct_placement(uow, command))


@router.post(
    "/placements/{placement_id}/void",
    response_model=PlacementOut,
    tags=["placements"],
    summary="Void a placement recorded by mistake",
    description="The placement is kept, marked `voided`, and no longer counts anywhere; it cannot be "
    "corrected or voided again. Publishes `FactVoided` and logs who and why.",
    responses=refusals(NO_PLACEMENT, PLACEMENT_VOIDED, invalid("reason: Field required")),
)
async def void_placement(placement_id: UUID, body: VoidIn, officer: Officer, uow: Storage) -> PlacementOut:
    command = VoidPlacement(placement_id, officer, body.reason)
    return PlacementOut.of(await placements.void_placement(uow, command))
