"""The `jakpreneur` command: wiring only; each command lives in its own module."""

import typer

from operator_cli import dlq, importer, migrate, participants, rebuild, report, status, targets, token
from operator_cli.demo.command import demo_command

app = typer.Typer(
    name="jakpreneur",
    help="Operate the Jakpreneur platform: status, migrations, dead letters, rebuilds, imports, targets, "
    "participants, tokens.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("status")(status.status)
app.command("migrate")(migrate.migrate_command)
app.add_typer(dlq.app, name="dlq")
app.add_typer(importer.app, name="import")
app.add_typer(targets.app, name="targets")
app.add_typer(participants.app, name="participants")
app.command("rebuild")(rebuild.rebuild_command)
app.command("token")(token.token_command)
app.command("demo")(demo_command)
app.command("report")(report.report_command)

if __name__ == "__main__":
    app()
