"""A scope's leadership report: its summary with both comparisons, its achievement against targets, its
kecamatan breakdowns and its funnel, each the API's JSON laid out by the exports' table (figures only).

A figure that cannot take the scope's filter yet (issue 14.1: breakdowns and the funnel take none) is
reported for all of Jakarta, and its file says so; a kota's kecamatan are its own rows of the breakdown.
"""

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from services.reporting.api.period import Period
from services.reporting.exports.table import Context, Kind, Table, table_of
from services.reporting.exports.words import Lang
from services.reporting.metrics import Metric
from services.reporting.reports.figures_api import FiguresApi, Json
from services.reporting.reports.scope import Scope
from services.reporting.reports.words import report_title
from shared.contracts.enums import TargetScope

# Every summary figure, by kecamatan (the funnel's participant-level helpers are in the funnel itself).
KECAMATAN_METRICS = [m for m in Metric if m not in (Metric.PERMIT_HOLDERS, Metric.MARKETED_PARTICIPANTS)]


@dataclass(frozen=True)
class Section:
    sheet: str  # the workbook's sheet name (at most 31 characters)
    table: Table


@dataclass(frozen=True)
class Report:
    scope: Scope
    period: Period
    lang: Lang
    as_of: datetime
    sections: list[Section]

    @property
    def title(self) -> str:
        span = f"{self.period.start.isoformat()} - {self.period.end.isoformat()}"
        return f"{report_title(self.lang)}: {self.scope.name} ({self.scope.key}), {span}"

    def file_stem(self) -> str:
        days = f"{self.period.start.isoformat()}_{self.period.end.isoformat()}"
        return f"jakpreneur-report-{self.scope.key}-{days}"


@dataclass(frozen=True)
class _Composer:
    api: FiguresApi
    scope: Scope
    period: Period
    lang: Lang
    as_of: datetime

    def _dates(self) -> list[tuple[str, str]]:
        return [("from", self.period.start.isoformat()), ("to", self.period.end.isoformat())]

    def _narrowing(self, path: str) -> list[tuple[str, str]]:
        """The scope's filter, where the figure takes it."""
        return [(n, v) for n, v in self.scope.filter.items() if self.api.takes(path, n)]

    def _section(
        self, sheet: str, kind: Kind, body: Json, path: str, params: list[tuple[str, str]]
    ) -> Section:
        return Section(sheet, table_of(kind, body, self._context(path, params, self._filters(params))))

    def _filters(self, params: list[tuple[str, str]]) -> tuple[tuple[str, str, str], ...]:
        asked = dict(params)
        return tuple((n, v, self.scope.name) for n, v in self.scope.filter.items() if asked.get(n) == v)

    def _context(
        self, path: str, params: list[tuple[str, str]], filters: tuple[tuple[str, str, str], ...]
    ) -> Context:
        return Context(self.lang, self.as_of, filters, f"{path}?{urlencode(params)}")

    async def summary(self) -> Section:
        path = "/metrics/summary"
        params = [*self._dates(), ("compare", "previous"), ("compare", "last_year"), *self._narrowing(path)]
        return self._section("summary", Kind.SUMMARY, await self.api.get(path, params), path, params)

    async def achievement(self) -> Section:
        path, params = "/metrics/achievement", [("year", str(self.period.end.year))]
        body = await self.api.get(path, params)
        filters: tuple[tuple[str, str, str], ...] = ()
        if self.scope.kind is not TargetScope.PROVINCE:  # the scope's own targets
            own = (self.scope.kind.value, self.scope.key)
            body["rows"] = [r for r in body["rows"] if (r["scope"], r["key"]) == own]
            filters = ((*own, self.scope.name),)
        return Section("achievement", table_of(Kind.ACHIEVEMENT, body, self._context(path, params, filters)))

    async def kecamatan(self, metric: Metric) -> Section:
        path = "/metrics/breakdown"
        params = [*self._dates(), ("metric", metric.value), ("by", "kecamatan"), *self._narrowing(path)]
        body = await self.api.get(path, params)
        filters = self._filters(params)
        if self.scope.kind is TargetScope.KOTA and not filters:  # the kota's own kecamatan rows
            body["rows"] = [r for r in body["rows"] if r["key"].startswith(f"{self.scope.key}.")]
            filters = ((TargetScope.KOTA.value, self.scope.key, self.scope.name),)
        table = table_of(Kind.BREAKDOWN, body, self._context(path, params, filters))
        return Section(f"kecamatan {metric.value}", table)

    async def funnel(self) -> Section:
        path = "/metrics/funnel"
        params = [*self._dates(), *self._narrowing(path)]
        return self._section("funnel", Kind.FUNNEL, await self.api.get(path, params), path, params)


async def compose(api: FiguresApi, scope: Scope, period: Period, lang: Lang, as_of: datetime) -> Report:
    composer = _Composer(api, scope, period, lang, as_of)
    sections = [await composer.summary(), await composer.achievement()]
    sections += [await composer.kecamatan(metric) for metric in KECAMATAN_METRICS]
    sections.append(await composer.funnel())
    return Report(scope, period, lang, as_of, sections)
