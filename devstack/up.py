"""`make up`: local infrastructure plus every service on its contract port, until Ctrl-C.

Existing servers can stand in for the local ones: JP_KAFKA_BOOTSTRAP (host:port), JP_REDIS_URL and
JP_POSTGRES_URL (an admin URL of the server, e.g. postgresql+psycopg://postgres@host:5432/postgres).
"""

from __future__ import annotations

import logging
import os
import time
from datetime import timedelta
from pathlib import Path

from devstack.app_server import AppServer
from devstack.endpoints import Endpoints
from devstack.infra import LocalInfra
from shared.auth import Role
from shared.auth.settings import AuthSettings
from shared.auth.tokens import mint

log = logging.getLogger(__name__)

SERVICE_PORTS = {
    "registration": 8001,
    "training": 8002,
    "permits": 8003,
    "reporting": 8004,
    "mentoring": 8005,
    "marketing": 8006,
    "finance": 8007,
}
PRODUCING = ("registration", "training", "permits", "mentoring", "marketing", "finance")


def local_or_given(run_dir: Path) -> Endpoints:
    """Endpoints of the given servers, starting local ones for whatever was not given."""
    kafka, redis, postgres = (
        os.environ.get(f"JP_{n}") for n in ("KAFKA_BOOTSTRAP", "REDIS_URL", "POSTGRES_URL")
    )
    if kafka and redis and postgres:
        return Endpoints(kafka_bootstrap=kafka, redis_url=redis, postgres_url=postgres)
    local = LocalInfra(
        run_dir / "infra", kafka=not kafka, redis=not redis, postgres=not postgres, redis_appendonly=True
    )
    local.start()
    return Endpoints(
        kafka_bootstrap=kafka or local.kafka_bootstrap,
        redis_url=redis or local.redis_url,
        postgres_url=postgres or local.postgres_url,
        local=local,
    )


def services(endpoints: Endpoints, run_dir: Path) -> list[AppServer]:
    # `make up` is local development: asked for explicitly, as services default to production.
    kafka = {"KAFKA_BOOTSTRAP_SERVERS": endpoints.kafka_bootstrap, "AUTH_ENVIRONMENT": "development"}
    env = {
        name: {**kafka, f"{name.upper()}_DATABASE_URL": endpoints.create_database(name)} for name in PRODUCING
    }
    env["reporting"] = {**kafka, "REPORTING_REDIS_URL": endpoints.redis_url}
    return [AppServer(name, port, env[name], run_dir / name) for name, port in SERVICE_PORTS.items()]


def development_token() -> str:
    """An admin token for local use, signed with AUTH_JWT_SECRET or the development secret."""
    settings = AuthSettings(environment="development")
    return mint(settings, subject="dev-admin", roles=[Role.ADMIN], ttl=timedelta(hours=8))


def run(run_dir: Path = Path(".run")) -> int:
    endpoints = local_or_given(run_dir)
    started: list[AppServer] = []
    try:
        for server in services(endpoints, run_dir):
            server.start(timeout=90)
            started.append(server)
            print(f"{server.service:>13}  {server.url}/docs", flush=True)
        print(f"{'live page':>13}  http://127.0.0.1:{SERVICE_PORTS['reporting']}/", flush=True)
        print(f"{'admin token':>13}  {development_token()}", flush=True)
        print(f"{'':>13}  (8 h; `jakpreneur token --help` mints role- and area-scoped ones)", flush=True)
        print(f"{'logs':>13}  {run_dir.absolute()}/<service>/   Ctrl-C stops everything", flush=True)
        while all(server.is_running for server in started):
            time.sleep(1.0)
        crashed = next(server for server in started if not server.is_running)
        log.error("%s exited unexpectedly\n%s", crashed.name, crashed.log_tail())
        return 1
    finally:
        for server in reversed(started):
            server.stop(timeout=15)
        if endpoints.local is not None:
            endpoints.local.stop()
