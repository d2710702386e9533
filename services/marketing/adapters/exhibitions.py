"""Exhibitions and the showcases of products at them in the marketing database."""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import Row, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.marketing.adapters.repositories import Taken
from services.marketing.adapters.tables import exhibitions, known_participants, showcases
from services.marketing.domain.exhibition import Exhibition, Showcase
from shared.contracts.enums import ExhibitionKind, ExhibitionScope
from shared.corrections.lifecycle import Voided
from shared.corrections.voids import update_live, void_values
from shared.db.keyset import given, seq_page
from shared.db.rows import row_by
from shared.db.unique import refused_as
from shared.outbox.unit_of_work import Transaction
from shared.participants.area import in_caller_area


@dataclass(frozen=True)
class SqlExhibitionsView:
    conn: AsyncConnection

    async def get(self, exhibition_id: UUID) -> Exhibition | None:
        row = await row_by(self.conn, exhibitions.c.exhibition_id, exhibition_id)
        return _to_exhibition(row) if row else None

    async def page(
        self, *, kind: ExhibitionKind | None, scope: ExhibitionScope | None, after_seq: int, limit: int
    ) -> tuple[list[Exhibition], int | None]:
        filters = given((exhibitions.c.kind, kind), (exhibitions.c.scope, scope))
        rows, next_seq = await seq_page(self.conn, exhibitions, *filters, after_seq=after_seq, limit=limit)
        return [_to_exhibition(r) for r in rows], next_seq


@dataclass(frozen=True)
class SqlExhibitions(SqlExhibitionsView):
    tx: Transaction

    async def add(self, exhibition: Exhibition) -> None:
        await self.conn.execute(
            exhibitions.insert().values(
                exhibition_id=str(exhibition.exhibition_id),
                title=exhibition.title,
                kind=exhibition.kind.value,
                scope=exhibition.scope.value,
                venue=exhibition.venue,
                starts_on=exhibition.starts_on,
                ends_on=exhibition.ends_on,
                created_at=datetime.now(UTC),
            )
        )
        await self.tx.collect(exhibition)


@dataclass(frozen=True)
class SqlShowcasesView:
    conn: AsyncConnection

    async def get(self, showcase_id: UUID) -> Showcase | None:
        row = await row_by(self.conn, showcases.c.showcase_id, showcase_id)
        return _to_showcase(row) if row else None

    async def of_product(self, product_id: UUID) -> list[Showcase]:
        query = select(showcases).where(showcases.c.product_id == str(product_id)).order_by(showcases.c.seq)
        return [_to_showcase(row) for row in (await self.conn.execute(query)).all()]

    async def page(
        self, *, exhibition_id: UUID | None, product_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[Showcase], int | None]:
        area = in_caller_area(showcases.c.participant_id, known_participants)
        filters = given((showcases.c.exhibition_id, exhibition_id), (showcases.c.product_id, product_id))
        rows, next_seq = await seq_page(
            self.conn, showcases, area, *filters, after_seq=after_seq, limit=limit
        )
        return [_to_showcase(r) for r in rows], next_seq

    async def standing(self, exhibition_id: UUID, product_id: UUID) -> str | None:
        query = select(showcases.c.showcase_id).where(
            showcases.c.exhibition_id == str(exhibition_id),
            showcases.c.product_id == str(product_id),
            showcases.c.voided_at.is_(None),
        )
        return (await self.conn.execute(query)).scalar_one_or_none()


@dataclass(frozen=True)
class SqlShowcases(SqlShowcasesView):
    tx: Transaction

    async def add(self, showcase: Showcase) -> None:
        # The one-showcase-per-exhibition index, possibly against a concurrent request.
        with refused_as(lambda: Taken(f"product {showcase.product_id} is shown at the exhibition already")):
            await self.conn.execute(
                showcases.insert().values(
                    showcase_id=str(showcase.showcase_id),
                    exhibition_id=str(showcase.exhibition_id),
                    product_id=str(showcase.product_id),
                    participant_id=str(showcase.participant_id),
                    shown_on=showcase.shown_on,
                    created_at=datetime.now(UTC),
                )
            )
        await self.tx.collect(showcase)

    async def redate(self, read: Showcase, shown_on: date) -> bool:
        return await self._update_unchanged(read, shown_on=shown_on)

    async def void(self, read: Showcase, voided: Voided) -> bool:
        return await self._update_unchanged(read, **void_values(voided))

    async def _update_unchanged(self, read: Showcase, **values: Any) -> bool:
        # Conditional on what was read, so the correction log's previous date is always the true one and
        # concurrent corrections and voids cannot both succeed.
        unchanged = (showcases.c.showcase_id == str(read.showcase_id), showcases.c.shown_on == read.shown_on)
        return await update_live(self.conn, showcases, *unchanged, **values)


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
