from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from uuid import uuid4

import pytest

from services.marketing.domain.exhibition import (
    Exhibition,
    ScheduleExhibition,
    Showcase,
    ShowcaseContext,
    ShowcaseProduct,
    schedule,
    show,
)
from services.marketing.domain.product import (
    AlreadyCurated,
    AlreadyListed,
    Criterion,
    CurateProduct,
    ListProduct,
    NotCurated,
    Product,
    RegisterProduct,
    register,
)
from shared.contracts.enums import CurationLevel, ExhibitionKind, ExhibitionScope, Sector
from shared.contracts.profile import ParticipantProfile
from shared.corrections import AlreadyVoided, Voided
from shared.decisions import InvalidTransition
from shared.errors import RuleViolation
from tests.factories import profile

TODAY = date(2024, 6, 30)
PROFILE = profile(registered_on=date(2023, 3, 1), sector=Sector.KULINER)
VOID = Voided(datetime(2024, 6, 30, 3, tzinfo=UTC), "officer-7", "shown at the wrong bazaar")
REGISTER = RegisterProduct(
    participant_id=uuid4(), name="Sambal Roa", sector=None, registered_on=date(2023, 6, 1)
)
KECAMATAN, KOTA, PROVINCE = CurationLevel.KECAMATAN, CurationLevel.KOTA, CurationLevel.PROVINCE
FESTIVAL = ScheduleExhibition(
    title="Jakpreneur Fest",
    kind=ExhibitionKind.BAZAAR,
    scope=ExhibitionScope.INTERNATIONAL,
    venue=None,
    starts_on=date(2023, 8, 1),
    ends_on=date(2023, 8, 5),
)


def registered() -> Product:
    return register(REGISTER, PROFILE, TODAY)


def curation(level: CurationLevel, on: date | None, passed: bool = True) -> CurateProduct:
    criteria = (Criterion("Rasa", 80), Criterion("Kemasan", 70))
    return CurateProduct(uuid4(), level, passed, criteria, notes=None, curated_on=on)


def curated(*levels: CurationLevel) -> Product:
    """A product that passed these levels, on 10, 11, 12 July 2023."""
    product = registered()
    for day, level in enumerate(levels, start=10):
        product, _ = product.curate(curation(level, date(2023, 7, day)), PROFILE, TODAY)
    return product


def showcase(
    shown_on: date | None,
    product: Product | None = None,
    exhibition: Exhibition | None = None,
    who: ParticipantProfile = PROFILE,
) -> Showcase:
    """A product shown at an exhibition (by default FESTIVAL, 1..5 August 2023)."""
    exhibition = exhibition or schedule(FESTIVAL)
    product = product or registered()
    command = ShowcaseProduct(exhibition.exhibition_id, product.product_id, shown_on)
    return show(command, exhibition, product, who, TODAY)


# Products


def test_a_product_takes_the_participants_business_sector_unless_given_one() -> None:
    assert registered().sector is Sector.KULINER
    assert register(replace(REGISTER, sector=Sector.KRIYA), PROFILE, TODAY).sector is Sector.KRIYA
    assert register(REGISTER, profile(registered_on=date(2023, 3, 1)), TODAY).sector is None


def test_a_product_registration_defaults_to_today_and_follows_the_participants() -> None:
    assert register(replace(REGISTER, registered_on=None), PROFILE, TODAY).registered_on == TODAY
    for day, words in (
        (date(2023, 2, 28), "before the participant's registration"),
        (TODAY + timedelta(days=1), "after today"),
    ):
        with pytest.raises(RuleViolation, match=words):
            register(replace(REGISTER, registered_on=day), PROFILE, TODAY)


def test_a_new_product_is_uncurated_and_unlisted() -> None:
    product = registered()
    assert (product.curation_level, product.curations, product.listing) == (None, (), None)
    assert product.event(PROFILE).registered_on == date(2023, 6, 1)


# Curation


