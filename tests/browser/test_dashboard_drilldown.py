"""The dashboard's drill-down, achievement panel, last-year comparison and dimension chooser (issue 14.6) in
Debian's headless Chromium against the real stack: each compared with the reporting API's own answer.
"""

from __future__ import annotations

import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page

from devstack import Endpoints
from devstack.app_server import AppServer
from services.reporting.metrics import Dimension
from shared.dates import jakarta_today
from tests.browser.chromium import chromium
from tests.browser.test_dashboard import DESKTOP, WAIT_MS, signed_in, wait_live, wait_tile
from tests.exported import norm, read_csv
from tests.integration.people import participant
from tests.integration.stack import client, running_stack

pytestmark = pytest.mark.timeout(180)
THIS_YEAR, LAST_YEAR = 24, 9  # participants registered in this year to date, and in the same dates last year
ROWS_JS = """(id) => [...document.querySelectorAll(`#${id} tbody tr`)]
  .map((tr) => [tr.querySelector("th").textContent, tr.querySelector("td").textContent])"""


@dataclass(frozen=True)
class Figures:
    reporting: AppServer
    http: httpx.Client  # an admin's, on reporting
    start: date
    end: date
    busiest: str  # the kota most of this year's participants live in
    targets: list[dict[str, Any]]

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.http.get(path, params=params)
        assert response.status_code == 200, response.text
        found: dict[str, Any] = response.json()
        return found

    def breakdown(self, by: str) -> list[dict[str, Any]]:
        period = {"from": str(self.start), "to": str(self.end)}
        rows: list[dict[str, Any]] = self.get("/metrics/breakdown", **period, metric="registered", by=by)[
            "rows"
        ]
        return rows

    def kecamatan_of(self, kota: str) -> list[dict[str, Any]]:
        return [r for r in self.breakdown("kecamatan") if r["key"].startswith(f"{kota}.")]


def _year_back(day: date) -> date:
    return day.replace(year=day.year - 1, day=28 if (day.month, day.day) == (2, 29) else day.day)


@pytest.fixture(scope="module")
def figures(infra: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Figures]:
    with running_stack(infra, tmp_path_factory.mktemp("drilldown")) as stack:
        registration, reporting = stack.registration(), stack.reporting()
        end, rng = jakarta_today(), random.Random(146)
        start = end.replace(month=1, day=1)
        span = (end - start).days + 1
        days = [start + timedelta(days=rng.randrange(span)) for _ in range(THIS_YEAR)]
        days += [_year_back(start + timedelta(days=rng.randrange(span))) for _ in range(LAST_YEAR)]
        kota: Counter[str] = Counter()
        kecamatan: Counter[str] = Counter()
        with client(registration) as http:
            for serial, on in enumerate(days):
                body = participant(rng, 46_000 + serial, on)
                assert http.post("/participants", json=body).status_code == 201
                if on >= start:
                    kota[body["domicile"]["kota_code"]] += 1
                    kecamatan[body["domicile"]["kecamatan_code"]] += 1
        targets = [
            {"year": end.year, "metric": "registered", "scope": "province", "key": "31", "value": 30},
            {"year": end.year, "metric": "registered", "scope": "agency", "key": "PPKUKM", "value": 2},
            {"year": end.year, "metric": "registered", "scope": "kota", "key": "31.71", "value": 40},
            {"year": end.year, "metric": "trained", "scope": "province", "key": "31", "value": 10},
            {
                "year": end.year,
                "metric": "registered",
                "scope": "kecamatan",
                "key": kecamatan.most_common(1)[0][0],
                "value": 1,
            },
        ]
        with client(reporting) as http:
            assert http.put("/targets", json={"targets": targets}).status_code == 200
            deadline = time.monotonic() + 30
            period = {"from": str(_year_back(start)), "to": str(end)}
            while http.get("/metrics/summary", params=period).json()["registered"] != len(days) or len(
                http.get("/targets", params={"year": end.year}).json()["targets"]
            ) != len(targets):
                assert time.monotonic() < deadline, "reporting did not catch up"
                time.sleep(0.1)
            yield Figures(reporting, http, start, end, kota.most_common(1)[0][0], targets)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, figures: Figures) -> Iterator[Page]:
    context = signed_in(browser.new_context(viewport=DESKTOP, base_url=figures.reporting.url, locale="id-ID"))
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    problems: list[str] = []
    opened.on("pageerror", lambda e: problems.append(str(e)))
    opened.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    try:
        yield opened
        assert not problems, problems
    finally:
        context.close()


