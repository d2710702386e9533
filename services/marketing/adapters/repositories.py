"""What the marketing handlers may ask of storage: one repository per aggregate, bound to a transaction,
and the read-only views queries use. Implemented on the database (`products`, `exhibitions`, `storage`) and
in memory by the unit tests' fakes.

Lists are in recorded order (`seq`), of the caller's area where they hold participants' records; a page
returns the seq to continue after, or None at the end. Writes the database settles between concurrent
requests are conditional (False: another request changed the row first) or refused as `Taken`.
"""

from datetime import date
from typing import Protocol
from uuid import UUID

from services.marketing.domain.exhibition import Exhibition, Showcase
from services.marketing.domain.product import Curation, Listing, Product
from shared.contracts.enums import CurationLevel, ExhibitionKind, ExhibitionScope
from shared.corrections.lifecycle import CorrectionLog, Voided
from shared.outbox.unit_of_work import Storage
from shared.participants.views import ParticipantsView


class Taken(Exception):
    """A unique index refused the row: a concurrent request stored its twin first. It ends the transaction;
    the handler then reads what was stored through the view."""


class ProductsView(Protocol):
    async def get(self, product_id: UUID) -> Product | None:
        """The product with its curations (in recorded order) and its listing."""

    async def page(
        self, *, participant_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[Product], int | None]: ...

    async def listing_of(self, product_id: UUID) -> Listing | None: ...


class Products(ProductsView, Protocol):
    async def add(self, product: Product) -> None: ...

    async def add_curation(
        self, curated: Product, curation: Curation, *, read_level: CurationLevel | None
    ) -> bool:
        """Store the curation only if the product's level is still `read_level` (no other curation passed
        since it was read); False if one did."""

    async def add_listing(self, listing: Listing) -> None:
        """`Taken` if the product is listed already (one listing per product)."""


class ExhibitionsView(Protocol):
    async def get(self, exhibition_id: UUID) -> Exhibition | None: ...

    async def page(
        self, *, kind: ExhibitionKind | None, scope: ExhibitionScope | None, after_seq: int, limit: int
    ) -> tuple[list[Exhibition], int | None]:
        """Every caller sees every exhibition: exhibitions belong to no participant."""


class Exhibitions(ExhibitionsView, Protocol):
    async def add(self, exhibition: Exhibition) -> None: ...


class ShowcasesView(Protocol):
    async def get(self, showcase_id: UUID) -> Showcase | None: ...

    async def of_product(self, product_id: UUID) -> list[Showcase]:
        """Every showcase of the product, voided ones too, in recorded order."""

    async def page(
        self, *, exhibition_id: UUID | None, product_id: UUID | None, after_seq: int, limit: int
    ) -> tuple[list[Showcase], int | None]: ...

    async def standing(self, exhibition_id: UUID, product_id: UUID) -> str | None:
        """The showcase_id of the product's unvoided showcase at this exhibition, if any."""


class Showcases(ShowcasesView, Protocol):
    async def add(self, showcase: Showcase) -> None:
        """`Taken` if the product is shown at the exhibition already (voided showcases aside)."""

    async def redate(self, read: Showcase, shown_on: date) -> bool:
        """Store the new date only if nobody changed the showcase since it was `read`."""

    async def void(self, read: Showcase, voided: Voided) -> bool:
        """Void the showcase only if nobody changed it since it was `read`."""


class MarketingReads(Protocol):
    """The read-only view queries get."""

    @property
    def products(self) -> ProductsView: ...
    @property
    def exhibitions(self) -> ExhibitionsView: ...
    @property
    def showcases(self) -> ShowcasesView: ...
    @property
    def participants(self) -> ParticipantsView: ...


class MarketingWrites(Protocol):
    """The repositories of one transaction: what they store commits together with the events it caused."""

    @property
    def products(self) -> Products: ...
    @property
    def exhibitions(self) -> Exhibitions: ...
    @property
    def showcases(self) -> Showcases: ...
    @property
    def participants(self) -> ParticipantsView: ...
    @property
    def corrections(self) -> CorrectionLog:
        """The showcases' correction log (`shown_on`), with each FactCorrected / FactVoided event."""


MarketingStorage = Storage[MarketingWrites, MarketingReads]
