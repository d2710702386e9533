"""Use cases of the marketing service: each one transaction, state and event together."""

from typing import NoReturn
from uuid import UUID

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from services.marketing.adapters import repository
from services.marketing.adapters.tables import correction_log, known_participants
from services.marketing.domain.exhibition import (
    AlreadyShowcased,
    ConcurrentChange,
    CorrectShowcase,
    Exhibition,
    ScheduleExhibition,
    Showcase,
    ShowcaseProduct,
    VoidShowcase,
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
from shared.corrections.log import record_correction, record_void
from shared.dates import jakarta_today
from shared.errors import NotFound
from shared.outbox.unit_of_work import UnitOfWork
from shared.participants.area import found_in_area

FACT_DATE = "shown_on"  # the date field of ProductShowcased that corrections change


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
        product = await _product(tx.conn, command.product_id)
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
            product = await _product(tx.conn, command.product_id)
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
        return await _product(conn, product_id), await repository.showcases_of(conn, product_id)


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
        return await _exhibition(conn, exhibition_id)


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
            exhibition = await _exhibition(tx.conn, command.exhibition_id)
            product = await _product(tx.conn, command.product_id)
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


async def correct_showcase(uow: UnitOfWork, command: CorrectShowcase) -> Showcase:
    """Re-date a showcase; correcting it to the date it already has changes nothing and records nothing."""
    async with uow.begin() as tx:
        current = await _showcase(tx.conn, command.showcase_id)
        exhibition = await _exhibition(tx.conn, current.exhibition_id)
        product = await _product(tx.conn, current.product_id)
        profile = await repository.profile(tx.conn, current.participant_id)
        corrected = current.redate(command.shown_on, jakarta_today(), exhibition, product, profile)
        if corrected == current:
            return current
        if not await repository.redate(tx.conn, current, corrected.shown_on):
            await _refuse_lost_race(tx.conn, current)
        await record_correction(
            tx,
            correction_log,
            fact=current.event(exhibition, profile),
            fact_id=str(current.showcase_id),
            date_field=FACT_DATE,
            new_on=corrected.shown_on,
            by=command.by,
            reason=command.reason,
        )
    return corrected


async def void_showcase(uow: UnitOfWork, command: VoidShowcase) -> Showcase:
    async with uow.begin() as tx:
        current = await _showcase(tx.conn, command.showcase_id)
        voided = current.void()
        exhibition = await _exhibition(tx.conn, current.exhibition_id)
        profile = await repository.profile(tx.conn, current.participant_id)
        if not await repository.mark_voided(tx.conn, current, by=command.by, reason=command.reason):
            await _refuse_lost_race(tx.conn, current)
        await record_void(
            tx,
            correction_log,
            fact=current.event(exhibition, profile),
            fact_id=str(current.showcase_id),
            date_field=FACT_DATE,
            by=command.by,
            reason=command.reason,
        )
    return voided


async def get_showcase(uow: UnitOfWork, showcase_id: UUID) -> Showcase:
    async with uow.engine.connect() as conn:
        return await _showcase(conn, showcase_id)


async def showcases_page(
    uow: UnitOfWork, *, exhibition_id: UUID | None, product_id: UUID | None, after_seq: int, limit: int
) -> tuple[list[Showcase], int | None]:
    async with uow.engine.connect() as conn:
        return await repository.showcases_page(
            conn, exhibition_id=exhibition_id, product_id=product_id, after_seq=after_seq, limit=limit
        )


# Lookups


async def _product(conn: AsyncConnection, product_id: UUID) -> Product:
    """The product, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"product {product_id} not found", product_id=str(product_id))
    return await found_in_area(conn, known_participants, await repository.product(conn, product_id), missing)


async def _exhibition(conn: AsyncConnection, exhibition_id: UUID) -> Exhibition:
    found = await repository.exhibition(conn, exhibition_id)
    if found is None:
        raise NotFound(f"exhibition {exhibition_id} not found", exhibition_id=str(exhibition_id))
    return found


async def _showcase(conn: AsyncConnection, showcase_id: UUID) -> Showcase:
    """The showcase, or 404 when there is none the caller may see (another area's answers as missing)."""
    missing = NotFound(f"showcase {showcase_id} not found", showcase_id=str(showcase_id))
    return await found_in_area(
        conn, known_participants, await repository.showcase(conn, showcase_id), missing
    )


async def _refuse_lost_curation_race(
    conn: AsyncConnection, command: CurateProduct, profile: ParticipantProfile
) -> NoReturn:
    """Another curation of the product passed meanwhile: judge this one against the product as it now is."""
    now = await _product(conn, command.product_id)
    now.curate(command, profile, jakarta_today())  # raises AlreadyCurated or InvalidTransition
    raise ConcurrentChange(
        f"product {command.product_id} was curated by a concurrent request; retry",
        product_id=str(command.product_id),
    )


async def _refuse_lost_race(conn: AsyncConnection, read: Showcase) -> NoReturn:
    """A conditional update found the showcase changed: voided, or re-dated, by a concurrent request."""
    now = await _showcase(conn, read.showcase_id)
    now.check_not_voided()
    raise ConcurrentChange(
        f"showcase {read.showcase_id} was re-dated to {now.shown_on} by a concurrent request; retry",
        showcase_id=str(read.showcase_id),
    )
