"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.mentoring.api.deps import Storage
from services.mentoring.api.schemas import (
    MENTOR_ID,
    SESSION_ID,
    CaseloadEntryOut,
    CaseloadPage,
    KecamatanCode,
    MentorIn,
    MentorOut,
    MentorPage,
    SessionIn,
    SessionOut,
    SessionPage,
)
from services.mentoring.domain.caseload import MAX_IDLE_DAYS
from services.mentoring.handlers import mentors, sessions
from shared.corrections.api import (
    CorrectionIn,
    Officer,
    VoidIn,
    already_voided,
    concurrent_change,
    correction,
    void,
)
from shared.dates import jakarta_today
from shared.web.page_params import Cursor, Limit
from shared.web.paging import Position, decode_cursor, decode_position, encode_cursor, encode_position
from shared.web.refusals import BAD_CURSOR, UNKNOWN_PARTICIPANT, Refusal, invalid, refusals

router = APIRouter()

NO_MENTOR = Refusal(404, "not_found", f"mentor {MENTOR_ID} not found")
NO_SESSION = Refusal(404, "not_found", f"session {SESSION_ID} not found")
ALREADY_VOIDED = already_voided(f"session {SESSION_ID}", session_id=SESSION_ID)
CONCURRENT_CHANGE = concurrent_change(f"session {SESSION_ID}", "2023-02-13", session_id=SESSION_ID)
FUTURE = Refusal(422, "rule_violation", "held_on 2031-01-01 is after today (2024-06-30, Asia/Jakarta)")


@router.post(
    "/mentors",
    status_code=201,
    response_model=MentorOut,
    tags=["mentors"],
    summary="Assign a mentor to a kecamatan",
    description="Records a PJLP mentor serving one Jakarta kecamatan; the kota follows from the kecamatan "
    "code. A mentoring officer scoped to a kota assigns mentors in that kota only (403 `out_of_scope`). "
    "Publishes `MentorAssigned`, which carries neither the staff number nor the name.",
    responses=refusals(
        Refusal(
            403,
            "out_of_scope",
            "a mentor in kota 31.72 is outside your area (kota 31.71)",
            (("kota_code", "31.72"),),
        ),
        Refusal(
            409,
            "duplicate_mentor",
            f"staff number PJLP-2023-0142 already belongs to mentor {MENTOR_ID}",
            (("mentor_id", MENTOR_ID),),
        ),
        Refusal(
            422,
            "unknown_kecamatan",
            "unknown kecamatan 31.79.01 (not a kecamatan of DKI Jakarta)",
            (("kecamatan_code", "31.79.01"),),
        ),
        Refusal(422, "rule_violation", "assigned_on 2017-12-31 is before the programme start 2018-01-01"),
        invalid("staff_number: String should match pattern '^[A-Za-z0-9][A-Za-z0-9./-]*$'"),
    ),
)
async def assign_mentor(body: MentorIn, uow: Storage) -> MentorOut:
    return MentorOut.of(await mentors.assign_mentor(uow, body.to_command()))


@router.get(
    "/mentors/{mentor_id}",
    response_model=MentorOut,
    tags=["mentors"],
    summary="One mentor",
    responses=refusals(NO_MENTOR),
)
async def get_mentor(mentor_id: UUID, uow: Storage) -> MentorOut:
    return MentorOut.of(await mentors.get_mentor(uow, mentor_id))


