"""`jakpreneur status`: is every service alive and ready, how far behind is reporting, what is stuck."""

from __future__ import annotations

import asyncio
import json
from dataclasses import asdict, dataclass, field
from typing import Annotated

import httpx
import typer
from prometheus_client.parser import text_string_to_metric_families
from rich.console import Console
from rich.table import Table
from rich.text import Text

from devstack.up import PRODUCING, SERVICE_PORTS
from operator_cli.kafka import admin_client, existing_partitions, offset_ranges, plain_consumer
from services.reporting.settings import ReportingSettings

BACKLOG_GAUGE = "outbox_backlog"
KAFKA_TIMEOUT_S = 20.0


@dataclass
class ServiceStatus:
    name: str
    url: str
    alive: bool = False
    ready: bool = False
    checks: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    outbox_backlog: float | None = None  # None: not a producing service, or it exports no such gauge


@dataclass
class PartitionLag:
    topic: str
    partition: int
    end: int
    committed: int | None  # None: the group never committed on this partition
    lag: int


@dataclass
class KafkaStatus:
    group: str
    lags: list[PartitionLag] = field(default_factory=list)
    missing_topics: list[str] = field(default_factory=list)
    dead_letter_topic: str = ""
    dead_letters: int | None = None  # None: the DLQ topic does not exist (yet)
    error: str | None = None

    @property
    def total_lag(self) -> int:
        return sum(p.lag for p in self.lags)


@dataclass
class StatusReport:
    services: list[ServiceStatus]
    kafka: KafkaStatus

    @property
    def ok(self) -> bool:
        return all(s.ready for s in self.services) and self.kafka.error is None


def parse_services(specs: list[str] | None, host: str) -> dict[str, str]:
    """`name=url` pairs (comma-separated, option repeatable); the contract ports on `host` when none."""
    if not specs:
        return {name: f"http://{host}:{port}" for name, port in SERVICE_PORTS.items()}
    services: dict[str, str] = {}
    for spec in specs:
        for item in filter(None, (part.strip() for part in spec.split(","))):
            name, sep, url = item.partition("=")
            if not sep or not name or not url:
                raise typer.BadParameter(f"expected name=url, got {item!r}", param_hint="--services")
            services[name.strip()] = url.strip().rstrip("/")
    return services


def outbox_backlog(metrics_text: str) -> float | None:
    """The `outbox_backlog` gauge summed over its labels; None when the service does not export it."""
    try:
        samples = [
            sample.value
            for family in text_string_to_metric_families(metrics_text)
            for sample in family.samples
            if sample.name == BACKLOG_GAUGE
        ]
    except ValueError:
        return None
    return sum(samples) if samples else None


async def service_status(http: httpx.AsyncClient, name: str, url: str) -> ServiceStatus:
    status = ServiceStatus(name, url)
    try:
        status.alive = (await http.get(f"{url}/healthz")).status_code == 200
        ready = await http.get(f"{url}/readyz")
        body = ready.json()
        status.checks = {str(k): str(v) for k, v in dict(body.get("checks", {})).items()}
        status.ready = ready.status_code == 200 and bool(body.get("ready"))
        if name in PRODUCING:
            metrics = await http.get(f"{url}/ops/metrics")
            if metrics.status_code == 200:
                status.outbox_backlog = outbox_backlog(metrics.text)
    except (httpx.HTTPError, ValueError, AttributeError) as exc:
        status.error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    return status


async def kafka_status(settings: ReportingSettings) -> KafkaStatus:
    kafka = settings.kafka
    result = KafkaStatus(group=settings.consumer_group, dead_letter_topic=kafka.topic("reporting.dlq"))
    topics = [kafka.topic(source) for source in settings.sources]
    async with admin_client(kafka) as admin, plain_consumer(kafka) as consumer:
        partitions, result.missing_topics = await existing_partitions(admin, topics)
        committed = await admin.list_consumer_group_offsets(settings.consumer_group, partitions=partitions)
        ranges = await offset_ranges(consumer, partitions)
        for tp in partitions:
            at = committed.get(tp)
            offset = at.offset if at is not None and at.offset >= 0 else None
            lag = ranges[tp].end - (offset if offset is not None else ranges[tp].beginning)
            result.lags.append(PartitionLag(tp.topic, tp.partition, ranges[tp].end, offset, max(lag, 0)))
        dlq, _ = await existing_partitions(admin, [result.dead_letter_topic])
        if dlq:
            result.dead_letters = sum(r.count for r in (await offset_ranges(consumer, dlq)).values())
    return result


async def collect(services: dict[str, str], settings: ReportingSettings, timeout_s: float) -> StatusReport:
    async with httpx.AsyncClient(timeout=timeout_s) as http:
        checked = await asyncio.gather(*(service_status(http, n, u) for n, u in services.items()))
    try:
        kafka = await asyncio.wait_for(kafka_status(settings), KAFKA_TIMEOUT_S)
    except Exception as exc:  # an unreachable or broken cluster is a finding, not a crash
        kafka = KafkaStatus(group=settings.consumer_group, error=f"{type(exc).__name__}: {exc}")
    return StatusReport(list(checked), kafka)


def _yes_no(flag: bool) -> Text:
    return Text("yes", style="green") if flag else Text("no", style="bold red")


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"


def render(report: StatusReport, console: Console) -> None:
    services = Table(title="Services")
    for column in ("service", "url", "alive", "ready", "checks", "outbox backlog"):
        services.add_column(column, overflow="fold")
    for s in report.services:
        checks = ", ".join(f"{k}={v}" for k, v in s.checks.items()) or (s.error or "")
        services.add_row(
            s.name, s.url, _yes_no(s.alive), _yes_no(s.ready), Text(checks), _number(s.outbox_backlog)
        )
    console.print(services)

    kafka = report.kafka
    if kafka.error is not None:
        console.print(Text(f"kafka: unavailable ({kafka.error})", style="bold red"))
        return
    lags = Table(title=f"Consumer lag of group {kafka.group!r}")
    for column in ("topic", "partition", "end offset", "committed", "lag"):
        lags.add_column(column, justify="left" if column == "topic" else "right")
    for p in kafka.lags:
        committed = "-" if p.committed is None else f"{p.committed:,}"
        lags.add_row(p.topic, str(p.partition), f"{p.end:,}", committed, f"{p.lag:,}")
    console.print(lags)
    console.print(f"total lag: {kafka.total_lag:,}")
    for topic in kafka.missing_topics:
        console.print(Text(f"topic {topic} does not exist yet", style="yellow"))
    dead = "n/a (topic does not exist yet)" if kafka.dead_letters is None else f"{kafka.dead_letters:,}"
    console.print(f"dead letters in {kafka.dead_letter_topic}: {dead}")


def status(
    host: Annotated[str, typer.Option(help="Host of the services on their contract ports")] = "127.0.0.1",
    services: Annotated[
        list[str] | None,
        typer.Option(
            "--services",
            help="name=url pairs, comma-separated (repeatable); replaces the default list of services",
        ),
    ] = None,
    timeout: Annotated[float, typer.Option(help="HTTP timeout per request, seconds")] = 5.0,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON")] = False,
) -> None:
    """Every service's health and readiness, reporting's consumer lag, outbox backlogs and dead letters.

    Exits 1 when a service is not ready or Kafka cannot be inspected.
    """
    report = asyncio.run(collect(parse_services(services, host), ReportingSettings(), timeout))
    if as_json:
        typer.echo(json.dumps({"ok": report.ok, **asdict(report)}, indent=2))
    else:
        render(report, Console())
    if not report.ok:
        raise typer.Exit(1)
