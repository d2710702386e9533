"""Async engines for a service's own database: SQLite (embedded default) or PostgreSQL."""

import asyncio
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar

from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
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
        engine = create_async_engine(async_url, connect_args={"timeout": 30})
        _tune_sqlite(engine.sync_engine)
        _SQLITE_WRITERS[engine.sync_engine] = asyncio.Lock()
        return engine
    # No pre-ping: it is one more round trip on every checkout (each request, each relay pass). A
    # connection found dead fails its statement once; SQLAlchemy then sees the disconnect and discards
    # every pooled connection opened before it, so one request (or relay pass, which retries) pays for
    # a database restart instead of every request paying all the time.
    return create_async_engine(async_url, pool_size=10, max_overflow=10)


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
