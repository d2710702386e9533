"""`jakpreneur rebuild`: rebuild reporting's aggregates from the topics, with a progress bar."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from operator_cli.kafka import run_against_kafka
from services.reporting.rebuild import Rebuilt, rebuild
from services.reporting.settings import ReportingSettings


def summary(result: Rebuilt) -> str:
    rate = result.events / max(result.seconds, 1e-9)
    return (
        f"rebuilt {result.events:,} events in {result.seconds:.1f}s ({rate:,.0f}/s); "
        f"live keyspace {result.previous} → {result.current}"
    )


def rebuild_command() -> None:
    """Replay every topic into a fresh keyspace while the live one serves, then switch to it.

    Uses the REPORTING_* and KAFKA_* settings of the reporting service.
    """
    console = Console()
    columns = (
        TextColumn("rebuilding"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("events"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task("rebuild", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        settings = ReportingSettings()
        result = run_against_kafka(rebuild(settings, progress), settings.kafka.bootstrap_servers)
        bar.update(task, completed=result.events, total=result.events)
    console.print(summary(result))
    if result.events == 0:
        typer.echo("(the topics hold no events yet)")
