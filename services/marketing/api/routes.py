"""HTTP ↔ use cases, nothing more: rules live in the domain, storage in the adapters."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body

from services.marketing.api.deps import Storage
from services.marketing.api.docs import (
    ALREADY_VOIDED,
    CONCURRENT_CHANGE,
    DATE_RULE,
    EXHIBITION_ID,
    LISTING_ID,
    NO_EXHIBITION,
    NO_PRODUCT,
    NO_SHOWCASE,
    PRODUCT_ID,
    SHOWCASE_ID,
    refusals,
)
from services.marketing.api.schemas import (
    CurationIn,
    CurationOut,
    ExhibitionIn,
    ExhibitionOut,
    ExhibitionPage,
    ListingIn,
    ListingOut,
    ProductDetailOut,
    ProductIn,
    ProductOut,
    ProductPage,
    ShowcaseIn,
    ShowcaseOut,
    ShowcasePage,
)
from services.marketing.handlers import exhibitions, products, showcases
from shared.contracts.enums import ExhibitionKind, ExhibitionScope
from shared.corrections.api import CorrectionIn, Officer, VoidIn, correction, void
from shared.web.page_params import Cursor, Limit
from shared.web.paging import decode_cursor, encode_cursor
from shared.web.refusals import BAD_CURSOR, UNKNOWN_PARTICIPANT, Refusal

router = APIRouter()


@router.post(
    "/products",
    status_code=201,
    response_model=ProductOut,
    tags=["products"],
    summary="Register a participant's product",
    description="Publishes `ProductRegistered` with the participant's profile; the product name stays here.",
    responses=refusals(UNKNOWN_PARTICIPANT, DATE_RULE),
)
async def register_product(body: ProductIn, uow: Storage) -> ProductOut:
    return ProductOut.of(await products.register_product(uow, body.to_command()))


@router.get(
    "/products",
    response_model=ProductPage,
    tags=["products"],
    summary="List products in registration order",
    responses=refusals(BAD_CURSOR),
)
async def list_products(
    uow: Storage, participant_id: UUID | None = None, limit: Limit = 50, cursor: Cursor = None
) -> ProductPage:
    items, last_seq = await products.products_page(
        uow, participant_id=participant_id, after_seq=decode_cursor(cursor), limit=limit
    )
    return ProductPage(items=[ProductOut.of(p) for p in items], next_cursor=encode_cursor(last_seq))


@router.get(
    "/products/{product_id}",
    response_model=ProductDetailOut,
    tags=["products"],
    summary="A product with its curations, showcases and e-Order listing",
    responses=refusals(NO_PRODUCT),
)
async def get_product(product_id: UUID, uow: Storage) -> ProductDetailOut:
    return ProductDetailOut.with_showcases(*await products.get_product(uow, product_id))


@router.post(
    "/products/{product_id}/curations",
    status_code=201,
    response_model=CurationOut,
    tags=["products"],
    summary="Record a curation of the product",
    description=(
        "Curation climbs kecamatan → kota → province: a level needs the level below passed "
        "(`invalid_transition`), and a level already passed is not curated again (`already_curated`); a "
        "failed curation may be retried. Publishes `ProductCurated`; criteria and notes stay here."
    ),
    responses=refusals(
        NO_PRODUCT,
        Refusal(
            409,
            "invalid_transition",
            f"product {PRODUCT_ID} must pass kecamatan curation before kota curation",
            (("level", "kota"), ("required", "kecamatan")),
        ),
        Refusal(
            409, "already_curated", f"product {PRODUCT_ID} already passed kota curation", (("level", "kota"),)
        ),
        Refusal(
            422,
            "rule_violation",
            "curated_on 2023-07-01 is before the product passed kecamatan curation on 2023-07-10",
        ),
    ),
)
async def curate_product(product_id: UUID, body: CurationIn, uow: Storage) -> CurationOut:
    return CurationOut.of(await products.curate_product(uow, body.to_command(product_id)))


@router.post(
    "/products/{product_id}/listings",
    status_code=201,
    response_model=ListingOut,
    tags=["products"],
    summary="List the product on the e-Order catalogue",
    description=(
        "Once per product (`already_listed`), and only after it passed curation at kota level or higher "
        "(`not_curated`): the catalogue offers curated products only. The body may be omitted. "
        "Publishes `ProductListed`."
    ),
    responses=refusals(
        NO_PRODUCT,
        Refusal(
            409,
            "not_curated",
            f"product {PRODUCT_ID} has not passed kota curation: e-Order lists only products curated at "
            "kota level or higher",
            (("product_id", PRODUCT_ID),),
        ),
        Refusal(
            409,
            "already_listed",
            f"product {PRODUCT_ID} is already listed (on 2023-09-01)",
            (("listing_id", LISTING_ID),),
        ),
        Refusal(422, "rule_violation", "listed_on 2023-07-01 is before the product passed kota curation"),
    ),
)
async def list_product(
    product_id: UUID, uow: Storage, body: Annotated[ListingIn | None, Body()] = None
) -> ListingOut:
    command = (body or ListingIn()).to_command(product_id)
    return ListingOut.of(await products.list_product(uow, command))


@router.post(
    "/exhibitions",
    status_code=201,
    response_model=ExhibitionOut,
    tags=["exhibitions"],
    summary="Schedule a bazaar or exhibition",
    description="Schedules may lie in the future. Publishes `ExhibitionScheduled`.",
    responses=refusals(Refusal(422, "rule_violation", "ends_on 2023-07-31 is before starts_on 2023-08-01")),
)
async def schedule_exhibition(body: ExhibitionIn, uow: Storage) -> ExhibitionOut:
    return ExhibitionOut.of(await exhibitions.schedule_exhibition(uow, body.to_command()))


@router.get(
    "/exhibitions",
    response_model=ExhibitionPage,
    tags=["exhibitions"],
    summary="List exhibitions in scheduling order",
    responses=refusals(BAD_CURSOR),
)
async def list_exhibitions(
    uow: Storage,
    kind: ExhibitionKind | None = None,
    scope: ExhibitionScope | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ExhibitionPage:
    items, last_seq = await exhibitions.exhibitions_page(
        uow, kind=kind, scope=scope, after_seq=decode_cursor(cursor), limit=limit
    )
    return ExhibitionPage(items=[ExhibitionOut.of(e) for e in items], next_cursor=encode_cursor(last_seq))


@router.get(
    "/exhibitions/{exhibition_id}",
    response_model=ExhibitionOut,
    tags=["exhibitions"],
    summary="An exhibition",
    responses=refusals(NO_EXHIBITION),
)
async def get_exhibition(exhibition_id: UUID, uow: Storage) -> ExhibitionOut:
    return ExhibitionOut.of(await exhibitions.get_exhibition(uow, exhibition_id))


@router.post(
    "/exhibitions/{exhibition_id}/showcases",
    status_code=201,
    response_model=ShowcaseOut,
    tags=["showcases"],
    summary="Record a product shown at the exhibition",
    description=(
        "The fact that reaches the marketing stage. A product is shown once per exhibition "
        "(`already_showcased`; a voided showcase frees the pair). Publishes `ProductShowcased` with the "
        "exhibition's scope and the participant's profile."
    ),
    responses=refusals(
        NO_EXHIBITION,
        NO_PRODUCT,
        Refusal(
            409,
            "already_showcased",
            f"product {PRODUCT_ID} is already shown at exhibition {EXHIBITION_ID}",
            (("showcase_id", SHOWCASE_ID),),
        ),
        Refusal(
            422, "rule_violation", "shown_on 2023-07-31 is outside the exhibition (2023-08-01..2023-08-05)"
        ),
    ),
)
async def showcase_product(exhibition_id: UUID, body: ShowcaseIn, uow: Storage) -> ShowcaseOut:
    return ShowcaseOut.of(await showcases.showcase_product(uow, body.to_command(exhibition_id)))


@router.get(
    "/showcases",
    response_model=ShowcasePage,
    tags=["showcases"],
    summary="List showcases in recorded order, voided ones too",
    responses=refusals(BAD_CURSOR),
)
async def list_showcases(
    uow: Storage,
    exhibition_id: UUID | None = None,
    product_id: UUID | None = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ShowcasePage:
    items, last_seq = await showcases.showcases_page(
        uow,
        exhibition_id=exhibition_id,
        product_id=product_id,
        after_seq=decode_cursor(cursor),
        limit=limit,
    )
    return ShowcasePage(items=[ShowcaseOut.of(s) for s in items], next_cursor=encode_cursor(last_seq))


@router.get(
    "/showcases/{showcase_id}",
    response_model=ShowcaseOut,
    tags=["showcases"],
    summary="A showcase",
    responses=refusals(NO_SHOWCASE),
)
async def get_showcase(showcase_id: UUID, uow: Storage) -> ShowcaseOut:
    return ShowcaseOut.of(await showcases.get_showcase(uow, showcase_id))


@router.post(
    "/showcases/{showcase_id}/correct",
    response_model=ShowcaseOut,
    tags=["showcases"],
    summary="Re-date a showcase recorded with the wrong date",
    description=(
        "The new date must pass the rules the original passed (within the exhibition, not before the "
        "product's or participant's registration, not in the future). Publishes `FactCorrected` and keeps "
        "who, when and why in the correction log; correcting to the same date records nothing."
    ),
    responses=refusals(NO_SHOWCASE, ALREADY_VOIDED, CONCURRENT_CHANGE, DATE_RULE),
)
async def correct_showcase(
    showcase_id: UUID, body: CorrectionIn, officer: Officer, uow: Storage
) -> ShowcaseOut:
    return ShowcaseOut.of(await showcases.correct_showcase(uow, correction(showcase_id, body, officer)))


@router.post(
    "/showcases/{showcase_id}/void",
    response_model=ShowcaseOut,
    tags=["showcases"],
    summary="Void a showcase recorded by mistake",
    description=(
        "The showcase is kept, marked `voided`, and counts nowhere; the product may be shown at that "
        "exhibition again. Publishes `FactVoided` and keeps who, when and why in the correction log."
    ),
    responses=refusals(NO_SHOWCASE, ALREADY_VOIDED, CONCURRENT_CHANGE),
)
async def void_showcase(showcase_id: UUID, body: VoidIn, officer: Officer, uow: Storage) -> ShowcaseOut:
    return ShowcaseOut.of(await showcases.void_showcase(uow, void(showcase_id, body, officer)))
