"""Figures over HTTP: summary, breakdown, time series, and a live stream of the summary."""

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

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
from services.reporting.change_feed import ChangeFeed
from services.reporting.labels import known_keys, label
from services.reporting.metrics import STAGE_METRICS, Dimension, Interval, Metric, Stage
from services.reporting.projection.earliest import TOTAL
from services.reporting.store.figures import Figures
from services.reporting.store.periods import a_year_earlier, previous_period
from shared.errors import Unavailable
from shared.web.refusals import Refusal, refusals

router = APIRouter(prefix="/metrics", tags=["metrics"])
MAX_POINTS = 3700
HEARTBEAT_S = 15.0


async def figures(request: Request) -> Figures:
    found: Figures = request.app.state.figures
    return found


FiguresDep = Annotated[Figures, Depends(figures)]


async def summary_of(store: Figures, start: date, end: date, field: str = TOTAL) -> Summary:
    return Summary.of(start, end, await store.totals(list(Metric), start, end, field))


COMPARED_PERIODS = {Comparison.PREVIOUS: previous_period, Comparison.LAST_YEAR: a_year_earlier}


@router.get("/summary", response_model=Summary)
async def summary(
    period: PeriodParams,
    store: FiguresDep,
    field: FieldParam,
    compare: Annotated[
        list[Comparison] | None,
        Query(description="Also the previous period of equal length and/or the same dates last year"),
    ] = None,
) -> Summary:
    current = await summary_of(store, period.start, period.end, field)
    if compare:
        compared = {}
        for kind in dict.fromkeys(compare):
            start, end = COMPARED_PERIODS[kind](period.start, period.end)
            compared[kind] = await summary_of(store, start, end, field)
        current = current.model_copy(update={"compared": compared})
    return current


@router.get("/breakdown", response_model=Breakdown)
async def breakdown(period: PeriodParams, store: FiguresDep, metric: Metric, by: Dimension) -> Breakdown:
    counts = await store.breakdown(metric, by, period.start, period.end)
    keys = known_keys(by) + sorted(set(counts) - set(known_keys(by)))
    rows = [Row(key=k, label=label(by, k), value=counts.get(k, 0)) for k in keys]
    return Breakdown(metric=metric, by=by, start=period.start, end=period.end, rows=rows)


@router.get("/timeseries", response_model=TimeSeries)
async def timeseries(
    period: PeriodParams,
    store: FiguresDep,
    field: FieldParam,
    metric: Metric,
    interval: Interval = Interval.DAY,
) -> TimeSeries:
    if interval is Interval.DAY and period.days > MAX_POINTS:
        raise InvalidPeriod(f"a daily series may have at most {MAX_POINTS} points; use week or month")
    points = await store.series(metric, interval, period.start, period.end, field)
    return TimeSeries(
        metric=metric,
        interval=interval,
        start=period.start,
        end=period.end,
        points=[Point(start=first, value=value) for first, value in points],
    )


@router.get("/funnel", response_model=Funnel)
async def funnel(period: PeriodParams, store: FiguresDep) -> Funnel:
    """Of the participants registered in the period, how many reached each stage by its last day."""
    values: dict[Stage, int] = {}
    for stage, metric in STAGE_METRICS.items():
        if metric is Metric.REGISTERED:
            values[stage] = (await store.totals([metric], period.start, period.end))[metric]
        else:
            values[stage] = await store.reached_by(metric, period.start, period.end)
    registered = values[Stage.REGISTRATION]
    stages = [StageValue(stage=s, value=v, conversion=ratio(v, registered)) for s, v in values.items()]
    return Funnel(start=period.start, end=period.end, stages=stages)


@router.get(
    "/stream",
    response_class=EventSourceResponse,
    responses=refusals(
        Refusal(503, "too_many_streams", "this server already serves 100 live streams; retry shortly")
    ),
)
async def stream(
    request: Request,
    period: PeriodParams,
    store: FiguresDep,
    field: FieldParam,
    debounce_ms: Annotated[int | None, Query(ge=0, le=5000)] = None,
) -> EventSourceResponse:
    """Server-sent events: a `summary` event now, then again whenever the figures change."""
    feed: ChangeFeed = request.app.state.change_feed
    streams: StreamSlots = request.app.state.stream_slots
    debounce_s = (debounce_ms if debounce_ms is not None else request.app.state.debounce_ms) / 1000
    streams.take()
    return EventSourceResponse(
        _holding(streams, _changes(feed, store, period, field, debounce_s)), ping=HEARTBEAT_S
    )


class TooManyStreams(Unavailable):
    code = "too_many_streams"


class StreamSlots:
    """Open event streams on this instance: each holds a connection and a task, so their number is capped."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.open = 0

    def take(self) -> None:
        if self.open >= self.limit:
            raise TooManyStreams(f"this server already serves {self.limit} live streams; retry shortly")
        self.open += 1

    def give_back(self) -> None:
        self.open -= 1


async def _holding(
    streams: StreamSlots, events: AsyncIterator[ServerSentEvent]
) -> AsyncIterator[ServerSentEvent]:
    """Pass the stream's events on; its place is given back however it ends (client gone, shutdown)."""
    try:
        async for event in events:
            yield event
    finally:
        streams.give_back()


async def _changes(
    feed: ChangeFeed, store: Figures, period: Period, field: str, debounce_s: float
) -> AsyncIterator[ServerSentEvent]:
    version, last_sent = feed.version, ""
    while True:
        current = (await summary_of(store, period.start, period.end, field)).model_dump_json(by_alias=True)
        if current != last_sent:
            yield ServerSentEvent(data=current, event="summary", id=str(version))
            last_sent = current
        version = await feed.wait_newer_than(version, HEARTBEAT_S)
        await asyncio.sleep(debounce_s)  # let a burst of batches settle into one message
        version = max(version, feed.version)