@router.get(
    "/mentors",
    response_model=MentorPage,
    tags=["mentors"],
    summary="List mentors",
    description="In the order they were recorded, optionally only those serving one kecamatan.",
    responses=refusals(
        BAD_CURSOR, invalid("kecamatan_code: String should match pattern '^31\\.\\d{2}\\.\\d{2}$'")
    ),
)
async def list_mentors(
    uow: Storage,
    kecamatan_code: Annotated[KecamatanCode | None, Query(examples=["31.71.01"])] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> MentorPage:
    items, last_seq = await mentors.mentors_page(
        uow, kecamatan_code=kecamatan_code, after_seq=decode_cursor(cursor), limit=limit
    )
    return MentorPage(items=[MentorOut.of(m) for m in items], next_cursor=encode_cursor(last_seq))


@router.get(
    "/mentors/{mentor_id}/caseload",
    response_model=CaseloadPage,
    tags=["mentors"],
    summary="A mentor's caseload",
    description="The participants this mentor has held sessions with, each with the date of the latest "
    "session that stands, the days since (`idle_days`) and how many sessions stand; most idle first (then "
    "by participant id). `idle_days=30` keeps those without a session for 30 days or more. Voided "
    "sessions do not count. Participants outside the caller's area are left out; names come from "
    "registration's `POST /participants/resolve`.",
    responses=refusals(
        NO_MENTOR, BAD_CURSOR, invalid("idle_days: Input should be greater than or equal to 0")
    ),
)
async def mentor_caseload(
    mentor_id: UUID,
    uow: Storage,
    idle_days: Annotated[
        int | None, Query(ge=0, le=MAX_IDLE_DAYS, description="Idle this long or more", examples=[30])
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> CaseloadPage:
    found, last = await mentors.caseload(
        uow, mentor_id, idle_days=idle_days, position=decode_position(cursor), limit=limit
    )
    today = jakarta_today()
    after = Position(last.last_session_on, last.participant_id) if last else None
    return CaseloadPage(
        items=[CaseloadEntryOut.of(entry, today) for entry in found], next_cursor=encode_position(after)
    )


@router.post(
    "/sessions",
    status_code=201,
    response_model=SessionOut,
    tags=["sessions"],
    summary="Record a mentoring session",
    description="The fact that reaches the mentoring stage (pendampingan). The mentor must serve the "
    "participant's kecamatan. Publishes `ParticipantMentored` with the participant's profile; the notes "
    "stay in this service.",
    responses=refusals(
        UNKNOWN_PARTICIPANT,
        Refusal(422, "unknown_mentor", f"mentor {MENTOR_ID} does not exist", (("mentor_id", MENTOR_ID),)),
        Refusal(
            422,
            "outside_mentor_area",
            f"mentor {MENTOR_ID} serves kecamatan 31.71.01, the participant lives in kecamatan 31.74.07",
            (("mentor_kecamatan_code", "31.71.01"), ("participant_kecamatan_code", "31.74.07")),
        ),
        Refusal(
            422, "rule_violation", "held_on 2023-01-09 is before the participant's registration on 2023-01-10"
        ),
        invalid("topic: String should have at least 1 character"),
    ),
)
async def hold_session(body: SessionIn, uow: Storage) -> SessionOut:
    return SessionOut.of(await sessions.hold_session(uow, body.to_command()))


@router.get(
    "/sessions/{session_id}",
    response_model=SessionOut,
    tags=["sessions"],
    summary="One session",
    description="Voided sessions are shown too, with `voided: true`.",
    responses=refusals(NO_SESSION),
)
async def get_session(session_id: UUID, uow: Storage) -> SessionOut:
    return SessionOut.of(await sessions.get_session(uow, session_id))


@router.get(
    "/sessions",
    response_model=SessionPage,
    tags=["sessions"],
    summary="List sessions",
    description="In the order they were recorded, voided ones included, optionally of one participant "
    "and/or one mentor; a caller scoped to a kota or agency sees its area's participants' sessions only.",
    responses=refusals(BAD_CURSOR, invalid("mentor_id: Input should be a valid UUID")),
)
async def list_sessions(
    uow: Storage,
    participant_id: UUID | None = None,
    mentor_id: UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> SessionPage:
    items, last_seq = await sessions.sessions_page(
        uow, participant_id=participant_id, mentor_id=mentor_id, after_seq=decode_cursor(cursor), limit=limit
    )
    return SessionPage(items=[SessionOut.of(s) for s in items], next_cursor=encode_cursor(last_seq))


@router.post(
    "/sessions/{session_id}/correct",
    response_model=SessionOut,
    tags=["sessions"],
    summary="Correct a session's date",
    description="Re-dates the session; the new date must pass the rules the original passed. Publishes "
    "`FactCorrected` and logs who and why. Correcting to the date it already has changes nothing.",
    responses=refusals(
        NO_SESSION, ALREADY_VOIDED, CONCURRENT_CHANGE, FUTURE, invalid("date: Input should be a valid date")
    ),
)
async def correct_session(session_id: UUID, body: CorrectionIn, officer: Officer, uow: Storage) -> SessionOut:
    return SessionOut.of(await sessions.correct_session(uow, correction(session_id, body, officer)))


@router.post(
    "/sessions/{session_id}/void",
    response_model=SessionOut,
    tags=["sessions"],
    summary="Void a session recorded by mistake",
    description="The session is kept, marked `voided`, and no longer counts anywhere; it cannot be "
    "corrected or voided again. Publishes `FactVoided` and logs who and why.",
    responses=refusals(NO_SESSION, ALREADY_VOIDED, CONCURRENT_CHANGE, invalid("reason: Field required")),
)
async def void_session(session_id: UUID, body: VoidIn, officer: Officer, uow: Storage) -> SessionOut:
    return SessionOut.of(await sessions.void_session(uow, void(session_id, body, officer)))
