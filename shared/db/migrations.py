"""Alembic, driven from code: each service keeps its scripts; this runs them once per release (under a
lock), serves their env.py, and tells a starting service whether its schema is the one its code needs."""

import fcntl
import hashlib
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, MetaData, create_engine, pool, text

from shared.db.engine import sync_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migrated:
    before: tuple[str, ...]  # the revisions found; () on an empty database
    after: tuple[str, ...]
    waited_s: float  # for the migration lock, i.e. while another migrate of this service ran


class SchemaBehind(RuntimeError):
    """The database lacks migrations this code needs: the service's `migrate` has not run yet."""


def upgrade_to_head(script_location: Path, database_url: str, service: str) -> Migrated:
    """Upgrade to the scripts' head. Concurrent runs for one service take turns, so the later ones find the
    schema at head and do nothing (instances, jobs and developers may all start one at the same moment)."""
    config = _config(script_location, database_url)
    engine = _engine(database_url)
    try:
        with (
            engine.connect() as connection,
            _migration_lock(connection, service) as waited_s,
            connection.begin(),  # one transaction: Alembic joins it rather than opening its own
        ):
            before = _current(connection)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            after = _current(connection)
    finally:
        engine.dispose()
    return Migrated(before, after, waited_s)


def require_schema_at_head(script_location: Path, database_url: str, service: str) -> None:
    """Raise SchemaBehind unless the database has every migration of this release.

    A database at a revision these scripts do not know was migrated by a newer release: this (older)
    instance still starts, as during a rolling deploy, which is why migrations only ever add.
    """
    scripts = ScriptDirectory.from_config(_config(script_location, database_url))
    heads = tuple(sorted(scripts.get_heads()))
    engine = _engine(database_url)
    try:
        with engine.connect() as connection:
            current = _current(connection)
    finally:
        engine.dispose()
    if current == heads:
        return
    known = {script.revision for script in scripts.walk_revisions()}
    if set(current) - known:
        log.warning(
            "%s database is at %s, newer than this release (%s): starting anyway",
            service,
            _named(current),
            _named(heads),
        )
        return
    raise SchemaBehind(
        f"the {service} database is at {_named(current)} but this release needs {_named(heads)}: run "
        f"`python -m services.{service} migrate` (or `jakpreneur migrate {service}`) before starting it"
    )


def run_env(metadata: MetaData) -> None:
    """Body of every service's migrations/env.py (online mode only: migrations always run on a live DB).

    Runs on the connection upgrade_to_head holds its lock on; on a fresh one for Alembic's own commands
    (shared.db.revision's autogenerate)."""
    given = context.config.attributes.get("connection")
    if given is not None:
        _run_migrations(given, metadata)
        return
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run_migrations(connection, metadata)
    engine.dispose()


def _run_migrations(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


@contextmanager
def _migration_lock(connection: Connection, service: str) -> Iterator[float]:
    """Held until the connection closes (NullPool: really closed, even when the migrate process dies);
    yields the seconds spent waiting for it.

    PostgreSQL: a session advisory lock keyed by the service. SQLite: an exclusive lock on a file beside the
    database, SQLite's own kind of lock: without it two migrates of one file both read "no revision" and the
    second fails on tables the first created. An in-memory database has no second user.
    """
    began = time.monotonic()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": lock_key(service)})
        connection.commit()  # the lock belongs to the session, not to this transaction
        yield time.monotonic() - began
        return
    database = connection.engine.url.database
    if not database or database == ":memory:":
        yield 0.0
        return
    with open(f"{database}.migrate-lock", "w") as lock_file:  # closing it releases the lock
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        yield time.monotonic() - began


def lock_key(service: str) -> int:
    """A stable signed 64-bit advisory lock key, apart from any other lock the services take."""
    digest = hashlib.blake2b(f"jakpreneur.migrate.{service}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _config(script_location: Path, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", sync_url(database_url).render_as_string(hide_password=False))
    return config


def _engine(database_url: str) -> Engine:
    return create_engine(sync_url(database_url), poolclass=pool.NullPool)


def _current(connection: Connection) -> tuple[str, ...]:
    return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))


def _named(revisions: tuple[str, ...]) -> str:
    return "revision " + ", ".join(revisions) if revisions else "no revision (an empty database)"
