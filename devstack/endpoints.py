"""Where the infrastructure is, whoever started it (LocalInfra, CI services, a developer's own servers).

Endpoints know the LocalInfra they may come from, never the other way round (no import cycle).
"""

from __future__ import annotations

from dataclasses import dataclass

from devstack.infra import LocalInfra
from devstack.postgres import create_database, drop_database, with_database


@dataclass(frozen=True)
class Endpoints:
    kafka_bootstrap: str  # "127.0.0.1:9092"
    redis_url: str  # "redis://127.0.0.1:6379/0"
    postgres_url: str  # SQLAlchemy URL of the server's "postgres" database
    # The servers we run ourselves, for fault injection; None when using external servers.
    local: LocalInfra | None = None

    @classmethod
    def of(cls, local: LocalInfra) -> Endpoints:
        """The endpoints of servers we run ourselves, which fault injection may stop and restart."""
        return cls(local.kafka_bootstrap, local.redis_url, local.postgres_url, local=local)

    def postgres_dsn(self, dbname: str) -> str:
        return with_database(self.postgres_url, dbname)

    def create_database(self, name: str) -> str:
        """Create (if missing) and return the SQLAlchemy URL of database `name`."""
        return create_database(self.postgres_url, name)

    def drop_database(self, name: str) -> None:
        drop_database(self.postgres_url, name)

    def env(self) -> dict[str, str]:
        """Environment for the services (KAFKA_* is read by shared.kafka.settings)."""
        return {
            "KAFKA_BOOTSTRAP_SERVERS": self.kafka_bootstrap,
            "REDIS_URL": self.redis_url,
            "POSTGRES_URL": self.postgres_url,
        }
