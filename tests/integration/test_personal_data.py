"""Personal data in the registration service (UU 27/2022), over real HTTP on SQLite and PostgreSQL.

The NIK is kept only as a keyed digest and a Fernet token (name, phone and e-mail encrypted too); only an
admin sees a NIK unmasked; a registrar scoped to a kota or agency reads, lists and writes only there; every
read and change of personal data leaves an audit entry naming the account, which only an admin may read.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from devstack.app_server import AppServer
from services.registration.app import MIGRATIONS
from services.registration.settings import RegistrationSettings
from shared.auth import Role
from shared.auth.settings import AuthSettings
from shared.auth.tokens import mint
from shared.db.engine import sync_url
from tests.integration.people import participant
from tests.integration.stack import Stack, client
from tests.tokens import bearer

HOME, ELSEWHERE = "31.71", "31.72"
SERIALS = itertools.count(1)
T = TypeVar("T")
KEYS = RegistrationSettings().personal_data  # the development keys the test services run with


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


def person(kota: str = HOME, agency: str = "PPKUKM", **overrides: Any) -> dict[str, Any]:
    """A valid `POST /participants` body living in `kota`, with a NIK no other test of the module uses."""
    serial = next(SERIALS)
    body = participant(random.Random(serial), serial, date(2023, 1, 10))
    domicile = {"kota_code": kota, "kecamatan_code": f"{kota}.01", "kelurahan_code": f"{kota}.01.1001"}
    return {**body, "domicile": domicile, "agency": agency, **overrides}


def officer(subject: str, *, kota: str | None = None, agency: str | None = None) -> dict[str, str]:
    """A registrar's token for a named account, so audit entries can be told apart."""
    token = mint(AuthSettings(), subject=subject, roles=[Role.REGISTRAR], kota=kota, agency=agency)
    return {"Authorization": f"Bearer {token}"}


def registered(api: httpx.Client, body: dict[str, Any]) -> str:
    response = api.post("/participants", json=body)
    assert response.status_code == 201, response.text
    participant_id: str = response.json()["participant_id"]
    return participant_id


def test_the_database_holds_no_personal_value_in_clear(api: httpx.Client, db: sa.Engine) -> None:
    body = person(email="siti.aminah@example.id")
    participant_id = registered(api, body)
    personal = (body["nik"], body["full_name"], body["phone"], body["email"])
    with db.connect() as conn:
        for table in ("participants", "audit_log", "outbox"):
            for cells_of in conn.execute(sa.text(f"SELECT * FROM {table}")):
                cells = " ".join(str(value) for value in cells_of)
                assert not [value for value in personal if value in cells], table
        row = (
            conn.execute(
                sa.text("SELECT * FROM participants WHERE participant_id = :id"), {"id": participant_id}
            )
            .mappings()
            .one()
        )
    assert not {"nik", "full_name", "phone", "email"} & set(row)
    assert row["nik_hmac"] == KEYS.digest(body["nik"])
    assert KEYS.decrypt(row["nik_encrypted"]) == body["nik"]
    assert KEYS.decrypt(row["email_encrypted"]) == body["email"]


def test_a_registered_nik_is_still_refused_once_more_alone_and_in_a_batch(api: httpx.Client) -> None:
    body = person()
    first = registered(api, body)
    again = api.post("/participants", json={**body, "full_name": "Orang Lain"})
    assert (again.status_code, again.json()["code"]) == (409, "duplicate_nik")
    assert again.json()["participant_id"] == first
    other = person()
    for dry_run, created in ((True, "would_create"), (False, "created")):
        response = api.post("/participants/batch", json={"rows": [body, other, other], "dry_run": dry_run})
        assert response.status_code == 200, response.text
        results = [(r["status"], r.get("code")) for r in response.json()["results"]]
        assert results == [("skipped", "duplicate_nik"), (created, None), ("invalid", "duplicate_in_file")]
        assert response.json()["results"][0]["participant_id"] == first


