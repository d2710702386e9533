"""Products, their curations and their e-Order listing in the marketing database."""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.marketing.adapters.repositories import Taken
from services.marketing.adapters.tables import curations, known_participants, listings, products
from services.marketing.domain.product import Criterion, Curation, Listing, Product
from shared.contracts.enums import CurationLevel, Sector
from shared.db.keyset import given, seq_page
from shared.db.rows import row_by, update_one
from shared.db.unique import refused_as
from shared.outbox.unit_of_work import Transaction
from shared.participants.area import in_caller_area


@dataclass(frozen=True)
class SqlProductsView:
    conn: AsyncConnection

    async def get(self, product_id: UUID) -> Product | None:
        row = await row_by(self.conn, products.c.product_id, product_id)
        if row is None:
            return None
        (found,) = await self._with_curations_and_listing([row])
        return found

    async def page(
        self, *, participant_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[Product], int | None]:
        area = in_caller_area(products.c.participant_id, known_participants)
        filters = given((products.c.participant_id, participant_id))
        rows, next_seq = await seq_page(self.conn, products, area, *filters, after_seq=after_seq, limit=limit)
        return await self._with_curations_and_listing(rows), next_seq

    async def listing_of(self, product_id: UUID) -> Listing | None:
        row = await row_by(self.conn, listings.c.product_id, product_id)
        return _to_listing(row) if row else None

    async def _with_curations_and_listing(self, rows: list[Row[Any]]) -> list[Product]:
        ids = [row.product_id for row in rows]
        by_product: defaultdict[str, list[Curation]] = defaultdict(list)
        query = select(curations).where(curations.c.product_id.in_(ids)).order_by(curations.c.seq)
        for c in (await self.conn.execute(query)).all():
            by_product[c.product_id].append(_to_curation(c))
        query_listings = select(listings).where(listings.c.product_id.in_(ids))
        listed = {row.product_id: _to_listing(row) for row in (await self.conn.execute(query_listings)).all()}
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


@dataclass(frozen=True)
class SqlProducts(SqlProductsView):
    tx: Transaction

    async def add(self, product: Product) -> None:
        await self.conn.execute(
            products.insert().values(
                product_id=str(product.product_id),
                participant_id=str(product.participant_id),
                name=product.name,
                sector=product.sector.value if product.sector else None,
                registered_on=product.registered_on,
                created_at=_now(),
            )
        )
        await self.tx.collect(product)

    async def add_curation(
        self, curated: Product, curation: Curation, *, read_level: CurationLevel | None
    ) -> bool:
        # The level is updated on condition that it is still what was read: concurrent curations of one
        # product are serialised by the database.
        new_level = curated.curation_level
        if not await update_one(
            self.conn,
            products,
            products.c.product_id == str(curation.product_id),
            products.c.curation_level.is_not_distinct_from(read_level.value if read_level else None),
            curation_level=new_level.value if new_level else None,
        ):
            return False
        await self.conn.execute(
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
        await self.tx.collect(curated)
        return True

    async def add_listing(self, listing: Listing) -> None:
        # The one-listing-per-product constraint: a concurrent listing came first.
        with refused_as(lambda: Taken(f"product {listing.product_id} is listed already")):
            await self.conn.execute(
                listings.insert().values(
                    listing_id=str(listing.listing_id),
                    product_id=str(listing.product_id),
                    listed_on=listing.listed_on,
                    created_at=_now(),
                )
            )
        await self.tx.collect(listing)


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


def _now() -> datetime:
    return datetime.now(UTC)
