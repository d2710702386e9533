"""The `jakpreneur` command: wiring only; each command lives in its own module."""

import typer

from operator_cli import dlq, importer, rebuild, status, token

app = typer.Typer(
    name="jakpreneur",
    help="Operate the Jakpreneur platform: service status, reporting's dead letters, rebuilds.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("status")(status.status)
app.add_typer(dlq.app, name="dlq")
app.add_typer(importer.app, name="import")
app.command("rebuild")(rebuild.rebuild_command)
app.command("token")(token.token_command)

if __name__ == "__main__":
    app()