def test_only_an_admin_sees_the_full_nik(registration: AppServer, api: httpx.Client) -> None:
    body = person()
    participant_id = registered(api, body)
    shown = api.get(f"/participants/{participant_id}").json()
    assert shown["nik"] == body["nik"] and shown["nik_masked"] == "*" * 12 + body["nik"][-4:]
    listed = api.get("/participants", params={"kota_code": HOME, "limit": 500}).json()["items"]
    assert {p["participant_id"]: p["nik"] for p in listed}[participant_id] == body["nik"]
    with client(registration, officer("registrar-1")) as clerk:
        for response in (
            clerk.get(f"/participants/{participant_id}"),
            clerk.get("/participants", params={"kota_code": HOME, "limit": 500}),
        ):
            assert response.status_code == 200 and body["nik"] not in response.text
        shown = clerk.get(f"/participants/{participant_id}").json()
        assert (
            shown["nik"] is None
            and shown["nik_masked"] == api.get(f"/participants/{participant_id}").json()["nik_masked"]
        )


def test_a_registrar_reads_and_lists_only_their_area(registration: AppServer, api: httpx.Client) -> None:
    home = registered(api, person(HOME, "PPKUKM"))
    registered(api, person(ELSEWHERE, "SOSIAL"))
    for scope in ({"kota": ELSEWHERE}, {"agency": "SOSIAL"}):
        with client(registration, officer("registrar-2", **scope)) as clerk:
            refused = clerk.get(f"/participants/{home}")  # answered exactly like an unknown participant
            missing = str(uuid4())
            unknown = clerk.get(f"/participants/{missing}").json()
            assert (refused.status_code, refused.json()["code"]) == (404, "not_found"), refused.text
            assert refused.json() == {**unknown, "detail": unknown["detail"].replace(missing, home)}
            page = clerk.get("/participants", params={"limit": 500})
            assert page.status_code == 200 and page.json()["items"]
            for p in page.json()["items"]:
                assert p["domicile"]["kota_code"] == ELSEWHERE if "kota" in scope else p["agency"] == "SOSIAL"
    with client(registration, officer("registrar-2", kota=ELSEWHERE)) as clerk:
        refused = clerk.get("/participants", params={"kota_code": HOME})
        assert (refused.status_code, refused.json()["code"]) == (403, "out_of_scope")
        assert refused.json()["detail"] == f"kota {HOME} is outside your area (kota {ELSEWHERE})"
        assert clerk.get("/participants", params={"kota_code": ELSEWHERE}).status_code == 200
    with client(registration, officer("registrar-3", kota=HOME)) as clerk:
        assert clerk.get(f"/participants/{home}").status_code == 200


def test_a_registrar_registers_and_imports_only_in_their_area(
    registration: AppServer, api: httpx.Client
) -> None:
    home = person(HOME)
    with client(registration, officer("registrar-4", kota=ELSEWHERE)) as clerk:
        refused = clerk.post("/participants", json=home)
        assert (refused.status_code, refused.json()["code"]) == (403, "out_of_scope"), refused.text
        mine = person(ELSEWHERE)
        results = clerk.post("/participants/batch", json={"rows": [home, mine]}).json()["results"]
        assert [(r["status"], r.get("code")) for r in results] == [
            ("invalid", "out_of_scope"),
            ("created", None),
        ]
        assert "outside your area" in results[0]["detail"]
    # Updating from a batch: the participant registered at HOME may not be restated by an officer elsewhere,
    # not even to move them into the officer's kota.
    home_id = registered(api, home)
    moved = {**home, "domicile": mine["domicile"]}
    with client(registration, officer("registrar-4", kota=ELSEWHERE)) as clerk:
        answer = clerk.post("/participants/batch", json={"rows": [moved], "on_duplicate": "update"})
        assert answer.json()["results"] == [
            {"index": 0, "status": "invalid", "code": "duplicate_nik", "detail": "NIK is already registered"}
        ]
    assert api.get(f"/participants/{home_id}").json()["domicile"]["kota_code"] == HOME


