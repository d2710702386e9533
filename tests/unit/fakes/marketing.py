"""The marketing repositories in memory, keeping the rules the database keeps for the SQL ones: one
listing per product, one unvoided showcase per product and exhibition (`Taken`), a curation stored only
while the product's level is what was read, a showcase re-dated or voided only while it is as read, lists
of participants' records restricted to the caller's area and paged by their recorded order (seq)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Self, TypeVar
from uuid import UUID

from services.marketing.adapters.repositories import Taken
from services.marketing.domain.exhibition import Exhibition, Showcase
from services.marketing.domain.product import Curation, Listing, Product
from shared.contracts.enums import CurationLevel, ExhibitionKind, ExhibitionScope
from shared.contracts.profile import ParticipantProfile
from shared.corrections.lifecycle import Voided
from tests.unit.fakes.corrections import FakeCorrectionLog, Logged
from tests.unit.fakes.paging import seq_page
from tests.unit.fakes.participants import FakeParticipants, in_caller_area
from tests.unit.fakes.storage import FakeOutbox, FakeStorage

T = TypeVar("T")
Race = Callable[["MarketingState"], None]


@dataclass
class MarketingState:
    participants: dict[UUID, ParticipantProfile] = field(default_factory=dict)
    products: dict[UUID, Product] = field(default_factory=dict)  # with curations and listing; seq order
    exhibitions: dict[UUID, Exhibition] = field(default_factory=dict)
    showcases: dict[UUID, Showcase] = field(default_factory=dict)
    voids: dict[UUID, Voided] = field(default_factory=dict)  # the void columns of a showcase's row
    corrections: list[Logged] = field(default_factory=list)
    # A change another request commits just before this one's next write (tests/unit/fakes/races.py).
    races: list[Race] = field(default_factory=list)

    def copy(self) -> Self:
        return type(self)(
            dict(self.participants),
            dict(self.products),
            dict(self.exhibitions),
            dict(self.showcases),
            dict(self.voids),
            list(self.corrections),
            list(self.races),
        )

    def race(self) -> None:
        while self.races:
            self.races.pop(0)(self)

    def standing(self, exhibition_id: UUID, product_id: UUID) -> Showcase | None:
        return next(
            (
                s
                for s in self.showcases.values()
                if (s.exhibition_id, s.product_id) == (exhibition_id, product_id) and not s.voided
            ),
            None,
        )


def numbered(rows: Iterable[T], keep: Callable[[T], bool]) -> list[tuple[int, T]]:
    """The rows `keep` selects, each with its seq: the order it was recorded in, from 1."""
    return [(seq, row) for seq, row in enumerate(rows, start=1) if keep(row)]


@dataclass
class FakeProducts:
    state: MarketingState
    outbox: FakeOutbox

    async def get(self, product_id: UUID) -> Product | None:
        return self.state.products.get(product_id)

    async def page(
        self, *, participant_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[Product], int | None]:
        def kept(p: Product) -> bool:
            return participant_id in (None, p.participant_id) and in_caller_area(
                self.state.participants, p.participant_id
            )

        return seq_page(numbered(self.state.products.values(), kept), after_seq, limit)

    async def listing_of(self, product_id: UUID) -> Listing | None:
        found = self.state.products.get(product_id)
        return found.listing if found else None

    async def add(self, product: Product) -> None:
        self.state.race()
        assert product.product_id not in self.state.products
        self.state.products[product.product_id] = replace(product)  # a copy: the row, not the events
        await self.outbox.collect(product)

    async def add_curation(
        self, curated: Product, curation: Curation, *, read_level: CurationLevel | None
    ) -> bool:
        self.state.race()
        if self.state.products[curation.product_id].curation_level is not read_level:
            return False
        self.state.products[curation.product_id] = replace(curated)
        await self.outbox.collect(curated)
        return True

    async def add_listing(self, listing: Listing) -> None:
        self.state.race()
        product = self.state.products[listing.product_id]
        if product.listing is not None:  # the unique product_id of eorder_listings
            raise Taken(f"product {listing.product_id} is listed already")
        self.state.products[listing.product_id] = replace(product, listing=replace(listing))
        await self.outbox.collect(listing)


@dataclass
class FakeExhibitions:
    state: MarketingState
    outbox: FakeOutbox

    async def get(self, exhibition_id: UUID) -> Exhibition | None:
        return self.state.exhibitions.get(exhibition_id)

    async def page(
        self, *, kind: ExhibitionKind | None, scope: ExhibitionScope | None, after_seq: int, limit: int
    ) -> tuple[list[Exhibition], int | None]:
        def kept(e: Exhibition) -> bool:
            return kind in (None, e.kind) and scope in (None, e.scope)

        return seq_page(numbered(self.state.exhibitions.values(), kept), after_seq, limit)

    async def add(self, exhibition: Exhibition) -> None:
        self.state.race()
        self.state.exhibitions[exhibition.exhibition_id] = replace(exhibition)
        await self.outbox.collect(exhibition)


@dataclass
class FakeShowcases:
    state: MarketingState
    outbox: FakeOutbox

    async def get(self, showcase_id: UUID) -> Showcase | None:
        return self.state.showcases.get(showcase_id)

    async def of_product(self, product_id: UUID) -> list[Showcase]:
        return [s for s in self.state.showcases.values() if s.product_id == product_id]

    async def page(
        self, *, exhibition_id: UUID | None, product_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[Showcase], int | None]:
        def kept(s: Showcase) -> bool:
            return (
                exhibition_id in (None, s.exhibition_id)
                and product_id in (None, s.product_id)
                and in_caller_area(self.state.participants, s.participant_id)
            )

        return seq_page(numbered(self.state.showcases.values(), kept), after_seq, limit)

    async def standing(self, exhibition_id: UUID, product_id: UUID) -> str | None:
        found = self.state.standing(exhibition_id, product_id)
        return str(found.showcase_id) if found else None

    async def add(self, showcase: Showcase) -> None:
        self.state.race()
        if self.state.standing(showcase.exhibition_id, showcase.product_id):  # the one-per-exhibition index
            raise Taken(f"product {showcase.product_id} is shown at the exhibition already")
        self.state.showcases[showcase.showcase_id] = replace(showcase)
        await self.outbox.collect(showcase)

    async def redate(self, read: Showcase, shown_on: date) -> bool:
        return self._update_unchanged(read, replace(read, shown_on=shown_on))

    async def void(self, read: Showcase, voided: Voided) -> bool:
        if not self._update_unchanged(read, replace(read, voided=True)):
            return False
        self.state.voids[read.showcase_id] = voided
        return True

    def _update_unchanged(self, read: Showcase, changed: Showcase) -> bool:
        self.state.race()
        stored = self.state.showcases[read.showcase_id]
        if stored.voided or stored.shown_on != read.shown_on:
            return False
        self.state.showcases[read.showcase_id] = changed
        return True


@dataclass
class FakeMarketingWrites:
    products: FakeProducts
    exhibitions: FakeExhibitions
    showcases: FakeShowcases
    participants: FakeParticipants
    corrections: FakeCorrectionLog

    @classmethod
    def on(cls, state: MarketingState, outbox: FakeOutbox) -> FakeMarketingWrites:
        return cls(
            FakeProducts(state, outbox),
            FakeExhibitions(state, outbox),
            FakeShowcases(state, outbox),
            FakeParticipants(state.participants),
            FakeCorrectionLog(state.corrections),
        )


MarketingFakes = FakeStorage[MarketingState, FakeMarketingWrites, FakeMarketingWrites]


def fake_marketing_storage(state: MarketingState | None = None) -> MarketingFakes:
    """A view reads the committed state through the same repositories, on a copy: like the read-only
    connection, it keeps nothing a handler might write there."""
    return FakeStorage(
        state or MarketingState(),
        writes=FakeMarketingWrites.on,
        reads=lambda state: FakeMarketingWrites.on(state.copy(), FakeOutbox()),
    )
