"""A figure as a table for a file (PRODUCT.md §3 "Exports"): a title, lines that say what the figures cover
(period, filters, when they were read), a header and the rows.

It reads the figure's JSON — exactly what its endpoint answers with `format=json`, withheld cells already
null — so a file holds the same numbers as the JSON and never more than the caller may see. Pure: the
writers (csv_file, xlsx_file) only lay the table out.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from services.reporting.exports.words import (
    DIMENSIONS,
    FIELDS,
    INTERVALS,
    METRICS,
    SCOPES,
    STAGES,
    TEXT,
    Lang,
    named,
)

Cell = str | int | float | date | None
Figure = Mapping[str, Any]
WITHHELD = "< 5"  # a count of 1-4 withheld from the public: null in the JSON


class Kind(StrEnum):
    """Which figure a JSON body is: the endpoint that answered it."""

    SUMMARY = "summary"
    BREAKDOWN = "breakdown"
    TIMESERIES = "timeseries"
    FUNNEL = "funnel"
    ACHIEVEMENT = "achievement"
    TARGETS = "targets"


@dataclass(frozen=True)
class Context:
    lang: Lang
    as_of: datetime  # when the figures were read
    filters: tuple[tuple[str, str, str], ...] = ()  # (dimension, value, its name)
    source: str = ""  # the request that answered the figures, e.g. /metrics/summary?from=…&to=…


@dataclass(frozen=True)
class Table:
    title: str
    about: list[tuple[str, Cell]]
    header: list[str]
    rows: list[list[Cell]]

    def lines(self) -> list[list[Cell]]:
        """The file top to bottom: title, what the figures cover, an empty line, then the table."""
        header: list[Cell] = [*self.header]
        return [[self.title], *([name, value] for name, value in self.about), [], header, *self.rows]


@dataclass(frozen=True)
class _Body:
    about: list[tuple[str, Cell]]
    header: list[str]
    rows: list[list[Cell]]


def table_of(kind: Kind, figure: Figure, context: Context) -> Table:
    lang = context.lang
    match kind:
        case Kind.SUMMARY:
            body = _summary(figure, lang)
        case Kind.BREAKDOWN:
            body = _breakdown(figure, lang)
        case Kind.TIMESERIES:
            body = _timeseries(figure, lang)
        case Kind.FUNNEL:
            body = _funnel(figure, lang)
        case Kind.ACHIEVEMENT:
            body = _achievement(figure, lang)
        case Kind.TARGETS:
            body = _targets(figure, lang)
    about = [*body.about, *_common(context)]
    if any(cell == WITHHELD for row in body.rows for cell in row):
        about.append((TEXT["withheld_note"][lang], TEXT["withheld"][lang]))
    return Table(TEXT[kind.value][lang], about, body.header, body.rows)


def file_name(kind: Kind, figure: Figure, extension: str) -> str:
    covers = f"{figure['from']}_{figure['to']}" if "from" in figure else str(figure["year"])
    return f"jakpreneur-{kind.value}-{covers}.{extension}"


def _common(context: Context) -> list[tuple[str, Cell]]:
    lang = context.lang
    filters = "; ".join(
        f"{named(DIMENSIONS, dimension, lang)} = {value} ({name})"
        for dimension, value, name in context.filters
    )
    return [
        (TEXT["filters"][lang], filters or TEXT["no_filters"][lang]),
        (TEXT["as_of"][lang], context.as_of.isoformat(timespec="seconds")),
        (TEXT["source"][lang], context.source),
    ]


def _period(figure: Figure, lang: Lang) -> tuple[str, Cell]:
    return TEXT["period"][lang], _span(figure, lang)


def _span(figure: Figure, lang: Lang) -> str:
    return f"{figure['from']} {TEXT['until'][lang]} {figure['to']}"


def _metric(figure: Figure, lang: Lang) -> tuple[str, Cell]:
    return TEXT["metric"][lang], f"{named(METRICS, figure['metric'], lang)} ({figure['metric']})"


def _count(value: int | None) -> Cell:
    """A count as the JSON has it; null only when withheld (PRODUCT.md §3)."""
    return WITHHELD if value is None else value


def _summary(figure: Figure, lang: Lang) -> _Body:
    periods = [(TEXT["this_period"][lang], figure)]
    periods += [(TEXT[kind][lang], other) for kind, other in (figure.get("compared") or {}).items()]

    def cell(summary: Figure, field: str) -> Cell:
        head, _, rest = field.partition(".")
        value = summary[head][rest] if rest else summary[head]
        return value if field.endswith("rate") else _count(value)  # a rate is null when none trained

    header = [TEXT["code"][lang], TEXT["metric"][lang], *(f"{name} {_span(p, lang)}" for name, p in periods)]
    rows: list[list[Cell]] = [
        [field, named(FIELDS, field, lang), *(cell(p, field) for _, p in periods)] for field in FIELDS
    ]
    return _Body([_period(figure, lang)], header, rows)


def _breakdown(figure: Figure, lang: Lang) -> _Body:
    by = named(DIMENSIONS, figure["by"], lang)
    about = [_period(figure, lang), _metric(figure, lang), (TEXT["by"][lang], by)]
    header = [TEXT["code"][lang], f"{TEXT['name'][lang]} ({by})", TEXT["value"][lang]]
    rows: list[list[Cell]] = [[r["key"], r["label"], _count(r["value"])] for r in figure["rows"]]
    return _Body(about, header, rows)


def _timeseries(figure: Figure, lang: Lang) -> _Body:
    interval = (TEXT["interval"][lang], named(INTERVALS, figure["interval"], lang))
    about = [_period(figure, lang), _metric(figure, lang), interval]
    rows: list[list[Cell]] = [[date.fromisoformat(p["start"]), _count(p["value"])] for p in figure["points"]]
    return _Body(about, [TEXT["start"][lang], TEXT["value"][lang]], rows)


def _funnel(figure: Figure, lang: Lang) -> _Body:
    header = [TEXT[k][lang] for k in ("code", "stage", "value", "conversion")]
    rows: list[list[Cell]] = [
        [s["stage"], named(STAGES, s["stage"], lang), _count(s["value"]), s["conversion"]]
        for s in figure["stages"]
    ]
    return _Body([_period(figure, lang)], header, rows)


def _target_columns(lang: Lang) -> list[str]:
    return [
        TEXT["code"][lang],
        TEXT["metric"][lang],
        TEXT["scope"][lang],
        f"{TEXT['code'][lang]} ({TEXT['scope'][lang].lower()})",
        TEXT["name"][lang],
        TEXT["target"][lang],
    ]


def _target_cells(row: Figure, lang: Lang) -> list[Cell]:
    return [
        row["metric"],
        named(METRICS, row["metric"], lang),
        named(SCOPES, row["scope"], lang),
        row["key"],
        row["label"],
        row["value"],
    ]


def _achievement(figure: Figure, lang: Lang) -> _Body:
    about: list[tuple[str, Cell]] = [
        (TEXT["year"][lang], figure["year"]),
        (TEXT["period"][lang], f"{figure['year']}-01-01 {TEXT['until'][lang]} {figure['as_of']}"),
        (TEXT["elapsed"][lang], figure["elapsed_share"]),
    ]
    header = [*_target_columns(lang), *(TEXT[k][lang] for k in ("actual", "share", "expected", "on_track"))]
    yes_no = {True: TEXT["yes"][lang], False: TEXT["no"][lang]}
    rows: list[list[Cell]] = [
        [
            *_target_cells(r, lang),
            r["actual"],
            r["achievement"],
            r["expected_to_date"],
            yes_no[r["on_track"]],
        ]
        for r in figure["rows"]
    ]
    return _Body(about, header, rows)


def _targets(figure: Figure, lang: Lang) -> _Body:
    rows = [_target_cells(t, lang) for t in figure["targets"]]
    return _Body([(TEXT["year"][lang], figure["year"])], _target_columns(lang), rows)
