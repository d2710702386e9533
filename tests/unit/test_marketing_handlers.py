"""Every marketing handler's rules, driven through in-memory repositories (tests/unit/fakes/marketing.py):
area scope, 404s, lost races, the curation climb, one listing and one showcase, corrections and voids
through the shared lifecycle, and the events each change records, keyed as their contract says. The SQL
adapters are covered by tests/integration/test_marketing_api.py."""

from dataclasses import replace
from datetime import date
from uuid import UUID, uuid4

import pytest

from services.marketing.commands import (
    CorrectDate,
    Criterion,
    CurateProduct,
    ListProduct,
    RegisterProduct,
    ScheduleExhibition,
    ShowcaseProduct,
    VoidFact,
)
from services.marketing.domain.exhibition import AlreadyShowcased, Exhibition, Showcase
from services.marketing.domain.product import (
    AlreadyCurated,
    AlreadyListed,
    Curation,
    Listing,
    NotCurated,
    Product,
)
from services.marketing.handlers import exhibitions, products, showcases
from shared.auth.principal import Principal, Role
from shared.contracts.enums import CurationLevel, ExhibitionKind, ExhibitionScope, Sector
from shared.contracts.events import (
    ExhibitionScheduled,
    ProductCurated,
    ProductListed,
    ProductRegistered,
    ProductShowcased,
)
from shared.corrections import AlreadyVoided, ConcurrentChange
from shared.dates import jakarta_today
from shared.decisions import InvalidTransition
from shared.errors import DomainError, NotFound, RuleViolation
from shared.participants.area import OutsideArea
from shared.participants.directory import UnknownParticipant
from tests.factories import profile
from tests.unit.fakes.callers import as_caller
from tests.unit.fakes.marketing import MarketingFakes, MarketingState, fake_marketing_storage
from tests.unit.fakes.races import commit_meanwhile

ALI, BUDI = UUID(int=1), UUID(int=2)
ELSEWHERE = UUID(int=9)  # registered in Jakarta Selatan
GAMBIR = profile(registered_on=date(2023, 1, 10), sector=Sector.KULINER)
SELATAN = profile(
    registered_on=date(2023, 1, 10),
    kota_code="31.74",
    kecamatan_code="31.74.01",
    kelurahan_code="31.74.01.1001",
)
KECAMATAN, KOTA, PROVINCE = CurationLevel.KECAMATAN, CurationLevel.KOTA, CurationLevel.PROVINCE
FEST = ScheduleExhibition(
    "Jakpreneur Fest",
    ExhibitionKind.BAZAAR,
    ExhibitionScope.NATIONAL,
    None,
    date(2023, 8, 1),
    date(2023, 8, 5),
)
BY, WHY = "officer-7", "salah input tanggal"


def storage() -> MarketingFakes:
    return fake_marketing_storage(
        MarketingState(participants={ALI: GAMBIR, BUDI: GAMBIR, ELSEWHERE: SELATAN})
    )


def curator(kota: str | None = "31.71") -> Principal:
    return Principal("curator-1", frozenset({Role.MARKETING}), kota=kota)


def refusal(raised: pytest.ExceptionInfo[DomainError]) -> tuple[int, str]:
    return raised.value.status_code, raised.value.code


async def a_product(uow: MarketingFakes, owner: UUID = ALI) -> Product:
    return await products.register_product(uow, RegisterProduct(owner, "Sambal Roa", None, date(2023, 6, 1)))


def curation(product: Product, level: CurationLevel, on: date, passed: bool = True) -> CurateProduct:
    return CurateProduct(product.product_id, level, passed, (Criterion("Rasa", 88),), None, on)


async def curated_to_kota(uow: MarketingFakes, owner: UUID = ALI) -> Product:
    product = await a_product(uow, owner)
    await products.curate_product(uow, curation(product, KECAMATAN, date(2023, 7, 10)))
    await products.curate_product(uow, curation(product, KOTA, date(2023, 8, 20)))
    return product