def test_every_read_and_change_is_audited_with_the_callers_account(
    registration: AppServer, api: httpx.Client
) -> None:
    subject = f"registrar-{uuid4().hex[:8]}"
    body = person(HOME)
    with client(registration, officer(subject, kota=HOME)) as clerk:
        participant_id = registered(clerk, body)
        assert clerk.get(f"/participants/{participant_id}").status_code == 200
        page = clerk.get("/participants", params={"limit": 3}).json()["items"]
        listed = [p["participant_id"] for p in page]
        newcomer, restated = person(HOME), {**body, "phone": "081299990000"}
        rows = {"rows": [restated, newcomer], "on_duplicate": "update"}
        assert clerk.post("/participants/batch", json={**rows, "dry_run": True}).status_code == 200
        results = clerk.post("/participants/batch", json=rows).json()["results"]
        assert [r["status"] for r in results] == ["updated", "created"]
    trail = api.get("/audit", params={"subject": subject, "limit": 500})
    assert trail.status_code == 200, trail.text
    entries = trail.json()["items"]
    assert {e["subject"] for e in entries} == {subject}
    assert all(datetime.fromisoformat(e["recorded_at"]).tzinfo is not None for e in entries)
    assert [(e["action"], e["participant_id"]) for e in entries] == [
        ("register", participant_id),
        ("read", participant_id),
        *[("list", listed_id) for listed_id in listed],
        ("lookup", participant_id),  # the dry run: the restated row's NIK was found ...
        ("lookup", None),  # ... the newcomer's matched nobody
        ("import", results[1]["participant_id"]),
        ("update", participant_id),
    ]
    assert [e["outcome"] for e in entries if e["action"] == "lookup"] == ["found", "not_found"]
    one_request = {e["correlation_id"] for e in entries if e["action"] == "list"}
    assert len(one_request) == 1 and None not in one_request
    who_saw = api.get("/audit", params={"participant_id": participant_id}).json()["items"]
    assert {(e["subject"], e["action"]) for e in who_saw} >= {(subject, "register"), (subject, "read")}
    assert all(e["participant_id"] == participant_id for e in who_saw)


