"""The dashboard's downloads in Debian's headless Chromium against the real stack (issue 14.4): every panel
offers its figures as CSV and Excel and every chart as a PNG; a downloaded file holds the API's figures.
"""

from __future__ import annotations

import random
import struct
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, Page

from devstack import Endpoints
from devstack.app_server import AppServer
from shared.dates import jakarta_today
from tests.browser.chromium import chromium
from tests.browser.test_dashboard import DESKTOP, WAIT_MS, signed_in, wait_live
from tests.exported import norm, read_csv, read_xlsx
from tests.integration.people import participant
from tests.integration.stack import client, running_stack

pytestmark = pytest.mark.timeout(120)
PANELS = ("tiles", "funnel", "series", "region", "dimension", "achievement")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True)
class Figures:
    reporting: AppServer
    http: httpx.Client  # an admin's, on reporting

    def breakdown(self, by: str) -> dict[str, Any]:
        start = jakarta_today().replace(month=1, day=1)
        params = {"from": str(start), "to": str(jakarta_today()), "metric": "registered", "by": by}
        found: dict[str, Any] = self.http.get("/metrics/breakdown", params=params).json()
        return found


@pytest.fixture(scope="module")
def figures(infra: Endpoints, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Figures]:
    with running_stack(infra, tmp_path_factory.mktemp("exports")) as stack:
        registration, reporting = stack.registration(), stack.reporting()
        today, rng = jakarta_today(), random.Random(41)
        first = today.replace(month=1, day=1)
        with client(registration) as http:
            for serial in range(9):
                on = first + timedelta(days=rng.randrange((today - first).days + 1))
                assert (
                    http.post("/participants", json=participant(rng, 41_000 + serial, on)).status_code == 201
                )
        with client(reporting) as http:
            deadline = time.monotonic() + 30
            period = {"from": str(first), "to": str(today)}
            while http.get("/metrics/summary", params=period).json()["registered"] != 9:
                assert time.monotonic() < deadline, "reporting did not catch up"
                time.sleep(0.1)
            yield Figures(reporting, http)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with chromium() as launched:
        yield launched


@pytest.fixture
def page(browser: Browser, figures: Figures) -> Iterator[Page]:
    context = signed_in(browser.new_context(viewport=DESKTOP, base_url=figures.reporting.url, locale="id-ID"))
    opened = context.new_page()
    opened.set_default_timeout(WAIT_MS)
    try:
        opened.goto("/")
        wait_live(opened)
        opened.wait_for_function("document.body.dataset.refreshed !== undefined")
        yield opened
    finally:
        context.close()


def _download(page: Page, selector: str, into: Path) -> tuple[str, bytes]:
    with page.expect_download() as started:
        page.click(selector)
    target = into / started.value.suggested_filename
    started.value.save_as(target)
    return started.value.suggested_filename, target.read_bytes()


def test_a_panels_csv_download_holds_the_figures_the_api_answers(
    page: Page, figures: Figures, tmp_path: Path
) -> None:
    today = jakarta_today()
    name, content = _download(page, '#region-downloads [data-format="csv"]', tmp_path)
    assert name == f"jakpreneur-breakdown-{today.replace(month=1, day=1)}_{today}.csv"
    sheet = read_csv(content).normalized()
    expected = figures.breakdown("kota")
    assert [r[0] for r in sheet.rows] == [norm(r["key"]) for r in expected["rows"]]
    assert [r[2] for r in sheet.rows] == [norm(r["value"]) for r in expected["rows"]]
    assert sum(r["value"] for r in expected["rows"]) == 9
    assert sheet.header == ["Kode", "Nama (kota)", "Jumlah"]  # the page's language: Indonesian

    page.get_by_role("button", name="Switch to English").click()
    _, content = _download(page, '#dimension-downloads [data-format="xlsx"]', tmp_path)
    workbook = read_xlsx(content).normalized()
    assert workbook.header == ["Code", "Name (agency)", "Count"]
    assert [r[2] for r in workbook.rows] == [norm(r["value"]) for r in figures.breakdown("agency")["rows"]]


def test_every_panel_offers_csv_and_xlsx_of_its_own_request_and_every_chart_a_png(page: Page) -> None:
    for panel in PANELS:
        links = page.locator(f"#{panel}-downloads a.download")
        assert links.count() == 2, panel
        for i, format in enumerate(("csv", "xlsx")):
            href = links.nth(i).get_attribute("href") or ""
            query = parse_qs(urlsplit(href).query)
            assert query["format"] == [format] and query["lang"] == ["id"], href
            assert links.nth(i).get_attribute("aria-label"), (panel, format)
            answered = page.request.get(href)  # the page's session cookie, as a click sends it
            assert answered.ok, (href, answered.status)
        pictures = page.locator(f'#{panel}-downloads [data-format="png"]')
        assert pictures.count() == (0 if panel in ("tiles", "achievement") else 1), panel
    # The series follows the metric picker, so its file is the series the chart shows.
    page.select_option("#metric", "trained")
    page.wait_for_function(
        "() => document.querySelector('#series-downloads a').href.includes('metric=trained')"
    )


def test_a_charts_png_is_a_picture_of_the_chart_with_its_heading(page: Page, tmp_path: Path) -> None:
    name, content = _download(page, '#funnel-downloads [data-format="png"]', tmp_path)
    today = jakarta_today()
    assert name == f"jakpreneur-funnel-{today.replace(month=1, day=1)}_{today}.png"
    assert content.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", content[16:24])  # the IHDR chunk
    chart = page.eval_on_selector("#funnel-chart", "(c) => [c.width, c.height]")
    assert (width, height) == (chart[0], chart[1] + 52)  # the chart, and its heading above it
    assert len(content) > 2000  # drawn, not blank
