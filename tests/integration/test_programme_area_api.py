"""PROGRAMME_AREA over real HTTP and Kafka: registration serving Jawa Barat, all of Indonesia, or (by
default) DKI Jakarta: the regions it serves, the domiciles and filters it accepts, its events' province."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from devstack import Endpoints
from devstack.app_server import AppServer
from tests.integration.kafka_read import read_topic
from tests.integration.people import participant
from tests.integration.stack import Stack, client, running_stack

BANDUNG = {"kota_code": "32.73", "kecamatan_code": "32.73.01", "kelurahan_code": "32.73.01.1001"}
GAMBIR = {"kota_code": "31.71", "kecamatan_code": "31.71.01", "kelurahan_code": "31.71.01.1001"}


@pytest.fixture(scope="module")
def jabar(infra: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(infra, tmp_path_factory.mktemp("jabar")) as stack:
        stack.producing("registration", "sqlite", PROGRAMME_AREA="32")
        yield stack


@pytest.fixture(scope="module")
def national(infra: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    with running_stack(infra, tmp_path_factory.mktemp("national")) as stack:
        yield stack.producing("registration", "sqlite", PROGRAMME_AREA="national")


@pytest.fixture(scope="module")
def jakarta(infra: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with running_stack(infra, tmp_path_factory.mktemp("jakarta")) as stack:
        stack.registration()  # no PROGRAMME_AREA: the default
        yield stack


def _body(seed: int, domicile: dict[str, str]) -> dict[str, Any]:
    return {**participant(random.Random(seed), seed, date(2024, 3, 1)), "domicile": domicile}


def _counts(tree: list[dict[str, Any]]) -> tuple[int, int, int]:
    kecamatan = [kec for kota in tree for kec in kota["kecamatan"]]
    return len(tree), len(kecamatan), sum(len(kec["kelurahan"]) for kec in kecamatan)


def _refused(answer: httpx.Response, code: str, detail: str | None = None) -> None:
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == code
    if detail is not None:
        assert answer.json()["detail"] == detail


async def _profile_published(stack: Stack, participant_id: str) -> dict[str, Any]:
    records = await read_topic(
        stack.infra.kafka_bootstrap,
        stack.topic("registration"),
        until=lambda seen: any(r.key == participant_id.encode() for r in seen),
    )
    found = next(r for r in records if r.key == participant_id.encode())
    profile: dict[str, Any] = json.loads(found.value)["payload"]["profile"]
    return profile


def test_a_province_area_serves_its_own_tree(jabar: Stack) -> None:
    with client(jabar.servers[0]) as api:
        tree = api.get("/regions").json()
        assert _counts(tree) == (27, 627, 5957)
        assert tree[0]["code"] == "32.01" and {k["code"] for k in tree} >= {"32.04", "32.73"}
        assert api.get("/regions", params={"provinsi": "32"}).json() == tree
        assert api.get("/regions/provinces").json() == [{"code": "32", "name": "Jawa Barat"}]
        _refused(
            api.get("/regions", params={"provinsi": "31"}),
            "rule_violation",
            "provinsi 31 is not a province of the programme area (Jawa Barat)",
        )
        _refused(api.get("/regions", params={"provinsi": "3"}), "validation_error")


def test_a_region_filter_outside_the_area_is_a_readable_422(jabar: Stack) -> None:
    with client(jabar.servers[0]) as api:
        _refused(
            api.get("/participants", params={"kota_code": "31.71"}),
            "rule_violation",
            "kota 31.71 is not a kota/kabupaten of the programme area (Jawa Barat)",
        )
        _refused(
            api.get("/participants", params={"kelurahan_code": "32.73.01.9999"}),
            "rule_violation",
            "kelurahan 32.73.01.9999 is not a kelurahan/desa of the programme area (Jawa Barat)",
        )
        listed = api.get("/participants", params={"kota_code": "32.73", "kecamatan_code": "32.73.01"})
        assert listed.status_code == 200, listed.text


async def test_a_participant_of_the_area_registers_and_its_event_names_the_province(jabar: Stack) -> None:
    body = _body(1, BANDUNG)
    with client(jabar.servers[0]) as api:
        created = api.post("/participants", json=body)
        assert created.status_code == 201, created.text
        out = created.json()
        assert out["domicile"] == BANDUNG
        listed = api.get("/participants", params={"kota_code": "32.73"}).json()["items"]
        assert [p["participant_id"] for p in listed] == [out["participant_id"]]
    profile = await _profile_published(jabar, out["participant_id"])
    assert (profile["provinsi_code"], profile["kota_code"]) == ("32", "32.73")


def test_a_domicile_outside_the_area_is_refused_readably(jabar: Stack) -> None:
    with client(jabar.servers[0]) as api:
        _refused(
            api.post("/participants", json=_body(2, GAMBIR)),
            "rule_violation",
            "unknown kota 31.71 (not a kota/kabupaten of Jawa Barat)",
        )


def test_a_national_area_serves_one_province_at_a_time(national: AppServer) -> None:
    with client(national) as api:
        _refused(
            api.get("/regions"),
            "rule_violation",
            "the programme area is national: ask for one province at a time, e.g. provinsi=32",
        )
        assert _counts(api.get("/regions", params={"provinsi": "96"}).json()) == (6, 132, 1013)
        assert _counts(api.get("/regions", params={"provinsi": "31"}).json()) == (6, 44, 267)
        _refused(
            api.get("/regions", params={"provinsi": "97"}),
            "rule_violation",
            "provinsi 97 is not a province of the programme area (Indonesia)",
        )
        provinces = api.get("/regions/provinces").json()
        assert len(provinces) == 38 and provinces[10] == {
            "code": "31",
            "name": "Daerah Khusus Ibukota Jakarta",
        }


async def test_by_default_the_area_is_dki_jakarta_as_before(jakarta: Stack) -> None:
    with client(jakarta.servers[0]) as api:
        tree = api.get("/regions").json()
        assert _counts(tree) == (6, 44, 267)
        assert api.get("/regions", params={"provinsi": "31"}).json() == tree
        assert api.get("/regions/provinces").json() == [
            {"code": "31", "name": "Daerah Khusus Ibukota Jakarta"}
        ]
        _refused(
            api.get("/regions", params={"provinsi": "32"}),
            "rule_violation",
            "provinsi 32 is not a province of the programme area (DKI Jakarta)",
        )
        _refused(
            api.post("/participants", json=_body(3, BANDUNG)),
            "rule_violation",
            "unknown kota 32.73 (not a kota/kabupaten of DKI Jakarta)",
        )
        _refused(
            api.get("/participants", params={"kota_code": "32.73"}),
            "rule_violation",
            "kota 32.73 is not a kota/kabupaten of the programme area (DKI Jakarta)",
        )
        created = api.post("/participants", json=_body(4, GAMBIR))
        assert created.status_code == 201, created.text
    profile = await _profile_published(jakarta, created.json()["participant_id"])
    assert (profile["provinsi_code"], profile["kota_code"]) == ("31", "31.71")
