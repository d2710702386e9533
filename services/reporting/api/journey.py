"""One participant's journey (PRODUCT.md §4): every stage fact, counted or voided, for the officers of
the participant's area and admins. Pseudonymous like every figure: ids, stages and dates, no personal data.
"""

from datetime import date
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from services.reporting.api.strict_query import FigureRoute
from services.reporting.projection.journey import JourneyFact, JourneyStage, walk
from services.reporting.store.journeys import Journeys
from shared.auth import Principal, Role
from shared.auth.deps import requires
from shared.errors import NotFound
from shared.participants.area import OutsideArea
from shared.web.refusals import Refusal, refusals

router = APIRouter(tags=["participants"], route_class=FigureRoute)

# Staff who work with participants, each in their own stage service; analysts see aggregates only.
OFFICERS = (Role.REGISTRAR, Role.TRAINER, Role.MENTOR, Role.PERMIT_OFFICER, Role.MARKETING, Role.FINANCE)
PARTICIPANT_ID = "7d9f2a4c-1b3e-4f5a-8c7d-9e0f1a2b3c4d"
CLASS_ID = "0b7c4f1e-5d2a-4c3b-9e8f-1a2b3c4d5e6f"
SESSION_ID = "5c2e8a1f-7b3d-4e6a-9f0c-2d4b6e8a0c1e"


class JourneyFactOut(BaseModel):
    stage: JourneyStage
    service: str = Field(description="The service that recorded the fact (and may correct or void it)")
    event: str = Field(description="The event that records it, e.g. TrainingCompleted or ParticipantPlaced")
    fact_id: str = Field(
        description="The record behind the fact: the class of a completion, the placement, permit, session, "
        'showcase, report or financing application; "registration" for the registration'
    )
    on: date = Field(description="Its business date as it now stands (after any correction)")
    counted: bool = Field(
        description="The participant is counted in this stage's figures on this fact: their earliest fact "
        "of the stage that is not voided (for vocational, of completions and of placements each)"
    )
    voided: bool = Field(description="Withdrawn by its service: it counts nowhere")

    @classmethod
    def of(cls, fact: JourneyFact) -> "JourneyFactOut":
        kind = fact.kind
        return cls(
            stage=kind.stage,
            service=kind.service,
            event=kind.event,
            fact_id=fact.fact_id,
            on=fact.on,
            counted=fact.counted,
            voided=fact.voided,
        )


class JourneyOut(BaseModel):
    participant_id: UUID
    facts: list[JourneyFactOut] = Field(
        description="In date order; on one day, in stage order (registration first), then by fact_id"
    )


async def journeys(request: Request) -> Journeys:
    found: Journeys = request.app.state.journeys
    return found


def _unknown(participant_id: UUID) -> NotFound:
    return NotFound(f"participant {participant_id} not found")


@router.get(
    "/participants/{participant_id}/journey",
    response_model=JourneyOut,
    description="Every stage fact of one participant — the seven stages and vocational — with its date, "
    "whether the participant is counted on it, and whether it was voided; within a second of the write "
    f"that recorded it. For officers ({', '.join(r.value for r in OFFICERS)}) and admins; analysts read "
    "aggregates only (403 `forbidden`). A participant outside the caller's kota or agency is answered "
    "exactly like an unknown one (404 `not_found`), and the attempt is recorded in the audit trail. A "
    "participant whose registration has not reached reporting yet is unknown too.",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "participant_id": PARTICIPANT_ID,
                        "facts": [
                            {
                                "stage": "registration",
                                "service": "registration",
                                "event": "ParticipantRegistered",
                                "fact_id": "registration",
                                "on": "2023-01-10",
                                "counted": True,
                                "voided": False,
                            },
                            {
                                "stage": "mentoring",
                                "service": "mentoring",
                                "event": "ParticipantMentored",
                                "fact_id": SESSION_ID,
                                "on": "2023-02-01",
                                "counted": False,
                                "voided": True,
                            },
                            {
                                "stage": "training",
                                "service": "training",
                                "event": "TrainingCompleted",
                                "fact_id": CLASS_ID,
                                "on": "2023-03-20",
                                "counted": True,
                                "voided": False,
                            },
                        ],
                    }
                }
            }
        },
        **refusals(
            Refusal(404, "not_found", f"participant {PARTICIPANT_ID} not found"),
            Refusal(
                403,
                "forbidden",
                f"this needs the {' or '.join(r.value for r in OFFICERS)} role",
                (("required", " or ".join(r.value for r in OFFICERS)),),
            ),
        ),
    },
)
async def journey(
    participant_id: UUID,
    store: Annotated[Journeys, Depends(journeys)],
    caller: Annotated[Principal, Depends(requires(*OFFICERS))],
) -> JourneyOut:
    found = await store.of(str(participant_id))
    if found is None:
        raise _unknown(participant_id)
    if not caller.covers(found.kota, found.agency):
        raise OutsideArea(_unknown(participant_id), participant_id=str(participant_id))
    facts = [JourneyFactOut.of(fact) for fact in walk(found.steps)]
    return JourneyOut(participant_id=participant_id, facts=facts)