def test_curation_climbs_one_level_at_a_time() -> None:
    product = registered()
    for level, below in ((KOTA, KECAMATAN), (PROVINCE, KOTA)):
        with pytest.raises(InvalidTransition, match=f"must pass {below} curation before {level} curation"):
            product.curate(curation(level, None), PROFILE, TODAY)
    product = curated(KECAMATAN)
    assert product.curation_level is KECAMATAN
    with pytest.raises(InvalidTransition, match="must pass kota curation before province"):
        product.curate(curation(PROVINCE, None), PROFILE, TODAY)
    assert curated(KECAMATAN, KOTA, PROVINCE).curation_level is PROVINCE


@pytest.mark.parametrize("passed", [True, False])
def test_a_passed_level_is_not_curated_again(passed: bool) -> None:
    product = curated(KECAMATAN, KOTA)
    for level in (KECAMATAN, KOTA):
        with pytest.raises(AlreadyCurated, match=f"already passed {level} curation"):
            product.curate(curation(level, None, passed=passed), PROFILE, TODAY)


def test_a_failed_curation_may_be_retried_and_changes_no_level() -> None:
    product = registered()
    for day in (1, 2):
        product, failed = product.curate(
            curation(KECAMATAN, date(2023, 7, day), passed=False), PROFILE, TODAY
        )
        assert not failed.passed
    assert product.curation_level is None and len(product.curations) == 2
    product, passing = product.curate(curation(KECAMATAN, None), PROFILE, TODAY)
    assert (product.curation_level, passing.curated_on, product.passed_on(KECAMATAN)) == (
        KECAMATAN,
        TODAY,
        TODAY,
    )
    event = product.curated_event(passing, PROFILE)
    assert (event.level, event.passed, event.curation_id, event.profile) == (
        KECAMATAN,
        True,
        passing.curation_id,
        PROFILE,
    )


def test_a_curation_date_follows_the_product_and_the_level_below() -> None:
    with pytest.raises(RuleViolation, match="before the product was registered on 2023-06-01"):
        registered().curate(curation(KECAMATAN, date(2023, 5, 31)), PROFILE, TODAY)
    with pytest.raises(RuleViolation, match="after today"):
        registered().curate(curation(KECAMATAN, TODAY + timedelta(days=1)), PROFILE, TODAY)
    product = curated(KECAMATAN)  # passed 2023-07-10
    with pytest.raises(RuleViolation, match="before the product passed kecamatan curation on 2023-07-10"):
        product.curate(curation(KOTA, date(2023, 7, 9)), PROFILE, TODAY)
    _, same_day = product.curate(curation(KOTA, date(2023, 7, 10)), PROFILE, TODAY)
    assert same_day.curated_on == date(2023, 7, 10)


# e-Order listing


@pytest.mark.parametrize("levels", [(), (KECAMATAN,)], ids=["uncurated", "kecamatan-only"])
def test_listing_needs_kota_curation(levels: tuple[CurationLevel, ...]) -> None:
    with pytest.raises(NotCurated, match="has not passed kota curation"):
        curated(*levels).list_on_eorder(ListProduct(uuid4(), None), PROFILE, TODAY)


@pytest.mark.parametrize("levels", [(KECAMATAN, KOTA), (KECAMATAN, KOTA, PROVINCE)], ids=["kota", "province"])
def test_a_product_curated_by_the_kota_or_higher_is_listed_from_the_kota_passing_on(
    levels: tuple[CurationLevel, ...],
) -> None:
    product = curated(*levels)  # kota passed on 2023-07-11
    with pytest.raises(RuleViolation, match="before the product passed kota curation on 2023-07-11"):
        product.list_on_eorder(ListProduct(product.product_id, date(2023, 7, 10)), PROFILE, TODAY)
    listing = product.list_on_eorder(ListProduct(product.product_id, date(2023, 7, 11)), PROFILE, TODAY)
    assert listing.listed_on == date(2023, 7, 11)
    assert product.list_on_eorder(ListProduct(product.product_id, None), PROFILE, TODAY).listed_on == TODAY
    assert product.listed_event(listing, PROFILE).listing_id == listing.listing_id


def test_a_product_is_listed_once() -> None:
    product = curated(KECAMATAN, KOTA)
    listing = product.list_on_eorder(ListProduct(product.product_id, None), PROFILE, TODAY)
    with pytest.raises(AlreadyListed, match="already listed"):
        replace(product, listing=listing).list_on_eorder(
            ListProduct(product.product_id, None), PROFILE, TODAY
        )


