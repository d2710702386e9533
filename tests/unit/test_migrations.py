"""Migrations run once, under a lock, and a service refuses a schema behind its code (SQLite here; the
PostgreSQL lock is in tests/integration/test_migrations_once.py)."""

import fcntl
import logging
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from pydantic import ValidationError

from services.permits.app import MIGRATIONS
from services.permits.settings import PermitsSettings
from services.registration.settings import RegistrationSettings
from shared.db.migrations import Migrated, SchemaBehind, require_schema_at_head, upgrade_to_head
from shared.service.settings import database_url

SECRET = "s" * 40


def _upgrade_to(url: str, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, revision)


def _version(url: str) -> list[str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        rows = [row[0] for row in conn.execute(sa.text("SELECT version_num FROM alembic_version"))]
    engine.dispose()
    return rows


def test_concurrent_migrates_of_one_sqlite_file_take_turns_and_the_later_finds_head(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'permits.db'}"
    results: list[Migrated] = []

    def migrate() -> None:
        results.append(upgrade_to_head(MIGRATIONS, url, "permits"))

    # Hold the lock ourselves so that both runs are certainly waiting at once, then let them go.
    with open(tmp_path / "permits.db.migrate-lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        runs = [threading.Thread(target=migrate) for _ in range(2)]
        for run in runs:
            run.start()
        time.sleep(0.5)
        assert not results, "a migrate ran while another held the lock"
    for run in runs:
        run.join(60)
    assert len(results) == 2, "a migrate failed"
    first, second = sorted(results, key=lambda r: r.before)
    assert first.before == () and first.after == second.before == second.after
    assert min(r.waited_s for r in results) >= 0.4
    assert _version(url) == list(first.after)


def test_a_schema_behind_the_code_is_refused_with_the_command_that_fixes_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'permits.db'}"
    with pytest.raises(SchemaBehind, match=r"empty database.*`python -m services\.permits migrate`"):
        require_schema_at_head(MIGRATIONS, url, "permits")
    _upgrade_to(url, "0002")
    with pytest.raises(SchemaBehind, match="at revision 0002 but this release needs"):
        require_schema_at_head(MIGRATIONS, url, "permits")
    upgrade_to_head(MIGRATIONS, url, "permits")
    require_schema_at_head(MIGRATIONS, url, "permits")


def test_a_schema_from_a_newer_release_is_accepted_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """During a rolling deploy, old instances (re)start on the schema the new release migrated."""
    url = f"sqlite:///{tmp_path / 'permits.db'}"
    upgrade_to_head(MIGRATIONS, url, "permits")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with caplog.at_level(logging.WARNING):
        require_schema_at_head(MIGRATIONS, url, "permits")
    assert "newer than this release" in caplog.text


def test_migrate_on_start_is_refused_in_production() -> None:
    production = {"environment": "production", "jwt_secret": SECRET}
    with pytest.raises(ValidationError, match="migrate_on_start is for development"):
        PermitsSettings(migrate_on_start=True, auth=production)
    assert not PermitsSettings(auth=production).migrate_on_start
    assert PermitsSettings(migrate_on_start=True).migrate_on_start  # tests run as development


def test_migrate_reads_the_database_url_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production registration needs token and personal-data keys to serve, not to migrate."""
    monkeypatch.setenv("AUTH_ENVIRONMENT", "production")
    monkeypatch.setenv("REGISTRATION_DATABASE_URL", "postgresql://registration@db/registration")
    with pytest.raises(ValidationError):
        RegistrationSettings()
    assert database_url(RegistrationSettings) == "postgresql://registration@db/registration"
    monkeypatch.delenv("REGISTRATION_DATABASE_URL")
    assert database_url(RegistrationSettings) == "sqlite:///.run/registration.db"
