"""Reading and writing products, exhibitions and showcases, and the profiles of known participants."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.marketing.adapters.tables import (
    curations,
    exhibitions,
    known_participants,
    listings,
    products,
    showcases,
)
from services.marketing.domain.exhibition import Exhibition, Showcase
from services.marketing.domain.product import Criterion, Curation, Listing, Product
from shared.contracts.enums import CurationLevel, ExhibitionKind, ExhibitionScope, Sector
from shared.contracts.profile import ParticipantProfile
from shared.corrections import Voided
from shared.corrections.voids import update_live, void_values
from shared.db.keyset import given, seq_page
from shared.db.rows import row_by, update_one
from shared.errors import NotFound
from shared.participants.area import found_in_area, in_caller_area
from shared.participants.directory import profile_of


async def profile(conn: AsyncConnection, participant_id: UUID) -> ParticipantProfile:
    """Raises UnknownParticipant (422) if registration has not told this service of them (yet)."""
    return await profile_of(conn, known_participants, participant_id)


# Products, their curations and listing


async def insert_product(conn: AsyncConnection, p: Product) -> None:
    await conn.execute(
        products.insert().values(
            product_id=str(p.product_id),
            participant_id=str(p.participant_id),
            name=p.name,
            sector=p.sector.value if p.sector else None,
            registered_on=p.registered_on,
            created_at=_now(),
        )
    )


async def product(conn: AsyncConnection, product_id: UUID) -> Product | None:
    row = await row_by(conn, products.c.product_id, product_id)
    if row is None:
        return None
    (found,) = await _with_curations_and_listing(conn, [row])
    return found


async def visible_product(conn: AsyncConnection, product_id: UUID) -> Product:
    """The product, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"product {product_id} not found", product_id=str(product_id))
    return await found_in_area(conn, known_participants, await product(conn, product_id), missing)


async def products_page(
    conn: AsyncConnection, *, participant_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[Product], int | None]:
    """Products of the caller's area's participants only."""
    area = in_caller_area(products.c.participant_id, known_participants)
    filters = given((products.c.participant_id, participant_id))
    rows, next_seq = await seq_page(conn, products, area, *filters, after_seq=after_seq, limit=limit)
    return await _with_curations_and_listing(conn, rows), next_seq


async def add_curation(
    conn: AsyncConnection,
    curation: Curation,
    *,
    read_level: CurationLevel | None,
    new_level: CurationLevel | None,
) -> bool:
    """Store the curation only if no other curation of the product passed since it was read."""
    if not await update_one(
        conn,
        products,
        products.c.product_id == str(curation.product_id),
        products.c.curation_level.is_not_distinct_from(read_level.value if read_level else None),
        curation_level=new_level.value if new_level else None,
    ):
        return False
    await conn.execute(
        curations.insert().values(
            curation_id=str(curation.curation_id),
            product_id=str(curation.product_id),
            level=curation.level.value,
            passed=curation.passed,
            criteria=[{"name": c.name, "score": c.score} for c in curation.criteria],
            notes=curation.notes,
            curated_on=curation.curated_on,
            created_at=_now(),
        )
    )
    return True


async def insert_listing(conn: AsyncConnection, listing: Listing) -> None:
    await conn.execute(
        listings.insert().values(
            listing_id=str(listing.listing_id),
            product_id=str(listing.product_id),
            listed_on=listing.listed_on,
            created_at=_now(),
        )
    )


async def listing_of(conn: AsyncConnection, product_id: UUID) -> Listing | None:
    row = await row_by(conn, listings.c.product_id, product_id)
    return _to_listing(row) if row else None


async def _with_curations_and_listing(conn: AsyncConnection, rows: list[Row[Any]]) -> list[Product]:
    ids = [row.product_id for row in rows]
    by_product: defaultdict[str, list[Curation]] = defaultdict(list)
    query = select(curations).where(curations.c.product_id.in_(ids)).order_by(curations.c.seq)
    for c in (await conn.execute(query)).all():
        by_product[c.product_id].append(_to_curation(c))
    query_listings = select(listings).where(listings.c.product_id.in_(ids))
    listed = {row.product_id: _to_listing(row) for row in (await conn.execute(query_listings)).all()}
    return [
        Product(
            product_id=UUID(row.product_id),
            participant_id=UUID(row.participant_id),
            name=row.name,
            sector=Sector(row.sector) if row.sector else None,
            registered_on=row.registered_on,
            curations=tuple(by_product[row.product_id]),
            listing=listed.get(row.product_id),
        )
        for row in rows
    ]


# Exhibitions


async def insert_exhibition(conn: AsyncConnection, e: Exhibition) -> None:
    await conn.execute(
        exhibitions.insert().values(
            exhibition_id=str(e.exhibition_id),
            title=e.title,
            kind=e.kind.value,
            scope=e.scope.value,
            venue=e.venue,
            starts_on=e.starts_on,
            ends_on=e.ends_on,
            created_at=_now(),
        )
    )


async def exhibition(conn: AsyncConnection, exhibition_id: UUID) -> Exhibition | None:
    row = await row_by(conn, exhibitions.c.exhibition_id, exhibition_id)
    return _to_exhibition(row) if row else None