# Exhibitions


def test_an_exhibition_may_be_scheduled_in_the_future_but_must_make_sense() -> None:
    future = replace(FESTIVAL, starts_on=date(2030, 1, 1), ends_on=date(2030, 1, 1))
    assert schedule(future).event().starts_on == date(2030, 1, 1)
    assert "Jakpreneur Fest" not in schedule(future).event().model_dump_json()  # titles stay in the database
    with pytest.raises(RuleViolation, match="ends_on 2023-07-31 is before starts_on 2023-08-01"):
        schedule(replace(FESTIVAL, ends_on=date(2023, 7, 31)))
    with pytest.raises(RuleViolation, match="before the programme start"):
        schedule(replace(FESTIVAL, starts_on=date(2017, 12, 31)))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2023, 8, 3), date(2023, 8, 3)),
        (date(2023, 9, 1), date(2023, 8, 1)),
        (date(2023, 7, 1), date(2023, 8, 1)),
    ],
    ids=["running", "over", "upcoming"],
)
def test_a_showcase_defaults_to_today_while_the_exhibition_runs_else_to_its_first_day(
    today: date, expected: date
) -> None:
    exhibition: Exhibition = schedule(FESTIVAL)
    assert exhibition.default_day(today) == expected


# Showcases


def test_a_showcase_carries_the_exhibitions_scope_and_the_products_participant() -> None:
    exhibition = schedule(FESTIVAL)
    shown = showcase(None, exhibition=exhibition)
    assert (shown.shown_on, shown.participant_id, shown.voided) == (
        date(2023, 8, 1),
        REGISTER.participant_id,
        False,
    )
    event = shown.event(exhibition, PROFILE)
    assert (event.scope, event.exhibition_id, event.shown_on, event.profile) == (
        ExhibitionScope.INTERNATIONAL,
        exhibition.exhibition_id,
        date(2023, 8, 1),
        PROFILE,
    )


@pytest.mark.parametrize(
    ("shown_on", "product_on", "words"),
    [
        (date(2023, 7, 31), date(2023, 6, 1), "outside the exhibition"),
        (date(2023, 8, 6), date(2023, 6, 1), "outside the exhibition"),
        (date(2023, 8, 2), date(2023, 8, 3), "before the product was registered on 2023-08-03"),
    ],
    ids=["before-exhibition", "after-exhibition", "before-product"],
)
def test_a_showcase_date_is_checked(shown_on: date, product_on: date, words: str) -> None:
    product = register(replace(REGISTER, registered_on=product_on), PROFILE, TODAY)
    with pytest.raises(RuleViolation, match=words):
        showcase(shown_on, product)


def test_a_showcase_is_neither_in_the_future_nor_before_the_participants_registration() -> None:
    running = schedule(replace(FESTIVAL, starts_on=TODAY, ends_on=TODAY + timedelta(days=3)))
    with pytest.raises(RuleViolation, match="after today"):
        showcase(TODAY + timedelta(days=1), exhibition=running)
    with pytest.raises(RuleViolation, match="before the participant's registration"):
        showcase(date(2023, 8, 2), who=profile(registered_on=date(2023, 8, 4)))


def test_a_correction_passes_the_same_rules_and_a_voided_showcase_is_final() -> None:
    exhibition, product = schedule(FESTIVAL), registered()
    shown = showcase(date(2023, 8, 2), product, exhibition)
    assert shown.redate(
        date(2023, 8, 4), TODAY, ShowcaseContext(exhibition, product, PROFILE)
    ).shown_on == date(2023, 8, 4)
    with pytest.raises(RuleViolation, match="outside the exhibition"):
        shown.redate(date(2023, 8, 6), TODAY, ShowcaseContext(exhibition, product, PROFILE))
    voided = shown.void(VOID)
    assert voided.voided and voided.event(exhibition, PROFILE) == shown.event(exhibition, PROFILE)
    with pytest.raises(AlreadyVoided):
        voided.void(VOID)
    with pytest.raises(AlreadyVoided):
        voided.redate(date(2023, 8, 3), TODAY, ShowcaseContext(exhibition, product, PROFILE))
