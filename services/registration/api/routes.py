"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services.registration import handlers
from services.registration.adapters import repository
from services.registration.api.schemas import (
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
from shared.errors import NotFound
from shared.regions import jakarta
from shared.web.deps import Uow
from shared.web.paging import decode_cursor, encode_cursor

router = APIRouter()


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


@router.post("/participants", status_code=201, response_model=ParticipantOut, tags=["participants"])
async def register_participant(body: ParticipantIn, uow: Uow) -> ParticipantOut:
    return ParticipantOut.of(await handlers.register_participant(uow, body.to_command()))


@router.get("/participants/{participant_id}", response_model=ParticipantOut, tags=["participants"])
async def get_participant(participant_id: UUID, uow: Uow) -> ParticipantOut:
    async with uow.engine.connect() as conn:
        participant = await repository.get(conn, participant_id)
    if participant is None:
        raise NotFound(f"participant {participant_id} not found")
    return ParticipantOut.of(participant)


@router.get("/participants", response_model=ParticipantPage, tags=["participants"])
async def list_participants(
    uow: Uow,
    kota_code: Annotated[str | None, Query(pattern=r"^31\.\d{2}$")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    cursor: str | None = None,
) -> ParticipantPage:
    async with uow.engine.connect() as conn:
        items, last_seq = await repository.page(
            conn, kota_code=kota_code, after_seq=decode_cursor(cursor), limit=limit
        )
    return ParticipantPage(
        items=[ParticipantOut.of(p) for p in items],
        next_cursor=encode_cursor(last_seq),
    )


@router.post(
    "/participants/batch", response_model=BatchOut, response_model_exclude_none=True, tags=["participants"]
)
async def import_participants(body: BatchIn, uow: Uow) -> BatchOut:
    """Up to 500 registrations at once (legacy imports), each under the rules of `POST /participants`.

    Valid rows are stored in one transaction with their events; every row gets a result: `created`,
    `updated`, `skipped` (`duplicate_nik`, or `unchanged` when an update would change nothing) or
    `invalid` (`validation_error`, `rule_violation`, `duplicate_in_file` for a NIK already taken by an
    earlier row of the batch). `dry_run` answers `would_create`/`would_update` instead and writes nothing.
    An update publishes ParticipantUpdated when the participant's profile changed.
    """
    results = await handlers.import_participants(
        uow, body.commands(), body.on_duplicate, dry_run=body.dry_run
    )
    return BatchOut(results=[RowResultOut.of(result) for result in results])
