"""The name tag a resolve shows (the masked NIK and the name, one encrypted token), on SQLite and PostgreSQL.

It must say what the participant's record says after every edit, hold nothing in clear, go with an erasure,
and be made by migration 0007 for the participants registered before it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from devstack.app_server import AppServer
from services.registration.app import MIGRATIONS
from shared.db.engine import sync_url
from tests.integration.stack import Stack, client
from tests.integration.test_registration_officers import (
    HOME,
    KEYS,
    officer,
    person,
    registered,
    subject,
    word,
)


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


def stored_tag(db: sa.Engine, participant_id: str) -> str | None:
    with db.connect() as conn:
        tag: str | None = conn.execute(
            sa.text("SELECT name_tag_encrypted FROM participants WHERE participant_id = :id"),
            {"id": participant_id},
        ).scalar_one()
    return tag


def test_the_name_tag_follows_every_edit_holds_nothing_in_clear_and_goes_with_an_erasure(
    registration: AppServer, api: httpx.Client, db: sa.Engine
) -> None:
    body = person(f"Sari {word()}")
    participant_id = registered(api, body)
    token = stored_tag(db, participant_id)
    assert token is not None
    assert "*" not in token and body["full_name"] not in token  # neither the masked NIK nor the name in clear
    assert KEYS.unseal(token, participant_id) == f"{'*' * 12}{body['nik'][-4:]} {body['full_name']}"

    fresh = person("x")["nik"]
    renamed = f"Sari Dewi {word()}"
    with client(registration, officer(subject(), kota=HOME)) as clerk:
        edit = {"reason": "salah ketik", "nik": fresh, "full_name": renamed}
        assert clerk.patch(f"/participants/{participant_id}", json=edit).status_code == 200
        resolved = clerk.post("/participants/resolve", json={"participant_ids": [participant_id]})
        assert resolved.json()["items"] == [
            {"participant_id": participant_id, "full_name": renamed, "nik_masked": "*" * 12 + fresh[-4:]}
        ]
        assert (
            api.post(f"/participants/{participant_id}/erase", json={"reason": "permintaan"}).status_code
            == 200
        )
        assert stored_tag(db, participant_id) is None
        gone = clerk.post("/participants/resolve", json={"participant_ids": [participant_id]})
        assert gone.json() == {"items": []}


def test_migration_0007_tags_the_participants_registered_before_it(
    backend: str, stack: Stack, tmp_path: Path
) -> None:
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'before-0007.db'}"
    else:
        url = stack.infra.create_database(f"{stack.name}_before_0007_{uuid4().hex[:6]}")
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).render_as_string(hide_password=False))
    command.upgrade(config, "0006")
    people = [person("Sití Aminah"), person("BUDI SANTOSO"), None]  # the last one erased: nothing to tag
    engine = sa.create_engine(sync_url(url))
    try:
        with engine.begin() as conn:
            for body in people:
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
                        "hmac": KEYS.digest(body["nik"]) if body else None,
                        "nik": KEYS.encrypt(body["nik"]) if body else None,
                        "name": KEYS.encrypt(body["full_name"]) if body else None,
                        "birth": date(1990, 9, 5) if body else None,
                        "erased": None if body else datetime(2024, 1, 1, tzinfo=UTC),
                    },
                )
        command.upgrade(config, "head")
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT participant_id, name_tag_encrypted FROM participants ORDER BY seq")
            )
            tags = [None if tag is None else KEYS.unseal(tag, participant_id) for participant_id, tag in rows]
        assert tags == [
            f"{'*' * 12}{body['nik'][-4:]} {body['full_name']}" if body else None for body in people
        ]
        command.downgrade(config, "0006")
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("participants")}
        assert "name_tag_encrypted" not in columns
    finally:
        engine.dispose()


def test_an_edit_by_the_previous_release_leaves_no_stale_tag_and_resolve_reads_the_name(
    registration: AppServer, api: httpx.Client, db: sa.Engine
) -> None:
    """During a rolling deploy the previous release's instances edit names and NIKs without the tag."""
    body = person(f"Rina {word()}")
    participant_id = registered(api, body)
    renamed, fresh = f"Rina Kartika {word()}", person("x")["nik"]
    with db.begin() as conn:
        conn.execute(
            sa.text(
                "UPDATE participants SET full_name_encrypted = :name, nik_encrypted = :nik, nik_hmac = :hmac"
                " WHERE participant_id = :id"
            ),
            {
                "name": KEYS.encrypt(renamed),
                "nik": KEYS.encrypt(fresh),
                "hmac": KEYS.digest(fresh),
                "id": participant_id,
            },
        )
    assert stored_tag(db, participant_id) is None  # cleared by migration 0007's trigger
    with client(registration, officer(subject(), kota=HOME)) as clerk:
        resolved = clerk.post("/participants/resolve", json={"participant_ids": [participant_id]})
    assert resolved.json()["items"] == [
        {"participant_id": participant_id, "full_name": renamed, "nik_masked": "*" * 12 + fresh[-4:]}
    ]
    with db.begin() as conn:  # this release's edits write a fresh tag: the trigger leaves it
        conn.execute(
            sa.text(
                "UPDATE participants SET full_name_encrypted = :name, name_tag_encrypted = :tag"
                " WHERE participant_id = :id"
            ),
            {
                "name": KEYS.encrypt("Rina"),
                "tag": KEYS.seal("************0001 Rina", participant_id),
                "id": participant_id,
            },
        )
    assert stored_tag(db, participant_id) is not None
