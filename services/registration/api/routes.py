"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from services.registration.adapters.repository import Filters
from services.registration.api.deps import Storage
from services.registration.api.schemas import (
    AuditEntryOut,
    AuditPage,
    BatchIn,
    BatchOut,
    DismissalOut,
    DismissIn,
    DuplicateMemberOut,
    ErasedOut,
    EraseIn,
    KotaOut,
    LookupIn,
    ParticipantIn,
    ParticipantOut,
    ParticipantPage,
    ParticipantPatch,
    PossibleDuplicateOut,
    PossibleDuplicatePage,
    ProvinceOut,
    ResolveIn,
    ResolveOut,
    RowResultOut,
)
from services.registration.commands import DismissDuplicate, EraseParticipant
from services.registration.domain.participant import Participant
from services.registration.handlers import duplicates, reading, registering, upkeep
from shared.auth import Principal, Role
from shared.auth.deps import Caller, requires
from shared.contracts.profile import KECAMATAN_CODE, KELURAHAN_CODE, KOTA_CODE, PROVINSI_CODE
from shared.errors import RuleViolation
from shared.regions import programme_area
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
OTHER_ID = "6a1c9e2d-3b4f-4a5e-8d7c-1f2e3d4c5b6a"
NIK_TAKEN = Refusal(409, "duplicate_nik", "NIK is already registered")
KOTA_OUTSIDE = Refusal(403, "out_of_scope", "kota 31.72 is outside your area (kota 31.71)")
UNKNOWN_ANSWER = (
    "A participant outside the caller's area is answered exactly like an unknown one (404 `not_found`), "
    "and the attempt is recorded in the audit trail."
)


@router.get(
    "/regions",
    response_model=list[KotaOut],
    tags=["regions"],
    responses=refusals(
        Refusal(422, "rule_violation", "provinsi 32 is not a province of the programme area (DKI Jakarta)"),
        invalid("provinsi: String should match pattern '^[0-9]{2}$'"),
    ),
)
async def regions(
    provinsi: Annotated[
        str | None,
        Query(pattern=PROVINSI_CODE, description="The province (required when the area is national)"),
    ] = None,
) -> list[KotaOut]:
    """The programme area's kabupaten/kota, kecamatan and kelurahan/desa with their Kemendagri codes:
    the province the deployment serves (`PROGRAMME_AREA`, DKI Jakarta by default), or — when the area is
    national — the province asked for with `provinsi` (`GET /regions/provinces` lists them; without it,
    a 422 `rule_violation` says so). A province outside the programme area is a 422 `rule_violation`."""
    return [KotaOut.of(kota) for kota in programme_area().tree(provinsi).kota]


@router.get("/regions/provinces", response_model=list[ProvinceOut], tags=["regions"])
async def provinces() -> list[ProvinceOut]:
    """The provinces of the programme area: the one it serves, or all 38 when it is national."""
    return [ProvinceOut(code=code, name=name) for code, name in programme_area().province_names().items()]


def _check_region_filters(**codes: str | None) -> None:
    """A region filter outside the programme area is a readable 422, not an empty page."""
    area = programme_area()
    for level, code in codes.items():
        if code is not None and (problem := area.region_problem(level, code)):
            raise RuleViolation(problem)


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
async def register_participant(body: ParticipantIn, uow: Storage, caller: Caller) -> ParticipantOut:
    return _out(await registering.register_participant(uow, body.to_command(), caller), caller)


