"""`jakpreneur token`: a development bearer token, signed with AUTH_JWT_SECRET (or the development secret)."""

import re
from datetime import timedelta
from typing import Annotated

import typer

from shared.auth import Role
from shared.auth.settings import development_settings
from shared.auth.tokens import mint
from shared.contracts.enums import Agency
from shared.contracts.profile import KOTA_CODE


def token_command(
    role: Annotated[list[Role], typer.Option("--role", "-r", help="Repeat for several roles")] = [Role.ADMIN],  # noqa: B006
    subject: Annotated[str, typer.Option("--sub", help="Account id the token speaks for")] = "dev-admin",
    kota: Annotated[
        str | None, typer.Option(help="Scope to one kota, e.g. 31.71", rich_help_panel="Area scope")
    ] = None,
    agency: Annotated[
        Agency | None, typer.Option(help="Scope to one agency", rich_help_panel="Area scope")
    ] = None,
    hours: Annotated[float, typer.Option(min=0.01, max=24 * 30, help="Lifetime in hours")] = 8.0,
) -> None:
    """Print a token for local use: `curl -H "Authorization: Bearer $(jakpreneur token)" …`."""
    settings = development_settings()
    if settings is None:
        typer.echo(
            "refusing: production tokens come from the identity provider, not this command "
            "(AUTH_ENVIRONMENT=development mints development ones)",
            err=True,
        )
        raise typer.Exit(2)
    if kota is not None and not _is_kota(kota):
        typer.echo(f"--kota {kota!r} is not a kota code like 31.71", err=True)
        raise typer.Exit(2)
    typer.echo(
        mint(
            settings,
            subject=subject,
            roles=role,
            kota=kota,
            agency=agency.value if agency else None,
            ttl=timedelta(hours=hours),
        )
    )


def _is_kota(code: str) -> bool:
    return re.fullmatch(KOTA_CODE, code) is not None
