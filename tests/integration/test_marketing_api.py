"""The marketing API over real HTTP, on SQLite and on PostgreSQL, learning participants from registration."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from aiokafka import ConsumerRecord

from devstack.app_server import AppServer
from shared.auth import Role
from shared.contracts.codec import decode
from shared.contracts.corrections import FactCorrected, FactVoided
from shared.contracts.envelope import EventPayload
from shared.contracts.events import (
    ExhibitionScheduled,
    ProductCurated,
    ProductListed,
    ProductRegistered,
    ProductShowcased,
)
from shared.contracts.profile import ParticipantProfile
from shared.dates import jakarta_today
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.pii_scan import free_text
from tests.tokens import bearer

REGISTERED_ON = date(2023, 1, 10)
PRODUCT_ON = date(2023, 6, 1)
MISSING = "00000000-0000-4000-8000-000000000000"
SERIALS = itertools.count(1)
PRODUCT_NAME = "Sambal Roa Bu Tini"  # business data: stays in the marketing database
NOTES = "Label halal belum ada"  # curators' remarks: stay in the marketing database
FESTIVAL = {
    "title": "Jakpreneur Fest 2023",
    "kind": "bazaar",
    "scope": "national",
    "venue": "Lapangan Banteng",
    "starts_on": "2023-08-01",
    "ends_on": "2023-08-05",
}


@dataclass(frozen=True)
class Services:
    registration: AppServer
    marketing: AppServer


@dataclass(frozen=True)
class Registered:
    participant_id: str
    request: dict[str, Any]
    response: dict[str, Any]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def services(request: pytest.FixtureRequest, stack: Stack) -> Iterator[Services]:
    started = Services(stack.registration(request.param), stack.producing("marketing", request.param))
    yield started
    started.marketing.stop()
    started.registration.stop()


@pytest.fixture
def api(services: Services) -> Iterator[httpx.Client]:
    with client(services.marketing) as http:
        yield http


@pytest.fixture
def registrar(services: Services) -> Iterator[httpx.Client]:
    with client(services.registration) as http:
        yield http


def register(registrar: httpx.Client, registered_on: date = REGISTERED_ON) -> Registered:
    serial = next(SERIALS)
    body = participant(random.Random(serial), serial, registered_on)
    response = registrar.post("/participants", json=body)
    assert response.status_code == 201, response.text
    return Registered(response.json()["participant_id"], body, response.json())


def register_product(api: httpx.Client, participant_id: str, **extra: Any) -> httpx.Response:
    """POST /products, retried while registration's event has not reached the marketing service yet."""
    body = {"participant_id": participant_id, "name": PRODUCT_NAME, **extra}
    deadline = time.monotonic() + 20.0
    while True:
        response = api.post("/products", json=body)
        unknown = response.status_code == 422 and response.json()["code"] == "unknown_participant"
        if not unknown or time.monotonic() > deadline:
            return response
        time.sleep(0.1)


def new_product(api: httpx.Client, registrar: httpx.Client, **extra: Any) -> dict[str, Any]:
    """A fresh participant's product registered on PRODUCT_ON, as the API returned it."""
    extra.setdefault("registered_on", PRODUCT_ON.isoformat())
    response = register_product(api, register(registrar).participant_id, **extra)
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()
    return product


def curate(
    api: httpx.Client, product_id: str, level: str, passed: bool = True, **extra: Any
) -> httpx.Response:
    body = {
        "level": level,
        "passed": passed,
        "criteria": [{"name": "Rasa", "score": 88}, {"name": "Kemasan", "score": 61 if passed else 40}],
        **extra,
    }
    return api.post(f"/products/{product_id}/curations", json=body)


def curated_to(api: httpx.Client, product_id: str, *levels: str) -> None:
    for day, level in enumerate(levels, start=10):
        response = curate(api, product_id, level, curated_on=f"2023-07-{day}")
        assert response.status_code == 201, response.text


def new_exhibition(api: httpx.Client, **overrides: Any) -> dict[str, Any]:
    response = api.post("/exhibitions", json={**FESTIVAL, **overrides})
    assert response.status_code == 201, response.text
    exhibition: dict[str, Any] = response.json()
    return exhibition