def load(page: Page, path: str = "/") -> None:
    page.goto(path)
    wait_live(page)
    page.wait_for_function("document.body.dataset.refreshed !== undefined")


def wait_rows(page: Page, table: str, rows: list[dict[str, Any]]) -> None:
    """The table shows exactly these breakdown rows: each name and count, in the API's order."""
    expected = [[r["label"], str(r["value"])] for r in rows]
    want = json.dumps(expected, ensure_ascii=False, separators=(",", ":"))
    page.wait_for_function(f"([want, id]) => JSON.stringify(({ROWS_JS})(id)) === want", arg=[want, table])


def click_bar(page: Page, canvas: str, index: int) -> None:
    """A real mouse click in the middle of the chart's bar number `index`."""
    x, y = page.evaluate(
        """([id, i]) => { const bar = Chart.getChart(id).getDatasetMeta(0).data[i];
          return [bar.x, (bar.y + bar.base) / 2]; }""",
        [canvas, index],
    )
    page.locator(f"#{canvas}").click(position={"x": x, "y": y})


def test_clicking_a_kota_drills_into_its_kecamatan_and_the_breadcrumb_goes_back(
    page: Page, figures: Figures
) -> None:
    load(page)
    kotas = figures.breakdown("kota")
    wait_rows(page, "region-table", kotas)
    index = [r["key"] for r in kotas].index(figures.busiest)
    click_bar(page, "region-chart", index)

    drilled = figures.kecamatan_of(figures.busiest)
    assert sum(r["value"] for r in drilled) == kotas[index]["value"] > 0
    wait_rows(page, "region-table", drilled)
    assert f"drill={figures.busiest}" in page.url
    assert page.inner_text("#region-crumbs [aria-current]") == kotas[index]["label"]
    assert "kelurahan" in page.inner_text("#region-hint")  # the API's deepest level, said on the page

    page.get_by_role("button", name="Seluruh Jakarta").click()
    wait_rows(page, "region-table", kotas)
    assert "drill=" not in page.url
    page.go_back()  # each level is a history entry
    wait_rows(page, "region-table", drilled)

    # A link reopens the level; a keyboard user drills from the table's row names.
    other = next(r for r in kotas if r["key"] != figures.busiest)
    load(page, "/?drill=31.71")
    wait_rows(page, "region-table", figures.kecamatan_of("31.71"))
    page.get_by_role("button", name="Seluruh Jakarta").click()
    wait_rows(page, "region-table", kotas)
    page.focus(f'#region-table [data-drill="{other["key"]}"]')
    page.keyboard.press("Enter")
    wait_rows(page, "region-table", figures.kecamatan_of(other["key"]))


def test_clicking_a_kecamatan_narrows_the_tiles_and_the_series_to_it(page: Page, figures: Figures) -> None:
    load(page, f"/?drill={figures.busiest}")
    drilled = figures.kecamatan_of(figures.busiest)
    wait_rows(page, "region-table", drilled)
    index = max(range(len(drilled)), key=lambda i: drilled[i]["value"])
    chosen = drilled[index]
    click_bar(page, "region-chart", index)

    period = {"from": str(figures.start), "to": str(figures.end)}
    only = figures.get("/metrics/summary", **period, kecamatan=chosen["key"])
    assert 0 < only["registered"] == chosen["value"]
    wait_tile(page, "registered", only["registered"])
    assert f"kecamatan={chosen['key']}" in page.url and f"drill={figures.busiest}" in page.url
    kota = next(r["label"] for r in figures.breakdown("kota") if r["key"] == figures.busiest)
    crumbs = page.locator("#region-crumbs li").all_inner_texts()
    assert [c.strip() for c in crumbs] == ["Seluruh Jakarta", kota, chosen["label"]]
    assert page.input_value("#filter") == f"kecamatan:{chosen['key']}"
    page.wait_for_function(  # the series (and its file) follow the kecamatan
        "key => document.querySelector('#series-downloads a').href.includes(`kecamatan=${key}`)",
        arg=chosen["key"],
    )
    wait_rows(page, "region-table", drilled)  # the region panel stays at the kota's kecamatan

    page.locator("#region-crumbs button.crumb").last.click()  # up to the kota: all of Jakarta's figures
    wait_tile(page, "registered", figures.get("/metrics/summary", **period)["registered"])
    assert "kecamatan=" not in page.url and f"drill={figures.busiest}" in page.url


