"""Developer tool: `python -m shared.db.revision services/<name>/migrations "message"` autogenerates a
migration by diffing the service's tables against a scratch SQLite database at head."""

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from shared.db.migrations import upgrade_to_head


def main(script_location: str, message: str) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/scratch.db"
        upgrade_to_head(Path(script_location), url, service=Path(script_location).parent.name)
        config = Config()
        config.set_main_option("script_location", script_location)
        config.set_main_option("sqlalchemy.url", url)
        command.revision(config, message=message, autogenerate=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
