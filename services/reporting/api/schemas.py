"""Response bodies of the reporting API (contract v1, PRODUCT.md §4). Aggregates only: no personal data."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.metrics import Dimension, Interval, Metric, Stage


class Vocational(BaseModel):
    trained: int
    placed: int
    placement_rate: float | None = Field(description="placed / trained, 4 decimals; null when none trained")


class PeriodResponse(BaseModel):
    """Figures for an inclusive range of days, sent as `from` / `to`."""

    model_config = ConfigDict(populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")


class Comparison(StrEnum):
    PREVIOUS = "previous"  # the period of equal length just before
    LAST_YEAR = "last_year"  # the same dates one year earlier


class Summary(PeriodResponse):
    registered: int
    trained: int
    mentored: int
    permits_issued: int
    products_marketed: int
    financial_reporting: int
    financed: int
    vocational: Vocational
    compared: dict[Comparison, "Summary"] | None = Field(
        default=None, description="The same figures for the periods asked for with `compare=`"
    )

    @classmethod
    def of(cls, start: date, end: date, totals: dict[Metric, int]) -> "Summary":
        trained, placed = totals[Metric.VOCATIONAL_TRAINED], totals[Metric.VOCATIONAL_PLACED]
        return cls(
            start=start,
            end=end,
            registered=totals[Metric.REGISTERED],
            trained=totals[Metric.TRAINED],
            mentored=totals[Metric.MENTORED],
            permits_issued=totals[Metric.PERMITS_ISSUED],
            products_marketed=totals[Metric.PRODUCTS_MARKETED],
            financial_reporting=totals[Metric.FINANCIAL_REPORTING],
            financed=totals[Metric.FINANCED],
            vocational=Vocational(
                trained=trained, placed=placed, placement_rate=placement_rate(placed, trained)
            ),
        )


def placement_rate(placed: int, trained: int) -> float | None:
    return ratio(placed, trained)


def ratio(part: int, whole: int) -> float | None:
    """part / whole to 4 decimals, rounded half up; None when whole is 0."""
    if whole == 0:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


class Row(BaseModel):
    key: str
    label: str
    value: int


class Breakdown(PeriodResponse):
    metric: Metric
    by: Dimension
    rows: list[Row]


class Point(BaseModel):
    start: date
    value: int


class TimeSeries(PeriodResponse):
    metric: Metric
    interval: Interval
    points: list[Point]


class StageValue(BaseModel):
    stage: Stage
    value: int
    conversion: float | None = Field(description="value / registered, 4 decimals; null when none registered")


class Funnel(PeriodResponse):
    stages: list[StageValue]
