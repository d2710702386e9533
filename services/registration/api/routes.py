"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from services.registration import handlers
from services.registration.adapters import audit
from services.registration.api.deps import Keys
from services.registration.api.schemas import (
    AuditEntryOut,
    AuditPage,
    BatchIn,
    BatchOut,
    KecamatanOut,
    KelurahanOut,
    KotaOut,
    ParticipantIn,
    ParticipantOut,
    ParticipantPage,
    RowResultOut,
)
from services.registration.domain.participant import Participant
from shared.auth import Principal, Role
from shared.auth.deps import Caller, requires
from shared.regions import jakarta
from shared.web.deps import Uow
from shared.web.paging import decode_cursor, encode_cursor
from shared.web.refusals import BAD_CURSOR, OUT_OF_SCOPE, Refusal, invalid, refusals

router = APIRouter()

PARTICIPANT_ID = "0b6f3e4c-5d1a-4f8e-9c2b-7a1d2e3f4a5b"
NIK_MASKING = (
    "`nik_masked` hides the NIK's birth date and serial; `nik` holds the full NIK for an `admin` caller "
    "and is null for every other caller. Each participant shown is recorded in the audit trail "
    "(`GET /audit`)."
)


@router.get("/regions", response_model=list[KotaOut], tags=["regions"])
async def regions() -> list[KotaOut]:
    """Jakarta's kota, kecamatan and kelurahan with their Kemendagri codes."""
    return [
        KotaOut(
            code=kota.code,
            name=kota.name,
            kecamatan=[
                KecamatanOut(
                    code=kec.code,
                    name=kec.name,
                    kelurahan=[KelurahanOut(code=kel.code, name=kel.name) for kel in kec.kelurahan],
                )
                for kec in kota.kecamatan
            ],
        )
        for kota in jakarta().kota
    ]


def _out(p: Participant, caller: Principal) -> ParticipantOut:
    return ParticipantOut.of(p, unmasked=Role.ADMIN in caller.roles)


@router.post(
    "/participants",
    status_code=201,
    response_model=ParticipantOut,
    tags=["participants"],
    description=f"Registers a participant of a kota and agency within the caller's area. {NIK_MASKING}",
    responses=refusals(
        Refusal(
            409,
            "duplicate_nik",
            f"NIK is already registered as participant {PARTICIPANT_ID}",
            (("participant_id", PARTICIPANT_ID),),
        ),
        OUT_OF_SCOPE,
        Refusal(422, "rule_violation", "NIK birth day must be 41-71 for a woman (day + 40)"),
        invalid("nik: String should match pattern '^\\d{16}$'"),
    ),
)
async def register_participant(body: ParticipantIn, uow: Uow, keys: Keys, caller: Caller) -> ParticipantOut:
    return _out(await handlers.register_participant(uow, keys, body.to_command(), caller), caller)


@router.get(
    "/participants/{participant_id}",
    response_model=ParticipantOut,
    tags=["participants"],
    description=f"One participant, if within the caller's area. {NIK_MASKING}",
    responses=refusals(Refusal(404, "not_found", f"participant {PARTICIPANT_ID} not found"), OUT_OF_SCOPE),
)
async def get_participant(participant_id: UUID, uow: Uow, keys: Keys, caller: Caller) -> ParticipantOut:
    return _out(await handlers.read_participant(uow, keys, participant_id, caller), caller)


@router.get(
    "/participants",
    response_model=ParticipantPage,
    tags=["participants"],
    description="Participants in registration order, of the caller's area only: a caller scoped to a kota "
    "or agency sees that kota or agency, and asking for another kota is refused (403 `out_of_scope`). "
    + NIK_MASKING,
    responses=refusals(
        Refusal(403, "out_of_scope", "kota 31.72 is outside your area (kota 31.71)"),
        BAD_CURSOR,
        invalid("kota_code: String should match pattern '^31\\.\\d{2}$'"),
    ),
)
async def list_participants(
    uow: Uow,
    keys: Keys,
    caller: Caller,
    *,
    kota_code: Annotated[str | None, Query(pattern=r"^31\.\d{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> ParticipantPage:
    items, last_seq = await handlers.list_participants(
        uow, keys, caller, kota_code=kota_code, after_seq=decode_cursor(cursor), limit=limit
    )
    return ParticipantPage(items=[_out(p, caller) for p in items], next_cursor=encode_cursor(last_seq))


@router.post(
    "/participants/batch",
    response_model=BatchOut,
    response_model_exclude_none=True,
    tags=["participants"],
    responses=refusals(invalid("rows: List should have at most 500 items after validation, not 501")),
)
async def import_participants(body: BatchIn, uow: Uow, keys: Keys, caller: Caller) -> BatchOut:
    """Up to 500 registrations at once (legacy imports), each under the rules of `POST /participants`.

    Valid rows are stored in one transaction with their events; every row gets a result: `created`,
    `updated`, `skipped` (`duplicate_nik`, or `unchanged` when an update would change nothing) or
    `invalid` (`validation_error`, `rule_violation`, `duplicate_in_file` for a NIK already taken by an
    earlier row of the batch, `out_of_scope` for a row whose kota or agency — or, updating, that of the
    registered participant — is outside the caller's area). `dry_run` answers `would_create`/`would_update`
    instead and writes nothing. An update publishes ParticipantUpdated when the participant's profile
    changed. The rows created and updated are recorded in the audit trail (`import`, `update`).
    """
    results = await handlers.import_participants(
        uow, keys, body.commands(), body.on_duplicate, caller, dry_run=body.dry_run
    )
    return BatchOut(results=[RowResultOut.of(result) for result in results])


@router.get(
    "/audit",
    response_model=AuditPage,
    tags=["audit"],
    dependencies=[Depends(requires(Role.ADMIN))],
    responses=refusals(  # 401/403 `forbidden` come with the token check (shared.web.refusals)
        BAD_CURSOR,
        invalid("participant_id: Input should be a valid UUID"),
    ),
)
async def audit_trail(
    uow: Uow,
    participant_id: UUID | None = None,
    subject: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
) -> AuditPage:
    """Who read or changed whose personal data, oldest first (admin only): one entry per participant and
    request — `read`, `list`, `register`, `import`, `update` — with the account (token subject) and the
    request's correlation id. Filter by `participant_id` to answer "who saw this person's data", or by
    `subject` for what one account saw.
    """
    async with uow.engine.connect() as conn:
        entries, last_id = await audit.page(
            conn, participant_id=participant_id, subject=subject, after_id=decode_cursor(cursor), limit=limit
        )
    return AuditPage(items=[AuditEntryOut.of(e) for e in entries], next_cursor=encode_cursor(last_id))
