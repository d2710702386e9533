"""Figures over HTTP: summary, breakdown, time series, funnel, and a live stream of the summary.

Each request's work is bounded whatever its period: counters are read from the fewest day/month/year
buckets that cover it (store.periods.cover), and a series has at most MAX_POINTS reads' worth of points.
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from sse_starlette import EventSourceResponse, ServerSentEvent

from services.reporting.api.disclosure import Disclosure, DisclosureDep
from services.reporting.api.exported import AS_FILES, ExportParams, Format, answer, as_file
from services.reporting.api.filters import FieldParam
from services.reporting.api.period import InvalidPeriod, Period, PeriodParams
from services.reporting.api.schemas import (
    Breakdown,
    Comparison,
    Funnel,
    Point,
    Row,
    StageValue,
    Summary,
    TimeSeries,
    ratio,
)
from services.reporting.api.strict_query import FigureRoute
from services.reporting.change_feed import ChangeFeed
from services.reporting.exports.table import Kind
from services.reporting.labels import known_keys, label
from services.reporting.metrics import STAGE_METRICS, Dimension, Interval, Metric, Stage
from services.reporting.projection.earliest import TOTAL
from services.reporting.store.figures import Figures
from services.reporting.store.periods import NoEarlierPeriod, a_year_earlier, previous_period, split
from shared.auth.cookie import Presented, presented
from shared.errors import DomainError, RuleViolation, Unavailable
from shared.web.refusals import Refusal, refusals

router = APIRouter(prefix="/metrics", tags=["metrics"], route_class=FigureRoute)
MAX_POINTS = 3700  # counter reads of one series: ~10 years of days, or of weeks (a week reads up to 7 days)
READS_PER_POINT = {Interval.DAY: 1, Interval.WEEK: 7, Interval.MONTH: 1}
HEARTBEAT_S = 15.0
# One server-sent event of the stream (OpenAPI 3.2's itemSchema): a summary's JSON, or the token's expiry.
STREAM_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["summary", "expired"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
        "id": {"type": "string"},
    },
}


async def figures(request: Request) -> Figures:
    found: Figures = request.app.state.figures
    return found


FiguresDep = Annotated[Figures, Depends(figures)]


async def summary_of(store: Figures, start: date, end: date, field: str, shown: Disclosure) -> Summary:
    totals = await store.totals(list(Metric), start, end, field)
    return Summary.of(start, end, {m: shown.figure(n, field) for m, n in totals.items()})


COMPARED_PERIODS = {Comparison.PREVIOUS: previous_period, Comparison.LAST_YEAR: a_year_earlier}


async def summary_figure(
    period: Period, store: Figures, field: str, shown: Disclosure, compare: list[Comparison] | None = None
) -> Summary:
    shown.check(period, field)
    current = await summary_of(store, period.start, period.end, field, shown)
    if not compare:
        return current
    compared = {}
    for kind in dict.fromkeys(compare):
        try:
            start, end = COMPARED_PERIODS[kind](period.start, period.end)
        except NoEarlierPeriod as exc:
            raise InvalidPeriod(f"compare={kind.value}: {exc}") from exc
        compared[kind] = await summary_of(store, start, end, field, shown)
    return current.model_copy(update={"compared": compared})


@router.get("/summary", response_model=Summary, responses=AS_FILES)
async def summary(
    *,
    request: Request,
    period: PeriodParams,
    store: FiguresDep,
    field: FieldParam,
    shown: DisclosureDep,
    asked: ExportParams,
    compare: Annotated[
        list[Comparison] | None,
        Query(description="Also the previous period of equal length and/or the same dates last year"),
    ] = None,
) -> Summary | Response:
    found = await summary_figure(period, store, field, shown, compare)
    return answer(found, Kind.SUMMARY, asked, request)


async def breakdown_figure(
    period: Period, store: Figures, shown: Disclosure, metric: Metric, by: Dimension
) -> Breakdown:
    shown.check(period, TOTAL, by)
    counts = await store.breakdown(metric, by, period.start, period.end)
    keys = known_keys(by) + sorted(set(counts) - set(known_keys(by)))
    rows = []
    for key in keys:
        value = shown.cell(counts.get(key, 0))
        rows.append(Row(key=key, label=label(by, key), value=value, suppressed=value is None))
    return Breakdown(metric=metric, by=by, start=period.start, end=period.end, rows=rows)


@router.get("/breakdown", response_model=Breakdown, responses=AS_FILES)
async def breakdown(
    *,
    request: Request,
    period: PeriodParams,
    store: FiguresDep,
    shown: DisclosureDep,
    metric: Metric,
    by: Dimension,
    asked: ExportParams,
) -> Breakdown | Response:
    found = await breakdown_figure(period, store, shown, metric, by)
    return answer(found, Kind.BREAKDOWN, asked, request)


async def series_figure(
    *, period: Period, store: Figures, field: str, shown: Disclosure, metric: Metric, interval: Interval
) -> TimeSeries:
    shown.check_series(period, field, interval)
    most = MAX_POINTS // READS_PER_POINT[interval]
    if len(split(period.start, period.end, interval.value)) > most:
        longer = "week or month" if interval is Interval.DAY else "month"
        raise InvalidPeriod(f"a {interval.value}ly series may have at most {most} points; use {longer}")
    points = []
    for first, count in await store.series(metric, interval, period.start, period.end, field):
        value = shown.figure(count, field)
        points.append(Point(start=first, value=value, suppressed=value is None))
    return TimeSeries(metric=metric, interval=interval, start=period.start, end=period.end, points=points)


@router.get("/timeseries", response_model=TimeSeries, responses=AS_FILES)
async def timeseries(
    *,
    request: Request,
    period: PeriodParams,
    store: FiguresDep,
    field: FieldParam,
    shown: DisclosureDep,
    metric: Metric,
    asked: ExportParams,
    interval: Interval = Interval.DAY,
) -> TimeSeries | Response:
    found = await series_figure(
        period=period, store=store, field=field, shown=shown, metric=metric, interval=interval
    )
    return answer(found, Kind.TIMESERIES, asked, request)


async def funnel_figure(period: Period, store: Figures, shown: Disclosure) -> Funnel:
    shown.check(period, TOTAL)
    counts: dict[Stage, int] = {}
    for stage, metric in STAGE_METRICS.items():
        if metric is Metric.REGISTERED:
            counts[stage] = (await store.totals([metric], period.start, period.end))[metric]
        else:
            counts[stage] = await store.reached_by(metric, period.start, period.end)
    values = {stage: shown.figure(count, TOTAL) for stage, count in counts.items()}
    registered = values[Stage.REGISTRATION]
    stages = [
        StageValue(stage=s, value=v, conversion=ratio(v, registered), suppressed=v is None)
        for s, v in values.items()
    ]
    return Funnel(start=period.start, end=period.end, stages=stages)


@router.get("/funnel", response_model=Funnel, responses=AS_FILES)
async def funnel(
    request: Request, period: PeriodParams, store: FiguresDep, shown: DisclosureDep, asked: ExportParams
) -> Funnel | Response:
    """Of the participants registered in the period, how many reached each stage by its last day."""
    return answer(await funnel_figure(period, store, shown), Kind.FUNNEL, asked, request)


class TooManyStreams(Unavailable):
    code = "too_many_streams"


class TooManyClientStreams(DomainError):
    status_code = 429
    code = "too_many_streams"


class DebounceTooShort(RuleViolation):
    code = "debounce_too_short"


@dataclass(frozen=True)
class StreamSettings:
    debounce_ms: int  # between a change and its message, unless the client asks for longer
    min_debounce_ms: int  # the least a client may ask for: each message costs a summary's reads


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses={
        200: {
            "description": "Server-sent events; with format=csv or format=xlsx, the summary as a file",
            "content": {"text/event-stream": {"itemSchema": STREAM_EVENT}, **AS_FILES[200]["content"]},
        },
        **refusals(
            Refusal(429, "too_many_streams", "this client already holds 5 live streams; close one first"),
            Refusal(503, "too_many_streams", "this server already serves 100 live streams; retry shortly"),
            Refusal(422, "debounce_too_short", "debounce_ms must be at least 100"),
        ),
    },
)
async def stream(
    *,
    request: Request,
    period: PeriodParams,
    store: FiguresDep,
    field: FieldParam,
    shown: DisclosureDep,
    token: Annotated[Presented | None, Depends(presented)],
    asked: ExportParams,
    debounce_ms: Annotated[int | None, Query(ge=0, le=5000)] = None,
) -> Response:  # an EventSourceResponse, or the file
    """Server-sent events: a `summary` event now, then again whenever the figures change. A stream opened
    with a token ends with an `expired` event when the token expires (sign in again, then reconnect).
    With format=csv or format=xlsx, the summary it would send now, as a file (a download is not live)."""
    shown.check(period, field)
    if asked.format is not Format.JSON:
        now = await summary_of(store, period.start, period.end, field, shown)
        return as_file(now, Kind.SUMMARY, asked, request)
    settings: StreamSettings = request.app.state.stream_settings
    if debounce_ms is not None and debounce_ms < settings.min_debounce_ms:
        raise DebounceTooShort(f"debounce_ms must be at least {settings.min_debounce_ms}")
    debounce_s = (debounce_ms if debounce_ms is not None else settings.debounce_ms) / 1000
    streams: StreamSlots = request.app.state.stream_slots
    client = f"subject:{token.principal.subject}" if token else f"address:{_address(request)}"
    streams.take(client)
    until = token.expires_at if token else None
    changes = _changes(
        request.app.state.change_feed,
        store=store,
        period=period,
        field=field,
        shown=shown,
        debounce_s=debounce_s,
        until=until,
    )
    return EventSourceResponse(_holding(streams, client, changes), ping=HEARTBEAT_S)


def _address(request: Request) -> str:
    """The client's address (behind a trusted proxy, the one it forwarded)."""
    return request.client.host if request.client else "unknown"