def test_a_drilled_panels_csv_holds_the_apis_kecamatan_figures(
    page: Page, figures: Figures, tmp_path: Path
) -> None:
    load(page, f"/?drill={figures.busiest}")
    drilled = figures.kecamatan_of(figures.busiest)
    wait_rows(page, "region-table", drilled)
    with page.expect_download() as started:
        page.click('#region-downloads [data-format="csv"]')
    target = tmp_path / started.value.suggested_filename
    started.value.save_as(target)
    sheet = read_csv(target.read_bytes()).normalized()
    # The API's kecamatan breakdown as a file (it takes no kota= yet): the drilled kota's rows among them.
    everything = figures.breakdown("kecamatan")
    assert [r[0] for r in sheet.rows] == [norm(r["key"]) for r in everything]
    mine = [r for r in sheet.rows if str(r[0]).startswith(f"{figures.busiest}.")]
    assert [(r[0], r[2]) for r in mine] == [(norm(r["key"]), norm(r["value"])) for r in drilled]
    assert sum(r["value"] for r in drilled) > 0


def test_the_achievement_panel_shows_the_apis_figures_for_the_chosen_year(
    page: Page, figures: Figures
) -> None:
    load(page)
    expected = figures.get("/metrics/achievement", year=figures.end.year)["rows"]
    assert len(expected) == len(figures.targets)
    page.wait_for_function(
        "n => document.querySelectorAll('#achievement-table tbody tr').length === n", arg=len(expected)
    )
    shown = page.eval_on_selector_all(
        "#achievement-table tbody tr", "trs => trs.map((tr) => ({ ...tr.dataset }))"
    )
    assert shown == [
        {
            "row": f"{r['metric']}:{r['scope']}:{r['key']}",
            "target": str(r["value"]),
            "actual": str(r["actual"]),
            "expected": str(r["expected_to_date"]),
            "onTrack": "true" if r["on_track"] else "false",
        }
        for r in expected
    ]
    assert {r["on_track"] for r in expected} == {True, False}  # both shown, in words too
    words = page.inner_text("#achievement-table tbody")
    assert "Ya" in words and "Tidak" in words

    page.fill("#year", str(figures.end.year - 1))
    page.press("#year", "Tab")  # a change event, as leaving the field sends
    page.wait_for_function("() => document.querySelector('#achievement-table tbody')?.children.length === 0")
    assert page.inner_text("#achievement-note") == f"Belum ada target untuk tahun {figures.end.year - 1}."
    assert f"year={figures.end.year - 1}" in page.url
    href = page.get_attribute('#achievement-downloads [data-format="csv"]', "href") or ""
    assert f"year={figures.end.year - 1}" in href and page.request.get(href).ok


def test_the_tiles_show_the_change_against_the_same_dates_last_year_as_the_api(
    page: Page, figures: Figures
) -> None:
    load(page)
    body = figures.get(
        "/metrics/summary",
        **{"from": str(figures.start), "to": str(figures.end)},
        compare=["previous", "last_year"],
    )
    for kind, selector in (("last_year", ".delta-year"), ("previous", ".delta")):
        diff = body["registered"] - body["compared"][kind]["registered"]
        page.wait_for_function(
            "([s, diff]) => document.querySelector(`[data-tile='registered'] ${s}`)?.dataset.diff === diff",
            arg=[selector, str(diff)],
        )
    assert body["compared"]["last_year"]["registered"] == LAST_YEAR
    assert "vs tahun lalu" in page.inner_text("[data-tile='registered'] .delta-year")
    assert str(figures.start.year - 1) in page.inner_text("#compare-note")


def test_every_dimension_of_the_api_is_a_breakdown_to_choose(page: Page, figures: Figures) -> None:
    load(page)
    offered = page.eval_on_selector_all("#by option", "options => options.map((o) => o.value)")
    assert set(offered) == {d.value for d in Dimension}
    for by in offered:
        page.select_option("#by", by)
        wait_rows(page, "dimension-table", figures.breakdown(by))
        href = page.get_attribute('#dimension-downloads [data-format="xlsx"]', "href") or ""
        assert f"by={by}" in href, href
    assert offered[-1] == "sector" and "by=sector" in page.url


def test_the_date_inputs_and_their_words_follow_the_page_language(page: Page, figures: Figures) -> None:
    load(page)
    day = f"{figures.end.year}-05-03"
    page.get_by_label("Rentang sendiri").check()
    page.fill("#from", day)
    assert page.get_attribute("#from", "lang") == "id"
    assert page.inner_text("#from-words") == f"3 Mei {figures.end.year}"
    page.get_by_role("button", name="Switch to English").click()
    assert page.get_attribute("#from", "lang") == "en"
    assert page.inner_text("#from-words") == f"3 May {figures.end.year}"
    assert page.evaluate("document.documentElement.lang") == "en"
