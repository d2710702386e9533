"""Reading and writing participants in the registration database."""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.registration.adapters.tables import participants
from services.registration.domain.participant import Business, Domicile, Participant
from shared.contracts.enums import Agency, Gender, Sector


async def insert(conn: AsyncConnection, p: Participant) -> None:
    await insert_many(conn, [p])


async def insert_many(conn: AsyncConnection, new: Sequence[Participant]) -> None:
    """One statement for the lot (the driver batches the rows): bulk imports stay fast."""
    if new:
        created_at = datetime.now(UTC)
        await conn.execute(participants.insert(), [{**_columns(p), "created_at": created_at} for p in new])


async def update(conn: AsyncConnection, p: Participant) -> None:
    """Restate a registered participant; the id and the NIK never change."""
    values = _columns(p)
    await conn.execute(
        participants.update()
        .where(participants.c.participant_id == values.pop("participant_id"))
        .values(values)
    )


async def by_niks(
    conn: AsyncConnection, niks: Sequence[str], *, lock: bool = False
) -> dict[str, Participant]:
    """The participants registered under these NIKs; `lock` holds their rows until the transaction ends."""
    if not niks:
        return {}
    query = select(participants).where(participants.c.nik.in_(niks))
    rows = (await conn.execute(query.with_for_update() if lock else query)).all()
    return {row.nik: _to_participant(row) for row in rows}


def _columns(p: Participant) -> dict[str, Any]:
    return {
        "participant_id": str(p.participant_id),
        "nik": p.nik,
        "full_name": p.full_name,
        "gender": p.gender.value,
        "birth_date": p.birth_date,
        "phone": p.phone,
        "email": p.email,
        "disability": p.disability,
        "kota_code": p.domicile.kota_code,
        "kecamatan_code": p.domicile.kecamatan_code,
        "kelurahan_code": p.domicile.kelurahan_code,
        "business_name": p.business.name if p.business else None,
        "sector": p.business.sector.value if p.business else None,
        "agency": p.agency.value,
        "registered_on": p.registered_on,
    }


async def participant_id_for_nik(conn: AsyncConnection, nik: str) -> str | None:
    query = select(participants.c.participant_id).where(participants.c.nik == nik)
    return (await conn.execute(query)).scalar_one_or_none()


async def get(conn: AsyncConnection, participant_id: UUID) -> Participant | None:
    query = select(participants).where(participants.c.participant_id == str(participant_id))
    row = (await conn.execute(query)).one_or_none()
    return _to_participant(row) if row else None


async def page(
    conn: AsyncConnection, *, kota_code: str | None, after_seq: int, limit: int
) -> tuple[list[Participant], int | None]:
    """One page in registration order; returns the seq to continue after, or None at the end."""
    query = select(participants).where(participants.c.seq > after_seq)
    if kota_code:
        query = query.where(participants.c.kota_code == kota_code)
    rows = (await conn.execute(query.order_by(participants.c.seq).limit(limit + 1))).all()
    more = len(rows) > limit
    rows = rows[:limit]
    return [_to_participant(r) for r in rows], (rows[-1].seq if more else None)


def _to_participant(row: Row[Any]) -> Participant:
    return Participant(
        participant_id=UUID(row.participant_id),
        nik=row.nik,
        full_name=row.full_name,
        gender=Gender(row.gender),
        birth_date=row.birth_date,
        phone=row.phone,
        email=row.email,
        disability=row.disability,
        domicile=Domicile(row.kota_code, row.kecamatan_code, row.kelurahan_code),
        business=Business(row.business_name, Sector(row.sector)) if row.sector else None,
        agency=Agency(row.agency),
        registered_on=row.registered_on,
    )
