"""The bearer token a command sends: --token, $JAKPRENEUR_TOKEN, or (development only) a fresh admin one."""

from datetime import timedelta
from typing import Annotated

import typer

from shared.auth import AuthSettings, Role, mint

TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="JAKPRENEUR_TOKEN",
        help="Bearer token; in development a short-lived admin token is minted when absent",
        show_default=False,
    ),
]


def bearer_headers(token: str | None) -> dict[str, str]:
    if token is None:
        settings = AuthSettings()
        if settings.environment == "production":
            typer.echo("a token is required in production: --token or JAKPRENEUR_TOKEN", err=True)
            raise typer.Exit(2)
        token = mint(settings, subject="operator-cli", roles=[Role.ADMIN], ttl=timedelta(hours=2))
    return {"Authorization": f"Bearer {token}"}
