"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from uuid import UUID

from fastapi import APIRouter

from services.training import handlers
from services.training.adapters import repository
from services.training.api.schemas import (
    ClassIn,
    ClassOut,
    CompletionIn,
    EnrollmentIn,
    EnrollmentOut,
    PlacementIn,
    PlacementOut,
)
from shared.errors import NotFound
from shared.web.deps import Uow

router = APIRouter()


@router.post("/classes", status_code=201, response_model=ClassOut, tags=["classes"])
async def schedule_class(body: ClassIn, uow: Uow) -> ClassOut:
    return ClassOut.of(await handlers.schedule_class(uow, body.to_class()), enrolled=0)


@router.get("/classes/{class_id}", response_model=ClassOut, tags=["classes"])
async def get_class(class_id: UUID, uow: Uow) -> ClassOut:
    async with uow.engine.connect() as conn:
        cls = await repository.get_class(conn, class_id)
        if cls is None:
            raise NotFound(f"class {class_id} not found")
        return ClassOut.of(cls, enrolled=await repository.enrolled_count(conn, class_id))


@router.post(
    "/classes/{class_id}/enrollments", status_code=201, response_model=EnrollmentOut, tags=["classes"]
)
async def enroll(class_id: UUID, body: EnrollmentIn, uow: Uow) -> EnrollmentOut:
    return EnrollmentOut.of(await handlers.enroll(uow, class_id, body.participant_id, body.enrolled_on))


@router.post(
    "/classes/{class_id}/completions", status_code=201, response_model=EnrollmentOut, tags=["classes"]
)
async def complete(class_id: UUID, body: CompletionIn, uow: Uow) -> EnrollmentOut:
    return EnrollmentOut.of(await handlers.complete(uow, class_id, body.participant_id, body.completed_on))


@router.post("/placements", status_code=201, response_model=PlacementOut, tags=["placements"])
async def place(body: PlacementIn, uow: Uow) -> PlacementOut:
    return PlacementOut.of(await handlers.place(uow, body.participant_id, body.employer, body.placed_on))