async def shown(uow: MarketingFakes, owner: UUID = ALI) -> tuple[Exhibition, Product, Showcase]:
    fest = await exhibitions.schedule_exhibition(uow, FEST)
    product = await a_product(uow, owner)
    showcase = await showcases.showcase_product(
        uow, ShowcaseProduct(fest.exhibition_id, product.product_id, date(2023, 8, 2))
    )
    return fest, product, showcase


# --- products ---------------------------------------------------------------------------------------------


async def test_a_registered_product_records_its_event_keyed_by_the_participant_on_its_date() -> None:
    uow = storage()
    product = await a_product(uow)
    assert product.sector is Sector.KULINER  # the participant's declared sector
    assert uow.state.products == {product.product_id: product}
    [(fact, event)] = uow.events(ProductRegistered)
    assert (event.product_id, event.profile) == (product.product_id, GAMBIR)
    assert (fact.key, fact.occurred_on) == (str(ALI), date(2023, 6, 1))
    assert len(uow.published) == 1


async def test_an_unknown_participant_and_one_outside_the_area_get_the_same_answer() -> None:
    uow = storage()
    with pytest.raises(UnknownParticipant) as unknown:
        await a_product(uow, uuid4())
    with pytest.raises(OutsideArea) as outside:
        await as_caller(curator("31.71"), lambda: a_product(uow, ELSEWHERE))
    assert refusal(unknown) == refusal(outside) == (422, "unknown_participant")
    with pytest.raises(RuleViolation, match="registered_on 2023-01-01 is before"):
        await products.register_product(uow, RegisterProduct(ALI, "Sambal", None, date(2023, 1, 1)))
    assert uow.commits == 0 and not uow.published and not uow.state.products


async def test_curation_climbs_level_by_level_each_recording_its_event_on_its_date() -> None:
    uow = storage()
    product = await a_product(uow)
    with pytest.raises(InvalidTransition, match="must pass kecamatan curation before kota") as raised:
        await products.curate_product(uow, curation(product, KOTA, date(2023, 7, 10)))
    assert refusal(raised) == (409, "invalid_transition")
    failed = await products.curate_product(uow, curation(product, KECAMATAN, date(2023, 7, 1), passed=False))
    passed = await products.curate_product(uow, curation(product, KECAMATAN, date(2023, 7, 10)))
    with pytest.raises(AlreadyCurated, match="already passed kecamatan"):
        await products.curate_product(uow, curation(product, KECAMATAN, date(2023, 7, 11)))
    with pytest.raises(RuleViolation, match="before the product passed kecamatan curation on 2023-07-10"):
        await products.curate_product(uow, curation(product, KOTA, date(2023, 7, 9)))
    stored = uow.state.products[product.product_id]
    assert (stored.curations, stored.curation_level) == ((failed, passed), KECAMATAN)
    events = uow.events(ProductCurated)
    assert [(e.curation_id, e.level, e.passed) for _, e in events] == [
        (failed.curation_id, KECAMATAN, False),
        (passed.curation_id, KECAMATAN, True),
    ]
    assert [(f.key, f.occurred_on) for f, _ in events] == [
        (str(ALI), date(2023, 7, 1)),
        (str(ALI), date(2023, 7, 10)),
    ]


async def test_a_curation_that_loses_a_race_is_judged_against_the_product_as_it_now_is() -> None:
    uow = storage()
    product = await a_product(uow)
    rival = Curation(uuid4(), product.product_id, KECAMATAN, True, (), None, date(2023, 7, 9))

    def rival_passes(state: MarketingState) -> None:
        stored = state.products[product.product_id]
        state.products[product.product_id] = replace(stored, curations=(*stored.curations, rival))

    # Another curator passed kecamatan after this request read the product: the conditional write misses.
    commit_meanwhile(uow.state, rival_passes)
    with pytest.raises(AlreadyCurated, match="already passed kecamatan") as raised:
        await products.curate_product(uow, curation(product, KECAMATAN, date(2023, 7, 10)))
    assert refusal(raised) == (409, "already_curated")
    assert uow.state.products[product.product_id].curations == (rival,)
    assert not uow.events(ProductCurated)


