"""Alembic, driven from code: each service keeps its scripts, this runs them and serves their env.py."""

from pathlib import Path

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, create_engine, pool

from shared.db.engine import sync_url


def upgrade_to_head(script_location: Path, database_url: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    config.set_main_option("sqlalchemy.url", sync_url(database_url).render_as_string(hide_password=False))
    command.upgrade(config, "head")


def run_env(metadata: MetaData) -> None:
    """Body of every service's migrations/env.py (online mode only: migrations always run on a live DB)."""
    url = context.config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("sqlalchemy.url is not set")
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
