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
    ErasedOut,
    EraseIn,
    KecamatanOut,
    KelurahanOut,
    KotaOut,
    LookupIn,
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
    "`nik_masked` shows the NIK's last 4 digits only; `nik` holds the full NIK for an `admin` caller "
    "and is null for every other caller. Each participant shown is recorded in the audit trail "
    "(`GET /audit`)."
)
NOT_FOUND = Refusal(404, "not_found", f"participant {PARTICIPANT_ID} not found")
ERASED = Refusal(410, "erased", f"participant {PARTICIPANT_ID}'s personal data was erased on 2024-06-30")
NIK_SHAPE = invalid("nik: String should match pattern '^[0-9]{16}$'")
UNKNOWN_ANSWER = (
    "A participant outside the caller's area is answered exactly like an unknown one (404 `not_found`), "
    "and the attempt is recorded in the audit trail."
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
    description="Registers a participant of a kota and agency within the caller's area (else 403 "
    "`out_of_scope`, audited). A NIK already registered is a 409 `duplicate_nik` that names the registered "
    "`participant_id` to a caller whose area holds that participant; to anyone else it says only "
    '"NIK is already registered", without an id. Either way the lookup is recorded in the audit trail. '
    "The NIK is exactly 16 ASCII digits: any other character, a full-width or Arabic-Indic digit too, is a "
    f"422. {NIK_MASKING}",
    responses=refusals(
        Refusal(
            409,
            "duplicate_nik",
            f"NIK is already registered as participant {PARTICIPANT_ID}",
            (("participant_id", PARTICIPANT_ID),),
        ),
        OUT_OF_SCOPE,
        Refusal(422, "rule_violation", "NIK birth day must be 41-71 for a woman (day + 40)"),
        NIK_SHAPE,
    ),
)
async def register_participant(body: ParticipantIn, uow: Uow, keys: Keys, caller: Caller) -> ParticipantOut:
    return _out(await handlers.register_participant(uow, keys, body.to_command(), caller), caller)


@router.get(
    "/participants/{participant_id}",
    response_model=ParticipantOut,
    tags=["participants"],
    description=f"One participant, if within the caller's area. {UNKNOWN_ANSWER} An erased participant "
    f"is a 410 `erased`. {NIK_MASKING}",
    responses=refusals(NOT_FOUND, ERASED),
)
async def get_participant(participant_id: UUID, uow: Uow, keys: Keys, caller: Caller) -> ParticipantOut:
    return _out(await handlers.read_participant(uow, keys, participant_id, caller), caller)


@router.post(
    "/participants/lookup",
    response_model=ParticipantOut,
    tags=["participants"],
    description="The participant registered under a NIK, if within the caller's area; otherwise 404 "
    "`not_found`, the same answer as for a NIK nobody holds. The NIK travels in the body only, never in a "
    f"URL (URLs end up in logs). Every lookup is recorded in the audit trail. {NIK_MASKING}",
    responses=refusals(Refusal(404, "not_found", "no participant is registered under this NIK"), NIK_SHAPE),
)
async def look_up_participant(body: LookupIn, uow: Uow, keys: Keys, caller: Caller) -> ParticipantOut:
    return _out(await handlers.look_up_nik(uow, keys, body.nik, caller), caller)


@router.post(
    "/participants/{participant_id}/erase",
    response_model=ErasedOut,
    tags=["participants"],
    dependencies=[Depends(requires(Role.ADMIN))],
    description="Erases a participant's personal data (UU 27/2022; admin only): the NIK, name, phone, "
    "e-mail, birth date and business name are cleared from the database, so nothing is left that any key "
    "could decrypt, and the NIK may be registered anew (as a new participant). The pseudonymous record "
    "(region, agency, gender, sector, dates) stays, and no event is published: every figure stays as it "
    "was. The audit trail records who erased whom, when and why. Afterwards reads answer 410 `erased`. "
    + UNKNOWN_ANSWER,
    responses=refusals(NOT_FOUND, ERASED, invalid("reason: Field required")),
)
async def erase_participant(participant_id: UUID, body: EraseIn, uow: Uow, caller: Caller) -> ErasedOut:
    return ErasedOut.of(await handlers.erase_participant(uow, participant_id, body.reason, caller))


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
        invalid("kota_code: String should match pattern '^31\\.[0-9]{2}$'"),
    ),
)
async def list_participants(
    uow: Uow,
    keys: Keys,
    caller: Caller,
    *,
    kota_code: Annotated[str | None, Query(pattern=r"^31\.[0-9]{2}$")] = None,
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
    changed. A NIK registered outside the caller's area is only ever "taken": `skipped`
    `duplicate_nik` without a `participant_id`, or, updating, `invalid` `duplicate_nik` (such a participant
    is neither shown nor changed). The audit trail records the rows created and updated (`import`,
    `update`), every NIK a row matched (`lookup`, dry runs and skips included) and every row refused
    outside the caller's area.
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
    """Who read, looked up, changed or erased whose personal data, oldest first (admin only): one entry
    per participant and request — `read`, `list`, `register`, `import`, `update`, `lookup`, `erase` — with
    the account (token subject), the request's correlation id and the `outcome` (`refused` for attempts
    outside the caller's area). Filter by `participant_id` to answer "who saw this person's data", or by
    `subject` for what one account saw. Entries can be neither changed nor deleted, not even by the
    service's own database role.
    """
    async with uow.engine.connect() as conn:
        entries, last_id = await audit.page(
            conn, participant_id=participant_id, subject=subject, after_id=decode_cursor(cursor), limit=limit
        )
    return AuditPage(items=[AuditEntryOut.of(e) for e in entries], next_cursor=encode_cursor(last_id))
