"""The bearer token a command sends: --token, $JAKPRENEUR_TOKEN, or (development only) a fresh admin one."""

from datetime import timedelta
from typing import Annotated

import typer

from shared.auth import Role
from shared.auth.settings import development_settings
from shared.auth.tokens import mint

TokenOption = Annotated[
    str | None,
    typer.Option(
        "--token",
        envvar="JAKPRENEUR_TOKEN",
        help="Bearer token; with AUTH_ENVIRONMENT=development an admin token is minted when absent",
        show_default=False,
    ),
]


def bearer_headers(token: str | None) -> dict[str, str]:
    if token is None:
        settings = development_settings()
        if settings is None:
            typer.echo(
                "a token is required: --token or JAKPRENEUR_TOKEN (AUTH_ENVIRONMENT=development mints one)",
                err=True,
            )
            raise typer.Exit(2)
        token = mint(settings, subject="operator-cli", roles=[Role.ADMIN], ttl=timedelta(hours=2))
    return {"Authorization": f"Bearer {token}"}
