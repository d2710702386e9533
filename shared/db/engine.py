"""Async engines for a service's own database: SQLite (embedded default) or PostgreSQL."""

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


def create_engine(url: str) -> AsyncEngine:
    async_url = _with_driver(url, ASYNC_DRIVERS)
    if async_url.get_backend_name() == "sqlite":
        engine = create_async_engine(async_url, connect_args={"timeout": 30})
        _tune_sqlite(engine.sync_engine)
        return engine
    return create_async_engine(async_url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: object, _record: object) -> None:
        # WAL lets the outbox relay read while a request writes; foreign keys are off by default.
        cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
