"""Compares the figures reporting serves with the ledger of acknowledged writes: lost, doubled, misplaced.

Counts are compared per metric and per day over the whole programme (a write counted on the wrong day is
one lost and one doubled), and per breakdown row of every dimension.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from shared.dates import PROGRAMME_START, jakarta_today
from tests.faults.ledger import DIMENSIONS, METRICS, Ledger
from tests.tokens import ADMIN

# Where each metric sits in GET /metrics/summary (permit_holders is not there: it is the funnel's stage).
SUMMARY_PATHS = {
    "registered": ("registered",),
    "trained": ("trained",),
    "vocational_trained": ("vocational", "trained"),
    "permits_issued": ("permits_issued",),
}

Served = dict[str, dict[str, dict[str, int]]]  # metric → "days" | dimension → key → count


@dataclass(frozen=True)
class Verdict:
    expected: int
    counted: int
    lost: int
    doubled: int
    misplaced: list[str] = field(default_factory=list)  # breakdown rows that differ

    @property
    def exact(self) -> bool:
        return not (self.lost or self.doubled or self.misplaced)

    def explain(self) -> str:
        rows = "; ".join(self.misplaced[:3])
        return f"lost {self.lost}, doubled {self.doubled}, misplaced rows: {rows or 'none'}"


def whole_programme() -> dict[str, str]:
    return {"from": str(PROGRAMME_START), "to": str(jakarta_today())}


async def served(http: httpx.AsyncClient) -> Served:
    """Every daily count and breakdown row reporting serves for the checked metrics."""
    period = whole_programme()
    figures: Served = {}
    for metric in METRICS:
        series = await _get(http, "/metrics/timeseries", {**period, "metric": metric, "interval": "day"})
        figures[metric] = {"days": {p["start"]: p["value"] for p in series["points"] if p["value"]}}
        for by in DIMENSIONS:
            body = await _get(http, "/metrics/breakdown", {**period, "metric": metric, "by": by})
            figures[metric][by] = {row["key"]: row["value"] for row in body["rows"] if row["value"]}
    return figures


def judge(ledger: Ledger, figures: Served) -> Verdict:
    lost = doubled = expected = counted = 0
    misplaced = []
    for metric in METRICS:
        want = {str(day): n for day, n in ledger.days(metric).items()}
        got = figures[metric]["days"]
        expected, counted = expected + sum(want.values()), counted + sum(got.values())
        for day in want.keys() | got.keys():
            difference = got.get(day, 0) - want.get(day, 0)
            lost, doubled = lost + max(-difference, 0), doubled + max(difference, 0)
        for by in DIMENSIONS:
            rows = ledger.breakdown(metric, by)
            served_rows = figures[metric][by]
            misplaced += [
                f"{metric} by {by} {key}: {rows.get(key, 0)} expected, {served_rows.get(key, 0)} served"
                for key in sorted(rows.keys() | served_rows.keys())
                if rows.get(key, 0) != served_rows.get(key, 0)
            ]
    return Verdict(expected, counted, lost, doubled, misplaced)


async def settle(reporting_url: str, ledger: Ledger, timeout_s: float = 60.0) -> Verdict:
    """The verdict once reporting shows every acknowledged write, or the last one seen at the timeout."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(headers=ADMIN, base_url=reporting_url, timeout=10.0) as http:
        while True:
            try:
                if await _totals_match(http, ledger) or time.monotonic() > deadline:
                    verdict = judge(ledger, await served(http))
                    if verdict.exact or time.monotonic() > deadline:
                        return verdict
            except (httpx.HTTPError, KeyError):
                if time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.3)


async def counting(reporting_url: str, at_least: int, timeout_s: float = 60.0) -> None:
    """Wait until reporting counts `at_least` registrations: its consumer holds its partitions and runs."""
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient(headers=ADMIN, base_url=reporting_url, timeout=10.0) as http:
        while (await _get(http, "/metrics/summary", whole_programme()))["registered"] < at_least:
            if time.monotonic() > deadline:
                raise AssertionError(f"reporting did not count {at_least} registrations in {timeout_s:.0f}s")
            await asyncio.sleep(0.1)


async def _totals_match(http: httpx.AsyncClient, ledger: Ledger) -> bool:
    summary = await _get(http, "/metrics/summary", whole_programme())
    for metric, path in SUMMARY_PATHS.items():
        value: Any = summary
        for part in path:
            value = value[part]
        if value != len(ledger.firsts(metric)):
            return False
    return True


async def _get(http: httpx.AsyncClient, path: str, params: dict[str, str]) -> Any:
    response = await http.get(path, params=params)
    response.raise_for_status()
    return response.json()
