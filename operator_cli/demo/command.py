"""`jakpreneur demo` (`make demo`): a seeded programme history, sent through a running stack's public APIs."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from devstack.up import SERVICE_PORTS
from operator_cli.credentials import TokenOption, bearer_headers
from operator_cli.demo.days import months_before
from operator_cli.demo.model import Period
from operator_cli.demo.plan import STAGE_SERVICES, make_plan
from operator_cli.demo.run import DemoError, Result, Settings, run
from operator_cli.status import parse_services
from shared.dates import PROGRAMME_START, jakarta_today

DEFAULT_MONTHS = 18


def demo_command(
    *,
    start: Annotated[
        str | None, typer.Option("--from", help="First day, YYYY-MM-DD (default: 18 months before --to)")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Last day, not after today (default: today)")
    ] = None,
    participants: Annotated[int, typer.Option(min=1, max=200_000, help="Participants to register")] = 2_000,
    seed: Annotated[int, typer.Option(min=0, help="Same seed, same history; a re-run adds nothing")] = 2023,
    concurrency: Annotated[int, typer.Option(min=1, max=512, help="Requests in flight at once")] = 16,
    stages: Annotated[
        str,
        typer.Option(help="Stage services to fill besides registration, comma-separated; 'none' for none"),
    ] = ",".join(STAGE_SERVICES),
    host: Annotated[str, typer.Option(help="Host of the services on their contract ports")] = "127.0.0.1",
    services: Annotated[
        list[str] | None,
        typer.Option("--services", help="name=url pairs overriding a service's address (repeatable)"),
    ] = None,
    token: TokenOption = None,
    wait: Annotated[
        float, typer.Option(min=0, help="Seconds to wait for reporting to show the figures; 0: do not wait")
    ] = 120.0,
) -> None:
    """Fill a running stack with participants and all seven stages, then check reporting's figures.

    Exits 1 when a write was refused or reporting did not show the expected figures in time.
    """
    last = _day("--to", end) if end else jakarta_today()
    period = Period(_day("--from", start) if start else months_before(last, DEFAULT_MONTHS), last)
    _check_period(period)
    chosen = _stages(stages)
    urls = {name: f"http://{host}:{port}" for name, port in SERVICE_PORTS.items()}
    urls |= parse_services(services, host) if services else {}
    console = Console()
    plan = make_plan(period, participants, seed)
    console.print(
        f"demo: {participants:,} participants registered {period.start}..{period.end}, seed {seed}, "
        f"stages: registration, {', '.join(chosen) or '(none)'}"
    )
    settings = Settings(plan, urls, chosen, concurrency, bearer_headers(token), wait)
    try:
        result = asyncio.run(run(settings, console))
    except DemoError as exc:
        console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(2) from None
    render(result, console)
    if not result.ok:
        raise typer.Exit(1)


def _day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date like 2024-06-30", param_hint=option) from None


def _check_period(period: Period) -> None:
    today = jakarta_today()
    if period.end > today:
        raise typer.BadParameter(f"{period.end} is after today ({today}, Asia/Jakarta)", param_hint="--to")
    if period.start < PROGRAMME_START:
        raise typer.BadParameter(
            f"{period.start} is before the programme start {PROGRAMME_START}", param_hint="--from"
        )
    if period.start > period.end:
        raise typer.BadParameter(f"{period.start} is after --to {period.end}", param_hint="--from")


def _stages(value: str) -> tuple[str, ...]:
    named = {s.strip() for s in value.split(",") if s.strip()} - {"none"}
    unknown = named - set(STAGE_SERVICES)
    if unknown:
        known = ", ".join(STAGE_SERVICES)
        raise typer.BadParameter(
            f"unknown {', '.join(sorted(unknown))}; choose from {known}", param_hint="--stages"
        )
    return tuple(s for s in STAGE_SERVICES if s in named)


def render(result: Result, console: Console) -> None:
    console.print(_run_table(result))
    tally = result.tally
    for failure in tally.failures[:10]:
        console.print(f"[red]refused:[/] {failure}")
    expected, shown = result.expected, result.shown
    figures = dict(result.added.figures.items())
    console.print(
        _compare(
            "Figures of the period (reporting /metrics/summary)",
            "metric",
            list(figures),
            added=figures,
            expected=dict(expected.figures.items()) if expected else None,
            shown=dict(shown.figures.items()) if shown else None,
        )
    )
    added = result.added.homes["kota"]
    want_kota = expected.homes["kota"] if expected else None
    shown_kota = shown.homes["kota"] if shown else None
    console.print(
        _compare(
            "registered by kota, where participants live after the edits (/metrics/breakdown)",
            "kota",
            sorted(added.keys() | (want_kota or {}).keys() | (shown_kota or {}).keys()),
            added=added,
            expected=want_kota,
            shown=shown_kota,
        )
    )
    if expected and shown:
        want, got = expected.homes["kecamatan"], shown.homes["kecamatan"]
        wrong = [k for k in want.keys() | got.keys() if want[k] != got[k]]
        style = "bold red" if wrong else "green"
        console.print(
            f"[{style}]registered by kecamatan: {len(want) - len(wrong)} of {len(want)} rows as expected[/]"
        )
    if result.settled_s is not None:
        console.print(f"reporting showed every expected figure {result.settled_s:.1f} s after the last write")
    elif expected is not None and shown is not None:
        console.print("[bold red]reporting did not show the expected figures before --wait ran out[/]")


def _run_table(result: Result) -> Table:
    tally, outcome, trainers = result.tally, result.outcome, result.outcome.trainers
    runs = Table(title="Run", show_header=False)
    for label, value in (
        ("participants registered now", len(outcome.new)),
        ("already registered (left as they were)", outcome.existing),
        ("write requests sent (retries included)", tally.requests),
        ("writes accepted (each row of a batch counted)", tally.accepted),
        ("events generated", tally.events),
        ("writes found already done (409)", tally.existing),
        ("writes refused", len(tally.failures)),
        ("records edited (PATCH /participants)", outcome.edits),
        ("of them moves to another kota", outcome.moves),
        ("enrolments withdrawn", trainers.withdrawals),
        ("freed places taken in full classes", trainers.refills),
        ("batch completion calls", trainers.batches),
        ("completions recorded by batch calls", trainers.batched),
        ("completions recorded one by one", trainers.single),
    ):
        runs.add_row(label, f"{value:,}")
    runs.add_row("wall time (first to last write)", f"{result.seconds:.1f} s")
    runs.add_row("events per second", f"{result.events_per_s:,.0f}")
    return runs


def _compare(
    title: str,
    first: str,
    names: list[str],
    *,
    added: Mapping[str, int],
    expected: Mapping[str, int] | None,
    shown: Mapping[str, int] | None,
) -> Table:
    """A row per name: added by this run, expected, shown (in red where they differ); "-" if not read."""
    table = Table(title=title)
    table.add_column(first)
    for column in ("added by this run", "expected", "reporting shows"):
        table.add_column(column, justify="right")
    for name in names:
        want = None if expected is None else expected.get(name, 0)
        got = None if shown is None else shown.get(name, 0)
        style = "" if got is None or got == want else "bold red"
        table.add_row(name, f"{added.get(name, 0):,}", _maybe(want), _maybe(got), style=style)
    return table


def _maybe(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


app = typer.Typer(add_completion=False)
app.command()(demo_command)