async def test_a_curation_that_lost_a_race_it_would_still_pass_asks_for_a_retry() -> None:
    uow = storage()
    product = await a_product(uow)

    def level_moved(state: MarketingState) -> None:
        # A concurrent write moved the stored level so that this curation's condition misses, yet the
        # product as it now reads would still take it: which wins is unknown, so the caller retries.
        rival = Curation(uuid4(), product.product_id, PROVINCE, True, (), None, date(2023, 7, 9))
        state.products[product.product_id] = replace(state.products[product.product_id], curations=(rival,))

    commit_meanwhile(uow.state, level_moved)
    with pytest.raises(ConcurrentChange, match="curated by a concurrent request; retry") as raised:
        await products.curate_product(uow, curation(product, KECAMATAN, date(2023, 7, 10)))
    assert refusal(raised) == (409, "concurrent_change")
    assert not uow.events(ProductCurated)


async def test_a_product_is_listed_once_after_kota_curation_with_its_event() -> None:
    uow = storage()
    product = await a_product(uow)
    with pytest.raises(NotCurated) as raised:
        await products.list_product(uow, ListProduct(product.product_id, date(2023, 9, 1)))
    assert refusal(raised) == (409, "not_curated")
    await products.curate_product(uow, curation(product, KECAMATAN, date(2023, 7, 10)))
    await products.curate_product(uow, curation(product, KOTA, date(2023, 8, 20)))
    with pytest.raises(RuleViolation, match="listed_on 2023-08-19 is before the product passed kota"):
        await products.list_product(uow, ListProduct(product.product_id, date(2023, 8, 19)))
    listing = await products.list_product(uow, ListProduct(product.product_id, date(2023, 9, 1)))
    with pytest.raises(AlreadyListed, match=r"already listed \(on 2023-09-01\)") as again:
        await products.list_product(uow, ListProduct(product.product_id, None))
    assert again.value.context == {"listing_id": str(listing.listing_id)}
    [(fact, event)] = uow.events(ProductListed)
    assert (event.listing_id, fact.key, fact.occurred_on) == (listing.listing_id, str(ALI), date(2023, 9, 1))
    assert uow.state.products[product.product_id].listing == listing


async def test_a_listing_that_loses_the_race_names_the_listing_that_won() -> None:
    uow = storage()
    product = await curated_to_kota(uow)
    rival = Listing(uuid4(), product.product_id, date(2023, 8, 25))

    def rival_lists(state: MarketingState) -> None:
        state.products[product.product_id] = replace(state.products[product.product_id], listing=rival)

    # The product had no listing when read; another request listed it before this one's insert.
    commit_meanwhile(uow.state, rival_lists)
    with pytest.raises(AlreadyListed, match=r"already listed \(on 2023-08-25\)") as raised:
        await products.list_product(uow, ListProduct(product.product_id, date(2023, 9, 1)))
    assert raised.value.context == {"listing_id": str(rival.listing_id)}
    assert not uow.events(ProductListed)