@router.get(
    "/participants/possible-duplicates",
    response_model=PossibleDuplicatePage,
    tags=["participants"],
    description="Pairs of participants of the caller's area that may be one person: the same name "
    "(whole words, case and accents aside) and birth date, different NIKs. Found through keyed digests "
    "of the names (a blind index), never by decrypting the table. Both members lie in the caller's area; "
    "a pair an officer dismissed (`POST /participants/possible-duplicates/dismiss`) no longer lists. "
    "Each participant shown is recorded in the audit trail (`list`).",
    responses=refusals(BAD_CURSOR, invalid("limit: Input should be less than or equal to 500")),
)
async def possible_duplicates(
    uow: Storage,
    caller: Caller,
    *,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> PossibleDuplicatePage:
    pairs, last = await duplicates.possible_duplicates(uow, caller, after=decode_cursor(cursor), limit=limit)
    items = [PossibleDuplicateOut(participants=[DuplicateMemberOut.of(p) for p in pair]) for pair in pairs]
    return PossibleDuplicatePage(items=items, next_cursor=encode_cursor(last))


@router.post(
    "/participants/possible-duplicates/dismiss",
    response_model=DismissalOut,
    tags=["participants"],
    description="Records that a listed pair are two people (who, when, why): the pair no longer lists. "
    "Dismissing a pair again answers the first dismissal. Both must be in the caller's area; one outside "
    "it is answered exactly like an unknown one (404 `not_found`, audited). Two participants whose names "
    "or birth dates differ are not a pair (409 `not_possible_duplicates`).",
    responses=refusals(
        NOT_FOUND,
        Refusal(
            409,
            "not_possible_duplicates",
            "these participants are not possible duplicates: their names or birth dates differ",
        ),
        invalid("participant_ids: Value error, name two different participants"),
    ),
)
async def dismiss_duplicate(body: DismissIn, uow: Storage, caller: Caller) -> DismissalOut:
    command = DismissDuplicate(body.pair, body.reason)
    return DismissalOut.of(await duplicates.dismiss_duplicate(uow, command, caller))


@router.post(
    "/participants/resolve",
    response_model=ResolveOut,
    tags=["participants"],
    description="Names and masked NIKs for up to 500 participant ids, to put names on the pseudonymous "
    "lists of the stage services (a class roster, a caseload, a work list). Participants outside the "
    "caller's area are left out exactly like unknown or erased ones. Each participant named is recorded "
    "in the audit trail as one `read`.",
    responses=refusals(
        invalid("participant_ids: List should have at most 500 items after validation, not 501")
    ),
)
async def resolve_names(body: ResolveIn, uow: Storage, caller: Caller) -> ResolveOut:
    tags = await reading.resolve_names(uow, body.participant_ids, caller)
    return ResolveOut.of(tags)


@router.get(
    "/participants/{participant_id}",
    response_model=ParticipantOut,
    tags=["participants"],
    description=f"One participant, if within the caller's area. {UNKNOWN_ANSWER} An erased participant "
    f"is a 410 `erased`. {NIK_MASKING}",
    responses=refusals(NOT_FOUND, ERASED),
)
async def get_participant(participant_id: UUID, uow: Storage, caller: Caller) -> ParticipantOut:
    return _out(await reading.read_participant(uow, participant_id, caller), caller)


@router.patch(
    "/participants/{participant_id}",
    response_model=ParticipantOut,
    tags=["participants"],
    description="Corrects a registered record: any field of `POST /participants` (only those given "
    "change; `phone`, `email` and `business` may be set to null), with a `reason`. The record as changed "
    "meets every registration rule again (a corrected NIK must fit the birth date and gender, a "
    "kelurahan its kecamatan …) and a corrected NIK must be free: held by a participant of the caller's "
    'area it is a 409 `duplicate_nik` naming them, held elsewhere only "NIK is already registered". '
    "`registered_on` may not move after the participant's earliest stage fact (409 "
    "`stage_fact_precedes`). Moving a participant to a kota or agency outside the caller's area is "
    "refused (403 `out_of_scope`). When what reporting counts by changes (region, agency, gender, "
    "sector, dates …), ParticipantUpdated is published, so every service and figure follows. The audit "
    "trail records the reason and each field changed, before and after — personal fields by name only. "
    f"Concurrent edits take turns (the last one wins field by field). {UNKNOWN_ANSWER} {NIK_MASKING}",
    responses=refusals(
        KOTA_OUTSIDE,
        NOT_FOUND,
        Refusal(
            409,
            "duplicate_nik",
            f"NIK is already registered as participant {OTHER_ID}",
            (("participant_id", OTHER_ID),),
        ),
        Refusal(
            409,
            "stage_fact_precedes",
            "registered_on 2023-05-01 would follow the participant's earliest stage fact (2023-03-01): "
            "a stage fact may not precede the registration",
            (("earliest_stage_fact", "2023-03-01"),),
        ),
        ERASED,
        Refusal(422, "rule_violation", "nothing to change: give at least one field besides the reason"),
        invalid("reason: Field required"),
    ),
)
async def edit_participant(
    participant_id: UUID, body: ParticipantPatch, uow: Storage, caller: Caller
) -> ParticipantOut:
    return _out(await upkeep.edit_participant(uow, participant_id, body.to_command(), caller), caller)


@router.post(
    "/participants/lookup",
    response_model=ParticipantOut,
    tags=["participants"],
    description="The participant registered under a NIK, if within the caller's area; otherwise 404 "
    "`not_found`, the same answer as for a NIK nobody holds. The NIK travels in the body only, never in a "
    f"URL (URLs end up in logs). Every lookup is recorded in the audit trail. {NIK_MASKING}",
    responses=refusals(Refusal(404, "not_found", "no participant is registered under this NIK"), NIK_SHAPE),
)
async def look_up_participant(body: LookupIn, uow: Storage, caller: Caller) -> ParticipantOut:
    return _out(await reading.look_up_nik(uow, body.nik, caller), caller)


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
async def erase_participant(participant_id: UUID, body: EraseIn, uow: Storage, caller: Caller) -> ErasedOut:
    command = EraseParticipant(participant_id, body.reason)
    return ErasedOut.of(await upkeep.erase_participant(uow, command, caller))


@router.get(
    "/participants",
    response_model=ParticipantPage,
    tags=["participants"],
    description="Participants in registration order, of the caller's area only: a caller scoped to a kota "
    "or agency sees that kota or agency, and asking for another kota (or a kecamatan or kelurahan of "
    "one) is refused (403 `out_of_scope`). `q` finds participants by name: every word of `q` must be a "
    'whole word of the name, case and accents aside (`siti aminah` finds "SITI AMINAH" and "Sití '
    'Aminah"), at least 3 letters in all; names are stored encrypted and found through keyed digests of '
    "their words (a blind index). All filters combine. A region filter that is not a region of the "
    "programme area (`GET /regions`) is a 422 `rule_violation` naming it. " + NIK_MASKING,
    responses=refusals(
        KOTA_OUTSIDE,
        BAD_CURSOR,
        Refusal(422, "rule_violation", "q must hold at least 3 letters or digits of a name"),
        invalid("kota_code: String should match pattern '^[0-9]{2}\\.[0-9]{2}$'"),
    ),
)
async def list_participants(
    uow: Storage,
    caller: Caller,
    *,
    q: Annotated[
        str | None,
        Query(
            min_length=3,
            max_length=200,
            description="Words of the name, e.g. `siti aminah`",
            examples=["siti aminah"],
        ),
    ] = None,
    kota_code: Annotated[str | None, Query(pattern=KOTA_CODE, examples=["31.71"])] = None,
    kecamatan_code: Annotated[str | None, Query(pattern=KECAMATAN_CODE, examples=["31.71.01"])] = None,
    kelurahan_code: Annotated[str | None, Query(pattern=KELURAHAN_CODE, examples=["31.71.01.1001"])] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> ParticipantPage:
    _check_region_filters(kota=kota_code, kecamatan=kecamatan_code, kelurahan=kelurahan_code)
    filters = Filters(
        kota_code=kota_code, kecamatan_code=kecamatan_code, kelurahan_code=kelurahan_code, name=q
    )
    items, last_seq = await reading.list_participants(
        uow, caller, filters, after_seq=decode_cursor(cursor), limit=limit
    )
    return ParticipantPage(items=[_out(p, caller) for p in items], next_cursor=encode_cursor(last_seq))


@router.post(
    "/participants/batch",
    response_model=BatchOut,
    response_model_exclude_none=True,
    tags=["participants"],
    responses=refusals(invalid("rows: List should have at most 500 items after validation, not 501")),
)
async def import_participants(body: BatchIn, uow: Storage, caller: Caller) -> BatchOut:
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
    results = await registering.import_participants(
        uow, body.commands(), body.on_duplicate, caller, dry_run=body.dry_run
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
    uow: Storage,
    participant_id: UUID | None = None,
    subject: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    cursor: str | None = None,
) -> AuditPage:
    """Who read, looked up, changed or erased whose personal data, oldest first (admin only): one entry
    per participant and request — `read`, `list`, `register`, `import`, `update`, `lookup`, `erase`,
    `dismiss` — with the account (token subject), the request's correlation id and the `outcome`
    (`refused` for attempts outside the caller's area); an edit's entry holds its reason and `changes`.
    Filter by `participant_id` to answer "who saw this person's data", or by `subject` for what one
    account saw. Entries can be neither changed nor deleted, not even by the
    service's own database role.
    """
    entries, last_id = await reading.audit_trail(
        uow, participant_id=participant_id, subject=subject, after_id=decode_cursor(cursor), limit=limit
    )
    return AuditPage(items=[AuditEntryOut.of(e) for e in entries], next_cursor=encode_cursor(last_id))
