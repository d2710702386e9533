"""`jakpreneur targets import FILE.csv`: yearly targets from a spreadsheet into reporting.

Columns: year, metric, scope (province | agency | kota), key ('31', an agency code or a kota code), value.
The whole file is checked by reporting in one request, so a bad row changes nothing.
"""

import csv
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer

from operator_cli.answers import detail_of
from operator_cli.credentials import TokenOption, bearer_headers

app = typer.Typer(help="Yearly targets per metric, agency and kota.", no_args_is_help=True)
COLUMNS = ("year", "metric", "scope", "key", "value")
MAX_ROWS = 2000  # reporting accepts this many per request


@app.callback()
def targets() -> None:
    """Yearly targets per metric, agency and kota (a group, so `targets import` reads as it is typed)."""


@app.command("import")
def import_targets(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="CSV with a header row")
    ],
    reporting_url: Annotated[str, typer.Option(envvar="JAKPRENEUR_REPORTING_URL")] = "http://127.0.0.1:8004",
    token: TokenOption = None,
) -> None:
    """Set (or replace) every target in FILE; prints how many reporting accepted."""
    rows = _read(file)
    response = httpx.put(
        f"{reporting_url}/targets",
        json={"targets": rows},  # recorded with the token's account id
        headers=bearer_headers(token),
        timeout=30,
    )
    if response.status_code != 200:
        typer.echo(f"refused ({response.status_code}): {detail_of(response)}", err=True)
        raise typer.Exit(1)
    typer.echo(f"{response.json()['accepted']} targets set from {file.name}")


def _read(file: Path) -> list[dict[str, Any]]:
    with file.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            typer.echo(
                f"{file.name}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}",
                err=True,
            )
            raise typer.Exit(2)
        rows = []
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(
                    {
                        **{c: row[c].strip() for c in ("metric", "scope", "key")},
                        "year": int(row["year"]),
                        "value": int(row["value"]),
                    }
                )
            except (TypeError, ValueError):
                typer.echo(f"{file.name} line {line}: year and value must be whole numbers", err=True)
                raise typer.Exit(2) from None
    if not rows or len(rows) > MAX_ROWS:
        typer.echo(f"{file.name}: expected 1 to {MAX_ROWS} targets, found {len(rows)}", err=True)
        raise typer.Exit(2)
    return rows
