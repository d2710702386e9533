"""Registration officers' daily work over real HTTP, on SQLite and PostgreSQL (issue 13, points 2-5).

Find a participant by name although names are stored encrypted (a blind index), keep a record right with
PATCH (audited, published, never moving `registered_on` after a stage fact), list and dismiss possible
duplicates, and put names on the stage services' pseudonymous lists — each within the caller's area only,
where another area's participant is answered exactly like an unknown one.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import string
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from devstack.app_server import AppServer
from services.registration.adapters.name_index import name_index
from services.registration.app import MIGRATIONS
from services.registration.settings import RegistrationSettings
from shared.auth import Role
from shared.contracts.codec import decode
from shared.db.engine import sync_url
from tests.integration.kafka_read import read_topic
from tests.integration.people import nik_for
from tests.integration.stack import Stack, client
from tests.tokens import bearer

HOME, ELSEWHERE = "31.71", "31.72"
SERIALS = itertools.count(1)
KEYS = RegistrationSettings().personal_data  # the development keys the test services run with
INDEX = name_index(KEYS)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture(scope="module")
def registration(backend: str, stack: Stack) -> AppServer:
    server: AppServer = stack.registration(backend)
    return server


@pytest.fixture
def api(registration: AppServer) -> Iterator[httpx.Client]:
    """An admin."""
    with client(registration) as http:
        yield http


@pytest.fixture(scope="module")
def db(registration: AppServer) -> Iterator[sa.Engine]:
    engine = sa.create_engine(sync_url(registration.env["REGISTRATION_DATABASE_URL"]))
    yield engine
    engine.dispose()


def word() -> str:
    """A surname no other test uses, so each test finds only its own participants."""
    return "".join(random.Random(next(SERIALS) * 7919).choices(string.ascii_lowercase, k=10)).title()


def person(
    full_name: str, kota: str = HOME, *, agency: str = "PPKUKM", birth: date = date(1990, 9, 5), **more: Any
) -> dict[str, Any]:
    """A valid `POST /participants` body of a woman born on `birth`, living in `kota`, with a fresh NIK."""
    serial = next(SERIALS)
    return {
        "nik": nik_for(random.Random(serial), birth, "F", serial % 9999 + 1),
        "full_name": full_name,
        "gender": "F",
        "birth_date": birth.isoformat(),
        "phone": f"0812{serial:08d}",
        "domicile": {"kota_code": kota, "kecamatan_code": f"{kota}.01", "kelurahan_code": f"{kota}.01.1001"},
        "agency": agency,
        "registered_on": "2023-01-10",
        **more,
    }


def registered(api: httpx.Client, body: dict[str, Any]) -> str:
    response = api.post("/participants", json=body)
    assert response.status_code == 201, response.text
    participant_id: str = response.json()["participant_id"]
    return participant_id


def officer(subject: str, *, kota: str | None = None, agency: str | None = None) -> dict[str, str]:
    return bearer(Role.REGISTRAR, subject=subject, kota=kota, agency=agency)


def subject() -> str:
    return f"registrar-{uuid4().hex[:8]}"


def trail(api: httpx.Client, who: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = api.get("/audit", params={"subject": who, "limit": 500}).json()["items"]
    return items


def found(http: httpx.Client, **params: Any) -> list[str]:
    response = http.get("/participants", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    return [p["participant_id"] for p in response.json()["items"]]


# --- 2. name search -------------------------------------------------------------------------------------


def test_a_name_search_finds_every_spelling_of_the_words_in_the_callers_area(
    registration: AppServer, api: httpx.Client
) -> None:
    surname = word()
    spellings = [f"SITI AMINAH {surname.upper()}", f"Siti Aminah {surname}", f"Sití  Aminah, {surname}"]
    home = [registered(api, person(name)) for name in spellings]
    other_name = registered(api, person(f"Siti Nurhaliza {surname}"))
    elsewhere = registered(api, person(f"Siti Aminah {surname}", ELSEWHERE))
    query = f"siti aminah {surname.lower()}"
    assert found(api, q=query) == [*home, elsewhere]  # an admin: every area, in registration order
    who = subject()
    with client(registration, officer(who, kota=HOME)) as clerk:
        assert found(clerk, q=query) == home
        assert found(clerk, q=f"AMINAH {surname}") == home  # any order of the words
        assert found(clerk, q=surname) == [*home, other_name]
        assert found(clerk, q=f"sit {surname}") == []  # whole words only
        assert found(clerk, q=f"siti aminah {surname} binti") == []  # every word must be in the name
    with client(registration, officer(subject(), agency="SOSIAL")) as clerk:
        assert found(clerk, q=query) == []
    listed = [(e["action"], e["participant_id"]) for e in trail(api, who)][:3]
    assert listed == [("list", pid) for pid in home]  # a search is audited as a list


def test_a_name_search_combines_with_region_filters_and_pages(api: httpx.Client) -> None:
    surname = word()
    ones = [registered(api, person(f"Budi {surname}")) for _ in range(3)]
    moved = person(f"Budi {surname}")
    moved["domicile"] = {"kota_code": HOME, "kecamatan_code": "31.71.02", "kelurahan_code": "31.71.02.1001"}
    other_kecamatan = registered(api, moved)
    assert found(api, q=f"budi {surname}", kecamatan_code="31.71.01") == ones
    assert found(api, q=f"budi {surname}", kelurahan_code="31.71.02.1001") == [other_kecamatan]
    assert found(api, q=f"budi {surname}", kota_code=ELSEWHERE) == []
    pages, cursor = [], None
    while True:
        params: dict[str, Any] = {"q": f"budi {surname}", "limit": 2} | ({"cursor": cursor} if cursor else {})
        page = api.get("/participants", params=params).json()
        pages.append([p["participant_id"] for p in page["items"]])
        if (cursor := page["next_cursor"]) is None:
            break
    assert pages == [ones[:2], [ones[2], other_kecamatan]]


def test_a_name_search_refuses_short_queries_and_other_kotas(registration: AppServer) -> None:
    with client(registration, officer(subject(), kota=HOME)) as clerk:
        for q, code in (("ab", "validation_error"), ("a.b", "rule_violation"), ("-- !", "rule_violation")):
            response = clerk.get("/participants", params={"q": q})
            assert (response.status_code, response.json()["code"]) == (422, code), (q, response.text)
        for params in ({"kecamatan_code": "31.72.01"}, {"kelurahan_code": "31.72.01.1001"}):
            refused = clerk.get("/participants", params={"q": "siti", **params})
            assert (refused.status_code, refused.json()["code"]) == (403, "out_of_scope"), refused.text
            assert refused.json()["detail"] == f"kota {ELSEWHERE} is outside your area (kota {HOME})"


def test_the_database_holds_only_keyed_digests_of_the_name_words(api: httpx.Client, db: sa.Engine) -> None:
    name = f"Dewi Lestari {word()}"
    participant_id = registered(api, person(name))
    with db.connect() as conn:
        words = conn.execute(
            sa.text("SELECT word_digest FROM participant_name_words WHERE participant_id = :id"),
            {"id": participant_id},
        ).scalars()
        digest = conn.execute(
            sa.text("SELECT name_digest FROM participants WHERE participant_id = :id"), {"id": participant_id}
        ).scalar_one()
        dump = " ".join(str(v) for v in conn.execute(sa.text("SELECT * FROM participant_name_words")).all())
    assert set(words) == INDEX.word_digests(name) and len(INDEX.word_digests(name)) == 3
    assert digest == INDEX.name_digest(name.upper())
    assert not any(part.lower() in dump.lower() for part in name.split())


def test_migration_0005_indexes_the_names_registered_before_it(
    backend: str, stack: Stack, tmp_path: Path
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'before-0005.db'}"
    else:
        url = stack.infra.create_database(f"{stack.name}_before_0005_{uuid4().hex[:6]}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).render_as_string(hide_password=False))
    command.upgrade(config, "0004")
    names = ["Sití Aminah", "BUDI SANTOSO"]
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            for name in [*names, None]:  # the last one erased: no name left to index
                body = person(name or "erased")
                conn.execute(
                    sa.text(
                        "INSERT INTO participants (participant_id, nik_hmac, nik_encrypted,"
                        " full_name_encrypted, gender, birth_date, disability, kota_code, kecamatan_code,"
                        " kelurahan_code, agency, registered_on, created_at, erased_at)"
                        " VALUES (:id, :hmac, :nik, :name, 'F', :birth, false, '31.71', '31.71.01',"
                        " '31.71.01.1001', 'PPKUKM', '2023-01-10', CURRENT_TIMESTAMP, :erased)"
                    ),
                    {
                        "id": str(uuid4()),
                        "hmac": KEYS.digest(body["nik"]) if name else None,
                        "nik": KEYS.encrypt(body["nik"]) if name else None,
                        "name": KEYS.encrypt(name) if name else None,
                        "birth": date(1990, 9, 5) if name else None,
                        "erased": None if name else datetime(2024, 1, 1, tzinfo=UTC),
                    },
                )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            digests = (
                conn.execute(sa.text("SELECT name_digest FROM participants ORDER BY seq")).scalars().all()
            )
            words = conn.execute(sa.text("SELECT COUNT(*) FROM participant_name_words")).scalar_one()
        assert digests == [INDEX.name_digest("siti aminah"), INDEX.name_digest("budi santoso"), None]
        assert words == 4
        with pytest.raises(sa.exc.DatabaseError), engine.begin() as conn:  # the audit log stays append-only
            entry = (
                "INSERT INTO audit_log (recorded_at, subject, action) VALUES (CURRENT_TIMESTAMP, 's', 'read')"
            )
            conn.execute(sa.text(entry))
            conn.execute(sa.text("DELETE FROM audit_log"))
        command.downgrade(config, "0004")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("participants")}
        assert "name_digest" not in columns
    finally:
        engine.dispose()


# --- 3. record upkeep -----------------------------------------------------------------------------------


def updates_of(stack: Stack, participant_id: str, count: int) -> list[dict[str, Any]]:
    """The ParticipantUpdated payloads of a participant, once `count` of them are on the topic."""

    def mine(records: list[Any]) -> list[dict[str, Any]]:
        payloads = []
        for record in records:
            envelope, _ = decode(record.value)
            if envelope.event_type == "ParticipantUpdated" and envelope.key == participant_id:
                payloads.append(envelope.payload)
        return payloads

    records = asyncio.run(
        read_topic(
            stack.infra.kafka_bootstrap,
            stack.topic("registration"),
            until=lambda records: len(mine(records)) >= count,
        )
    )
    return mine(records)


def test_an_edit_changes_the_fields_given_is_audited_and_published(
    stack: Stack, registration: AppServer, api: httpx.Client
) -> None:
    body = person(f"Rina {word()}")
    participant_id = registered(api, body)
    who = subject()
    kelurahan = {"kota_code": HOME, "kecamatan_code": "31.71.01", "kelurahan_code": "31.71.01.1002"}
    with client(registration, officer(who, kota=HOME)) as clerk:
        phone = clerk.patch(f"/participants/{participant_id}", json={"reason": "salah ketik", "phone": None})
        assert phone.status_code == 200, phone.text
        assert phone.json()["phone"] is None and phone.json()["full_name"] == body["full_name"]
        moved = clerk.patch(
            f"/participants/{participant_id}", json={"reason": "pindah kelurahan", "domicile": kelurahan}
        )
        assert moved.status_code == 200, moved.text
        shown = clerk.get(f"/participants/{participant_id}").json()
    assert shown["domicile"] == kelurahan and shown["phone"] is None and shown["nik"] is None
    # Only the move changes what reporting counts by: one event, carrying the new profile.
    [update] = updates_of(stack, participant_id, 1)
    assert update["profile"]["kelurahan_code"] == "31.71.01.1002"
    edits = [e for e in trail(api, who) if e["action"] == "update"]
    assert [(e["participant_id"], e["detail"]) for e in edits] == [
        (participant_id, "salah ketik"),
        (participant_id, "pindah kelurahan"),
    ]
    assert edits[0]["changes"] == [{"field": "phone", "before": None, "after": None}]  # named, not valued
    assert edits[1]["changes"] == [
        {"field": "kelurahan_code", "before": "31.71.01.1001", "after": "31.71.01.1002"}
    ]
    assert body["phone"] not in json.dumps(trail(api, who))


def test_a_corrected_nik_meets_the_registration_rules_and_is_unique(
    registration: AppServer, api: httpx.Client
) -> None:
    body = person(f"Ayu {word()}")
    participant_id = registered(api, body)
    neighbour = person(f"Tuti {word()}")
    neighbour_id = registered(api, neighbour)
    far = person(f"Wati {word()}", ELSEWHERE)
    registered(api, far)
    who = subject()
    path = f"/participants/{participant_id}"
    with client(registration, officer(who, kota=HOME)) as clerk:
        wrong = clerk.patch(path, json={"reason": "NIK salah", "nik": body["nik"][:6] + "050990" + "0001"})
        assert (wrong.status_code, wrong.json()["code"]) == (422, "rule_violation"), wrong.text
        unicode = clerk.patch(path, json={"reason": "NIK salah", "nik": "\uff13" + body["nik"][1:]})
        assert (unicode.status_code, unicode.json()["code"]) == (422, "validation_error")
        named = clerk.patch(path, json={"reason": "NIK salah", "nik": neighbour["nik"]})
        assert (named.status_code, named.json()["code"]) == (409, "duplicate_nik")
        assert named.json()["participant_id"] == neighbour_id
        taken = clerk.patch(path, json={"reason": "NIK salah", "nik": far["nik"]})
        assert taken.status_code == 409 and taken.json() == {
            "detail": "NIK is already registered",
            "code": "duplicate_nik",
        }
        fresh = person("x")["nik"]
        corrected = clerk.patch(path, json={"reason": "NIK salah ketik", "nik": fresh})
        assert corrected.status_code == 200 and corrected.json()["nik_masked"].endswith(fresh[-4:])
        assert (
            clerk.post("/participants/lookup", json={"nik": fresh}).json()["participant_id"] == participant_id
        )
        assert clerk.post("/participants/lookup", json={"nik": body["nik"]}).status_code == 404
    assert registered(api, body) != participant_id  # the old NIK is free again
    assert [(e["action"], e["outcome"]) for e in trail(api, who)][:2] == [
        ("lookup", "found"),
        ("lookup", "taken"),
    ]


def test_an_edit_is_refused_outside_the_area_and_for_bad_bodies(
    registration: AppServer, api: httpx.Client
) -> None:
    participant_id = registered(api, person(f"Sri {word()}"))
    path, unknown = f"/participants/{participant_id}", str(uuid4())
    change = {"reason": "salah ketik", "phone": "081299998888"}
    for area in ({"kota": ELSEWHERE}, {"agency": "SOSIAL"}):
        with client(registration, officer(subject(), **area)) as clerk:
            refused, nobody = (
                clerk.patch(path, json=change),
                clerk.patch(f"/participants/{unknown}", json=change),
            )
            assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
            assert refused.json()["detail"] == nobody.json()["detail"].replace(unknown, participant_id)
    assert api.get(path).json()["phone"] != "081299998888"
    with client(registration, officer(subject(), kota=HOME)) as clerk:
        away = {"kota_code": ELSEWHERE, "kecamatan_code": "31.72.01", "kelurahan_code": "31.72.01.1001"}
        moved = clerk.patch(path, json={"reason": "pindah", "domicile": away})
        assert (moved.status_code, moved.json()["code"]) == (403, "out_of_scope"), moved.text
        for bad, code in (
            ({"phone": "081299998888"}, "validation_error"),  # no reason
            ({"reason": "x", "phone": "081299998888"}, "validation_error"),  # a reason of a word or so
            ({"reason": "kosong"}, "rule_violation"),  # nothing to change
            ({"reason": "hapus", "full_name": None}, "validation_error"),  # only optional fields clear
            ({"reason": "lain", "participant_id": unknown}, "validation_error"),  # not a field
            ({"reason": "lahir", "birth_date": "1991-09-05"}, "rule_violation"),  # the NIK says 1990
        ):
            response = clerk.patch(path, json=bad)
            assert (response.status_code, response.json()["code"]) == (422, code), (bad, response.text)
    assert api.post(f"{path}/erase", json={"reason": "permintaan yang bersangkutan"}).status_code == 200
    erased = api.patch(path, json=change)
    assert (erased.status_code, erased.json()["code"]) == (410, "erased")


def _until(send: Callable[[], httpx.Response], done: Callable[[httpx.Response], bool]) -> httpx.Response:
    """The first answer `done` accepts (followers need a moment); the last one after 20 s."""
    deadline = time.monotonic() + 20
    while not done(response := send()) and time.monotonic() < deadline:
        time.sleep(0.2)
    return response


@pytest.fixture(scope="module")
def training(stack: Stack) -> AppServer:
    return stack.producing("training")


def _wait_for(engine: sa.Engine, count: str, params: dict[str, Any], expected: int) -> None:
    """Until a follower has stored what `count` counts (it needs a moment); fails after 20 s."""
    deadline = time.monotonic() + 20
    while True:
        with engine.connect() as conn:
            if conn.execute(sa.text(count), params).scalar_one() == expected:
                return
        assert time.monotonic() < deadline, f"not followed within 20 s: {count}"
        time.sleep(0.2)


def test_registered_on_never_moves_after_the_earliest_stage_fact(
    registration: AppServer, training: AppServer, api: httpx.Client, db: sa.Engine
) -> None:
    body = person(f"Nining {word()}")
    participant_id = registered(api, body)
    with client(training) as trainer:
        course = {
            "title": "Kewirausahaan",
            "program": "entrepreneurship",
            "kota_code": HOME,
            "starts_on": "2023-03-01",
            "ends_on": "2023-03-31",
            "capacity": 5,
        }
        class_id = trainer.post("/classes", json=course).json()["class_id"]
        enrol = {"participant_id": participant_id, "enrolled_on": "2023-03-05"}
        enrolled = _until(
            lambda: trainer.post(f"/classes/{class_id}/enrollments", json=enrol),
            lambda r: r.status_code != 422,
        )
        assert enrolled.status_code == 201, enrolled.text
    known = "SELECT COUNT(*) FROM stage_facts WHERE participant_id = :id"
    _wait_for(db, known, {"id": participant_id}, 1)  # registration has followed the enrolment
    path = f"/participants/{participant_id}"
    late = api.patch(path, json={"reason": "tanggal salah", "registered_on": "2023-03-06"})
    assert (late.status_code, late.json()["code"]) == (409, "stage_fact_precedes"), late.text
    assert late.json()["earliest_stage_fact"] == "2023-03-05"
    row = {**body, "registered_on": "2023-04-01"}
    [result] = api.post("/participants/batch", json={"rows": [row], "on_duplicate": "update"}).json()[
        "results"
    ]
    assert (result["status"], result["code"]) == ("invalid", "stage_fact_precedes")
    same_day = api.patch(path, json={"reason": "tanggal salah", "registered_on": "2023-03-05"})
    assert same_day.status_code == 200 and same_day.json()["registered_on"] == "2023-03-05"
    # Training follows the edit: an enrolment before the new registration date is refused there now.
    training_db = sa.create_engine(sync_url(training.env["TRAINING_DATABASE_URL"]))
    try:
        moved = "SELECT COUNT(*) FROM known_participants WHERE participant_id = :id AND registered_on = :on"
        _wait_for(training_db, moved, {"id": participant_id, "on": date(2023, 3, 5)}, 1)
    finally:
        training_db.dispose()
    with client(training) as trainer:
        other = trainer.post("/classes", json={**course, "title": "Lanjutan"}).json()["class_id"]
        early = {"participant_id": participant_id, "enrolled_on": "2023-03-02"}
        refused = trainer.post(f"/classes/{other}/enrollments", json=early)
        assert (refused.status_code, refused.json()["code"]) == (422, "rule_violation"), refused.text
        assert "registration" in refused.json()["detail"]


# --- 4. possible duplicates -----------------------------------------------------------------------------


def pairs(http: httpx.Client) -> list[tuple[str, str]]:
    response = http.get("/participants/possible-duplicates", params={"limit": 500})
    assert response.status_code == 200, response.text
    members = [[p["participant_id"] for p in item["participants"]] for item in response.json()["items"]]
    return [(one, other) for one, other in members]


def dismiss(http: httpx.Client, participant_ids: list[str], reason: str) -> httpx.Response:
    body = {"participant_ids": participant_ids, "reason": reason}
    return http.post("/participants/possible-duplicates/dismiss", json=body)


def test_possible_duplicates_pair_the_same_name_and_birth_date_in_the_area(
    registration: AppServer, api: httpx.Client
) -> None:
    surname = word()
    first = registered(api, person(f"Siti Aminah {surname}"))
    second = registered(api, person(f"SITÍ  aminah {surname}"))  # the same name, spelt otherwise
    registered(api, person(f"Siti Aminah {surname}", birth=date(1991, 9, 5)))  # another birth date
    registered(api, person(f"Siti Aminah Putri {surname}"))  # another name
    elsewhere = registered(api, person(f"Siti Aminah {surname}", ELSEWHERE))
    who = subject()
    with client(registration, officer(who, kota=HOME)) as clerk:
        mine = [pair for pair in pairs(clerk) if first in pair or second in pair or elsewhere in pair]
        assert mine == [(first, second)]  # the one in another kota pairs with nobody here
        item = next(
            i
            for i in clerk.get("/participants/possible-duplicates", params={"limit": 500}).json()["items"]
            if i["participants"][0]["participant_id"] == first
        )
        assert [p["full_name"] for p in item["participants"]] == [
            f"Siti Aminah {surname}",
            f"SITÍ  aminah {surname}",
        ]
        assert all(p["nik_masked"].startswith("*" * 12) for p in item["participants"])
    every = pairs(api)
    assert {(first, second), (first, elsewhere), (second, elsewhere)} <= set(every)
    assert {("list", first), ("list", second)} <= {
        (e["action"], e["participant_id"]) for e in trail(api, who)
    }


def test_a_dismissed_pair_no_longer_lists_and_the_dismissal_is_recorded(
    registration: AppServer, api: httpx.Client
) -> None:
    surname = word()
    first = registered(api, person(f"Ani {surname}"))
    second = registered(api, person(f"ANI {surname}"))
    other = registered(api, person(f"Ina {surname}"))
    elsewhere = registered(api, person(f"Ani {surname}", ELSEWHERE))
    who = subject()
    reason = "dua orang berbeda: dicek dengan KTP asli"
    with client(registration, officer(who, kota=HOME)) as clerk:
        assert (first, second) in pairs(clerk)
        for bad, status, code in (
            ([first, first], 422, "validation_error"),
            ([first], 422, "validation_error"),
            ([first, other], 409, "not_possible_duplicates"),
            ([first, elsewhere], 404, "not_found"),  # outside the area: as if unknown
        ):
            response = dismiss(clerk, bad, reason)
            assert (response.status_code, response.json()["code"]) == (status, code), (bad, response.text)
        unknown = str(uuid4())
        nobody, outside = dismiss(clerk, [first, unknown], reason), dismiss(clerk, [first, elsewhere], reason)
        assert outside.json()["detail"] == nobody.json()["detail"].replace(unknown, elsewhere)
        dismissed = dismiss(clerk, [second, first], reason)
        assert dismissed.status_code == 200, dismissed.text
        assert dismissed.json()["participant_ids"] == sorted([first, second])
        assert (dismissed.json()["dismissed_by"], dismissed.json()["reason"]) == (who, reason)
        assert (first, second) not in pairs(clerk)
    again = dismiss(api, [first, second], "lagi")
    assert again.json() == dismissed.json()  # dismissing again answers the first dismissal
    assert (first, second) not in pairs(api) and (first, elsewhere) in pairs(api)
    entries = [(e["action"], e["participant_id"], e["outcome"], e["detail"]) for e in trail(api, who)]
    assert ("dismiss", first, "done", reason) in entries and ("dismiss", second, "done", reason) in entries
    unknown_answer = f"outside the caller's area (kota {HOME}): answered as unknown"
    assert ("dismiss", elsewhere, "refused", unknown_answer) in entries


# --- 5. names on lists ----------------------------------------------------------------------------------


def test_resolve_names_those_in_the_callers_area_and_leaves_out_the_rest(
    registration: AppServer, api: httpx.Client
) -> None:
    surname = word()
    bodies = [person(f"Lina {surname}"), person(f"Maya {surname}")]
    home = [registered(api, b) for b in bodies]
    elsewhere = registered(api, person(f"Nia {surname}", ELSEWHERE))
    erased = registered(api, person(f"Ola {surname}"))
    assert api.post(f"/participants/{erased}/erase", json={"reason": "permintaan sendiri"}).status_code == 200
    asked = [home[1], str(uuid4()), elsewhere, erased, home[0], home[1]]
    who = subject()
    with client(registration, officer(who, kota=HOME)) as clerk:
        response = clerk.post("/participants/resolve", json={"participant_ids": asked})
        assert response.status_code == 200, response.text
        assert response.json()["items"] == [
            {"participant_id": pid, "full_name": b["full_name"], "nik_masked": "*" * 12 + b["nik"][-4:]}
            for pid, b in ((home[1], bodies[1]), (home[0], bodies[0]))
        ]

        def resolve(count: int) -> httpx.Response:
            ids = [str(uuid4()) for _ in range(count)]
            return clerk.post("/participants/resolve", json={"participant_ids": ids})

        too_many = resolve(501)
        assert (too_many.status_code, too_many.json()["code"]) == (422, "validation_error")
        assert resolve(0).status_code == 422
        assert resolve(500).json() == {"items": []}
    entries = [(e["action"], e["participant_id"], e["outcome"]) for e in trail(api, who)]
    assert entries == [("read", home[1], "done"), ("read", home[0], "done"), ("read", elsewhere, "refused")]


def test_the_openapi_documents_the_new_routes_and_their_refusals(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    paths = spec["paths"]

    def codes(path: str, method: str, status: str) -> set[str]:
        return set(paths[path][method]["responses"][status]["content"]["application/json"]["examples"])

    assert {"not_found"} <= codes("/participants/{participant_id}", "patch", "404")
    assert {"duplicate_nik", "stage_fact_precedes"} <= codes("/participants/{participant_id}", "patch", "409")
    assert "erased" in codes("/participants/{participant_id}", "patch", "410")
    assert "out_of_scope" in codes("/participants/{participant_id}", "patch", "403")
    assert "not_possible_duplicates" in codes("/participants/possible-duplicates/dismiss", "post", "409")
    assert "validation_error" in codes("/participants/resolve", "post", "422")
    assert "rule_violation" in codes("/participants", "get", "422")
    assert len(spec["components"]["schemas"]["ParticipantPatch"]["examples"]) == 3
    assert "q" in {p["name"] for p in paths["/participants"]["get"]["parameters"]}
