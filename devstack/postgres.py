"""A PostgreSQL server (Debian's binaries) on loopback as our foreground child."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import errors, sql

from devstack.packages import find_pg_bindir
from devstack.ports import LOOPBACK
from devstack.process import ChildProcess, ServerError, as_user_argv, is_root, run_checked
from devstack.server import LocalServer

SUPERUSER = "postgres"
# PostgreSQL refuses to run as root; as root we run it as Debian's `postgres` account.
OS_USER = "postgres"

CONFIG = """\
# Written by devstack: a throw-away local server. Durability knobs are off on purpose.
listen_addresses = '127.0.0.1'
unix_socket_directories = ''
max_connections = 200
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
"""


def with_database(url: str, dbname: str) -> str:
    """The same server URL pointing at another database."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{dbname}"))


def libpq_url(url: str) -> str:
    """Drop SQLAlchemy's driver suffix (postgresql+psycopg://) so libpq accepts the URL."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(scheme=parts.scheme.split("+", 1)[0]))


def create_database(server_url: str, name: str) -> str:
    """Create database `name` unless it exists; return its URL. `server_url` may name any database."""
    admin = libpq_url(with_database(server_url, "postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists is None:
            # Someone else may create it at the same moment: that is fine too.
            with contextlib.suppress(errors.DuplicateDatabase):
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return with_database(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    admin = libpq_url(with_database(server_url, "postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


class PostgresServer(LocalServer):
    name = "postgres"

    def __init__(self, port: int, data_dir: Path, *, bindir: Path | None = None) -> None:
        super().__init__(data_dir)
        self.host = LOOPBACK
        self.port = port
        self.bindir = bindir
        self.pgdata = self.data_dir / "pgdata"
        self.log_path = self.data_dir / "postgres.log"
        self.os_user = OS_USER if is_root() else None

    def dsn(self, dbname: str = "postgres") -> str:
        return f"postgresql+psycopg://{SUPERUSER}@{self.host}:{self.port}/{dbname}"

    def create_database(self, name: str) -> str:
        return create_database(self.dsn(), name)

    def drop_database(self, name: str) -> None:
        drop_database(self.dsn(), name)

    def _bin(self, exe: str) -> str:
        bindir = self.bindir or find_pg_bindir()
        if bindir is None:
            raise ServerError("PostgreSQL server binaries not found (apt-get install postgresql)")
        return str(bindir / exe)

    def reachable_by_server_user(self) -> bool:
        """Whether the `postgres` account can enter data_dir (e.g. not below a 0700 home)."""
        if self.os_user is None:
            return True
        self.data_dir.mkdir(parents=True, exist_ok=True)
        probe = as_user_argv(["test", "-x", str(self.data_dir)], self.os_user)
        return subprocess.run(probe, check=False, capture_output=True).returncode == 0

    def prepare(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.reachable_by_server_user():
            raise ServerError(
                f"PostgreSQL runs as '{self.os_user}', which cannot enter {self.data_dir}; "
                "use a data dir under /tmp or make its parent directories world-executable"
            )
        if (self.pgdata / "PG_VERSION").is_file():
            return
        self.pgdata.mkdir(mode=0o700, exist_ok=True)
        if self.os_user is not None:
            # postgres must own its data dir (and nothing above it).
            shutil.chown(self.pgdata, self.os_user, self.os_user)
        run_checked(
            [
                self._bin("initdb"),
                "-D",
                str(self.pgdata),
                "-U",
                SUPERUSER,
                "--auth=trust",  # loopback-only dev server
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            what="initdb",
            user=self.os_user,
            cwd=Path("/"),
            timeout=120,
        )
        conf = self.pgdata / "devstack.conf"
        conf.write_text(CONFIG)
        with (self.pgdata / "postgresql.conf").open("a") as main_conf:
            main_conf.write("\ninclude 'devstack.conf'\n")
        if self.os_user is not None:
            shutil.chown(conf, self.os_user, self.os_user)

    def _make_child(self) -> ChildProcess:
        return ChildProcess(
            self.name,
            [self._bin("postgres"), "-D", str(self.pgdata), "-p", str(self.port)],
            self.log_path,
            cwd=Path("/"),
            env={**os.environ, "LC_ALL": "C"},
            user=self.os_user,
            # SIGINT is PostgreSQL's "fast" shutdown, what `pg_ctl stop -m fast` sends.
            stop_signal=signal.SIGINT,
        )

    def _probe(self) -> bool:
        try:
            with psycopg.connect(libpq_url(self.dsn()), connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False