async def test_products_of_another_area_are_missing_and_lists_hold_only_the_callers_area() -> None:
    uow = storage()
    mine, theirs, budis = await a_product(uow), await a_product(uow, ELSEWHERE), await a_product(uow, BUDI)
    with pytest.raises(OutsideArea, match=f"product {theirs.product_id} not found") as hidden:
        await as_caller(curator("31.71"), lambda: products.get_product(uow, theirs.product_id))
    with pytest.raises(NotFound) as missing:
        await products.get_product(uow, uuid4())
    assert refusal(hidden) == refusal(missing) == (404, "not_found")
    with pytest.raises(OutsideArea):  # nor can it be curated or listed
        await as_caller(
            curator("31.71"),
            lambda: products.curate_product(uow, curation(theirs, KECAMATAN, date(2023, 7, 10))),
        )
    first, after = await as_caller(
        curator("31.71"), lambda: products.products_page(uow, participant_id=None, after_seq=0, limit=1)
    )
    rest, end = await as_caller(
        curator("31.71"),
        lambda: products.products_page(uow, participant_id=None, after_seq=after or 0, limit=5),
    )
    assert (first, rest, end) == ([mine], [budis], None)
    everyone, _ = await products.products_page(uow, participant_id=None, after_seq=0, limit=5)
    only_budi, _ = await products.products_page(uow, participant_id=BUDI, after_seq=0, limit=5)
    assert (everyone, only_budi) == ([mine, theirs, budis], [budis])


# --- exhibitions ------------------------------------------------------------------------------------------


async def test_a_scheduled_exhibition_records_its_event_keyed_by_the_exhibition_on_the_day_recorded() -> None:
    uow = storage()
    fest = await exhibitions.schedule_exhibition(uow, FEST)
    assert await exhibitions.get_exhibition(uow, fest.exhibition_id) == fest
    [(fact, event)] = uow.events(ExhibitionScheduled)
    assert (event.exhibition_id, event.scope) == (fest.exhibition_id, ExhibitionScope.NATIONAL)
    assert (fact.key, fact.occurred_on) == (str(fest.exhibition_id), jakarta_today())
    backwards = replace(FEST, starts_on=FEST.ends_on, ends_on=FEST.starts_on)
    with pytest.raises(RuleViolation, match="ends_on 2023-08-01 is before starts_on 2023-08-05"):
        await exhibitions.schedule_exhibition(uow, backwards)
    with pytest.raises(NotFound, match=r"exhibition .* not found") as raised:
        await exhibitions.get_exhibition(uow, uuid4())
    assert refusal(raised) == (404, "not_found") and uow.commits == 1


async def test_exhibitions_are_listed_for_every_caller_by_kind_and_scope_in_pages() -> None:
    uow = storage()
    fest = await exhibitions.schedule_exhibition(uow, FEST)
    expo = await exhibitions.schedule_exhibition(
        uow, replace(FEST, kind=ExhibitionKind.EXHIBITION, scope=ExhibitionScope.INTERNATIONAL)
    )
    bazaars, _ = await exhibitions.exhibitions_page(
        uow, kind=ExhibitionKind.BAZAAR, scope=None, after_seq=0, limit=5
    )
    abroad, _ = await exhibitions.exhibitions_page(
        uow, kind=None, scope=ExhibitionScope.INTERNATIONAL, after_seq=0, limit=5
    )
    first, after = await as_caller(
        curator("31.74"),
        lambda: exhibitions.exhibitions_page(uow, kind=None, scope=None, after_seq=0, limit=1),
    )
    rest, end = await exhibitions.exhibitions_page(uow, kind=None, scope=None, after_seq=after or 0, limit=1)
    assert (bazaars, abroad, first, rest, end) == ([fest], [expo], [fest], [expo], None)


# --- showcases --------------------------------------------------------------------------------------------


async def test_a_showcase_records_its_event_with_the_exhibitions_scope_keyed_by_the_participant() -> None:
    uow = storage()
    fest, product, showcase = await shown(uow)
    assert (showcase.participant_id, showcase.shown_on) == (ALI, date(2023, 8, 2))
    [(fact, event)] = uow.events(ProductShowcased)
    assert (event.showcase_id, event.scope, event.profile) == (showcase.showcase_id, fest.scope, GAMBIR)
    assert (fact.key, fact.occurred_on) == (str(ALI), date(2023, 8, 2))
    detail, shown_at = await products.get_product(uow, product.product_id)
    assert (detail, shown_at) == (product, [showcase])
    # A past exhibition's showcase defaults to its first day.
    other = await a_product(uow, BUDI)
    default = await showcases.showcase_product(
        uow, ShowcaseProduct(fest.exhibition_id, other.product_id, None)
    )
    assert default.shown_on == FEST.starts_on


