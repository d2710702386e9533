"""Who may publish a service's outbox: on PostgreSQL, the one instance holding an advisory-lock lease.

Several instances of a service share one database. If each relay published whatever it found, one could
send a participant's later row while another still held the earlier one (a void overtaking its fact).
So each relay asks for a session-level `pg_try_advisory_lock` on a dedicated connection; the one that
gets it publishes, the others poll and take over when it frees.

The lease connection is also the only one rows are read and marked on: if it breaks, the session ends,
the lock is free for another instance, and this relay has nothing more to send (it stops at once and
asks for the lease again). A killed process's socket closes, so its session ends at once; a host that
vanishes is found out by the server's TCP keepalives, set short on this session.

SQLite needs no lease: it is the embedded development database, one process per file, whose writers
are serialised anyway (see `one_writer`), so its single relay always publishes.
"""

import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator
from typing import Protocol

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.outbox.metrics import OUTBOX_RELAY_LEASE

log = logging.getLogger(__name__)

# A dead peer is noticed after idle + interval * count seconds (11 s), then its lock frees.
_KEEPALIVES = {"tcp_keepalives_idle": 5, "tcp_keepalives_interval": 2, "tcp_keepalives_count": 3}


class Lease(Protocol):
    """`publishing()` yields the connection to read and mark rows on, or None while another has it."""

    @property
    def held(self) -> bool: ...

    def publishing(self) -> contextlib.AbstractAsyncContextManager[AsyncConnection | None]: ...

    async def release(self) -> None: ...


def lease_for(engine: AsyncEngine, *, service: str, table: str) -> Lease:
    if engine.dialect.name == "postgresql":
        return AdvisoryLease(engine, service=service, table=table)
    return SoleRelay(engine, service=service)


def lease_key(service: str, table: str) -> int:
    """A stable signed 64-bit advisory-lock key per service and outbox table (the same in every process,
    unlike Python's salted hash())."""
    digest = hashlib.sha256(f"jakpreneur-outbox-relay:{service}:{table}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class SoleRelay:
    """SQLite: the one relay of the one process; a pooled connection per pass."""

    held = True

    def __init__(self, engine: AsyncEngine, *, service: str) -> None:
        self._engine = engine
        OUTBOX_RELAY_LEASE.labels(service).set(1)

    @contextlib.asynccontextmanager
    async def publishing(self) -> AsyncIterator[AsyncConnection | None]:
        async with self._engine.connect() as conn:
            yield conn

    async def release(self) -> None:
        """Nothing to let go."""


class AdvisoryLease:
    """PostgreSQL: a session-level advisory lock held on a connection kept out of the pool."""

    def __init__(self, engine: AsyncEngine, *, service: str, table: str) -> None:
        self._engine = engine
        self._service = service
        self.key = lease_key(service, table)
        self._conn: AsyncConnection | None = None
        OUTBOX_RELAY_LEASE.labels(service).set(0)

    @property
    def held(self) -> bool:
        return self._conn is not None

    @contextlib.asynccontextmanager
    async def publishing(self) -> AsyncIterator[AsyncConnection | None]:
        conn = self._conn or await self._take()
        try:
            yield conn
        except (SQLAlchemyError, TimeoutError):
            # The lease connection may be gone, and the lock with it: never publish on a doubt.
            await self.release()
            raise

    async def _take(self) -> AsyncConnection | None:
        conn = await self._engine.connect()
        try:
            async with conn.begin():
                taken = (
                    await conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
                ).scalar_one()
                if taken:
                    for name, value in _KEEPALIVES.items():
                        await conn.execute(text(f"SET {name} = {value}"))
        except BaseException:
            await _discard(conn)
            raise
        if not taken:
            await conn.close()  # holds no lock: back to the pool
            return None
        self._conn = conn
        OUTBOX_RELAY_LEASE.labels(self._service).set(1)
        log.info("outbox relay lease taken: this instance publishes %s's events", self._service)
        return conn

    async def release(self) -> None:
        """Let the lease go. The connection is closed outright: back in the pool its session would keep
        the lock (the pool's reset on return is only a rollback)."""
        conn, self._conn = self._conn, None
        if conn is None:
            return
        OUTBOX_RELAY_LEASE.labels(self._service).set(0)
        await _discard(conn)
        log.info("outbox relay lease let go by this instance")


async def _discard(conn: AsyncConnection) -> None:
    with contextlib.suppress(Exception):
        await conn.invalidate()
    with contextlib.suppress(Exception):
        await conn.close()