def show(api: httpx.Client, exhibition_id: str, product_id: str, **extra: Any) -> httpx.Response:
    return api.post(f"/exhibitions/{exhibition_id}/showcases", json={"product_id": product_id, **extra})


def shown(api: httpx.Client, registrar: httpx.Client, **extra: Any) -> dict[str, Any]:
    """A fresh product shown at a fresh past exhibition (2023-08-01..05)."""
    product, exhibition = new_product(api, registrar), new_exhibition(api)
    response = show(api, exhibition["exhibition_id"], product["product_id"], **extra)
    assert response.status_code == 201, response.text
    showcase: dict[str, Any] = response.json()
    return showcase


def correct(
    api: httpx.Client, showcase_id: str, day: str, reason: str = "typed the wrong day"
) -> httpx.Response:
    body = {"date": day, "reason": reason}
    return api.post(
        f"/showcases/{showcase_id}/correct", json=body, headers=bearer(Role.ADMIN, subject="officer-17")
    )


def void(api: httpx.Client, showcase_id: str, reason: str = "wrong product") -> httpx.Response:
    body = {"reason": reason}
    return api.post(
        f"/showcases/{showcase_id}/void", json=body, headers=bearer(Role.ADMIN, subject="officer-17")
    )


def assert_refused(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["code"] == code and body["detail"]
    return body


# Products


def test_a_product_is_registered_and_read_back_with_nothing_else_yet(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar)
    created = register_product(api, person.participant_id, sector="kriya", registered_on="2023-06-01")
    assert created.status_code == 201, created.text
    product = created.json()
    assert product == {
        "product_id": product["product_id"],
        "participant_id": person.participant_id,
        "name": PRODUCT_NAME,
        "sector": "kriya",
        "registered_on": "2023-06-01",
        "curation_level": None,
        "curations": [],
        "listing": None,
    }
    assert api.get(f"/products/{product['product_id']}").json() == {**product, "showcases": []}


def test_a_products_sector_and_date_default_to_the_participants_sector_and_today(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    person = register(registrar)
    product = register_product(api, person.participant_id).json()
    business = person.response["business"]
    assert product["sector"] == (business["sector"] if business else None)
    assert product["registered_on"] == jakarta_today().isoformat()


@pytest.mark.parametrize(
    ("registered_on", "words"),
    [
        ((REGISTERED_ON - timedelta(days=1)).isoformat(), "before the participant's registration"),
        ((jakarta_today() + timedelta(days=1)).isoformat(), "after today"),
    ],
    ids=["before-participant", "after-today"],
)
def test_a_product_registration_date_is_checked(
    api: httpx.Client, registrar: httpx.Client, registered_on: str, words: str
) -> None:
    response = register_product(api, register(registrar).participant_id, registered_on=registered_on)
    assert words in assert_refused(response, 422, "rule_violation")["detail"]


def test_an_unknown_participant_gets_a_422_clients_may_retry(api: httpx.Client) -> None:
    refused = assert_refused(
        api.post("/products", json={"participant_id": MISSING, "name": PRODUCT_NAME}),
        422,
        "unknown_participant",
    )
    assert refused["participant_id"] == MISSING


def test_products_are_listed_by_participant_page_by_page(api: httpx.Client, registrar: httpx.Client) -> None:
    person = register(registrar).participant_id
    created = [
        register_product(api, person, name=f"Produk {n}", registered_on="2023-06-01").json()["product_id"]
        for n in range(5)
    ]
    curated_to(api, created[0], "kecamatan")
    seen, cursor, pages = [], None, []
    while True:
        params: dict[str, str | int] = {"participant_id": person, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/products", params=params)
        assert page.status_code == 200, page.text
        pages.append(page.json())
        seen += [p["product_id"] for p in page.json()["items"]]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == created and len(pages) == 3
    assert pages[0]["items"][0]["curation_level"] == "kecamatan"
    assert_refused(api.get("/products", params={"cursor": "garbage"}), 422, "rule_violation")


# Curation


def test_curation_climbs_from_kecamatan_to_kota_to_province(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    product_id = new_product(api, registrar)["product_id"]
    early = assert_refused(curate(api, product_id, "kota"), 409, "invalid_transition")
    assert (early["level"], early["required"]) == ("kota", "kecamatan")
    assert curate(api, product_id, "kecamatan", passed=False, curated_on="2023-07-01").status_code == 201
    assert curate(api, product_id, "kecamatan", passed=False, curated_on="2023-07-02").status_code == 201
    assert_refused(curate(api, product_id, "kota"), 409, "invalid_transition")
    passed = curate(api, product_id, "kecamatan", curated_on="2023-07-03", notes=NOTES)
    assert passed.status_code == 201, passed.text
    assert passed.json() == {
        "curation_id": passed.json()["curation_id"],
        "product_id": product_id,
        "level": "kecamatan",
        "passed": True,
        "criteria": [{"name": "Rasa", "score": 88}, {"name": "Kemasan", "score": 61}],
        "notes": NOTES,
        "curated_on": "2023-07-03",
    }
    assert_refused(curate(api, product_id, "kecamatan"), 409, "already_curated")
    assert_refused(curate(api, product_id, "kecamatan", passed=False), 409, "already_curated")
    assert_refused(curate(api, product_id, "province"), 409, "invalid_transition")
    assert curate(api, product_id, "kota", curated_on="2023-07-20").status_code == 201
    assert curate(api, product_id, "province", curated_on="2023-07-20").status_code == 201
    assert_refused(curate(api, product_id, "province"), 409, "already_curated")
    product = api.get(f"/products/{product_id}").json()
    assert product["curation_level"] == "province"
    assert [(c["level"], c["passed"]) for c in product["curations"]] == [
        ("kecamatan", False),
        ("kecamatan", False),
        ("kecamatan", True),
        ("kota", True),
        ("province", True),
    ]


def test_a_curation_date_follows_the_product_and_the_level_below(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    product_id = new_product(api, registrar)["product_id"]
    before_product = curate(api, product_id, "kecamatan", curated_on="2023-05-31")
    assert (
        "before the product was registered" in assert_refused(before_product, 422, "rule_violation")["detail"]
    )
    tomorrow = (jakarta_today() + timedelta(days=1)).isoformat()
    assert (
        "after today"
        in assert_refused(curate(api, product_id, "kecamatan", curated_on=tomorrow), 422, "rule_violation")[
            "detail"
        ]
    )
    assert curate(api, product_id, "kecamatan", curated_on="2023-07-10").status_code == 201
    before_below = curate(api, product_id, "kota", curated_on="2023-07-09")
    assert (
        "before the product passed kecamatan curation"
        in assert_refused(before_below, 422, "rule_violation")["detail"]
    )
    assert curate(api, product_id, "kota").json()["curated_on"] == jakarta_today().isoformat()


def test_concurrent_passing_curations_of_one_level_succeed_exactly_once(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    product_id = new_product(api, registrar)["product_id"]
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: curate(api, product_id, "kecamatan"), range(8)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_curated"}
    assert len(api.get(f"/products/{product_id}").json()["curations"]) == 1


# e-Order listing


def test_a_product_is_listed_once_after_passing_kota_curation(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    product_id = new_product(api, registrar)["product_id"]
    path = f"/products/{product_id}/listings"
    assert_refused(api.post(path, json={}), 409, "not_curated")
    curated_to(api, product_id, "kecamatan")
    assert_refused(api.post(path, json={}), 409, "not_curated")
    curated_to(api, product_id, "kota")  # passed on 2023-07-10
    early = assert_refused(api.post(path, json={"listed_on": "2023-07-09"}), 422, "rule_violation")
    assert "before the product passed kota curation" in early["detail"]
    listed = api.post(path)  # the body may be left out: listed today
    assert listed.status_code == 201, listed.text
    assert listed.json() == {
        "listing_id": listed.json()["listing_id"],
        "product_id": product_id,
        "listed_on": jakarta_today().isoformat(),
    }
    again = assert_refused(api.post(path, json={"listed_on": "2023-09-01"}), 409, "already_listed")
    assert again["listing_id"] == listed.json()["listing_id"]
    assert api.get(f"/products/{product_id}").json()["listing"] == listed.json()


def test_concurrent_listings_of_one_product_succeed_exactly_once(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    product_id = new_product(api, registrar)["product_id"]
    curated_to(api, product_id, "kecamatan", "kota", "province")
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: api.post(f"/products/{product_id}/listings", json={}), range(8)))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_listed"}


# Exhibitions


def test_an_exhibition_is_scheduled_read_back_and_listed(api: httpx.Client) -> None:
    future = jakarta_today() + timedelta(days=60)
    abroad = new_exhibition(
        api,
        kind="exhibition",
        scope="international",
        venue=None,
        starts_on=future.isoformat(),
        ends_on=future.isoformat(),
    )
    assert abroad == {
        "exhibition_id": abroad["exhibition_id"],
        "title": FESTIVAL["title"],
        "kind": "exhibition",
        "scope": "international",
        "venue": None,
        "starts_on": future.isoformat(),
        "ends_on": future.isoformat(),
    }
    assert api.get(f"/exhibitions/{abroad['exhibition_id']}").json() == abroad
    bazaar = new_exhibition(api)
    international = api.get("/exhibitions", params={"scope": "international", "limit": 500}).json()["items"]
    assert abroad in international and bazaar not in international
    bazaars = api.get("/exhibitions", params={"kind": "bazaar", "limit": 500}).json()["items"]
    assert bazaar in bazaars and abroad not in bazaars
    first = api.get("/exhibitions", params={"limit": 1}).json()
    assert len(first["items"]) == 1 and first["next_cursor"]


@pytest.mark.parametrize(
    ("dates", "words"),
    [
        ({"starts_on": "2023-08-05", "ends_on": "2023-08-01"}, "ends_on 2023-08-01 is before starts_on"),
        ({"starts_on": "2017-12-30", "ends_on": "2018-01-02"}, "before the programme start"),
    ],
    ids=["ends-before-start", "before-programme"],
)
def test_an_exhibition_schedule_must_make_sense(api: httpx.Client, dates: dict[str, str], words: str) -> None:
    response = api.post("/exhibitions", json={**FESTIVAL, **dates})
    assert words in assert_refused(response, 422, "rule_violation")["detail"]


# Showcases


def test_a_product_is_shown_at_an_exhibition(api: httpx.Client, registrar: httpx.Client) -> None:
    product, exhibition = new_product(api, registrar), new_exhibition(api)
    created = show(api, exhibition["exhibition_id"], product["product_id"], shown_on="2023-08-03")
    assert created.status_code == 201, created.text
    showcase = created.json()
    assert showcase == {
        "showcase_id": showcase["showcase_id"],
        "exhibition_id": exhibition["exhibition_id"],
        "product_id": product["product_id"],
        "participant_id": product["participant_id"],
        "shown_on": "2023-08-03",
        "voided": False,
    }
    assert api.get(f"/showcases/{showcase['showcase_id']}").json() == showcase
    assert api.get(f"/products/{product['product_id']}").json()["showcases"] == [showcase]
    at_exhibition = api.get("/showcases", params={"exhibition_id": exhibition["exhibition_id"]}).json()
    assert at_exhibition == {"items": [showcase], "next_cursor": None}


def test_a_showcase_date_defaults_to_today_during_the_exhibition_else_its_first_day(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    today = jakarta_today()
    product = new_product(api, registrar)
    running = new_exhibition(
        api,
        starts_on=(today - timedelta(days=2)).isoformat(),
        ends_on=(today + timedelta(days=2)).isoformat(),
    )
    past = new_exhibition(api)
    assert show(api, running["exhibition_id"], product["product_id"]).json()["shown_on"] == today.isoformat()
    assert show(api, past["exhibition_id"], product["product_id"]).json()["shown_on"] == "2023-08-01"
    upcoming = new_exhibition(
        api,
        starts_on=(today + timedelta(days=5)).isoformat(),
        ends_on=(today + timedelta(days=6)).isoformat(),
    )
    refused = show(api, upcoming["exhibition_id"], product["product_id"])
    assert "after today" in assert_refused(refused, 422, "rule_violation")["detail"]


@pytest.mark.parametrize(
    ("shown_on", "words"),
    [
        ("2023-07-31", "outside the exhibition (2023-08-01..2023-08-05)"),
        ("2023-08-06", "outside the exhibition"),
        ("2023-08-02", "before the product was registered on 2023-08-03"),
    ],
    ids=["before-exhibition", "after-exhibition", "before-product"],
)
def test_a_showcase_date_is_checked(
    api: httpx.Client, registrar: httpx.Client, shown_on: str, words: str
) -> None:
    product, exhibition = new_product(api, registrar, registered_on="2023-08-03"), new_exhibition(api)
    response = show(api, exhibition["exhibition_id"], product["product_id"], shown_on=shown_on)
    assert words in assert_refused(response, 422, "rule_violation")["detail"]


def test_a_product_is_shown_once_per_exhibition_until_voided(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    product, exhibition, other = new_product(api, registrar), new_exhibition(api), new_exhibition(api)
    first = show(api, exhibition["exhibition_id"], product["product_id"]).json()
    again = assert_refused(
        show(api, exhibition["exhibition_id"], product["product_id"]), 409, "already_showcased"
    )
    assert again["showcase_id"] == first["showcase_id"]
    assert show(api, other["exhibition_id"], product["product_id"]).status_code == 201
    assert void(api, first["showcase_id"]).status_code == 200
    after_void = show(api, exhibition["exhibition_id"], product["product_id"], shown_on="2023-08-02")
    assert after_void.status_code == 201, after_void.text
    assert [s["voided"] for s in api.get(f"/products/{product['product_id']}").json()["showcases"]] == [
        True,
        False,
        False,
    ]


def test_concurrent_showcases_of_one_product_at_one_exhibition_create_exactly_one(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    product, exhibition = new_product(api, registrar), new_exhibition(api)
    with ThreadPoolExecutor(8) as pool:
        responses = list(
            pool.map(lambda _: show(api, exhibition["exhibition_id"], product["product_id"]), range(8))
        )
    assert sorted(r.status_code for r in responses) == [201] + [409] * 7, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_showcased"}


# Corrections and voids


def test_a_showcase_is_corrected_under_the_same_date_rules(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    showcase = shown(api, registrar, shown_on="2023-08-02")
    showcase_id = showcase["showcase_id"]
    corrected = correct(api, showcase_id, "2023-08-04")
    assert corrected.status_code == 200, corrected.text
    assert corrected.json() == {**showcase, "shown_on": "2023-08-04"}
    assert api.get(f"/showcases/{showcase_id}").json() == corrected.json()
    outside = assert_refused(correct(api, showcase_id, "2023-08-06"), 422, "rule_violation")
    assert "outside the exhibition" in outside["detail"]
    assert correct(api, showcase_id, "2023-08-04").json() == corrected.json()  # already right: a no-op


def test_a_voided_showcase_is_kept_and_can_be_neither_corrected_nor_voided_again(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    showcase = shown(api, registrar)
    voided = void(api, showcase["showcase_id"])
    assert voided.status_code == 200, voided.text
    assert voided.json() == {**showcase, "voided": True}
    assert api.get(f"/showcases/{showcase['showcase_id']}").json()["voided"] is True
    assert_refused(void(api, showcase["showcase_id"]), 409, "already_voided")
    assert_refused(correct(api, showcase["showcase_id"], "2023-08-03"), 409, "already_voided")


def test_concurrent_voids_of_one_showcase_succeed_exactly_once(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    showcase_id = shown(api, registrar)["showcase_id"]
    with ThreadPoolExecutor(8) as pool:
        responses = list(pool.map(lambda _: void(api, showcase_id), range(8)))
    assert sorted(r.status_code for r in responses) == [200] + [409] * 7, [r.text for r in responses]
    assert {r.json()["code"] for r in responses if r.status_code == 409} == {"already_voided"}


# Unknown ids and malformed requests


def test_unknown_products_exhibitions_and_showcases_are_404(
    api: httpx.Client, registrar: httpx.Client
) -> None:
    product, exhibition = new_product(api, registrar), new_exhibition(api)
    assert_refused(api.get(f"/products/{MISSING}"), 404, "not_found")
    assert_refused(curate(api, MISSING, "kecamatan"), 404, "not_found")
    assert_refused(api.post(f"/products/{MISSING}/listings", json={}), 404, "not_found")
    assert_refused(api.get(f"/exhibitions/{MISSING}"), 404, "not_found")
    assert_refused(show(api, MISSING, product["product_id"]), 404, "not_found")
    unknown_product = assert_refused(show(api, exhibition["exhibition_id"], MISSING), 404, "not_found")
    assert unknown_product["product_id"] == MISSING
    assert_refused(api.get(f"/showcases/{MISSING}"), 404, "not_found")
    assert_refused(correct(api, MISSING, "2023-08-02"), 404, "not_found")
    assert_refused(void(api, MISSING), 404, "not_found")


def _criteria(n: int) -> list[dict[str, Any]]:
    return [{"name": f"Kriteria {i}", "score": 70} for i in range(n)]


CURATIONS = f"/products/{MISSING}/curations"


@pytest.mark.parametrize(
    ("path", "body", "words"),
    [
        ("/products", {"participant_id": MISSING, "name": "  "}, "name"),
        ("/products", {"participant_id": MISSING, "name": "x", "sector": "tambang"}, "sector"),
        ("/products", {"participant_id": "nobody", "name": "x"}, "participant_id"),
        (CURATIONS, {"level": "rt", "passed": True, "criteria": _criteria(1)}, "level"),
        (CURATIONS, {"level": "kota", "passed": "yes", "criteria": _criteria(1)}, "passed"),
        (CURATIONS, {"level": "kota", "passed": True, "criteria": []}, "criteria"),
        (CURATIONS, {"level": "kota", "passed": True, "criteria": _criteria(11)}, "criteria"),
        (CURATIONS, {"level": "kota", "passed": True, "criteria": [{"name": "Rasa", "score": 101}]}, "score"),
        (
            CURATIONS,
            {
                "level": "kota",
                "passed": True,
                "criteria": [{"name": "Rasa", "score": 1}, {"name": "rasa ", "score": 2}],
            },
            "more than once",
        ),
        (f"/products/{MISSING}/listings", {"listed_on": "soon"}, "listed_on"),
        ("/exhibitions", {**FESTIVAL, "kind": "festival"}, "kind"),
        ("/exhibitions", {**FESTIVAL, "scope": "regional"}, "scope"),
        ("/exhibitions", {**FESTIVAL, "organiser": "Dinas"}, "organiser"),
        (f"/exhibitions/{MISSING}/showcases", {"product_id": MISSING, "shown_on": "2023-02-30"}, "shown_on"),
        (f"/showcases/{MISSING}/correct", {"date": "2023-08-02", "reason": "x", "by": "o"}, "by"),
        (f"/showcases/{MISSING}/void", {"reason": ""}, "reason"),
    ],
    ids=[
        "blank-name",
        "sector",
        "participant-id",
        "level",
        "passed-not-bool",
        "no-criteria",
        "eleven-criteria",
        "score-over-100",
        "duplicate-criterion",
        "listed-on",
        "kind",
        "scope",
        "extra-field",
        "impossible-date",
        "correction-without-by",
        "empty-void-reason",
    ],
)
def test_malformed_requests_get_a_readable_422(
    api: httpx.Client, path: str, body: dict[str, Any], words: str
) -> None:
    assert words in assert_refused(api.post(path, json=body), 422, "validation_error")["detail"]


def test_ready_and_documented(api: httpx.Client) -> None:
    ready = api.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}
    spec = api.get("/openapi.json").json()
    curations = spec["paths"]["/products/{product_id}/curations"]["post"]
    assert set(curations["responses"]["409"]["content"]["application/json"]["examples"]) == {
        "invalid_transition",
        "already_curated",
    }
    assert "not_curated" in str(spec["paths"]["/products/{product_id}/listings"]["post"]["responses"]["409"])


# Events


async def test_every_fact_reaches_the_topic_with_the_profile_and_no_personal_or_business_data(
    services: Services, stack: Stack
) -> None:
    title, notes = free_text(FESTIVAL["title"]), free_text(NOTES)
    corrected_because, voided_because = free_text("typed the wrong day"), free_text("wrong product")
    with client(services.registration) as registrar, client(services.marketing) as api:
        person = register(registrar)
        product_id = register_product(api, person.participant_id, registered_on="2023-06-01").json()[
            "product_id"
        ]
        assert curate(api, product_id, "kecamatan", curated_on="2023-07-01", notes=notes).status_code == 201
        assert curate(api, product_id, "kota", curated_on="2023-07-15").status_code == 201
        assert (
            api.post(f"/products/{product_id}/listings", json={"listed_on": "2023-07-20"}).status_code == 201
        )
        exhibition_id = new_exhibition(api, scope="international", title=title)["exhibition_id"]
        assert api.get(f"/exhibitions/{exhibition_id}").json()["title"] == title  # from the database
        showcase_id = show(api, exhibition_id, product_id, shown_on="2023-08-02").json()["showcase_id"]
        assert correct(api, showcase_id, "2023-08-03", corrected_because).status_code == 200
        assert void(api, showcase_id, voided_because).status_code == 200
    ours = (product_id, exhibition_id)
    wanted = {
        "ProductRegistered",
        "ProductCurated",
        "ProductListed",
        "ExhibitionScheduled",
        "ProductShowcased",
    }
    wanted |= {"FactCorrected", "FactVoided"}

    def mine(records: list[ConsumerRecord]) -> list[ConsumerRecord]:
        return [r for r in records if any(f'"{i}"'.encode() in r.value for i in ours)]

    records = mine(
        await read_topic(
            stack.infra.kafka_bootstrap,
            stack.topic("marketing"),
            until=lambda seen: {_type(r) for r in mine(seen)} >= wanted,
        )
    )
    for record in records:
        for personal in (
            person.request["nik"],
            person.request["full_name"],
            person.request["phone"],
            PRODUCT_NAME,
            notes,
            title,
            corrected_because,
            voided_because,
        ):
            assert personal.encode() not in record.value
    decoded = [(*decode(r.value), r.key) for r in records]
    profile = _profile_of(person.response)

    def the(model: type[EventPayload], occurred_on: str, key: str = person.participant_id) -> Any:
        """The one event of this type, checked for its Kafka key and business date."""
        (found,) = [(envelope, event, k) for envelope, event, k in decoded if isinstance(event, model)]
        envelope, event, record_key = found
        assert record_key == key.encode() and envelope.occurred_on == date.fromisoformat(occurred_on)
        return event

    assert the(ProductRegistered, "2023-06-01").profile == profile
    curated = [event for _, event, _ in decoded if isinstance(event, ProductCurated)]
    assert [(c.level, c.passed, c.curated_on.isoformat(), c.profile) for c in curated] == [
        ("kecamatan", True, "2023-07-01", profile),
        ("kota", True, "2023-07-15", profile),
    ]
    assert the(ProductListed, "2023-07-20").profile == profile
    scheduled = the(ExhibitionScheduled, jakarta_today().isoformat(), key=exhibition_id)
    assert (scheduled.kind, scheduled.scope, scheduled.starts_on) == (
        "bazaar",
        "international",
        date(2023, 8, 1),
    )
    showcased = the(ProductShowcased, "2023-08-02")
    assert (str(showcased.showcase_id), showcased.scope, showcased.profile) == (
        showcase_id,
        "international",
        profile,
    )
    corrected = the(FactCorrected, "2023-08-03")
    assert corrected.fact == showcased.model_copy(update={"shown_on": date(2023, 8, 3)})
    assert (corrected.previous_on, corrected.by) == (date(2023, 8, 2), "officer-17")
    voided = the(FactVoided, "2023-08-03")
    assert voided.fact == corrected.fact and voided.fact_type == "ProductShowcased"


def _type(record: ConsumerRecord) -> str:
    return bytes(dict(record.headers)["event_type"]).decode()


def _profile_of(p: dict[str, Any]) -> ParticipantProfile:
    """The profile registration's own answer implies: what every marketing event must carry."""
    return ParticipantProfile(
        registered_on=p["registered_on"],
        gender=p["gender"],
        age_band=p["age_band"],
        kota_code=p["domicile"]["kota_code"],
        kecamatan_code=p["domicile"]["kecamatan_code"],
        kelurahan_code=p["domicile"]["kelurahan_code"],
        sector=p["business"]["sector"] if p["business"] else None,
        agency=p["agency"],
        disability=p["disability"],
        ktp_dki=p["ktp_dki"],
    )
