"""Use cases of the marketing service: each one transaction, state and event together."""

from typing import NoReturn
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.marketing.adapters import repository
from services.marketing.adapters.corrections import ShowcaseStore
from services.marketing.adapters.tables import correction_log
from services.marketing.domain.exhibition import (
    AlreadyShowcased,
    Exhibition,
    ScheduleExhibition,
    Showcase,
    ShowcaseProduct,
    schedule,
    show,
)
from services.marketing.domain.product import (
    AlreadyListed,
    CurateProduct,
    Curation,
    Listing,
    ListProduct,
    Product,
    RegisterProduct,
    register,
)
from shared.contracts.enums import ExhibitionKind, ExhibitionScope
from shared.contracts.profile import ParticipantProfile
from shared.corrections import ConcurrentChange
from shared.corrections.use_cases import StageCorrections
from shared.dates import jakarta_today
from shared.outbox.unit_of_work import UnitOfWork

# Correcting and voiding showcases: the shared lifecycle (shared.corrections), `.correct` / `.void`.
SHOWCASES = StageCorrections(correction_log, "shown_on", ShowcaseStore)


# Products


async def register_product(uow: UnitOfWork, command: RegisterProduct) -> Product:
    async with uow.begin() as tx:
        profile = await repository.profile(tx.conn, command.participant_id)
        product = register(command, profile, jakarta_today())
        await repository.insert_product(tx.conn, product)
        await tx.record(
            product.event(profile), key=str(product.participant_id), occurred_on=product.registered_on
        )
    return product


async def curate_product(uow: UnitOfWork, command: CurateProduct) -> Curation:
    async with uow.begin() as tx:
        product = await repository.visible_product(tx.conn, command.product_id)
        profile = await repository.profile(tx.conn, product.participant_id)
        curated, curation = product.curate(command, profile, jakarta_today())
        stored = await repository.add_curation(
            tx.conn, curation, read_level=product.curation_level, new_level=curated.curation_level
        )
        if not stored:
            await _refuse_lost_curation_race(tx.conn, command, profile)
        event = curated.curated_event(curation, profile)
        await tx.record(event, key=str(product.participant_id), occurred_on=curation.curated_on)
    return curation


async def list_product(uow: UnitOfWork, command: ListProduct) -> Listing:
    try:
        async with uow.begin() as tx:
            product = await repository.visible_product(tx.conn, command.product_id)
            profile = await repository.profile(tx.conn, product.participant_id)
            listing = product.list_on_eorder(command, profile, jakarta_today())
            await repository.insert_listing(tx.conn, listing)
            event = product.listed_event(listing, profile)
            await tx.record(event, key=str(product.participant_id), occurred_on=listing.listed_on)
    except IntegrityError:
        # The one-listing-per-product constraint refused a concurrent listing.
        async with uow.engine.connect() as conn:
            existing = await repository.listing_of(conn, command.product_id)
        if existing is None:
            raise
        raise AlreadyListed(
            f"product {command.product_id} is already listed (on {existing.listed_on})",
            listing_id=str(existing.listing_id),
        ) from None
    return listing


async def get_product(uow: UnitOfWork, product_id: UUID) -> tuple[Product, list[Showcase]]:
    """The product with its curations and listing, and every showcase of it (voided ones too)."""
    async with uow.engine.connect() as conn:
        return await repository.visible_product(conn, product_id), await repository.showcases_of(
            conn, product_id
        )


async def products_page(
    uow: UnitOfWork, *, participant_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[Product], int | None]:
    async with uow.engine.connect() as conn:
        return await repository.products_page(
            conn, participant_id=participant_id, after_seq=after_seq, limit=limit
        )


# Exhibitions


async def schedule_exhibition(uow: UnitOfWork, command: ScheduleExhibition) -> Exhibition:
    exhibition = schedule(command)
    async with uow.begin() as tx:
        await repository.insert_exhibition(tx.conn, exhibition)
        # A schedule is not a participant fact: it happened the day it was recorded.
        await tx.record(exhibition.event(), key=str(exhibition.exhibition_id), occurred_on=jakarta_today())
    return exhibition


async def get_exhibition(uow: UnitOfWork, exhibition_id: UUID) -> Exhibition:
    async with uow.engine.connect() as conn:
        return await repository.existing_exhibition(conn, exhibition_id)


async def exhibitions_page(
    uow: UnitOfWork,
    *,
    kind: ExhibitionKind | None,
    scope: ExhibitionScope | None,
    after_seq: int,
    limit: int,
) -> tuple[list[Exhibition], int | None]:
    async with uow.engine.connect() as conn:
        return await repository.exhibitions_page(
            conn, kind=kind, scope=scope, after_seq=after_seq, limit=limit
        )


# Showcases


async def showcase_product(uow: UnitOfWork, command: ShowcaseProduct) -> Showcase:
    try:
        async with uow.begin() as tx:
            exhibition = await repository.existing_exhibition(tx.conn, command.exhibition_id)
            product = await repository.visible_product(tx.conn, command.product_id)
            profile = await repository.profile(tx.conn, product.participant_id)
            showcase = show(command, exhibition, product, profile, jakarta_today())
            await repository.insert_showcase(tx.conn, showcase)
            event = showcase.event(exhibition, profile)
            await tx.record(event, key=str(showcase.participant_id), occurred_on=showcase.shown_on)
    except IntegrityError:
        # The one-showcase-per-exhibition index refused the insert, possibly against a concurrent request.
        async with uow.engine.connect() as conn:
            existing = await repository.standing_showcase(conn, command.exhibition_id, command.product_id)
        if existing is None:
            raise
        raise AlreadyShowcased(
            f"product {command.product_id} is already shown at exhibition {command.exhibition_id}",
            showcase_id=existing,
        ) from None
    return showcase


async def get_showcase(uow: UnitOfWork, showcase_id: UUID) -> Showcase:
    async with uow.engine.connect() as conn:
        return await repository.visible_showcase(conn, showcase_id)


async def showcases_page(
    uow: UnitOfWork, *, exhibition_id: UUID | None, product_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[Showcase], int | None]:
    async with uow.engine.connect() as conn:
        return await repository.showcases_page(
            conn, exhibition_id=exhibition_id, product_id=product_id, after_seq=after_seq, limit=limit
        )


async def _refuse_lost_curation_race(
    conn: AsyncConnection, command: CurateProduct, profile: ParticipantProfile
) -> NoReturn:
    """Another curation of the product passed meanwhile: judge this one against the product as it now is."""
    now = await repository.visible_product(conn, command.product_id)
    now.curate(command, profile, jakarta_today())  # raises AlreadyCurated or InvalidTransition
    raise ConcurrentChange(
        f"product {command.product_id} was curated by a concurrent request; retry",
        product_id=str(command.product_id),
    )