async def test_a_showcase_needs_an_exhibition_and_a_product_the_caller_may_see_and_a_date_within() -> None:
    uow = storage()
    fest = await exhibitions.schedule_exhibition(uow, FEST)
    product, theirs = await a_product(uow), await a_product(uow, ELSEWHERE)
    with pytest.raises(NotFound, match=r"exhibition .* not found"):
        await showcases.showcase_product(uow, ShowcaseProduct(uuid4(), product.product_id, None))
    with pytest.raises(OutsideArea, match=f"product {theirs.product_id} not found"):
        await as_caller(
            curator("31.71"),
            lambda: showcases.showcase_product(
                uow, ShowcaseProduct(fest.exhibition_id, theirs.product_id, None)
            ),
        )
    with pytest.raises(RuleViolation, match=r"shown_on 2023-07-31 is outside the exhibition \(2023-08-01"):
        await showcases.showcase_product(
            uow, ShowcaseProduct(fest.exhibition_id, product.product_id, date(2023, 7, 31))
        )
    assert not uow.events(ProductShowcased) and not uow.state.showcases


async def test_a_product_is_shown_once_per_exhibition_and_a_lost_race_names_the_winner() -> None:
    uow = storage()
    fest, product, showcase = await shown(uow)
    again = ShowcaseProduct(fest.exhibition_id, product.product_id, date(2023, 8, 3))
    with pytest.raises(AlreadyShowcased, match="already shown at exhibition") as raised:
        await showcases.showcase_product(uow, again)
    assert refusal(raised) == (409, "already_showcased")
    assert raised.value.context == {"showcase_id": str(showcase.showcase_id)}

    other = await a_product(uow, BUDI)
    rival = Showcase(uuid4(), fest.exhibition_id, other.product_id, BUDI, date(2023, 8, 4))
    commit_meanwhile(uow.state, lambda s: s.showcases.update({rival.showcase_id: rival}))
    with pytest.raises(AlreadyShowcased) as lost:
        await showcases.showcase_product(uow, ShowcaseProduct(fest.exhibition_id, other.product_id, None))
    assert lost.value.context == {"showcase_id": str(rival.showcase_id)}
    assert len(uow.events(ProductShowcased)) == 1


async def test_correcting_a_showcase_re_dates_it_under_its_rules_and_logs_who_and_why() -> None:
    uow = storage()
    _, _, showcase = await shown(uow)
    with pytest.raises(RuleViolation, match="shown_on 2023-08-06 is outside the exhibition"):
        await showcases.correct_showcase(uow, CorrectDate(showcase.showcase_id, date(2023, 8, 6), BY, WHY))
    same = await showcases.correct_showcase(uow, CorrectDate(showcase.showcase_id, date(2023, 8, 2), BY, WHY))
    assert same == showcase and not uow.state.corrections  # the same date records nothing
    corrected = await showcases.correct_showcase(
        uow, CorrectDate(showcase.showcase_id, date(2023, 8, 4), BY, WHY)
    )
    assert corrected == replace(showcase, shown_on=date(2023, 8, 4))
    assert await showcases.get_showcase(uow, showcase.showcase_id) == corrected
    [logged] = uow.state.corrections
    assert (logged.action, logged.fact_id, logged.new_on, logged.by, logged.reason) == (
        "corrected",
        showcase.showcase_id,
        date(2023, 8, 4),
        BY,
        WHY,
    )
    # The log restates the fact as it stood: its old date.
    assert isinstance(logged.fact, ProductShowcased) and logged.fact.shown_on == date(2023, 8, 2)