class StreamSlots:
    """Open event streams on this instance: each holds a connection and a task, so their number is capped,
    in all and per client (its verified subject, else its address)."""

    def __init__(self, limit: int, per_client: int) -> None:
        self.limit = limit
        self.per_client = per_client
        self.open = 0
        self._by_client: dict[str, int] = {}

    def take(self, client: str) -> None:
        held = self._by_client.get(client, 0)
        if held >= self.per_client:
            raise TooManyClientStreams(f"this client already holds {held} live streams; close one first")
        if self.open >= self.limit:
            raise TooManyStreams(f"this server already serves {self.limit} live streams; retry shortly")
        self._by_client[client] = held + 1
        self.open += 1

    def give_back(self, client: str) -> None:
        self.open -= 1
        left = self._by_client.pop(client) - 1
        if left:
            self._by_client[client] = left


async def _holding(
    streams: StreamSlots, client: str, events: AsyncIterator[ServerSentEvent]
) -> AsyncIterator[ServerSentEvent]:
    """Pass the stream's events on; its place is given back however it ends (client gone, shutdown)."""
    try:
        async for event in events:
            yield event
    finally:
        streams.give_back(client)


async def _changes(
    feed: ChangeFeed,
    *,
    store: Figures,
    period: Period,
    field: str,
    shown: Disclosure,
    debounce_s: float,
    until: datetime | None,
) -> AsyncIterator[ServerSentEvent]:
    version, last_sent = feed.version, ""
    while True:
        left_s = (until - datetime.now(UTC)).total_seconds() if until else HEARTBEAT_S
        if left_s <= 0:
            yield ServerSentEvent(data='{"detail": "the token has expired; sign in again"}', event="expired")
            return
        current = (await summary_of(store, period.start, period.end, field, shown)).model_dump_json(
            by_alias=True
        )
        if current != last_sent:
            yield ServerSentEvent(data=current, event="summary", id=str(version))
            last_sent = current
        version = await feed.wait_newer_than(version, min(HEARTBEAT_S, left_s))
        await asyncio.sleep(debounce_s)  # let a burst of batches settle into one message
        version = max(version, feed.version)
