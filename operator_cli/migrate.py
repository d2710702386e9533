"""`jakpreneur migrate`: every service's database (or the named ones) to this release's schema.

Runs each service's own `python -m services.<name> migrate` with this environment (its <NAME>_DATABASE_URL),
one after the other, so the CLI migrates exactly as a deployment's migration job does.
"""

import subprocess
import sys
from typing import Annotated

import typer

from devstack.up import PRODUCING


def migrate_command(
    services: Annotated[
        list[str] | None,
        typer.Argument(
            help=f"Services to migrate (default: all of {', '.join(PRODUCING)})", show_default=False
        ),
    ] = None,
) -> None:
    """Migrate each service's database before starting (or upgrading) its instances; stops at the first
    failure, exiting with its code. Safe to run while another migrate runs: they take turns."""
    chosen = services or list(PRODUCING)
    unknown = [name for name in chosen if name not in PRODUCING]
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)}: not a service with a database ({', '.join(PRODUCING)})",
            param_hint="SERVICES",
        )
    for name in chosen:
        done = subprocess.run([sys.executable, "-m", f"services.{name}", "migrate"], check=False)
        if done.returncode != 0:
            typer.echo(f"{name}: migrate failed (exit {done.returncode})", err=True)
            raise typer.Exit(done.returncode)
        typer.echo(f"{name}: at head")
