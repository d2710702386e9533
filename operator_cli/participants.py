"""`jakpreneur participants find --nik/--name`: participants as registration holds them, in the token's area.

NIKs are masked (`************0001`) unless `--unmasked` is asked for and the token may see them (registration
shows full NIKs to admins only); the CLI never unmasks anything itself. The NIK is sent in a request body,
never in a URL (registration's `POST /participants/lookup`); `--nik -` reads it from standard input, so it
stays out of shell history and process lists. Every lookup is in registration's audit trail.
"""

import sys
from typing import Annotated, Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from operator_cli.answers import detail_of
from operator_cli.credentials import TokenOption, bearer_headers

app = typer.Typer(help="Participants as registration holds them.", no_args_is_help=True)

RegistrationUrl = Annotated[
    str,
    typer.Option("--registration-url", envvar="JAKPRENEUR_REGISTRATION_URL", help="Registration's base URL"),
]


@app.callback()
def participants() -> None:
    """Participants as registration holds them (a group, so `participants find` reads as it is typed)."""


@app.command("find")
def find(
    *,
    nik: Annotated[
        str | None,
        typer.Option("--nik", help="The 16-digit NIK, or - to read it from stdin", show_default=False),
    ] = None,
    name: Annotated[
        str | None, typer.Option("--name", help="Words of the name, at least 3 letters", show_default=False)
    ] = None,
    unmasked: Annotated[
        bool, typer.Option("--unmasked", help="Show full NIKs, if the token may see them (admin)")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many (name search)")] = 20,
    registration_url: RegistrationUrl = "http://127.0.0.1:8001",
    token: TokenOption = None,
) -> None:
    """Find participants by NIK (exact) or by name (whole words, case and accents aside)."""
    if (nik is None) == (name is None):
        typer.echo("give exactly one of --nik or --name", err=True)
        raise typer.Exit(2)
    with httpx.Client(base_url=registration_url, headers=bearer_headers(token), timeout=30) as http:
        if nik is not None:
            nik = sys.stdin.readline().strip() if nik == "-" else nik
            found, more = [_answer(http.post("/participants/lookup", json={"nik": nik}))], False
        else:
            page = _answer(http.get("/participants", params={"q": name, "limit": limit}))
            found, more = page["items"], page["next_cursor"] is not None
    if unmasked and any(p["nik"] is None for p in found):
        typer.echo("refusing --unmasked: this token may not see full NIKs (admins only)", err=True)
        raise typer.Exit(1)
    if not found:
        typer.echo("nobody found in your area")
        return
    _show(found, unmasked)
    if more:
        typer.echo(f"more than {limit} found: give more of the name, or a larger --limit")


def _answer(response: httpx.Response) -> Any:
    if response.status_code == 404:
        typer.echo("nobody is registered under this NIK in your area", err=True)
        raise typer.Exit(1)
    if response.status_code != 200:
        typer.echo(f"refused ({response.status_code}): {detail_of(response)}", err=True)
        raise typer.Exit(1)
    return response.json()


def _show(found: list[dict[str, Any]], unmasked: bool) -> None:
    table = Table("participant_id", "name", "NIK", "kelurahan", "agency", "registered_on")
    for p in found:
        table.add_row(
            p["participant_id"],
            p["full_name"],
            p["nik"] if unmasked else p["nik_masked"],
            p["domicile"]["kelurahan_code"],
            p["agency"],
            p["registered_on"],
        )
    Console().print(table)
