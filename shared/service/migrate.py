"""`python -m services.<name> migrate`: the service's database to this release's schema, then exit.

Run once per release before the instances start (`make up`, the compose `<name>-migrate` services, a
deployment's migration job); concurrent runs take turns (shared.db.migrations).
"""

import logging
from pathlib import Path

from shared.db.migrations import Migrated, upgrade_to_head
from shared.logs import configure_logging
from shared.service.settings import ProducingServiceSettings, database_url
from shared.tracing import service_name

log = logging.getLogger(__name__)


def migrate(service: str, migrations: Path, settings: type[ProducingServiceSettings]) -> Migrated:
    configure_logging("INFO", service_name(service))
    migrated = upgrade_to_head(migrations, database_url(settings), service)
    log.info(summary(service, migrated))
    return migrated


def summary(service: str, migrated: Migrated) -> str:
    at = ", ".join(migrated.after)
    was = ", ".join(migrated.before) or "empty"
    change = f"already at {at}" if migrated.before == migrated.after else f"migrated from {was} to {at}"
    return f"{service} database {change}; waited {migrated.waited_s:.1f} s for the migration lock"
