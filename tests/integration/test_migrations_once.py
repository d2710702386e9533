"""Migrations once per release: `migrate` takes turns on PostgreSQL, instances never migrate, and a
production instance on a schema behind its code refuses to start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from cryptography.fernet import Fernet
from pydantic import SecretStr
from typer.testing import CliRunner

from devstack import Endpoints
from devstack.ports import free_ports
from devstack.postgres import libpq_url
from devstack.up import PRODUCING
from operator_cli.main import app as cli
from services.permits.app import MIGRATIONS
from services.registration.adapters.name_index import name_index
from services.registration.app import MIGRATIONS as REGISTRATION_MIGRATIONS
from shared.db.engine import sync_url
from shared.db.migrations import lock_key
from shared.personal_data import personal_data_keys
from tests.integration.stack import Stack

HEAD = ScriptDirectory(str(MIGRATIONS)).get_current_head()
MIGRATE = [sys.executable, "-m", "services.permits", "migrate"]
PRODUCTION = {"AUTH_ENVIRONMENT": "production", "AUTH_JWT_SECRET": "p" * 40}


def _database(infra: Endpoints) -> str:
    return infra.create_database(f"m{uuid4().hex[:10]}_permits")


def _versions(url: str) -> list[str]:
    engine = sa.create_engine(sync_url(url))
    with engine.connect() as conn:
        rows = [row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
    engine.dispose()
    return rows


def _summaries(stderr: str) -> list[str]:
    lines = (json.loads(line) for line in stderr.splitlines() if line.startswith("{"))
    return [line["message"] for line in lines if line["logger"] == "shared.service.migrate"]


def test_two_migrate_commands_at_once_on_one_postgres_database_take_turns(infra: Endpoints) -> None:
    url = _database(infra)
    env = {**os.environ, "PERMITS_DATABASE_URL": url}
    with psycopg.connect(libpq_url(url), autocommit=True) as holder:
        # Hold the migration lock so both commands are certainly waiting at once; then let them go.
        holder.execute("SELECT pg_advisory_lock(%s)", (lock_key("permits"),))
        runs = [subprocess.Popen(MIGRATE, env=env, stderr=subprocess.PIPE, text=True) for _ in range(2)]
        waiting_sql = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        deadline = time.monotonic() + 30
        while (waiting := holder.execute(waiting_sql).fetchone()) != (2,):
            assert time.monotonic() < deadline, f"both migrates should wait for the lock, saw {waiting}"
            time.sleep(0.1)
        assert holder.execute("SELECT to_regclass('alembic_version')").fetchone() == (None,)
        holder.execute("SELECT pg_advisory_unlock(%s)", (lock_key("permits"),))
        outputs = [run.communicate(timeout=60)[1] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    summaries = sorted(summary for output in outputs for summary in _summaries(output))
    assert len(summaries) == 2, outputs
    # Serialised: the first ran every migration, the second found the schema already at head.
    assert summaries[0].startswith(f"permits database already at {HEAD};")
    assert summaries[1].startswith(f"permits database migrated from empty to {HEAD};")
    assert _versions(url) == [HEAD]


def test_a_production_instance_on_a_schema_behind_its_code_refuses_to_start(infra: Endpoints) -> None:
    url = _database(infra)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).render_as_string(hide_password=False))
    command.upgrade(config, "0002")
    (port,) = free_ports(1)
    env = {
        **os.environ,
        **PRODUCTION,
        "PERMITS_DATABASE_URL": url,
        "PERMITS_PORT": str(port),
        "KAFKA_BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
    }
    serve = [sys.executable, "-m", "services.permits"]
    refused = subprocess.run(serve, env=env, capture_output=True, text=True, timeout=60, check=False)
    assert refused.returncode != 0
    assert (
        f"the permits database is at revision 0002 but this release needs revision {HEAD}: run "
        "`python -m services.permits migrate`"
    ) in refused.stderr
    assert _versions(url) == ["0002"], "a production instance must not migrate"

    subprocess.run(MIGRATE, env=env, check=True, capture_output=True, timeout=60)
    started = subprocess.Popen(serve, env=env, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert started.poll() is None, "the instance did not start on a migrated schema"
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "not ready after migrate"
            time.sleep(0.2)
    finally:
        started.terminate()
        started.wait(15)


def test_test_stack_instances_start_on_a_database_migrated_before_them(stack: Stack) -> None:
    server = stack.producing("permits", "postgresql")
    assert "PERMITS_MIGRATE_ON_START" not in server.env  # the default: instances do not migrate
    assert _versions(server.env["PERMITS_DATABASE_URL"]) == [HEAD]
    instance_log = (server.data_dir / "permits.log").read_text()
    assert "Running upgrade" not in instance_log, "the instance ran migrations itself"
    assert httpx.get(f"{server.url}/readyz", timeout=5).status_code == 200


def test_jakpreneur_migrate_brings_every_database_to_head_and_refuses_unknown_names(tmp_path: Path) -> None:
    urls = {name: f"sqlite:///{tmp_path / f'{name}.db'}" for name in PRODUCING}
    env = {f"{name.upper()}_DATABASE_URL": url for name, url in urls.items()}
    runner = CliRunner()
    for _ in range(2):  # again: nothing to do, still fine
        result = runner.invoke(cli, ["migrate"], env=env)
        assert result.exit_code == 0, result.output
        assert result.output.splitlines() == [f"{name}: at head" for name in PRODUCING]
    for name, url in urls.items():
        script = ScriptDirectory(str(MIGRATIONS.parents[1] / name / "migrations"))
        assert _versions(url) == [script.get_current_head()], name
    refused = runner.invoke(cli, ["migrate", "permits", "reporting"], env=env)
    assert refused.exit_code == 2
    assert "reporting: not a service with a database" in refused.output


def test_registration_migrate_needs_only_its_database_url_and_personal_data_keys(infra: Endpoints) -> None:
    """Its migrations that protect, index and tag existing names read the PII keys alone, never AUTH_*."""
    url = infra.create_database(f"m{uuid4().hex[:10]}_registration")
    config = Config()
    config.set_main_option("script_location", str(REGISTRATION_MIGRATIONS))
    config.set_main_option("sqlalchemy.url", sync_url(url).render_as_string(hide_password=False))
    command.upgrade(config, "0001")  # a participant from before personal data was protected
    nik, name = "3171014509900001", "Siti Aminah"
    engine = sa.create_engine(sync_url(url))
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO participants (participant_id, nik, full_name, gender, birth_date, disability,"
                " kota_code, kecamatan_code, kelurahan_code, agency, registered_on, created_at) VALUES"
                " (:id, :nik, :name, 'F', '1990-09-05', false, '31.71', '31.71.01', '31.71.01.1001',"
                " 'PPKUKM', '2023-01-10', CURRENT_TIMESTAMP)"
            ),
            {"id": str(uuid4()), "nik": nik, "name": name},
        )
    keys = {
        "REGISTRATION_PII_HASH_KEY": "k" * 40,
        "REGISTRATION_PII_ENCRYPTION_KEY": Fernet.generate_key().decode(),
    }
    # Production, as AUTH_ENVIRONMENT unset means: no token settings, and none needed.
    bare = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "REGISTRATION_", "KAFKA_"))}
    migrate = [sys.executable, "-m", "services.registration", "migrate"]
    without_keys = {**bare, "REGISTRATION_DATABASE_URL": url}
    refused = subprocess.run(
        migrate, env=without_keys, capture_output=True, text=True, timeout=120, check=False
    )
    assert refused.returncode != 0
    assert "REGISTRATION_PII_HASH_KEY and REGISTRATION_PII_ENCRYPTION_KEY are required" in refused.stderr
    done = subprocess.run(
        migrate, env={**without_keys, **keys}, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert _versions(url) == [ScriptDirectory(str(REGISTRATION_MIGRATIONS)).get_current_head()]
    protected = personal_data_keys(
        production=True,
        hash_key=SecretStr(keys["REGISTRATION_PII_HASH_KEY"]),
        encryption_key=SecretStr(keys["REGISTRATION_PII_ENCRYPTION_KEY"]),
        prefix="REGISTRATION_",
    )
    with engine.connect() as conn:
        row = conn.execute(sa.text("SELECT * FROM participants")).mappings().one()
        words = conn.execute(sa.text("SELECT COUNT(*) FROM participant_name_words")).scalar_one()
    engine.dispose()
    # 0002 protected it, 0005 indexed its name and 0007 tagged it, each with the keys given.
    assert row["nik_hmac"] == protected.digest(nik)
    assert protected.decrypt(row["full_name_encrypted"]) == name
    assert row["name_digest"] == name_index(protected).name_digest(name) and words == 2
    assert protected.unseal(row["name_tag_encrypted"], row["participant_id"]) == f"************0001 {name}"