async def existing_exhibition(conn: AsyncConnection, exhibition_id: UUID) -> Exhibition:
    found = await exhibition(conn, exhibition_id)
    if found is None:
        raise NotFound(f"exhibition {exhibition_id} not found", exhibition_id=str(exhibition_id))
    return found


async def exhibitions_page(
    conn: AsyncConnection,
    *,
    kind: ExhibitionKind | None,
    scope: ExhibitionScope | None,
    after_seq: int,
    limit: int,
) -> tuple[list[Exhibition], int | None]:
    filters = given((exhibitions.c.kind, kind), (exhibitions.c.scope, scope))
    rows, next_seq = await seq_page(conn, exhibitions, *filters, after_seq=after_seq, limit=limit)
    return [_to_exhibition(r) for r in rows], next_seq


# Showcases


async def insert_showcase(conn: AsyncConnection, s: Showcase) -> None:
    await conn.execute(
        showcases.insert().values(
            showcase_id=str(s.showcase_id),
            exhibition_id=str(s.exhibition_id),
            product_id=str(s.product_id),
            participant_id=str(s.participant_id),
            shown_on=s.shown_on,
            created_at=_now(),
        )
    )


async def showcase(conn: AsyncConnection, showcase_id: UUID) -> Showcase | None:
    row = await row_by(conn, showcases.c.showcase_id, showcase_id)
    return _to_showcase(row) if row else None


async def visible_showcase(conn: AsyncConnection, showcase_id: UUID) -> Showcase:
    """The showcase, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"showcase {showcase_id} not found", showcase_id=str(showcase_id))
    return await found_in_area(conn, known_participants, await showcase(conn, showcase_id), missing)


async def standing_showcase(conn: AsyncConnection, exhibition_id: UUID, product_id: UUID) -> str | None:
    """The showcase_id of the product's unvoided showcase at this exhibition, if any."""
    query = select(showcases.c.showcase_id).where(
        showcases.c.exhibition_id == str(exhibition_id),
        showcases.c.product_id == str(product_id),
        showcases.c.voided_at.is_(None),
    )
    return (await conn.execute(query)).scalar_one_or_none()


async def showcases_of(conn: AsyncConnection, product_id: UUID) -> list[Showcase]:
    query = select(showcases).where(showcases.c.product_id == str(product_id)).order_by(showcases.c.seq)
    return [_to_showcase(row) for row in (await conn.execute(query)).all()]


async def showcases_page(
    conn: AsyncConnection,
    *,
    exhibition_id: UUID | None,
    product_id: UUID | None,
    after_seq: int,
    limit: int,
) -> tuple[list[Showcase], int | None]:
    """Showcases of the caller's area's participants only."""
    area = in_caller_area(showcases.c.participant_id, known_participants)
    filters = given((showcases.c.exhibition_id, exhibition_id), (showcases.c.product_id, product_id))
    rows, next_seq = await seq_page(conn, showcases, area, *filters, after_seq=after_seq, limit=limit)
    return [_to_showcase(r) for r in rows], next_seq


async def redate(conn: AsyncConnection, current: Showcase, shown_on: date) -> bool:
    """Store the new date only if nobody changed the showcase since it was read; False if someone did."""
    return await _update_unchanged(conn, current, shown_on=shown_on)


async def mark_voided(conn: AsyncConnection, current: Showcase, voided: Voided) -> bool:
    """Void the showcase only if nobody changed it since it was read; False if someone did."""
    return await _update_unchanged(conn, current, **void_values(voided))


async def _update_unchanged(conn: AsyncConnection, current: Showcase, **values: Any) -> bool:
    # Conditional on what was read, so the correction log's previous date is always the true one and
    # concurrent corrections and voids cannot both succeed.
    read = (showcases.c.showcase_id == str(current.showcase_id), showcases.c.shown_on == current.shown_on)
    return await update_live(conn, showcases, *read, **values)


# Rows to domain objects


def _to_curation(row: Row[Any]) -> Curation:
    return Curation(
        curation_id=UUID(row.curation_id),
        product_id=UUID(row.product_id),
        level=CurationLevel(row.level),
        passed=row.passed,
        criteria=_criteria(row.criteria),
        notes=row.notes,
        curated_on=row.curated_on,
    )


def _criteria(stored: Iterable[dict[str, Any]]) -> tuple[Criterion, ...]:
    return tuple(Criterion(name=c["name"], score=c["score"]) for c in stored)


def _to_listing(row: Row[Any]) -> Listing:
    return Listing(listing_id=UUID(row.listing_id), product_id=UUID(row.product_id), listed_on=row.listed_on)


def _to_exhibition(row: Row[Any]) -> Exhibition:
    return Exhibition(
        exhibition_id=UUID(row.exhibition_id),
        title=row.title,
        kind=ExhibitionKind(row.kind),
        scope=ExhibitionScope(row.scope),
        venue=row.venue,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
    )


def _to_showcase(row: Row[Any]) -> Showcase:
    return Showcase(
        showcase_id=UUID(row.showcase_id),
        exhibition_id=UUID(row.exhibition_id),
        product_id=UUID(row.product_id),
        participant_id=UUID(row.participant_id),
        shown_on=row.shown_on,
        voided=row.voided_at is not None,
    )


def _now() -> datetime:
    return datetime.now(UTC)
