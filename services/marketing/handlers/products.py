"""Products: registering one, curating it, listing it on e-Order; a product and the product list."""

from uuid import UUID

from services.marketing.adapters.repositories import MarketingStorage, ProductsView, Taken
from services.marketing.commands import CurateProduct, ListProduct, RegisterProduct
from services.marketing.domain.exhibition import Showcase
from services.marketing.domain.product import AlreadyListed, Curation, Listing, Product, register
from shared.corrections import ConcurrentChange
from shared.dates import jakarta_today
from shared.db.unique import naming_holder
from shared.errors import NotFound
from shared.participants.views import ParticipantsView


async def register_product(uow: MarketingStorage, command: RegisterProduct) -> Product:
    async with uow.begin() as tx:
        profile = await tx.participants.profile(command.participant_id)
        product = register(command, profile, jakarta_today())
        await tx.products.add(product)
    return product


async def curate_product(uow: MarketingStorage, command: CurateProduct) -> Curation:
    today = jakarta_today()
    async with uow.begin() as tx:
        product = await visible_product(tx.products, tx.participants, command.product_id)
        profile = await tx.participants.profile(product.participant_id)
        curated, curation = product.curate(command, profile, today)
        if not await tx.products.add_curation(curated, curation, read_level=product.curation_level):
            # Another curation of the product passed meanwhile: judge this one against the product as it
            # now is (AlreadyCurated, InvalidTransition), else ask for a retry.
            now = await visible_product(tx.products, tx.participants, command.product_id)
            now.curate(command, profile, today)
            raise ConcurrentChange(
                f"product {command.product_id} was curated by a concurrent request; retry",
                product_id=str(command.product_id),
            )
    return curation


async def list_product(uow: MarketingStorage, command: ListProduct) -> Listing:
    # A concurrent listing came first: name it, as the product's own rule would have.
    async with (
        naming_holder(
            uow.view,
            Taken,
            lambda view: view.products.listing_of(command.product_id),
            lambda existing: AlreadyListed(
                f"product {command.product_id} is already listed (on {existing.listed_on})",
                listing_id=str(existing.listing_id),
            ),
        ),
        uow.begin() as tx,
    ):
        product = await visible_product(tx.products, tx.participants, command.product_id)
        profile = await tx.participants.profile(product.participant_id)
        listing = product.list_on_eorder(command, profile, jakarta_today())
        await tx.products.add_listing(listing)
    return listing


async def get_product(uow: MarketingStorage, product_id: UUID) -> tuple[Product, list[Showcase]]:
    """The product with its curations and listing, and every showcase of it (voided ones too)."""
    async with uow.view() as view:
        product = await visible_product(view.products, view.participants, product_id)
        return product, await view.showcases.of_product(product_id)


async def products_page(
    uow: MarketingStorage, *, participant_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[Product], int | None]:
    async with uow.view() as view:
        return await view.products.page(participant_id=participant_id, after_seq=after_seq, limit=limit)


async def visible_product(
    products: ProductsView, participants: ParticipantsView, product_id: UUID
) -> Product:
    """The product, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"product {product_id} not found", product_id=str(product_id))
    return await participants.found_in_area(await products.get(product_id), missing)
