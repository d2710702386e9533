"""Async engines for a service's own database: SQLite (embedded default) or PostgreSQL."""

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, ExceptionContext, make_url
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ASYNC_DRIVERS = {"sqlite": "sqlite+aiosqlite", "postgresql": "postgresql+psycopg"}
SYNC_DRIVERS = {"sqlite": "sqlite", "postgresql": "postgresql+psycopg"}


def _with_driver(url: str, drivers: dict[str, str]) -> URL:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in drivers:
        raise ValueError(f"unsupported database {backend!r}: use sqlite or postgresql")
    return parsed.set(drivername=drivers[backend])


def sync_url(url: str) -> URL:
    """The same database through a blocking driver, for Alembic."""
    return _with_driver(url, SYNC_DRIVERS)


# SQLite engines and the lock their writers queue on (see one_writer).
_SQLITE_WRITERS: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()
_writing: ContextVar[bool] = ContextVar("sqlite_writing", default=False)


def create_engine(url: str) -> AsyncEngine:
    async_url = _with_driver(url, ASYNC_DRIVERS)
    if async_url.get_backend_name() == "sqlite":
        engine = create_async_engine(async_url, connect_args={"timeout": 30}, hide_parameters=True)
        _tune_sqlite(engine.sync_engine)
        _SQLITE_WRITERS[engine.sync_engine] = asyncio.Lock()
        return engine
    # No pre-ping: it is one more round trip on every checkout (each request, each relay pass). A
    # connection found dead fails its statement once; SQLAlchemy then sees the disconnect and discards
    # every pooled connection opened before it, so one request (or relay pass, which retries) pays for
    # a database restart instead of every request paying all the time.
    return create_async_engine(async_url, pool_size=10, max_overflow=10, hide_parameters=True)


# Database errors end up in logs and tracebacks, so they name what failed, never the values: not the bound
# parameters, nor what PostgreSQL quotes back (a duplicate key's `DETAIL: Key (nik_digest)=(…)`, "Failing
# row contains (…)", `invalid input syntax for type uuid: "…"`). Listened on every engine of the process,
# Alembic's included; hide_parameters above says the same for the engines made here.
@event.listens_for(Engine, "handle_error")
def _without_values(context: ExceptionContext) -> None:
    wrapped = context.sqlalchemy_exception
    if isinstance(wrapped, StatementError):
        wrapped.hide_parameters = True
    original = context.original_exception
    if not isinstance(original, psycopg.Error) or original.sqlstate is None:
        return  # raised by the driver itself, not a message from the server that could quote a value
    quoted, plain = str(original), _value_free(original, original.sqlstate)
    original.args = (plain,)
    if wrapped is not None and wrapped.args and isinstance(wrapped.args[0], str):
        wrapped.args = (wrapped.args[0].replace(quoted, plain, 1), *wrapped.args[1:])


def _value_free(error: psycopg.Error, sqlstate: str) -> str:
    """The primary message (except for data exceptions, class 22, whose messages quote the value) and the
    names of what the error is about; never DETAIL, HINT or CONTEXT."""
    diag = error.diag
    if sqlstate.startswith("22"):
        primary = f"{type(error).__name__}: a value was refused (the message, which quotes it, is left out)"
    else:
        primary = diag.message_primary or type(error).__name__
    named = {"table": diag.table_name, "column": diag.column_name, "constraint": diag.constraint_name}
    about = "".join(f", {kind} {name}" for kind, name in named.items() if name)
    return f"{primary} (SQLSTATE {sqlstate}{about})"


@asynccontextmanager
async def one_writer(engine: AsyncEngine) -> AsyncIterator[None]:
    """Around a write transaction: on SQLite, this process's writers take turns in arrival order.

    SQLite has one writer per file; a second one waits in SQLite's busy handler, which sleeps 1, 2, 5 ...
    up to 100 ms between tries, so under load writes queued there take tens of milliseconds longer than
    the lock was held. Nothing on PostgreSQL, nor when this task already holds the turn (nested use).
    """
    lock = _SQLITE_WRITERS.get(engine.sync_engine)
    if lock is None or _writing.get():
        yield
        return
    async with lock:
        token = _writing.set(True)
        try:
            yield
        finally:
            _writing.reset(token)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: object, _record: object) -> None:
        # WAL lets the outbox relay read while a request writes; foreign keys are off by default.
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
