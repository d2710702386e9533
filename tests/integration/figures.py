"""Checks figures served by reporting against counts computed independently from accepted writes."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from datetime import date, timedelta
from typing import Any

import httpx

from tests.integration.people import expected_breakdown

DIMENSIONS = ("kota", "kecamatan", "gender", "sector", "agency")


def registered_between(accepted: list[dict[str, Any]], start: date, end: date) -> int:
    return sum(start <= date.fromisoformat(p["registered_on"]) <= end for p in accepted)


async def wait_for_registered(
    http: httpx.AsyncClient, start: date, end: date, expected: int, timeout_s: float = 30.0
) -> float:
    """Seconds until the summary shows `expected`; fails with the last figure seen."""
    began = time.monotonic()
    seen = None
    while time.monotonic() - began < timeout_s:
        response = await http.get("/metrics/summary", params={"from": str(start), "to": str(end)})
        seen = response.json()["registered"]
        if seen == expected:
            return time.monotonic() - began
        await asyncio.sleep(0.05)
    raise AssertionError(f"registered {start}..{end}: expected {expected}, still {seen} after {timeout_s}s")


def week_series(accepted: list[dict[str, Any]], start: date, end: date) -> list[dict[str, Any]]:
    counts: Counter[date] = Counter()
    for p in accepted:
        day = date.fromisoformat(p["registered_on"])
        if start <= day <= end:
            counts[max(start, day - timedelta(days=day.weekday()))] += 1
    first_points = [start] + [
        start + timedelta(days=i)
        for i in range(1, (end - start).days + 1)
        if (start + timedelta(days=i)).weekday() == 0
    ]
    return [{"start": d.isoformat(), "value": counts[d]} for d in first_points]


def month_series(accepted: list[dict[str, Any]], start: date, end: date) -> list[dict[str, Any]]:
    counts: Counter[date] = Counter()
    for p in accepted:
        day = date.fromisoformat(p["registered_on"])
        if start <= day <= end:
            counts[max(start, day.replace(day=1))] += 1
    firsts = [start] + [
        start + timedelta(days=i)
        for i in range(1, (end - start).days + 1)
        if (start + timedelta(days=i)).day == 1
    ]
    return [{"start": d.isoformat(), "value": counts[d]} for d in firsts]


async def assert_registered_figures(
    http: httpx.AsyncClient, accepted: list[dict[str, Any]], start: date, end: date
) -> None:
    period = {"from": str(start), "to": str(end)}
    summary = (await http.get("/metrics/summary", params=period)).json()
    total = registered_between(accepted, start, end)
    assert summary["registered"] == total, (start, end)
    assert summary["from"] == str(start) and summary["to"] == str(end)
    for by in DIMENSIONS:
        body = (
            await http.get("/metrics/breakdown", params={**period, "metric": "registered", "by": by})
        ).json()
        served = {row["key"]: row["value"] for row in body["rows"] if row["value"]}
        assert served == dict(expected_breakdown(accepted, by, start, end)), (by, start, end)
        assert sum(row["value"] for row in body["rows"]) == total
        assert all(row["label"] for row in body["rows"])
    weekly = (
        await http.get("/metrics/timeseries", params={**period, "metric": "registered", "interval": "week"})
    ).json()
    assert weekly["points"] == week_series(accepted, start, end)
    monthly = (
        await http.get("/metrics/timeseries", params={**period, "metric": "registered", "interval": "month"})
    ).json()
    assert monthly["points"] == month_series(accepted, start, end)