def test_the_audit_trail_pages_with_a_cursor(api: httpx.Client) -> None:
    participant_id = registered(api, person())
    for _ in range(4):
        api.get(f"/participants/{participant_id}")
    everything = api.get("/audit", params={"participant_id": participant_id}).json()["items"]
    seen, cursor = [], None
    while True:
        params: dict[str, str | int] = {"participant_id": participant_id, "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = api.get("/audit", params=params).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == everything and len(everything) == 5
    assert api.get("/audit", params={"cursor": "garbage"}).status_code == 422


def test_the_audit_trail_is_for_admins_only(registration: AppServer) -> None:
    for headers, status, code in (
        ({}, 401, "unauthorized"),
        (bearer(Role.REGISTRAR), 403, "forbidden"),
        (bearer(Role.REGISTRAR, kota=HOME), 403, "forbidden"),
        (bearer(Role.ANALYST), 403, "forbidden"),
    ):
        with client(registration, headers) as http:
            response = http.get("/audit")
        assert (response.status_code, response.json()["code"]) == (status, code)


def test_the_openapi_documents_the_refusals_of_a_participant_read(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    read = spec["paths"]["/participants/{participant_id}"]["get"]["responses"]
    assert "not_found" in read["404"]["content"]["application/json"]["examples"]
    assert "erased" in read["410"]["content"]["application/json"]["examples"]
    assert "out_of_scope" not in json.dumps(read)  # another area's participant is answered as unknown
    for path, code in (("/participants/lookup", "404"), ("/participants/{participant_id}/erase", "410")):
        assert spec["paths"][path]["post"]["responses"][code]["content"]["application/json"]["examples"]
    erase = spec["paths"]["/participants/{participant_id}/erase"]["post"]
    assert "admin" in erase["description"] and "403" in erase["responses"]
    listing = spec["paths"]["/participants"]["get"]["responses"]
    assert "out_of_scope" in listing["403"]["content"]["application/json"]["examples"]
    assert "admin" in spec["components"]["schemas"]["ParticipantOut"]["properties"]["nik"]["description"]


def test_migration_0002_protects_participants_registered_before_it(
    backend: str, stack: Stack, tmp_path: Path
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'before-0002.db'}"
    else:
        url = stack.infra.create_database(f"{stack.name}_before_0002_{uuid4().hex[:6]}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).render_as_string(hide_password=False))
    command.upgrade(config, "0001")
    clear = [person(email="lama@example.id"), person(phone=None)]
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO participants (participant_id, nik, full_name, gender, birth_date, phone,"
                    " email, disability, kota_code, kecamatan_code, kelurahan_code, agency, registered_on,"
                    " created_at)"
                    " VALUES (:id, :nik, :full_name, :gender, :birth_date, :phone, :email, false, '31.71',"
                    " '31.71.01', '31.71.01.1001', 'PPKUKM', :registered_on, CURRENT_TIMESTAMP)"
                ),
                [
                    {
                        "id": str(uuid4()),
                        **{k: b.get(k) for k in ("nik", "full_name", "gender", "phone", "email")},
                        "birth_date": date.fromisoformat(b["birth_date"]),
                        "registered_on": date.fromisoformat(b["registered_on"]),
                    }
                    for b in clear
                ],
            )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT * FROM participants ORDER BY seq")).mappings().all()
        for body, row in zip(clear, rows, strict=True):
            assert "nik" not in row and body["nik"] not in " ".join(str(v) for v in row.values())
            assert row["nik_hmac"] == KEYS.digest(body["nik"])
            assert KEYS.decrypt(row["nik_encrypted"]) == body["nik"]
            assert KEYS.decrypt(row["full_name_encrypted"]) == body["full_name"]
            assert KEYS.decrypt_optional(row["phone_encrypted"]) == body.get("phone")
            assert KEYS.decrypt_optional(row["email_encrypted"]) == body.get("email")
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:  # one registration per NIK
            conn.execute(
                sa.text("UPDATE participants SET nik_hmac = :digest WHERE seq = :seq"),
                {"digest": rows[0]["nik_hmac"], "seq": rows[1]["seq"]},
            )
        command.downgrade(config, "0001")  # and back: the clear values return intact
        with engine.connect() as conn:
            back = conn.execute(sa.text("SELECT nik, full_name FROM participants ORDER BY seq")).all()
        assert [tuple(r) for r in back] == [(b["nik"], b["full_name"]) for b in clear]
    finally:
        engine.dispose()


def trail(api: httpx.Client, subject: str) -> list[tuple[str, str | None, str]]:
    entries = api.get("/audit", params={"subject": subject, "limit": 500}).json()["items"]
    return [(e["action"], e["participant_id"], e["outcome"]) for e in entries]


def test_a_nik_registered_outside_the_callers_area_is_only_taken(
    registration: AppServer, api: httpx.Client
) -> None:
    body = person(HOME)
    home = registered(api, body)
    mine = {**body, "domicile": person(ELSEWHERE)["domicile"]}  # the same NIK, in the officer's kota
    subject = f"registrar-{uuid4().hex[:8]}"
    with client(registration, officer(subject, kota=ELSEWHERE)) as clerk:
        again = clerk.post("/participants", json=mine)
        assert again.status_code == 409 and again.json() == {
            "detail": "NIK is already registered",
            "code": "duplicate_nik",
        }
        answers = [
            clerk.post("/participants/batch", json={"rows": [mine], "on_duplicate": mode, "dry_run": dry_run})
            for mode in ("skip", "update")
            for dry_run in (True, False)
        ]
    rows = [answer.json()["results"] for answer in answers]
    for results, status in zip(rows, ["skipped", "skipped", "invalid", "invalid"], strict=True):
        assert results == [
            {"index": 0, "status": status, "code": "duplicate_nik", "detail": "NIK is already registered"}
        ]
    assert api.get(f"/participants/{home}").json()["domicile"]["kota_code"] == HOME  # not restated
    # Every lookup is audited, naming the participant the officer was not told of.
    assert trail(api, subject) == [
        ("lookup", home, "taken"),
        ("lookup", home, "taken"),
        ("lookup", home, "taken"),
        ("update", home, "refused"),
        ("update", home, "refused"),
    ]
    with client(registration, officer(subject, kota=HOME)) as clerk:  # inside the area: named
        named = clerk.post("/participants", json=body).json()
        assert named["participant_id"] == home and home in named["detail"]
        [row] = clerk.post("/participants/batch", json={"rows": [body], "dry_run": True}).json()["results"]
        assert row["participant_id"] == home
    assert trail(api, subject)[-2:] == [("lookup", home, "found"), ("lookup", home, "found")]


def test_a_lookup_by_nik_shows_a_participant_of_the_callers_area_only(
    registration: AppServer, api: httpx.Client
) -> None:
    body = person(HOME)
    home = registered(api, body)
    nobody = person(HOME)["nik"]
    subject = f"registrar-{uuid4().hex[:8]}"
    with client(registration, officer(subject, kota=HOME)) as clerk:
        found = clerk.post("/participants/lookup", json={"nik": body["nik"]})
        assert found.status_code == 200 and found.json()["participant_id"] == home
        assert found.json()["nik"] is None and found.json()["nik_masked"] == "*" * 12 + body["nik"][-4:]
        assert found.json()["full_name"] == body["full_name"]
    with client(registration, officer(subject, kota=ELSEWHERE)) as clerk:
        outside = clerk.post("/participants/lookup", json={"nik": body["nik"]})
        unknown = clerk.post("/participants/lookup", json={"nik": nobody})
    assert outside.status_code == 404 and outside.json() == unknown.json()
    assert outside.json()["code"] == "not_found" and body["nik"] not in outside.text
    assert trail(api, subject) == [
        ("lookup", home, "found"),
        ("lookup", home, "refused"),
        ("lookup", None, "not_found"),
    ]


def test_refused_attempts_outside_the_callers_area_are_audited(
    registration: AppServer, api: httpx.Client
) -> None:
    home = registered(api, person(HOME))
    subject = f"registrar-{uuid4().hex[:8]}"
    with client(registration, officer(subject, kota=ELSEWHERE)) as clerk:
        assert clerk.post("/participants", json=person(HOME)).status_code == 403
        assert clerk.get(f"/participants/{home}").status_code == 404
        assert clerk.get("/participants", params={"kota_code": HOME}).status_code == 403
        [row] = clerk.post("/participants/batch", json={"rows": [person(HOME)]}).json()["results"]
        assert row["code"] == "out_of_scope"
    entries = api.get("/audit", params={"subject": subject}).json()["items"]
    assert [(e["action"], e["participant_id"], e["outcome"]) for e in entries] == [
        ("register", None, "refused"),
        ("read", home, "refused"),
        ("list", None, "refused"),
        ("import", None, "refused"),
    ]
    assert all(e["detail"] and "outside" in e["detail"] and e["recorded_at"] for e in entries)
    assert entries[2]["detail"] == f"kota {HOME} is outside your area (kota {ELSEWHERE})"


def test_the_audit_log_can_be_neither_changed_nor_deleted(api: httpx.Client, db: sa.Engine) -> None:
    registered(api, person())
    for statement in (
        "UPDATE audit_log SET subject = 'someone-else'",
        "DELETE FROM audit_log",
        "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_log)",
    ):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.begin() as conn:
            conn.execute(sa.text(statement))
    with db.connect() as conn:
        assert (
            conn.execute(sa.text("SELECT COUNT(*) FROM audit_log WHERE subject = 'someone-else'")).scalar()
            == 0
        )
        assert conn.execute(sa.text("SELECT COUNT(*) FROM audit_log")).scalar()


PERSONAL = ("nik", "full_name", "phone", "email", "birth_date")


def test_an_erased_participant_leaves_nothing_readable_and_the_nik_registers_anew(
    registration: AppServer, api: httpx.Client, db: sa.Engine
) -> None:
    body = person(email="rahasia.sekali@example.id", business={"name": "Warung Rahasia", "sector": "kuliner"})
    participant_id = registered(api, body)
    with client(registration, officer("registrar-erase", kota=HOME)) as clerk:
        refused = clerk.post(f"/participants/{participant_id}/erase", json={"reason": "permintaan"})
        assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    with db.connect() as conn:
        outbox_before = conn.execute(sa.text("SELECT COUNT(*) FROM outbox")).scalar()
    reason = "permintaan penghapusan, surat 12/2024"
    erased = api.post(f"/participants/{participant_id}/erase", json={"reason": reason})
    assert erased.status_code == 200, erased.text
    assert erased.json()["participant_id"] == participant_id
    for answer in (
        api.get(f"/participants/{participant_id}"),
        api.post(f"/participants/{participant_id}/erase", json={"reason": reason}),
    ):
        assert (answer.status_code, answer.json()["code"]) == (410, "erased"), answer.text
    assert api.post("/participants/lookup", json={"nik": body["nik"]}).status_code == 404
    listed = api.get("/participants", params={"kota_code": HOME, "limit": 500}).json()["items"]
    assert participant_id not in {p["participant_id"] for p in listed}
    with db.connect() as conn:
        row = (
            conn.execute(
                sa.text("SELECT * FROM participants WHERE participant_id = :id"), {"id": participant_id}
            )
            .mappings()
            .one()
        )
        cleared = ("nik_hmac", "nik_encrypted", "full_name_encrypted", "phone_encrypted", "email_encrypted")
        assert {column: row[column] for column in (*cleared, "birth_date", "business_name")} == dict.fromkeys(
            (*cleared, "birth_date", "business_name")
        )
        assert row["erased_at"] is not None and row["kota_code"] == HOME  # the pseudonymous rest stays
        assert conn.execute(sa.text("SELECT COUNT(*) FROM outbox")).scalar() == outbox_before  # no event
        every_cell = " ".join(
            str(value)
            for table in ("participants", "audit_log")
            for cells in conn.execute(
                sa.text(f"SELECT * FROM {table} WHERE participant_id = :id"), {"id": participant_id}
            )
            for value in cells
        )
    secrets = [
        body["nik"],
        body["full_name"],
        body["phone"],
        body["email"],
        body["birth_date"],
        "Warung Rahasia",
    ]
    assert not [value for value in secrets if value in every_cell]
    [entry] = [
        e
        for e in api.get("/audit", params={"participant_id": participant_id}).json()["items"]
        if e["action"] == "erase"
    ]
    assert (entry["subject"], entry["detail"], entry["outcome"]) == ("test-officer", reason, "done")
    again = api.post("/participants", json=body)  # the NIK is free: a new participant
    assert again.status_code == 201, again.text
    assert again.json()["participant_id"] != participant_id


def test_erasing_another_areas_participant_is_answered_as_unknown(
    registration: AppServer, api: httpx.Client
) -> None:
    home = registered(api, person(HOME))
    with client(registration, bearer(Role.ADMIN, kota=ELSEWHERE)) as scoped_admin:
        refused = scoped_admin.post(f"/participants/{home}/erase", json={"reason": "salah wilayah"})
    assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
    assert api.get(f"/participants/{home}").status_code == 200


@pytest.fixture(scope="module")
def reporting(stack: Stack, registration: AppServer) -> AppServer:
    server: AppServer = stack.reporting()
    return server


def test_erasure_leaves_every_figure_as_it_was(backend: str, api: httpx.Client, reporting: AppServer) -> None:
    day = "2021-03-03" if backend == "sqlite" else "2021-03-04"  # a day of this test alone per backend
    bodies = [person(HOME, registered_on=day), person(HOME, registered_on=day)]
    ids = [registered(api, body) for body in bodies]
    params = {"from": day, "to": day}
    with client(reporting) as figures:

        def counted() -> tuple[int, list[dict[str, Any]]]:
            summary = figures.get("/metrics/summary", params=params).json()
            rows = figures.get(
                "/metrics/breakdown", params={**params, "metric": "registered", "by": "gender"}
            )
            return summary["registered"], rows.json()["rows"]

        before = wait_until(counted, lambda seen: seen[0] == len(bodies))
        assert api.post(f"/participants/{ids[0]}/erase", json={"reason": "permintaan"}).status_code == 200
        marker = person(HOME, registered_on=day)  # consumed after anything the erasure might have sent
        registered(api, marker)
        after = wait_until(counted, lambda seen: seen[0] == len(bodies) + 1)
        again = registered(api, {**bodies[0], "registered_on": "2021-03-05"})  # the freed NIK: a new one
    assert again not in ids
    assert after[0] == before[0] + 1 and sum(row["value"] for row in after[1]) == before[0] + 1
    genders = {row["key"]: row["value"] for row in after[1]}
    assert (
        genders[marker["gender"]]
        == {row["key"]: row["value"] for row in before[1]}.get(marker["gender"], 0) + 1
    )


def wait_until(read: Callable[[], T], done: Callable[[T], bool], timeout_s: float = 30.0) -> T:
    """What `read` returns once `done` holds (reporting applies events within a second)."""
    began = time.monotonic()
    while True:
        seen = read()
        if done(seen) or time.monotonic() - began > timeout_s:
            assert done(seen), seen
            return seen
        time.sleep(0.1)
