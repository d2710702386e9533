"""Response bodies of the reporting API (contract v1, PRODUCT.md §4). Aggregates only: no personal data."""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from services.reporting.metrics import Dimension, Interval, Metric, Stage


class Withheld(BaseModel):
    """A figure that a public caller may not see in full (PRODUCT.md §3): `"suppressed": true` beside the
    null, and no `suppressed` key when nothing was withheld."""

    suppressed: bool = Field(
        default=False,
        exclude_if=lambda withheld: not withheld,
        description="true: a count of 1-4 withheld (null) from the public",
    )


class Vocational(Withheld):
    trained: int | None
    placed: int | None
    placement_rate: float | None = Field(
        description="placed / trained, 4 decimals; null when none trained or either is withheld"
    )


class PeriodResponse(BaseModel):
    """Figures for an inclusive range of days, sent as `from` / `to`."""

    model_config = ConfigDict(populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")


class Comparison(StrEnum):
    PREVIOUS = "previous"  # the period of equal length just before
    LAST_YEAR = "last_year"  # the same dates one year earlier


class Summary(PeriodResponse, Withheld):
    registered: int | None
    trained: int | None
    mentored: int | None
    permits_issued: int | None
    products_marketed: int | None
    financial_reporting: int | None
    financed: int | None
    vocational: Vocational
    compared: dict[Comparison, "Summary"] | None = Field(
        default=None, description="The same figures for the periods asked for with `compare=`"
    )

    @classmethod
    def of(cls, start: date, end: date, totals: dict[Metric, int | None]) -> "Summary":
        """The figures as given; None is a withheld one."""
        trained, placed = totals[Metric.VOCATIONAL_TRAINED], totals[Metric.VOCATIONAL_PLACED]
        vocational_withheld = trained is None or placed is None
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
                trained=trained,
                placed=placed,
                placement_rate=placement_rate(placed, trained),
                suppressed=vocational_withheld,
            ),
            suppressed=any(value is None for value in totals.values()),
        )


def placement_rate(placed: int | None, trained: int | None) -> float | None:
    return ratio(placed, trained)


def ratio(part: int | None, whole: int | None) -> float | None:
    """part / whole to 4 decimals, rounded half up; None when whole is 0 or either is withheld."""
    if part is None or whole is None or whole == 0:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


class Row(Withheld):
    key: str
    label: str
    value: int | None


class Breakdown(PeriodResponse):
    metric: Metric
    by: Dimension
    rows: list[Row]


class Point(Withheld):
    start: date
    value: int | None


class TimeSeries(PeriodResponse):
    metric: Metric
    interval: Interval
    points: list[Point]


class StageValue(Withheld):
    stage: Stage
    value: int | None
    conversion: float | None = Field(description="value / registered, 4 decimals; null when none registered")


class Funnel(PeriodResponse):
    stages: list[StageValue]
