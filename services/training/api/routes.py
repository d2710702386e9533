"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from uuid import UUID

from fastapi import APIRouter

from services.training import handlers
from services.training.adapters import repository
from services.training.api.schemas import (
    ClassIn,
    ClassOut,
    CompletionIn,
    CompletionOut,
    EnrollmentIn,
    EnrollmentOut,
    PlacementIn,
    PlacementOut,
)
from services.training.handlers import CompletionKey
from shared.corrections.api import CorrectionIn, Officer, VoidIn
from shared.errors import NotFound
from shared.web.deps import Uow
from shared.web.refusals import UNKNOWN_PARTICIPANT, Refusal, invalid, refusals

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
DATE_RULE = Refusal(422, "rule_violation", "enrolled_on 2023-04-01 is after the class ended on 2023-03-31")
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
async def schedule_class(body: ClassIn, uow: Uow) -> ClassOut:
    return ClassOut.of(await handlers.schedule_class(uow, body.to_class()), enrolled=0)


@router.get("/classes/{class_id}", response_model=ClassOut, tags=["classes"], responses=refusals(NO_CLASS))
async def get_class(class_id: UUID, uow: Uow) -> ClassOut:
    async with uow.engine.connect() as conn:
        cls = await repository.get_class(conn, class_id)
        if cls is None:
            raise NotFound(f"class {class_id} not found")
        return ClassOut.of(cls, enrolled=await repository.enrolled_count(conn, class_id))


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
        UNKNOWN_PARTICIPANT,
        DATE_RULE,
    ),
)
async def enroll(class_id: UUID, body: EnrollmentIn, uow: Uow) -> EnrollmentOut:
    return EnrollmentOut.of(await handlers.enroll(uow, class_id, body.participant_id, body.enrolled_on))


@router.post(
    "/classes/{class_id}/completions",
    status_code=201,
    response_model=CompletionOut,
    tags=["classes"],
    summary="Record a completion",
    description="The participant must be enrolled; 409 `already_completed` if a completion of this class by "
    "them stands. A voided completion does not stand: the class may be completed again.",
    responses=refusals(
        NO_CLASS,
        Refusal(409, "already_completed", f"participant {PARTICIPANT_ID} already completed class {CLASS_ID}"),
        Refusal(422, "not_enrolled", f"participant {PARTICIPANT_ID} is not enrolled in class {CLASS_ID}"),
        UNKNOWN_PARTICIPANT,
        Refusal(422, "rule_violation", "completed_on 2023-02-28 is before enrolled_on 2023-03-01"),
    ),
)
async def complete(class_id: UUID, body: CompletionIn, uow: Uow) -> CompletionOut:
    return CompletionOut.of(await handlers.complete(uow, class_id, body.participant_id, body.completed_on))


@router.get(
    "/classes/{class_id}/completions/{participant_id}",
    response_model=CompletionOut,
    tags=["classes"],
    summary="A participant's completion of a class",
    description="The completion that stands, or if none does, the last one voided (`voided: true`).",
    responses=refusals(NO_COMPLETION),
)
async def get_completion(class_id: UUID, participant_id: UUID, uow: Uow) -> CompletionOut:
    return CompletionOut.of(await handlers.get_completion(uow, CompletionKey(class_id, participant_id)))


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
    class_id: UUID, participant_id: UUID, body: CorrectionIn, officer: Officer, uow: Uow
) -> CompletionOut:
    key = CompletionKey(class_id, participant_id)
    corrected = await handlers.correct_completion(uow, key, body.date, by=officer, reason=body.reason)
    return CompletionOut.of(corrected)


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
    class_id: UUID, participant_id: UUID, body: VoidIn, officer: Officer, uow: Uow
) -> CompletionOut:
    key = CompletionKey(class_id, participant_id)
    return CompletionOut.of(await handlers.void_completion(uow, key, by=officer, reason=body.reason))


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
async def place(body: PlacementIn, uow: Uow) -> PlacementOut:
    return PlacementOut.of(await handlers.place(uow, body.participant_id, body.employer, body.placed_on))


@router.get(
    "/placements/{placement_id}",
    response_model=PlacementOut,
    tags=["placements"],
    summary="One placement",
    description="Voided placements are shown too, with `voided: true`.",
    responses=refusals(NO_PLACEMENT),
)
async def get_placement(placement_id: UUID, uow: Uow) -> PlacementOut:
    return PlacementOut.of(await handlers.get_placement(uow, placement_id))


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
    placement_id: UUID, body: CorrectionIn, officer: Officer, uow: Uow
) -> PlacementOut:
    corrected = await handlers.correct_placement(uow, placement_id, body.date, by=officer, reason=body.reason)
    return PlacementOut.of(corrected)


@router.post(
    "/placements/{placement_id}/void",
    response_model=PlacementOut,
    tags=["placements"],
    summary="Void a placement recorded by mistake",
    description="The placement is kept, marked `voided`, and no longer counts anywhere; it cannot be "
    "corrected or voided again. Publishes `FactVoided` and logs who and why.",
    responses=refusals(NO_PLACEMENT, PLACEMENT_VOIDED, invalid("reason: Field required")),
)
async def void_placement(placement_id: UUID, body: VoidIn, officer: Officer, uow: Uow) -> PlacementOut:
    return PlacementOut.of(await handlers.void_placement(uow, placement_id, by=officer, reason=body.reason))