async def test_a_voided_showcase_is_kept_frees_the_pair_and_can_be_neither_corrected_nor_voided_again() -> (
    None
):
    uow = storage()
    fest, product, showcase = await shown(uow)
    voided = await showcases.void_showcase(uow, VoidFact(showcase.showcase_id, BY, "wrong bazaar"))
    assert voided == replace(showcase, voided=True)
    assert uow.state.voids[showcase.showcase_id].by == BY
    with pytest.raises(AlreadyVoided, match=f"showcase {showcase.showcase_id} is voided") as correcting:
        await showcases.correct_showcase(uow, CorrectDate(showcase.showcase_id, date(2023, 8, 3), BY, WHY))
    with pytest.raises(AlreadyVoided) as voiding:
        await showcases.void_showcase(uow, VoidFact(showcase.showcase_id, BY, WHY))
    assert refusal(correcting) == refusal(voiding) == (409, "already_voided")
    assert [row.action for row in uow.state.corrections] == ["voided"]
    # The product may be shown at that exhibition again, and the voided showcase is still listed.
    anew = await showcases.showcase_product(
        uow, ShowcaseProduct(fest.exhibition_id, product.product_id, date(2023, 8, 3))
    )
    listed, _ = await showcases.showcases_page(
        uow, exhibition_id=None, product_id=product.product_id, after_seq=0, limit=5
    )
    assert listed == [voided, anew]
    assert (await products.get_product(uow, product.product_id))[1] == [voided, anew]


async def test_a_correction_or_void_that_loses_a_race_is_refused_as_the_showcase_now_stands() -> None:
    uow = storage()
    _, _, showcase = await shown(uow)
    redated = replace(showcase, shown_on=date(2023, 8, 3))
    commit_meanwhile(uow.state, lambda s: s.showcases.update({showcase.showcase_id: redated}))
    with pytest.raises(ConcurrentChange, match="re-dated to 2023-08-03 by a concurrent request; retry"):
        await showcases.correct_showcase(uow, CorrectDate(showcase.showcase_id, date(2023, 8, 4), BY, WHY))
    voided = replace(redated, voided=True)
    commit_meanwhile(uow.state, lambda s: s.showcases.update({showcase.showcase_id: voided}))
    with pytest.raises(AlreadyVoided, match="is voided") as raised:
        await showcases.void_showcase(uow, VoidFact(showcase.showcase_id, BY, WHY))
    assert refusal(raised) == (409, "already_voided")
    assert not uow.state.corrections


async def test_showcases_of_another_area_are_missing_and_lists_hold_only_the_callers_area() -> None:
    uow = storage()
    fest, _, mine = await shown(uow)
    theirs_product = await a_product(uow, ELSEWHERE)
    theirs = await showcases.showcase_product(
        uow, ShowcaseProduct(fest.exhibition_id, theirs_product.product_id, None)
    )
    in_gambir = curator("31.71")
    for attempt in (
        lambda: showcases.get_showcase(uow, theirs.showcase_id),
        lambda: showcases.void_showcase(uow, VoidFact(theirs.showcase_id, BY, WHY)),
        lambda: showcases.correct_showcase(uow, CorrectDate(theirs.showcase_id, date(2023, 8, 3), BY, WHY)),
    ):
        with pytest.raises(OutsideArea, match=f"showcase {theirs.showcase_id} not found"):
            await as_caller(in_gambir, attempt)
    with pytest.raises(NotFound):
        await showcases.get_showcase(uow, uuid4())
    seen, _ = await as_caller(
        in_gambir,
        lambda: showcases.showcases_page(
            uow, exhibition_id=fest.exhibition_id, product_id=None, after_seq=0, limit=5
        ),
    )
    first, after = await showcases.showcases_page(
        uow, exhibition_id=None, product_id=None, after_seq=0, limit=1
    )
    rest, end = await showcases.showcases_page(
        uow, exhibition_id=None, product_id=None, after_seq=after or 0, limit=1
    )
    assert (seen, first, rest, end) == ([mine], [mine], [theirs], None)
    assert not uow.state.corrections and not uow.state.voids
