"""Yearly targets (set through the event log) and achievement against them."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.reporting.achievement import expected_to_date, year_to_date
from services.reporting.api.exported import AS_FILES, ExportParams, answer
from services.reporting.api.schemas import ratio
from services.reporting.api.strict_query import FigureRoute
from services.reporting.exports.table import Kind
from services.reporting.metrics import Metric
from services.reporting.store.figures import Figures
from services.reporting.store.targets import Target, Targets
from services.reporting.target_scopes import actual_field, province_key, scope_keys, scope_label
from services.reporting.targets_publisher import TargetPublisher
from shared.auth import Principal, Role
from shared.auth.deps import requires
from shared.contracts.enums import TargetScope
from shared.contracts.events import TargetSet
from shared.dates import jakarta_today

router = APIRouter(tags=["targets"], route_class=FigureRoute)
planning = APIRouter(tags=["targets"])  # writes: an admin's bearer header, never a cookie

Year = Annotated[int, Field(ge=2018, le=2100)]


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    metric: Metric
    scope: TargetScope
    key: str = Field(
        default_factory=province_key,
        description="The province's code for a province-wide target ('31', DKI Jakarta), an agency code, "
        "a kota code (31.71 …) or a kecamatan code (31.71.01 …)",
    )
    value: int = Field(ge=0, le=100_000_000)

    @model_validator(mode="after")
    def _key_fits_scope(self) -> "TargetIn":
        valid = scope_keys(self.scope)
        if self.key not in valid:
            shown = ", ".join(valid) if len(valid) <= 60 else f"{', '.join(valid[:60])} …"
            raise ValueError(f"key {self.key!r} is not a valid {self.scope.value} key; one of {shown}")
        return self


class TargetsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    targets: list[TargetIn] = Field(min_length=1, max_length=2000)

    @model_validator(mode="after")
    def _each_key_once(self) -> "TargetsIn":
        seen: set[tuple[int, Metric, TargetScope, str]] = set()
        for t in self.targets:
            identity = (t.year, t.metric, t.scope, t.key)
            if identity in seen:
                raise ValueError(f"target {t.year} {t.metric.value} {t.scope.value} {t.key} is given twice")
            seen.add(identity)
        return self


class TargetsAccepted(BaseModel):
    accepted: int


class TargetOut(BaseModel):
    metric: Metric
    scope: TargetScope
    key: str
    label: str
    value: int


class YearTargets(BaseModel):
    year: int
    targets: list[TargetOut]


class AchievementRow(TargetOut):
    actual: int = Field(description="Year-to-date count, 1 January through as_of")
    achievement: float | None = Field(description="actual / value (the full-year target), 4 decimals")
    expected_to_date: int = Field(description="The target pro-rated by elapsed days of the year")
    on_track: bool = Field(description="actual ≥ expected_to_date")


class Achievement(BaseModel):
    year: int
    as_of: date
    elapsed_share: float = Field(description="Share of the year's days counted so far, 4 decimals")
    rows: list[AchievementRow]


async def _publisher(request: Request) -> TargetPublisher:
    found: TargetPublisher = request.app.state.target_publisher
    return found


async def _targets(request: Request) -> Targets:
    found: Targets = request.app.state.targets
    return found


async def _figures(request: Request) -> Figures:
    found: Figures = request.app.state.figures
    return found


@planning.put("/targets", response_model=TargetsAccepted)
async def set_targets(
    body: TargetsIn,
    publisher: Annotated[TargetPublisher, Depends(_publisher)],
    caller: Annotated[Principal, Depends(requires(Role.ADMIN))],
) -> TargetsAccepted:
    """Set or replace yearly targets. Acknowledged once in the event log; readable within a moment.

    The targets are recorded with the caller's account id (the token's subject)."""
    events = [
        TargetSet(
            year=t.year,
            metric=t.metric.value,
            scope=t.scope,
            scope_key=t.key,
            value=t.value,
            by=caller.subject,
        )
        for t in body.targets
    ]
    await publisher.publish(events)
    return TargetsAccepted(accepted=len(events))


@router.get("/targets", response_model=YearTargets, responses=AS_FILES)
async def get_targets(
    request: Request,
    targets: Annotated[Targets, Depends(_targets)],
    year: Annotated[int, Query(ge=2018, le=2100)],
    asked: ExportParams,
) -> YearTargets | Response:
    found = await targets.of_year(year)
    return answer(YearTargets(year=year, targets=[_out(t) for t in found]), Kind.TARGETS, asked, request)


@router.get("/metrics/achievement", response_model=Achievement, responses=AS_FILES)
async def achievement(
    *,
    request: Request,
    targets: Annotated[Targets, Depends(_targets)],
    figures: Annotated[Figures, Depends(_figures)],
    year: Annotated[int, Query(ge=2018, le=2100)],
    asked: ExportParams,
) -> Achievement | Response:
    """Year-to-date figures against every target of the year: share of the full-year target, and pace."""
    period = year_to_date(year, jakarta_today())
    found = await targets.of_year(year)
    # One read per covering bucket and metric, however many targets the year has.
    wanted: dict[Metric, list[str]] = {}
    for target in found:
        wanted.setdefault(target.metric, []).append(actual_field(target.scope, target.scope_key))
    actuals = {
        metric: await figures.fields(metric, period.start, period.as_of, list(dict.fromkeys(fields)))
        for metric, fields in wanted.items()
    }
    rows = []
    for target in found:
        actual = actuals[target.metric][actual_field(target.scope, target.scope_key)]
        expected = expected_to_date(target.value, period)
        rows.append(
            AchievementRow(
                **_out(target).model_dump(),
                actual=actual,
                achievement=ratio(actual, target.value),
                expected_to_date=expected,
                on_track=actual >= expected,
            )
        )
    elapsed = round(period.elapsed_share, 4)
    reached = Achievement(year=year, as_of=period.as_of, elapsed_share=elapsed, rows=rows)
    return answer(reached, Kind.ACHIEVEMENT, asked, request)


def _out(target: Target) -> TargetOut:
    return TargetOut(
        metric=target.metric,
        scope=target.scope,
        key=target.scope_key,
        label=scope_label(target.scope, target.scope_key),
        value=target.value,
    )
